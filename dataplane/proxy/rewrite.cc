// Edit list application and the proxy's edits (see rewrite.h).
#include "proxy/rewrite.h"

#include "proxy/address.h"

namespace sipwire::proxy {
namespace {

bool is_lws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

uint32_t offset_of(const sip::SipMessage& msg, std::string_view v) noexcept {
    return static_cast<uint32_t>(v.data() - msg.data());
}

// Index just past the name of the flag parameter `lower` (no value) in a Via's
// parameter list "a=1;rport;b" (as parse_via() hands it out: no leading ';'); npos
// when absent. Quoted strings are skipped. One pass, no allocation.
size_t flag_param_end(std::string_view s, std::string_view lower) noexcept {
    size_t i = 0;
    bool at_name = true;  // s[i] may start a parameter name
    while (i < s.size()) {
        if (at_name) {
            while (i < s.size() && is_lws(s[i])) ++i;
            if (s.size() - i >= lower.size()) {
                bool same = true;
                for (size_t k = 0; k < lower.size() && same; ++k) {
                    const char c = s[i + k];
                    same = ((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c) == lower[k];
                }
                const size_t e = i + lower.size();
                if (same && (e == s.size() || s[e] == ';' || is_lws(s[e]))) {
                    size_t j = e;
                    while (j < s.size() && is_lws(s[j])) ++j;
                    if (j == s.size() || s[j] != '=') return e;
                }
            }
            at_name = false;
            continue;
        }
        if (s[i] == '"') {
            ++i;
            while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
            ++i;
            continue;
        }
        at_name = s[i] == ';';
        ++i;
    }
    return std::string_view::npos;
}

}  // namespace

bool apply_edits(const char* input, uint32_t begin, uint32_t end, const EditList& edits, Writer& w) noexcept {
    uint32_t cursor = begin;
    for (uint32_t i = 0; i < edits.size(); ++i) {
        const Edit& e = edits[i];
        if (e.offset < begin || e.offset > end) continue;
        if (e.offset < cursor || e.remove > end - e.offset) return false;
        w.put({input + cursor, e.offset - cursor});
        w.put(e.insert);
        cursor = e.offset + e.remove;
    }
    w.put({input + cursor, end - cursor});
    return w.ok();
}

uint32_t line_end(const sip::SipMessage& msg, const sip::HeaderField& h) noexcept {
    const char* d = msg.data();
    const uint32_t n = msg.length();
    uint32_t i = static_cast<uint32_t>(h.value_offset) + h.value_length;
    // The value is trimmed: skip its trailing LWS up to the LF that is not folding.
    for (; i < n; ++i) {
        if (d[i] == '\n' && !(i + 1 < n && (d[i + 1] == ' ' || d[i + 1] == '\t'))) return i + 1;
    }
    return n;
}

bool remove_first_value(const sip::SipMessage& msg, const sip::HeaderField& h, std::string_view first_value,
                        std::string_view after_first, EditList& edits) noexcept {
    size_t i = 0;
    while (i < after_first.size() && (is_lws(after_first[i]) || after_first[i] == ',')) ++i;
    if (i == after_first.size()) {
        // The only value: the whole line goes.
        return edits.remove(h.name_offset, line_end(msg, h) - h.name_offset);
    }
    const uint32_t from = offset_of(msg, first_value);
    const uint32_t to = offset_of(msg, after_first.substr(i));
    return edits.remove(from, to - from);
}

bool add_top_via_edits(const sip::SipMessage& msg, const sip::Via& top, uint32_t src_ip, uint16_t src_port,
                       TopViaScratch& scratch, EditList& edits) noexcept {
    // rport without a value: "=<port>" right after its name (RFC 3581 4).
    if (top.has_rport && top.rport == 0) {
        const size_t at = flag_param_end(top.params, "rport");
        if (at != std::string_view::npos) {
            scratch.rport[0] = '=';
            const size_t n = 1 + format_uint(to_host16(src_port), scratch.rport + 1);
            if (!edits.insert(offset_of(msg, top.params) + static_cast<uint32_t>(at), {scratch.rport, n}))
                return false;
        }
    }

    std::memcpy(scratch.received, ";received=", 10);
    const size_t ip_len = format_ipv4(src_ip, scratch.received + 10);
    const std::string_view src_text(scratch.received + 10, ip_len);
    if (!top.received.empty()) {
        if (top.received == src_text) return true;
        return edits.add(offset_of(msg, top.received), static_cast<uint32_t>(top.received.size()), src_text);
    }
    uint32_t host_ip = 0;
    const bool same_host = parse_ipv4(top.host, host_ip) && host_ip == src_ip;
    if (same_host && !top.has_rport) return true;
    // After the last parameter, or after sent-by when there is none.
    std::string_view last = top.params;
    if (last.empty()) last = top.port_text.empty() ? top.host : top.port_text;
    return edits.insert(offset_of(msg, last) + static_cast<uint32_t>(last.size()), {scratch.received, 10 + ip_len});
}

}  // namespace sipwire::proxy
