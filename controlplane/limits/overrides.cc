#include "limits/overrides.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

namespace sipwire::limits {

namespace {

using nlohmann::json;

std::string type_of(const json& v) {
    switch (v.type()) {
        case json::value_t::null:
            return "null";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::string:
            return "a string";
        case json::value_t::array:
            return "an array";
        case json::value_t::object:
            return "an object";
        case json::value_t::number_float:
            return "a fractional number";
        default:
            return "a number";
    }
}

std::string read_cps(const json& v, uint64_t& out) {
    if (!v.is_number()) return "expected a number, got " + type_of(v);
    return config::parse_cps(v.get<double>(), out);
}

std::string read_count(const json& v, uint32_t min, uint32_t max, uint32_t& out) {
    if (!v.is_number_integer()) return "expected an integer, got " + type_of(v);
    const bool negative = v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0;
    const int64_t n = negative ? v.get<int64_t>() : int64_t(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX));
    if (n < int64_t(min) || n > int64_t(max))
        return "must be from " + std::to_string(min) + " to " + std::to_string(max) + ", got " +
               std::to_string(n);
    out = static_cast<uint32_t>(n);
    return {};
}

std::string read_share(const json& v, double& out) {
    if (!v.is_number()) return "expected a number, got " + type_of(v);
    const double x = v.get<double>();
    if (std::string why = config::check_node_share(x); !why.empty()) return why;
    out = x;
    return {};
}

// A field of limits.set: absent, null (clear) or a value checked by `read`.
template <typename T, typename Read>
std::string read_change(const json& args, const char* key, FieldChange<T>& out, Read read) {
    const auto it = args.find(key);
    if (it == args.end()) return {};
    out.present = true;
    if (it->is_null()) return {};
    T value{};
    if (std::string why = read(*it, value); !why.empty()) return std::string(key) + ": " + why;
    out.value = value;
    return {};
}

std::string scope_list(const config::Config& file) {
    std::string out;
    for (const config::ScopeLimitSettings& s : file.limits.scopes)
        out += (out.empty() ? "" : ", ") + s.scope;
    return out;
}

json cps_json(uint64_t milli) {
    if (milli % 1000 == 0) return milli / 1000;
    return double(milli) / 1000.0;
}

}  // namespace

std::string format_cps(uint64_t milli) {
    std::string out = std::to_string(milli / 1000);
    if (const uint64_t frac = milli % 1000; frac != 0) {
        char buf[8];
        std::snprintf(buf, sizeof buf, ".%03llu", (unsigned long long)frac);
        std::string f = buf;
        while (f.back() == '0') f.pop_back();
        out += f;
    }
    return out;
}

bool valid_scope_name(const std::string& scope) {
    if (scope == "server") return true;
    std::string name;
    if (scope.rfind("set:", 0) == 0) name = scope.substr(4);
    else if (scope.rfind("source:", 0) == 0) name = scope.substr(7);
    else return false;
    if (name.empty() || name.size() > 32) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    return true;
}

std::string parse_change(const json& args, LimitsChange& out) {
    out = LimitsChange{};
    if (!args.is_object()) return "expected an object of arguments, got " + type_of(args);
    for (const auto& [key, value] : args.items())
        if (key != "scope" && key != "cps" && key != "burst" && key != "channels" &&
            key != "node_share" && key != "reset")
            return "unknown argument \"" + key +
                   "\" (known: scope, cps, burst, channels, node_share, reset)";
    if (const auto it = args.find("scope"); it != args.end()) {
        if (!it->is_string()) return "scope: expected a string, got " + type_of(*it);
        out.scope = it->get<std::string>();
        if (!valid_scope_name(out.scope))
            return "scope: must be \"server\", \"set:<name>\" or \"source:<name>\", got \"" +
                   out.scope + "\"";
    }
    if (const auto it = args.find("reset"); it != args.end()) {
        if (!it->is_boolean()) return "reset: expected a boolean, got " + type_of(*it);
        out.reset = it->get<bool>();
    }
    if (std::string why = read_change(args, "cps", out.cps_milli, read_cps); !why.empty())
        return why;
    if (std::string why = read_change(args, "burst", out.burst,
                                      [](const json& v, uint32_t& n) {
                                          return read_count(v, 1, config::kMaxLimitBurst, n);
                                      });
        !why.empty())
        return why;
    if (std::string why = read_change(args, "channels", out.channels,
                                      [](const json& v, uint32_t& n) {
                                          return read_count(v, 0, config::kMaxChannels, n);
                                      });
        !why.empty())
        return why;
    if (std::string why = read_change(args, "node_share", out.node_share, read_share);
        !why.empty())
        return why;

    const bool scoped = out.reset || out.cps_milli.present || out.burst.present ||
                        out.channels.present;
    if (!scoped && !out.node_share.present)
        return "nothing to change: give cps, burst, channels, node_share or reset";
    if (scoped && out.scope.empty())
        return "scope is required with cps, burst, channels or reset "
               "(\"server\", \"set:<name>\" or \"source:<name>\")";
    return {};
}

