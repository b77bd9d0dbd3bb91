// Typed, located access to a parsed TOML document. Every accessor checks type and
// range and throws ConfigError naming the line and dotted key of the offending
// value; parse_config catches it and formats "FILE:LINE: KEY: message".
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <toml.hpp>
#include <vector>

namespace sipwire::config::detail {

// std::map keeps iteration independent of hashing, so error choice is stable.
using Value = toml::basic_value<toml::discard_comments, std::map, std::vector>;

struct ConfigError {
    uint32_t line;
    std::string key;
    std::string message;
};

uint32_t line_of(const Value& v);

[[noreturn]] void fail(uint32_t line, std::string key, std::string message);
[[noreturn]] inline void fail(const Value& at, std::string key, std::string message) {
    fail(line_of(at), std::move(key), std::move(message));
}

const char* type_name(toml::value_t t);

// `s` in double quotes, control characters escaped, long text shortened.
std::string quote(std::string_view s);

// Replaces control characters (newlines included) so `s` fits on one line.
std::string one_line(std::string_view s);

std::string join_key(std::string_view parent, std::string_view child);
std::string index_key(std::string_view parent, size_t index);

// Value checks: `key` is the dotted path used in the error.
const std::string& as_string(const Value& v, const std::string& key);
bool as_boolean(const Value& v, const std::string& key);
int64_t as_integer(const Value& v, const std::string& key, int64_t min, int64_t max);
const Value::array_type& as_array(const Value& v, const std::string& key);

// A TOML table (possibly absent) at a dotted path.
class Section {
  public:
    // `table` may be null: the table is absent and every key takes its default.
    Section(const Value* table, std::string path);

    bool present() const { return table_ != nullptr; }
    const std::string& path() const { return path_; }
    std::string key(std::string_view name) const { return join_key(path_, name); }
    // Line of the table header (or the first line of an inline/dotted table), else 1.
    uint32_t line() const { return table_ ? line_of(*table_) : 1; }

    // Errors on the first key, in file order, that is not in `known`.
    void reject_unknown(std::initializer_list<std::string_view> known) const;

    const Value* find(std::string_view name) const;
    const Value& require(std::string_view name) const;  // "missing required key"

    // A sub-table; errors when `name` exists but is not a table.
    Section table(std::string_view name) const;

    std::optional<std::string> string(std::string_view name) const;
    std::optional<int64_t> integer(std::string_view name, int64_t min, int64_t max) const;

  private:
    const Value* table_;
    std::string path_;
};

}  // namespace sipwire::config::detail
