// Runtime overrides of the call limits: what `limits.set` changed on top of the
// configuration file. They are applied to every configuration sipwired publishes
// (start-up, reload, limits.set) and saved in a small JSON state file so that they
// survive a restart of sipwired.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.h"

namespace sipwire::limits {

struct ScopeOverride {
    std::optional<uint64_t> cps_milli;  // before node_share; 0 = unlimited
    std::optional<uint32_t> burst;
    std::optional<uint32_t> channels;  // 0 = unlimited

    bool empty() const { return !cps_milli && !burst && !channels; }
    bool operator==(const ScopeOverride&) const = default;
};

struct LimitOverrides {
    std::optional<double> node_share;
    std::map<std::string, ScopeOverride> scopes;  // by scope name ("server", "set:x", ...)

    bool empty() const { return !node_share && scopes.empty(); }
    bool operator==(const LimitOverrides&) const = default;
};

// One change requested by limits.set. A field is left alone (absent), set to a
// value, or cleared back to the file's value (present, no value: JSON null).
template <typename T>
struct FieldChange {
    bool present = false;
    std::optional<T> value;
};

struct LimitsChange {
    std::string scope;  // "" when only node_share changes
    bool reset = false;  // drop every override of `scope` first
    FieldChange<uint64_t> cps_milli;
    FieldChange<uint32_t> burst;
    FieldChange<uint32_t> channels;
    FieldChange<double> node_share;
};

// Parses the arguments of limits.set:
//   {"scope": "server" | "set:<name>" | "source:<name>", "cps": 50 | 12.5 | null,
//    "burst": 10 | null, "channels": 200 | null, "node_share": 0.5 | null,
//    "reset": true}
// with the rules of the configuration file. Empty string when valid, else why not.
std::string parse_change(const nlohmann::json& args, LimitsChange& out);

// `overrides` with `change` applied. Empty string when valid; otherwise why not
// (e.g. the scope does not exist in `file`) and `out` is unspecified.
std::string apply_change(const config::Config& file, const LimitOverrides& overrides,
                         const LimitsChange& change, LimitOverrides& out);

// `file` with `overrides` on top: limits settings and dataplane.limits. Overrides
// of scopes that `file` does not have are skipped; their names go to `unused`.
config::Config apply_overrides(const config::Config& file, const LimitOverrides& overrides,
                               std::vector<std::string>* unused = nullptr);

// The state file's JSON:
//   {"version":1,"node_share":0.5,"scopes":{"server":{"cps":50,"burst":10,"channels":200}}}
nlohmann::json overrides_to_json(const LimitOverrides& overrides);
// Parses and validates it. Empty string when valid, else why not.
std::string overrides_from_json(const nlohmann::json& j, LimitOverrides& out);

// cps_milli as calls per second: "100", "12.5", "0.001".
std::string format_cps(uint64_t cps_milli);

// "server", "set:switches" and "source:customer-a" are scope names.
bool valid_scope_name(const std::string& scope);

}  // namespace sipwire::limits
