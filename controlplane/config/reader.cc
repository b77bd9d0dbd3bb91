#include "config/reader.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

namespace sipwire::config::detail {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

void append_escaped(std::string& out, char c) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
        case '\n':
            out += "\\n";
            return;
        case '\r':
            out += "\\r";
            return;
        case '\t':
            out += "\\t";
            return;
        default:
            break;
    }
    if (u < 0x20 || u == 0x7f) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", u);
        out += buf;
    } else {
        out += c;
    }
}

}  // namespace

uint32_t line_of(const Value& v) {
    const uint32_t line = v.location().line();
    return line == 0 ? 1 : line;
}

void fail(uint32_t line, std::string key, std::string message) {
    throw ConfigError{line == 0 ? 1 : line, std::move(key), std::move(message)};
}

const char* type_name(toml::value_t t) {
    switch (t) {
        case toml::value_t::boolean:
            return "a boolean";
        case toml::value_t::integer:
            return "an integer";
        case toml::value_t::floating:
            return "a float";
        case toml::value_t::string:
            return "a string";
        case toml::value_t::offset_datetime:
            return "a date-time";
        case toml::value_t::local_datetime:
            return "a local date-time";
        case toml::value_t::local_date:
            return "a date";
        case toml::value_t::local_time:
            return "a time";
        case toml::value_t::array:
            return "an array";
        case toml::value_t::table:
            return "a table";
        case toml::value_t::empty:
            break;
    }
    return "nothing";
}

std::string quote(std::string_view s) {
    constexpr size_t kMax = 80;
    std::string out = "\"";
    for (size_t i = 0; i < s.size() && i < kMax; ++i) {
        if (s[i] == '"' || s[i] == '\\') out += '\\';
        append_escaped(out, s[i]);
    }
    out += s.size() > kMax ? "\"..." : "\"";
    return out;
}

std::string one_line(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) append_escaped(out, c);
    return out;
}

std::string join_key(std::string_view parent, std::string_view child) {
    std::string k(parent);
    if (!k.empty()) k += '.';
    k += child;
    return k;
}

std::string index_key(std::string_view parent, size_t index) {
    return std::string(parent) + "[" + std::to_string(index) + "]";
}

const std::string& as_string(const Value& v, const std::string& key) {
    if (!v.is_string()) fail(v, key, std::string("expected a string, got ") + type_name(v.type()));
    return v.as_string().str;
}

bool as_boolean(const Value& v, const std::string& key) {
    if (!v.is_boolean()) fail(v, key, std::string("expected a boolean, got ") + type_name(v.type()));
    return v.as_boolean();
}

int64_t as_integer(const Value& v, const std::string& key, int64_t min, int64_t max) {
    if (!v.is_integer())
        fail(v, key, std::string("expected an integer, got ") + type_name(v.type()));
    const int64_t n = v.as_integer();
    if (n < min || n > max)
        fail(v, key,
             "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
                 std::to_string(n));
    return n;
}

const Value::array_type& as_array(const Value& v, const std::string& key) {
    if (!v.is_array()) fail(v, key, std::string("expected an array, got ") + type_name(v.type()));
    return v.as_array();
}

Section::Section(const Value* table, std::string path) : table_(table), path_(std::move(path)) {}

void Section::reject_unknown(std::initializer_list<std::string_view> known) const {
    if (!table_) return;
    const std::pair<const std::string, Value>* first = nullptr;
    auto position = [](const Value& v) {
        const auto loc = v.location();
        return std::make_tuple(loc.line(), loc.column());
    };
    for (const auto& entry : table_->as_table()) {
        if (std::find(known.begin(), known.end(), entry.first) != known.end()) continue;
        if (!first || position(entry.second) < position(first->second)) first = &entry;
    }
    if (!first) return;

    std::string message = first->second.is_table() ? "unknown table" : "unknown key";
    std::string_view best;
    size_t best_distance = 3;  // suggest only close matches: typos, not guesses
    for (std::string_view k : known) {
        const size_t d = edit_distance(first->first, k);
        if (d < best_distance && d < std::max<size_t>(k.size(), 2)) {
            best = k;
            best_distance = d;
        }
    }
    if (!best.empty()) message += " (did you mean " + quote(best) + "?)";
    fail(first->second, key(first->first), message);
}

const Value* Section::find(std::string_view name) const {
    if (!table_) return nullptr;
    const auto& t = table_->as_table();
    const auto it = t.find(std::string(name));
    return it == t.end() ? nullptr : &it->second;
}

const Value& Section::require(std::string_view name) const {
    const Value* v = find(name);
    if (!v) fail(line(), key(name), "missing required key");
    return *v;
}

Section Section::table(std::string_view name) const {
    const Value* v = find(name);
    if (v && !v->is_table())
        fail(*v, key(name), std::string("expected a table, got ") + type_name(v->type()));
    return Section(v, key(name));
}

std::optional<std::string> Section::string(std::string_view name) const {
    const Value* v = find(name);
    if (!v) return std::nullopt;
    return as_string(*v, key(name));
}

std::optional<int64_t> Section::integer(std::string_view name, int64_t min, int64_t max) const {
    const Value* v = find(name);
    if (!v) return std::nullopt;
    return as_integer(*v, key(name), min, max);
}

}  // namespace sipwire::config::detail
