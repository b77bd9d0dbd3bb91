// The call limits' faces: the limits.show and limits.set control commands and the
// per-scope Prometheus families. All read one status: the limits in force (from
// the LimitsService) with the data plane's counters and channel counts.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "api/command_registry.h"
#include "config/config.h"
#include "limits/limits_service.h"
#include "limits/overrides.h"
#include "metrics/stats.h"

namespace sipwire::limits {

struct ScopeStatus {
    std::string name;   // "server", "set:switches", "source:customer-a"
    uint32_t index = 0;  // scope number
    std::string prefix;  // sources only: "192.0.2.0/28"
    uint64_t cps_milli = 0;             // this node's rate (node_share applied); 0 = unlimited
    uint64_t configured_cps_milli = 0;  // before node_share
    uint32_t burst = 0;
    uint32_t channels = 0;  // capacity; 0 = unlimited
    int64_t in_use = 0;     // CallLimitsState::scopes[index].channels
    uint64_t admitted = 0;  // summed over workers
    uint64_t rejected_cps = 0;
    uint64_t rejected_channels = 0;
    std::vector<std::string> overridden;  // "cps", "burst", "channels" set by limits.set
};

struct LimitsStatus {
    uint64_t generation = 0;  // published configuration
    double node_share = 1.0;
    bool node_share_overridden = false;
    std::string failover;  // "192.0.2.50:5060"; "" = none
    uint32_t retry_after_s = 0;
    uint32_t reservation_timeout_ms = 0;
    uint32_t max_call_duration_s = 0;
    std::string state_file;
    std::vector<ScopeStatus> scopes;  // active scopes: server, sets, sources
    metrics::LimitValues totals;      // summed over workers
};

// `effective` is the configuration in force (overrides applied).
LimitsStatus limits_status(const config::Config& effective, const LimitOverrides& overrides,
                           const metrics::StatsSnapshot& stats);

// {"generation","node_share","node_share_overridden","failover","retry_after_s",
//  "reservation_timeout_ms","max_call_duration_s","state_file",
//  "scopes":[{"name","index","prefix"?,"cps","cps_configured","burst","channels","in_use",
//             "admitted","rejected_cps","rejected_channels","overridden"}],
//  "failed_over","retransmissions","dialog_table_full","released":{reason: n}}
// cps in calls per second, 0 = unlimited; channels 0 = unlimited.
nlohmann::json limits_show_json(const LimitsStatus& status);

// The result of limits.set: {"generation", "node_share", "scope": {...}} (the scope's
// row as in limits.show, when the change named one).
nlohmann::json limits_set_json(uint64_t generation, const LimitsStatus& status,
                               const std::string& scope);

using StatsProvider = std::function<metrics::StatsSnapshot()>;

// limits.show and limits.set. `service` must outlive the registry's use.
void register_limits_commands(api::CommandRegistry& registry, LimitsService& service,
                              StatsProvider stats);

// sipwire_calls_admitted_total{scope}, sipwire_calls_rejected_total{scope,reason},
// sipwire_channels_in_use{scope}, sipwire_channels_capacity{scope} and
// sipwire_cps_limit{scope} (limited scopes only), sipwire_limits_node_share.
using StatusProvider = std::function<std::optional<LimitsStatus>()>;
std::vector<prometheus::MetricFamily> limits_metric_families(const LimitsStatus& status);

class LimitsCollector : public prometheus::Collectable {
public:
    explicit LimitsCollector(StatusProvider status) : status_(std::move(status)) {}
    std::vector<prometheus::MetricFamily> Collect() const override;

private:
    StatusProvider status_;
};

// The status of `service` with the segment's counters, or empty before start-up.
std::optional<LimitsStatus> current_status(const LimitsService& service,
                                           const metrics::StatsSnapshot& stats);

}  // namespace sipwire::limits
