#include "punt/sip_peek.h"

namespace sipwire::punt {

namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i])) return false;
    return true;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

// Next line without its CRLF (or LF); advances `text`.
std::string_view next_line(std::string_view& text) {
    const size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    return line;
}

std::string_view branch_of(std::string_view via) {
    // Parameters follow the sent-by: ";branch=...;rport".
    for (size_t semi = via.find(';'); semi != std::string_view::npos; semi = via.find(';', semi + 1)) {
        std::string_view param = trim(via.substr(semi + 1));
        const size_t eq = param.find('=');
        if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), "branch")) continue;
        std::string_view value = trim(param.substr(eq + 1));
        const size_t end = value.find_first_of(";, \t");
        return value.substr(0, end);
    }
    return {};
}

}  // namespace

std::optional<SipPeek> peek_sip(std::string_view text) {
    SipPeek p;
    const std::string_view start = next_line(text);
    if (start.substr(0, 8) == "SIP/2.0 ") {
        if (start.size() < 11) return std::nullopt;
        int code = 0;
        for (size_t i = 8; i < 11; ++i) {
            if (start[i] < '0' || start[i] > '9') return std::nullopt;
            code = code * 10 + (start[i] - '0');
        }
        if (code < 100 || code > 699) return std::nullopt;
        p.response = true;
        p.status = code;
    } else {
        const size_t sp = start.find(' ');
        if (sp == std::string_view::npos || sp == 0 || start.size() < 8 ||
            start.substr(start.size() - 8) != " SIP/2.0")
            return std::nullopt;
        p.method = start.substr(0, sp);
    }
    while (!text.empty()) {
        const std::string_view line = next_line(text);
        if (line.empty()) break;  // end of headers
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        const std::string_view name = trim(line.substr(0, colon));
        const std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "via") || iequals(name, "v")) {
            if (p.via_count == 0) p.top_via_branch = branch_of(value.substr(0, value.find(',')));
            for (char c : value) p.via_count += c == ',' ? 1 : 0;
            ++p.via_count;
        } else if ((iequals(name, "call-id") || iequals(name, "i")) && p.call_id.empty()) {
            p.call_id = value;
        }
    }
    return p;
}

}  // namespace sipwire::punt
