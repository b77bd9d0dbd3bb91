// First pass: start line, header boundaries and names, the few fields every message
// needs (CSeq, Max-Forwards, Content-Length), body bounds.
//
// One scan of the header section: lex::SpecialScanner skips plain printable ASCII 64
// bytes at a time and stops only on CR, LF, HT, non-ASCII and other controls, so line
// splitting and the NUL / control / UTF-8 checks are the same loop.
#include <cstring>

#include "sip/header_lookup.h"
#include "sip/lex.h"
#include "sip/message.h"

namespace sipwire::sip {
namespace {

constexpr std::string_view kVersion = "SIP/2.0";

ParseError version_error(std::string_view v) noexcept {
    if (v.size() >= 4 && lex::iequals(v.substr(0, 4), "SIP/")) return ParseError::unsupported_version;
    return ParseError::bad_start_line;
}

}  // namespace

// Friend of SipMessage: fills the private fields.
struct Parser {
    // `plain`: the scanner met no HT and no non-ASCII byte on the line.
    static ParseError start_line(SipMessage& m, const char* line, const char* eol, bool plain) noexcept {
        const std::string_view l(line, static_cast<size_t>(eol - line));
        const auto off = [&](std::string_view v) { return static_cast<uint16_t>(v.data() - m.data_); };

        if (l.size() >= 4 && lex::iequals(l.substr(0, 4), "SIP/")) {
            // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
            const size_t sp = l.find(' ');
            const std::string_view version = l.substr(0, sp);
            if (!lex::iequals(version, kVersion)) return version_error(version);
            if (sp == std::string_view::npos || l.size() < sp + 4) return ParseError::bad_start_line;
            const std::string_view code = l.substr(sp + 1, 3);
            uint32_t status = 0;
            if (!lex::parse_uint(code, 3, status) || status < 100 || status > 699)
                return ParseError::bad_start_line;
            std::string_view reason;
            if (l.size() > sp + 4) {
                if (l[sp + 4] != ' ') return ParseError::bad_start_line;
                reason = l.substr(sp + 5);
            } else {
                reason = l.substr(sp + 4);  // lenient: no SP before an empty reason
            }
            m.status_code_ = static_cast<uint16_t>(status);
            m.reason_off_ = off(reason);
            m.reason_len_ = static_cast<uint16_t>(reason.size());
            return ParseError::ok;
        }

        // Request-Line = Method SP Request-URI SP SIP-Version
        const size_t sp1 = l.find(' ');
        if (sp1 == std::string_view::npos || sp1 == 0) return ParseError::bad_start_line;
        const std::string_view method = l.substr(0, sp1);
        const size_t sp2 = l.find(' ', sp1 + 1);
        if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return ParseError::bad_start_line;
        const std::string_view uri = l.substr(sp1 + 1, sp2 - sp1 - 1);
        const std::string_view version = l.substr(sp2 + 1);
        const Method mt = method_from_token(method);
        if (mt == Method::none) return ParseError::bad_start_line;
        if (!plain) {
            for (char c : uri) {
                const auto u = static_cast<uint8_t>(c);
                if (u <= 0x20 || u >= 0x7f) return ParseError::bad_start_line;
            }
        }
        if (version != kVersion && !lex::iequals(version, kVersion)) return version_error(version);
        m.method_ = mt;
        m.method_off_ = off(method);
        m.method_len_ = static_cast<uint16_t>(method.size());
        m.ruri_off_ = off(uri);
        m.ruri_len_ = static_cast<uint16_t>(uri.size());
        return ParseError::ok;
    }

