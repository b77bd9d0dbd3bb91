#include "dispatcher/publisher.h"

#include <arpa/inet.h>

#include <algorithm>

#include "config/address.h"
#include "dispatcher/maglev.h"
#include "dispatcher/registry.h"
#include "sipwire/log.h"

namespace sipwire::dispatcher {

namespace {

std::vector<ProbeTarget> targets_of(const config::Config& c, const std::vector<uint16_t>& slots) {
    std::vector<ProbeTarget> out(c.dataplane.destination_count);
    for (const config::DestinationSetSettings& set : c.destination_sets)
        for (size_t j = 0; j < set.destinations.size(); ++j) {
            const uint32_t i = set.first + uint32_t(j);
            if (i >= out.size()) continue;
            out[i].key = {set.name, set.destinations[j].ipv4, set.destinations[j].port};
            out[i].registry_slot = i < slots.size() ? slots[i] : kNoDestination;
        }
    return out;
}

}  // namespace

DataplaneConfig build_snapshot(const config::Config& config, const std::vector<uint16_t>& slots,
                               const std::vector<uint8_t>& healthy) {
    DataplaneConfig d = config.dataplane;
    for (uint32_t i = 0; i < d.destination_count && i < kMaxDestinations; ++i) {
        d.destinations[i].registry_slot = i < slots.size() ? slots[i] : kNoDestination;
        d.destinations[i].healthy = i < healthy.size() ? healthy[i] : 1;
    }
    for (uint32_t s = 0; s < d.destination_set_count && s < kMaxDestinationSets; ++s)
        build_set_table(d, s);
    return d;
}

ProberSettings prober_settings(const config::Config& c) {
    ProberSettings s;
    s.interval_ms = c.dispatcher.probe_interval_ms;
    s.down_after_ms = c.dispatcher.down_after_ms;
    s.port_index = static_cast<uint16_t>(c.dispatcher.probe_from_port);
    if (s.port_index < kMaxPorts) s.src_ipv4 = ntohl(c.dataplane.ports[s.port_index].ipv4);
    s.src_port = c.dataplane.sip_ports[0];
    return s;
}

void fill_calls(std::vector<SetStatus>& sets,
                const std::array<uint64_t, kMaxDestinations>& requests_by_slot) {
    for (SetStatus& set : sets)
        for (DestinationStatus& d : set.destinations)
            d.calls_sent = d.registry_slot < kMaxDestinations ? requests_by_slot[d.registry_slot] : 0;
}

SnapshotPublisher::SnapshotPublisher(DestinationRegistry& registry, HealthMonitor& health,
                                     PublishFn publish)
    : registry_(registry), health_(health), publish_(std::move(publish)) {}

SnapshotPublisher::Result SnapshotPublisher::publish(std::shared_ptr<const config::Config> config) {
    std::lock_guard lock(mutex_);
    Result r;
    const SlotPlan plan = assign_registry_slots(*config, registry_);
    std::vector<ProbeTarget> targets = targets_of(*config, plan.slots);
    const ProberSettings settings = prober_settings(*config);

    // Health of the new list before the monitor is told about it: destinations that
    // stay keep theirs, new ones are unprobed (healthy).
    const std::vector<TargetStatus> known = health_.status();
    std::vector<uint8_t> healthy(targets.size(), 1);
    if (settings.interval_ms != 0)
        for (size_t i = 0; i < targets.size(); ++i)
            for (const TargetStatus& k : known)
                if (k.key == targets[i].key && k.state == ProbeState::down) healthy[i] = 0;

    r.generation = publish_(build_snapshot(*config, plan.slots, healthy));
    if (r.generation == 0) {
        release_registry_slots(registry_, plan.added);
        r.error = "cannot publish the configuration: every snapshot slot is held by a data-plane "
                  "worker on an old generation (is sipwire-dp stuck?); running configuration kept";
        return r;
    }
    release_registry_slots(registry_, plan.stale);
    health_.configure(settings, std::move(targets));
    current_ = std::move(config);
    slots_ = plan.slots;
    return r;
}

bool SnapshotPublisher::republish() {
    std::lock_guard lock(mutex_);
    if (!current_) return true;
    const std::vector<uint8_t> healthy = health_.healthy();
    const DataplaneConfig snapshot = build_snapshot(*current_, slots_, healthy);
    const uint64_t generation = publish_(snapshot);
    if (generation == 0) {
        SIPWIRE_LOG_WARNING("dispatcher: cannot publish the health change: every snapshot slot "
                            "is held by a data-plane worker on an old generation; will retry");
        return false;
    }
    std::string summary;
    for (uint32_t s = 0; s < snapshot.destination_set_count; ++s)
        summary += (summary.empty() ? "" : ", ") + current_->destination_sets[s].name + " " +
                   std::to_string(snapshot.destination_sets[s].healthy_count) + "/" +
                   std::to_string(snapshot.destination_sets[s].count) + " healthy";
    SIPWIRE_LOG_INFO("dispatcher: published generation %llu (%s)",
                     static_cast<unsigned long long>(generation), summary.c_str());
    return true;
}

std::shared_ptr<const config::Config> SnapshotPublisher::current() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::vector<SetStatus> SnapshotPublisher::status() const {
    std::lock_guard lock(mutex_);
    std::vector<SetStatus> out;
    if (!current_) return out;
    const std::vector<TargetStatus> known = health_.status();
    for (size_t s = 0; s < current_->destination_sets.size(); ++s) {
        const config::DestinationSetSettings& set = current_->destination_sets[s];
        SetStatus st;
        st.name = set.name;
        st.dispatch = current_->dataplane.sip.dispatch_set == s;
        for (size_t j = 0; j < set.destinations.size(); ++j) {
            const config::DestinationSettings& d = set.destinations[j];
            DestinationStatus ds;
            ds.index = set.first + uint32_t(j);
            ds.address = config::detail::format_ipv4(d.ipv4);
            ds.ipv4 = d.ipv4;
            ds.port = d.port;
            ds.weight = d.weight;
            ds.registry_slot = ds.index < slots_.size() ? slots_[ds.index] : kNoDestination;
            ds.health.key = {set.name, d.ipv4, d.port};
            ds.health.registry_slot = ds.registry_slot;
            for (const TargetStatus& k : known)
                if (k.key == ds.health.key) ds.health = k;
            st.destinations.push_back(std::move(ds));
        }
        out.push_back(std::move(st));
    }
    return out;
}

}  // namespace sipwire::dispatcher
