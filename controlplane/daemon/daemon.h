// sipwired's wiring: configuration, segment, control API and exporter, and the one
// reload function that config.reload, SIGHUP and anything later share.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/command_registry.h"
#include "api/control_server.h"
#include "api/core_commands.h"
#include "config/config.h"
#include "dispatcher/prober.h"
#include "dispatcher/publisher.h"
#include "limits/limits_service.h"
#include "limits/override_store.h"
#include "metrics/exporter.h"
#include "punt/punt_reader.h"
#include "segment/segment_owner.h"

namespace sipwire::daemon {

struct DaemonOptions {
    std::string config_path;
    std::string log_level;  // overrides the configuration's when not empty
};

// Exit codes of sipwired.
inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;  // segment, socket or metrics port unavailable
inline constexpr int kExitConfig = 2;   // configuration invalid or unreadable

class Daemon {
public:
    explicit Daemon(DaemonOptions options);
    ~Daemon();

    // Loads the configuration and starts every part. On failure prints one line
    // to stderr, cleans up and returns the exit code; kExitOk when running.
    int start();

    // Re-reads the configuration file: parse + validate, then publish. A bad file
    // leaves the running configuration untouched. Thread-safe.
    api::ReloadResult reload();

    // Stops the API and exporter and releases the segment. Idempotent.
    void stop();

    api::ControlplaneInfo info() const;

private:
    void apply_log_level(const config::Config& c) const;
    std::vector<dispatcher::SetStatus> dispatcher_status() const;

    DaemonOptions options_;
    mutable std::mutex mutex_;  // guards running_ and pending_restart_*
    std::shared_ptr<const config::Config> running_;
    std::vector<std::string> pending_restart_;
    int32_t pending_restart_dp_pid_ = 0;

    segment::SegmentOwner segment_;
    bool segment_open_ = false;
    // Every snapshot (start, reload, health change) goes through publisher_.
    dispatcher::SystemClock clock_;
    std::unique_ptr<dispatcher::RingSender> probe_sender_;
    std::unique_ptr<dispatcher::OptionsProber> prober_;
    std::unique_ptr<dispatcher::SnapshotPublisher> publisher_;
    // Start-up, reload and limits.set publish through limits_ (file + runtime
    // limit overrides), which hands the result to publisher_.
    std::unique_ptr<limits::FileOverrideStore> limit_store_;
    std::unique_ptr<limits::LimitsService> limits_;
    std::unique_ptr<punt::PuntReader> punt_;
    api::CommandRegistry registry_;
    std::unique_ptr<api::ControlServer> server_;
    std::unique_ptr<metrics::MetricsExporter> exporter_;
};

// Differences between two configurations that a reload cannot apply: settings
// read by sipwire-dp only at start, and sipwired's own instance, socket and
// metrics address. One sentence each.
std::vector<std::string> restart_warnings(const config::Config& running, const config::Config& next,
                                          std::vector<std::string>* dataplane_only = nullptr);

}  // namespace sipwire::daemon