    [[gnu::always_inline]] static ParseError header(SipMessage& m, const char* line, const char* eol) noexcept {
        if (m.header_count_ == kMaxHeaders) return ParseError::too_many_headers;
        // name *(SP / HT) ":" value. A known name is matched exactly by header_id(),
        // so only unknown names need their characters checked.
        const char* colon = lex::find_char(line, eol, m.data_ + m.length_, ':');
        if (colon == nullptr) return ParseError::bad_header;
        const char* name_end = colon;
        while (name_end > line && (name_end[-1] == ' ' || name_end[-1] == '\t')) --name_end;
        const auto name_len = static_cast<size_t>(name_end - line);
        if (name_len == 0 || name_len > 255) return ParseError::bad_header;
        const HeaderId id = detail::lookup_header_in(line, name_len, m.data_ + m.length_);
        if (id == HeaderId::other) {
            for (const char* c = line; c < name_end; ++c)
                if (!lex::is_token(*c)) return ParseError::bad_header;
        }
        const char* q = colon + 1;
        const char* ve = eol;
        if (q < ve && *q == ' ') ++q;  // the usual single space
        while (q < ve && lex::is_ws(*q)) ++q;
        while (ve > q && lex::is_ws(ve[-1])) --ve;

        const auto n = static_cast<uint8_t>(m.header_count_++);
        HeaderField& h = m.headers_[n];
        h.name_offset = static_cast<uint16_t>(line - m.data_);
        h.name_length = static_cast<uint8_t>(name_len);
        h.value_offset = static_cast<uint16_t>(q - m.data_);
        h.value_length = static_cast<uint16_t>(ve - q);
        h.id = id;
        h.next_same = kNoHeader;
        const auto i = static_cast<uint8_t>(id);
        if (m.count_[i] == 0) {
            m.first_[i] = n;
        } else {
            m.headers_[m.last_[i]].next_same = n;
        }
        m.last_[i] = n;
        ++m.count_[i];
        return ParseError::ok;
    }

    // CSeq = 1*DIGIT LWS Method
    static ParseError cseq(SipMessage& m) noexcept {
        const std::string_view v = m.header(HeaderId::cseq);
        size_t i = 0;
        uint64_t number = 0;
        while (i < v.size() && lex::is_digit(v[i])) number = number * 10 + static_cast<uint64_t>(v[i++] - '0');
        if (i == 0 || i > 10 || number > 0x7fffffffu) return ParseError::bad_cseq;
        if (i == v.size() || !lex::is_ws(v[i])) return ParseError::bad_cseq;
        i = lex::skip_ws(v, i);
        const std::string_view method = v.substr(i);  // value is trimmed: nothing follows the token
        Method mt;
        if (m.is_request()) {
            // RFC 3261 8.1.1.5: the CSeq method matches the request method.
            if (method != m.method_name()) return ParseError::bad_cseq;
            mt = m.method_;
        } else {
            mt = method_from_token(method);
            if (mt == Method::none) return ParseError::bad_cseq;
        }
        m.cseq_number_ = static_cast<uint32_t>(number);
        m.cseq_method_ = mt;
        m.cseq_method_off_ = static_cast<uint16_t>(method.data() - m.data_);
        m.cseq_method_len_ = static_cast<uint16_t>(method.size());
        return ParseError::ok;
    }

    static ParseError finish(SipMessage& m, const char* body) noexcept {
        const auto empty = [&m](HeaderId id) {
            const uint8_t i = m.first_[static_cast<uint8_t>(id)];
            return i == kNoHeader || m.headers_[i].value_length == 0;
        };
        if (!m.has(HeaderId::via)) return ParseError::missing_via;
        if (empty(HeaderId::from)) return ParseError::missing_from;
        if (empty(HeaderId::to)) return ParseError::missing_to;
        if (empty(HeaderId::call_id)) return ParseError::missing_call_id;
        if (!m.has(HeaderId::cseq)) return ParseError::missing_cseq;

        if (const ParseError e = cseq(m); e != ParseError::ok) return e;

        if (m.has(HeaderId::max_forwards) &&
            !lex::parse_uint(m.header(HeaderId::max_forwards), 9, m.max_forwards_))
            return ParseError::bad_max_forwards;

        const auto body_off = static_cast<uint32_t>(body - m.data_);
        const uint32_t remaining = m.length_ - body_off;
        uint32_t body_len = remaining;
        if (m.has(HeaderId::content_length)) {
            // Every Content-Length line must agree.
            for (uint8_t i = m.first_index(HeaderId::content_length); i != kNoHeader; i = m.headers_[i].next_same) {
                uint32_t cl = 0;
                if (!lex::parse_uint(m.value(m.headers_[i]), 9, cl)) return ParseError::bad_content_length;
                if (i != m.first_index(HeaderId::content_length) && cl != m.content_length_)
                    return ParseError::bad_content_length;
                m.content_length_ = cl;
            }
            if (m.content_length_ > remaining) return ParseError::content_length_mismatch;
            body_len = m.content_length_;  // extra bytes ignored (RFC 3261 18.3, UDP)
        }
        m.body_off_ = static_cast<uint16_t>(body_off);
        m.body_len_ = static_cast<uint16_t>(body_len);
        return ParseError::ok;
    }

