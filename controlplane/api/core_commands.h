// The control API commands every sipwired has: status, stats, config.reload.
// The JSON they return is built here from metrics::read_stats(); the reload itself
// is the daemon's one reload function, passed in (SIGHUP calls the same one).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/command_registry.h"
#include "metrics/stats.h"
#include "sipwire/layout.h"

namespace sipwire::api {

// What the control plane knows that the segment does not.
struct ControlplaneInfo {
    struct Port {
        std::string name, address, gateway;
    };
    std::string instance;
    std::string config_path;
    std::vector<Port> ports;  // as configured
    // Boot-only changes written since the running sipwire-dp started: they take
    // effect when it restarts.
    std::vector<std::string> dataplane_restart_required;
};

struct ReloadResult {
    bool ok = false;
    std::string error;  // "FILE:LINE: KEY: message" when !ok
    uint64_t previous_generation = 0;
    uint64_t generation = 0;
    std::vector<std::string> warnings;
};

struct CoreCommandDeps {
    SegmentView segment;  // mapped for as long as the commands are registered
    std::function<ControlplaneInfo()> info;
    std::function<ReloadResult()> reload;
    std::function<uint64_t()> monotonic_now_ns;  // empty: the real clock
};

void register_core_commands(CommandRegistry& registry, CoreCommandDeps deps);

// The results of the commands, for other front ends and tests.
nlohmann::json status_json(const metrics::StatsSnapshot& stats, const ControlplaneInfo& info);
nlohmann::json stats_json(const metrics::StatsSnapshot& stats);
// Throws CommandError when the reload failed.
nlohmann::json reload_json(const ReloadResult& reload);

}  // namespace sipwire::api
