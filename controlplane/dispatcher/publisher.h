// The one way a configuration snapshot reaches the data plane: the validated
// Config, the destinations' registry slots and their health combined into a
// DataplaneConfig (healthy flags, Maglev tables) and published. Both the reload
// path (Daemon::start / reload) and health changes (the prober's thread) go
// through SnapshotPublisher, serialised by its mutex.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "dispatcher/health.h"
#include "sipwire/layout.h"

namespace sipwire::dispatcher {

// DataplaneConfig for `config`: slots[i] and healthy[i] belong to
// config.dataplane.destinations[i]; every set's table is rebuilt.
DataplaneConfig build_snapshot(const config::Config& config, const std::vector<uint16_t>& slots,
                               const std::vector<uint8_t>& healthy);

// Probe settings and targets of a configuration (targets in destination order).
ProberSettings prober_settings(const config::Config& config);

struct DestinationStatus {
    std::string address;  // "192.0.2.10"
    uint32_t ipv4 = 0;    // host byte order
    uint16_t port = 0;    // host byte order
    uint16_t weight = 1;
    uint16_t registry_slot = 0;
    uint32_t index = 0;   // in DataplaneConfig::destinations
    TargetStatus health;
    uint64_t calls_sent = 0;  // requests the data plane dispatched to it (all workers)
};

struct SetStatus {
    std::string name;
    bool dispatch = false;  // the [dispatcher] set
    std::vector<DestinationStatus> destinations;
};

// Fills calls_sent from per-slot request counts (summed over workers).
void fill_calls(std::vector<SetStatus>& sets,
                const std::array<uint64_t, kMaxDestinations>& requests_by_slot);

class SnapshotPublisher {
public:
    // Publishes a snapshot; returns its generation, 0 when no slot was free.
    using PublishFn = std::function<uint64_t(const DataplaneConfig&)>;

    // `registry` is the segment's; `health` is told the destinations to watch.
    SnapshotPublisher(DestinationRegistry& registry, HealthMonitor& health, PublishFn publish);

    struct Result {
        uint64_t generation = 0;  // 0: not published, the running snapshot stays
        std::string error;
    };
    // Publishes `config` (start-up or reload). Destinations that stay (same set,
    // address and port) keep their registry slot and health; new ones start
    // unprobed (healthy); slots of removed ones are freed once published.
    Result publish(std::shared_ptr<const config::Config> config);

    // Publishes the current configuration again with the current health (called
    // when a destination went down or came back). False when it could not publish.
    bool republish();

    std::shared_ptr<const config::Config> current() const;
    std::vector<SetStatus> status() const;

private:
    DestinationRegistry& registry_;
    HealthMonitor& health_;
    PublishFn publish_;

    mutable std::mutex mutex_;
    std::shared_ptr<const config::Config> current_;
    std::vector<uint16_t> slots_;
};

}  // namespace sipwire::dispatcher