std::string apply_change(const config::Config& file, const LimitOverrides& overrides,
                         const LimitsChange& change, LimitOverrides& out) {
    out = overrides;
    if (change.node_share.present) out.node_share = change.node_share.value;
    const bool scoped = change.reset || change.cps_milli.present || change.burst.present ||
                        change.channels.present;
    if (!scoped) return {};
    if (!file.limits.find(change.scope))
        return "no scope \"" + change.scope + "\" in the configuration (scopes: " +
               scope_list(file) + ")";
    ScopeOverride& o = out.scopes[change.scope];
    if (change.reset) o = ScopeOverride{};
    if (change.cps_milli.present) o.cps_milli = change.cps_milli.value;
    if (change.burst.present) o.burst = change.burst.value;
    if (change.channels.present) o.channels = change.channels.value;
    if (o.empty()) out.scopes.erase(change.scope);
    return {};
}

config::Config apply_overrides(const config::Config& file, const LimitOverrides& overrides,
                               std::vector<std::string>* unused) {
    config::Config c = file;
    if (overrides.node_share) c.limits.node_share = *overrides.node_share;
    for (const auto& [scope, o] : overrides.scopes) {
        config::ScopeLimitSettings* s = c.limits.find(scope);
        if (!s) {
            if (unused) unused->push_back(scope);
            continue;
        }
        if (o.cps_milli) s->cps_milli = *o.cps_milli;
        if (o.burst) s->burst = *o.burst;
        if (o.channels) s->channels = *o.channels;
    }
    c.dataplane.limits = config::build_call_limits(c.limits);
    return c;
}

json overrides_to_json(const LimitOverrides& o) {
    json scopes = json::object();
    for (const auto& [scope, s] : o.scopes) {
        json e = json::object();
        if (s.cps_milli) e["cps"] = cps_json(*s.cps_milli);
        if (s.burst) e["burst"] = *s.burst;
        if (s.channels) e["channels"] = *s.channels;
        scopes[scope] = std::move(e);
    }
    json out = {{"version", 1}, {"scopes", std::move(scopes)}};
    if (o.node_share) out["node_share"] = *o.node_share;
    return out;
}

std::string overrides_from_json(const json& j, LimitOverrides& out) {
    out = LimitOverrides{};
    if (!j.is_object()) return "expected a JSON object, got " + type_of(j);
    for (const auto& [key, value] : j.items())
        if (key != "version" && key != "node_share" && key != "scopes")
            return "unknown key \"" + key + "\"";
    const auto version = j.find("version");
    if (version == j.end() || !version->is_number_integer() || version->get<int64_t>() != 1)
        return "version: expected 1";
    if (const auto it = j.find("node_share"); it != j.end()) {
        double share = 0;
        if (std::string why = read_share(*it, share); !why.empty()) return "node_share: " + why;
        out.node_share = share;
    }
    const auto scopes = j.find("scopes");
    if (scopes == j.end()) return {};
    if (!scopes->is_object()) return "scopes: expected an object, got " + type_of(*scopes);
    for (const auto& [scope, value] : scopes->items()) {
        const std::string where = "scopes.\"" + scope + "\"";
        if (!valid_scope_name(scope))
            return where + ": not a scope name (\"server\", \"set:<name>\", \"source:<name>\")";
        if (!value.is_object()) return where + ": expected an object, got " + type_of(value);
        ScopeOverride o;
        for (const auto& [key, v] : value.items()) {
            std::string why;
            if (key == "cps") {
                uint64_t milli = 0;
                why = read_cps(v, milli);
                o.cps_milli = milli;
            } else if (key == "burst") {
                uint32_t n = 0;
                why = read_count(v, 1, config::kMaxLimitBurst, n);
                o.burst = n;
            } else if (key == "channels") {
                uint32_t n = 0;
                why = read_count(v, 0, config::kMaxChannels, n);
                o.channels = n;
            } else {
                why = "unknown key (known: cps, burst, channels)";
            }
            if (!why.empty()) return where + "." + key + ": " + why;
        }
        if (!o.empty()) out.scopes[scope] = o;
    }
    return {};
}

}  // namespace sipwire::limits
