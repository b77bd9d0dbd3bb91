// SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ]
#include "sip/uri.h"

#include "sip/lex.h"

namespace sipwire::sip {

bool parse_sip_uri(std::string_view s, SipUri& out) noexcept {
    out = SipUri{};
    size_t i;
    if (s.size() > 4 && lex::iequals(s.substr(0, 4), "sip:")) {
        out.scheme = UriScheme::sip;
        i = 4;
    } else if (s.size() > 5 && lex::iequals(s.substr(0, 5), "sips:")) {
        out.scheme = UriScheme::sips;
        i = 5;
    } else {
        return false;
    }
    // No white space, controls, quotes or angle brackets anywhere in a URI.
    for (size_t k = i; k < s.size(); ++k) {
        const auto c = static_cast<uint8_t>(s[k]);
        if (c <= 0x20 || c == 0x7f || c == '<' || c == '>' || c == '"') return false;
    }

    const size_t at = s.find('@', i);
    if (at != std::string_view::npos) {
        const std::string_view userinfo = s.substr(i, at - i);
        const size_t colon = userinfo.find(':');
        out.user = userinfo.substr(0, colon);
        if (colon != std::string_view::npos) out.password = userinfo.substr(colon + 1);
        if (out.user.empty()) return false;
        i = at + 1;
    }

    const size_t host_begin = i;
    if (i < s.size() && s[i] == '[') {
        while (i < s.size() && s[i] != ']') ++i;
        if (i == s.size()) return false;
        ++i;
    } else {
        while (i < s.size() && s[i] != ':' && s[i] != ';' && s[i] != '?') ++i;
    }
    out.host = s.substr(host_begin, i - host_begin);
    if (!lex::valid_host(out.host)) return false;

    if (i < s.size() && s[i] == ':') {
        const size_t pb = ++i;
        while (i < s.size() && s[i] != ';' && s[i] != '?') ++i;
        out.port_text = s.substr(pb, i - pb);
        if (!lex::parse_port(out.port_text, out.port)) return false;
    }
    if (i < s.size() && s[i] == ';') {
        const size_t pb = ++i;
        while (i < s.size() && s[i] != '?') ++i;
        out.params = s.substr(pb, i - pb);
    }
    if (i < s.size()) {
        if (s[i] != '?') return false;
        out.headers = s.substr(i + 1);
    }
    return true;
}

}  // namespace sipwire::sip
