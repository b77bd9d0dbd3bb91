// Comma-separated values and header parameters.
#include "sip/params.h"

#include "sip/lex.h"

namespace sipwire::sip {

bool next_value(std::string_view& rest, std::string_view& value) noexcept {
    for (;;) {
        size_t i = lex::skip_ws(rest, 0);
        if (i == rest.size()) {
            rest = {};
            return false;
        }
        const size_t begin = i;
        bool in_angle = false;
        while (i < rest.size()) {
            const char c = rest[i];
            if (c == '"') {
                i = lex::skip_quoted(rest, i);
                continue;
            }
            if (c == '<') {
                in_angle = true;
            } else if (c == '>') {
                in_angle = false;
            } else if (c == ',' && !in_angle) {
                break;
            }
            ++i;
        }
        value = lex::trim(rest.substr(begin, i - begin));
        rest = i < rest.size() ? rest.substr(i + 1) : std::string_view{};
        if (!value.empty()) return true;
    }
}

bool next_param(std::string_view& rest, Param& param) noexcept {
    size_t i = 0;
    while (i < rest.size() && (lex::is_ws(rest[i]) || rest[i] == ';')) ++i;
    if (i == rest.size()) {
        rest = {};
        return false;
    }
    const size_t name_begin = i;
    i = lex::skip_token(rest, i);
    if (i == name_begin) return false;
    param.name = rest.substr(name_begin, i - name_begin);
    param.value = {};
    param.has_value = false;
    i = lex::skip_ws(rest, i);
    if (i < rest.size() && rest[i] == '=') {
        i = lex::skip_ws(rest, i + 1);
        const size_t value_begin = i;
        if (i < rest.size() && rest[i] == '"') {
            i = lex::skip_quoted(rest, i);
        } else {
            // token / host (IPv6 reference included) / anything up to the next separator
            while (i < rest.size() && rest[i] != ';' && rest[i] != ',' && !lex::is_ws(rest[i])) ++i;
        }
        param.value = rest.substr(value_begin, i - value_begin);
        param.has_value = true;
    }
    rest = rest.substr(i);
    return true;
}

std::optional<std::string_view> header_param(std::string_view params, std::string_view name) noexcept {
    Param p;
    while (next_param(params, p)) {
        if (lex::iequals(p.name, name)) return p.has_value ? p.value : std::string_view{};
        // Not a parameter separator: stop (anything after is not a parameter list).
        const size_t i = lex::skip_ws(params, 0);
        if (i < params.size() && params[i] != ';') break;
    }
    return std::nullopt;
}

size_t unquote(std::string_view q, char* out, size_t capacity) noexcept {
    const bool quoted = !q.empty() && q.front() == '"';
    size_t n = 0;
    for (size_t i = quoted ? 1 : 0; i < q.size() && n < capacity; ++i) {
        if (q[i] == '\\' && i + 1 < q.size()) {
            ++i;
        } else if (quoted && q[i] == '"') {
            break;
        }
        out[n++] = q[i];
    }
    return n;
}

}  // namespace sipwire::sip
