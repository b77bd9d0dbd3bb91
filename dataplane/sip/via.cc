// via-parm = sent-protocol LWS sent-by *( SEMI via-params )
#include "sip/via.h"

#include "sip/lex.h"
#include "sip/params.h"

namespace sipwire::sip {
namespace {

// token, then SWS "/" SWS when `slash` is set. Advances i; false when malformed.
bool protocol_part(std::string_view s, size_t& i, std::string_view& out, bool slash) noexcept {
    const size_t b = i;
    i = lex::skip_token(s, i);
    if (i == b) return false;
    out = s.substr(b, i - b);
    if (!slash) return true;
    i = lex::skip_ws(s, i);
    if (i == s.size() || s[i] != '/') return false;
    i = lex::skip_ws(s, i + 1);
    return true;
}

// Parses the via-parm starting at s[i] (no leading LWS). Returns the index where it
// ends: s.size() or a ',' starting the next value (trailing LWS skipped); npos when
// malformed.
size_t parse_via_at(std::string_view s, size_t i, Via& out) noexcept {
    constexpr size_t kBad = std::string_view::npos;
    out = Via{};
    if (!protocol_part(s, i, out.protocol_name, true) ||
        !protocol_part(s, i, out.protocol_version, true) ||
        !protocol_part(s, i, out.transport, false))
        return kBad;
    // LWS between sent-protocol and sent-by is mandatory.
    if (i == s.size() || !lex::is_ws(s[i])) return kBad;
    i = lex::skip_ws(s, i);

    const size_t host_begin = i;
    if (i < s.size() && s[i] == '[') {
        while (i < s.size() && s[i] != ']') ++i;
        if (i == s.size()) return kBad;
        ++i;
    } else {
        while (i < s.size() && lex::is(s[i], lex::kHostChar) && s[i] != ':') ++i;
    }
    out.host = s.substr(host_begin, i - host_begin);
    if (!lex::valid_host(out.host)) return kBad;
    i = lex::skip_ws(s, i);
    if (i < s.size() && s[i] == ':') {
        i = lex::skip_ws(s, i + 1);
        const size_t pb = i;
        while (i < s.size() && lex::is_digit(s[i])) ++i;
        out.port_text = s.substr(pb, i - pb);
        if (!lex::parse_port(out.port_text, out.port)) return kBad;
        i = lex::skip_ws(s, i);
    }
    if (i == s.size() || s[i] == ',') return i;
    if (s[i] != ';') return kBad;

    const size_t params_begin = i + 1;
    size_t params_end = params_begin;
    std::string_view rest = s.substr(i);
    Param p;
    for (;;) {
        const size_t j = lex::skip_ws(rest, 0);
        if (j == rest.size() || rest[j] == ',') break;
        if (rest[j] != ';') return kBad;  // garbage between parameters
        if (!next_param(rest, p)) return kBad;
        params_end = static_cast<size_t>(rest.data() - s.data());
        if (lex::iequals_lower(p.name, "branch")) {
            if (!p.has_value || p.value.empty()) return kBad;
            out.branch = p.value;
        } else if (lex::iequals_lower(p.name, "received")) {
            if (!p.has_value || p.value.empty()) return kBad;
            out.received = p.value;
        } else if (lex::iequals_lower(p.name, "rport")) {
            out.has_rport = true;
            if (p.has_value && !lex::parse_port(p.value, out.rport)) return kBad;
        } else if (lex::iequals_lower(p.name, "maddr")) {
            if (!p.has_value || !lex::valid_host(p.value)) return kBad;
            out.maddr = p.value;
        } else if (lex::iequals_lower(p.name, "ttl")) {
            uint32_t ttl = 0;
            if (!p.has_value || !lex::parse_uint(p.value, 3, ttl) || ttl > 255) return kBad;
            out.ttl = static_cast<int16_t>(ttl);
        }
    }
    out.params = s.substr(params_begin, params_end - params_begin);
    return static_cast<size_t>(rest.data() - s.data()) + lex::skip_ws(rest, 0);
}

}  // namespace

bool parse_via(std::string_view value, Via& out) noexcept {
    const std::string_view s = lex::trim(value);
    return parse_via_at(s, 0, out) == s.size();
}

int next_via(std::string_view& rest, Via& out) noexcept {
    size_t i = 0;
    while (i < rest.size() && (lex::is_ws(rest[i]) || rest[i] == ',')) ++i;
    if (i == rest.size()) {
        rest = {};
        return 0;
    }
    const size_t end = parse_via_at(rest, i, out);
    if (end == std::string_view::npos) return -1;
    rest.remove_prefix(end);
    return 1;
}

}  // namespace sipwire::sip