    static void reset(SipMessage& m, const char* data, uint32_t length) noexcept {
        m.data_ = data;
        m.length_ = length;
        m.header_count_ = 0;
        m.method_ = Method::none;
        m.cseq_method_ = Method::none;
        m.status_code_ = 0;
        m.method_off_ = m.method_len_ = 0;
        m.ruri_off_ = m.ruri_len_ = 0;
        m.reason_off_ = m.reason_len_ = 0;
        m.cseq_method_off_ = m.cseq_method_len_ = 0;
        m.body_off_ = m.body_len_ = 0;
        m.cseq_number_ = 0;
        m.max_forwards_ = 70;
        m.content_length_ = 0;
        std::memset(m.first_, kNoHeader, sizeof(m.first_));
        std::memset(m.count_, 0, sizeof(m.count_));
    }
};

ParseError parse_message(const char* data, uint32_t length, SipMessage& m, const ParseOptions& options) noexcept {
    const uint32_t max = options.max_length < kMaxMessageLength ? options.max_length : kMaxMessageLength;
    Parser::reset(m, data, 0);
    if (length > max) return ParseError::oversize;
    Parser::reset(m, data, length);

    const char* const end = data + length;
    const char* p = data;
    // Leading CRLFs: keep-alives (RFC 5626 4.4.1) and stream framing (RFC 3261 7.5).
    while (p < end && (*p == '\r' || *p == '\n')) ++p;
    if (p == end) return ParseError::empty;

    const char* line = p;
    bool first_line = true;
    bool plain_start_line = true;
    lex::SpecialScanner scanner(p, end);
    for (;;) {
        const char* s = scanner.next(p);
        if (s == end) return ParseError::truncated;
        const auto c = static_cast<uint8_t>(*s);
        if (c == '\r' || c == '\n') {
            // End of a physical line: CRLF (a bare LF is tolerated, a bare CR is not).
            const char* next = s + 1;
            if (c == '\r') {
                if (next == end) return ParseError::truncated;
                if (*next != '\n') return ParseError::bad_header;
                ++next;
            }
            if (next == end) return ParseError::truncated;
            if (!first_line && (*next == ' ' || *next == '\t')) {
                p = next;  // folded: the header continues on the next line
                continue;
            }
            const ParseError e =
                first_line ? Parser::start_line(m, line, s, plain_start_line) : Parser::header(m, line, s);
            if (e != ParseError::ok) return e;
            first_line = false;
            p = line = next;
            if (*next == '\r' || *next == '\n') {  // empty line: end of the header section
                const char* body = next + 1;
                if (*next == '\r') {
                    if (body == end) return ParseError::truncated;
                    if (*body != '\n') return ParseError::bad_header;
                    ++body;
                }
                return Parser::finish(m, body);
            }
        } else if (c == '\t') {
            plain_start_line = plain_start_line && !first_line;
            p = s + 1;
        } else if (c >= 0x80) {
            plain_start_line = plain_start_line && !first_line;
            const int n = lex::utf8_sequence(s, end);
            if (n < 0) return ParseError::truncated;
            if (n == 0) return ParseError::invalid_utf8;
            p = s + n;
        } else {
            return c == 0 ? ParseError::nul_byte : ParseError::bad_header;
        }
    }
}

// --- SipMessage accessors that do a little work ----------------------------------

ParseError SipMessage::top_via(Via& out) const noexcept {
    std::string_view top = header(HeaderId::via);
    return next_via(top, out) > 0 ? ParseError::ok : ParseError::bad_via;
}

std::string_view SipMessage::header(HeaderId id) const noexcept {
    const uint8_t i = first_[static_cast<uint8_t>(id)];
    return i == kNoHeader ? std::string_view{} : value(headers_[i]);
}

std::string_view SipMessage::header(std::string_view name) const noexcept {
    for (uint32_t i = 0; i < header_count_; ++i)
        if (lex::iequals(this->name(headers_[i]), name)) return value(headers_[i]);
    return {};
}

}  // namespace sipwire::sip
