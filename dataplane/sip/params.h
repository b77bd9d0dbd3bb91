// Splitting header values: comma-separated values of one line, ";name=value"
// parameters. Quoted strings (with backslash escapes) and <...> are respected.
// All results are views into the input.
#pragma once

#include <optional>
#include <string_view>

namespace sipwire::sip {

// Takes the next comma-separated value off the front of `rest` (commas inside "..."
// or <...> do not split), trimmed of LWS; empty elements are skipped. Returns false
// when nothing is left.
bool next_value(std::string_view& rest, std::string_view& value) noexcept;

struct Param {
    std::string_view name;
    std::string_view value;  // raw: a quoted value keeps its quotes
    bool has_value = false;  // false for a flag parameter ("rport", "lr")
};

// Takes the next parameter off the front of `rest`, a list like ";a=1;b;c=\"x\""
// (leading ';' and LWS skipped). Returns false when nothing is left or the next
// parameter has no name.
bool next_param(std::string_view& rest, Param& param) noexcept;

// Value of parameter `name` (case-insensitive) in a parameter list: nullopt when
// absent, an empty view for a flag parameter.
std::optional<std::string_view> header_param(std::string_view params, std::string_view name) noexcept;

// The contents of a quoted-string with escapes resolved, written to `out` (capacity
// `capacity`). `quoted` may include or omit the surrounding quotes. Returns the
// length written; stops early when `out` is full.
size_t unquote(std::string_view quoted, char* out, size_t capacity) noexcept;

}  // namespace sipwire::sip
