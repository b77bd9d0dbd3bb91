// ( name-addr / addr-spec ) *( SEMI generic-param )
// name-addr = [ display-name ] LAQUOT addr-spec RAQUOT
#include "sip/name_addr.h"

#include "sip/lex.h"

namespace sipwire::sip {
namespace {

bool plausible_uri(std::string_view uri) noexcept {
    // scheme ":" something, no white space or controls
    size_t i = 0;
    while (i < uri.size() && (lex::is_token(uri[i]) && uri[i] != '%')) ++i;
    if (i == 0 || i + 1 >= uri.size() || uri[i] != ':') return false;
    for (char c : uri)
        if (static_cast<uint8_t>(c) <= 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace

bool parse_name_addr(std::string_view value, NameAddr& out) noexcept {
    out = NameAddr{};
    const std::string_view s = lex::trim(value);
    if (s.empty()) return false;
    size_t i = 0;
    if (s[0] == '*') {
        out.star = true;
        return lex::trim(s.substr(1)).empty();
    }
    if (s[0] == '"') {
        const size_t q = lex::quoted_end(s, 0);
        if (q == std::string_view::npos) return false;
        out.display_name = s.substr(1, q - 2);
        i = q;
        out.quoted = true;
        i = lex::skip_ws(s, i);
        if (i == s.size() || s[i] != '<') return false;
    } else {
        while (i < s.size() && (lex::is_token(s[i]) || lex::is_ws(s[i]) || static_cast<uint8_t>(s[i]) >= 0x80)) ++i;
        if (i < s.size() && s[i] == '<') {
            out.display_name = lex::trim(s.substr(0, i));
        } else {
            i = 0;  // addr-spec
        }
    }

    std::string_view rest;
    if (s[i] == '<') {
        const size_t gt = s.find('>', i + 1);
        if (gt == std::string_view::npos) return false;
        out.angle = true;
        out.uri = lex::trim(s.substr(i + 1, gt - i - 1));
        rest = s.substr(gt + 1);
    } else {
        size_t e = i;
        while (e < s.size() && s[e] != ';' && !lex::is_ws(s[e])) ++e;
        out.uri = s.substr(i, e - i);
        rest = s.substr(e);
    }
    if (!plausible_uri(out.uri)) return false;

    rest = lex::trim(rest);
    if (rest.empty()) return true;
    if (rest[0] != ';') return false;
    out.params = rest.substr(1);
    return true;
}

}  // namespace sipwire::sip
