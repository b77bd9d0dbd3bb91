#include "dispatcher/registry.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

namespace sipwire::dispatcher {

namespace {

bool same_name(const DestinationRegistry::Entry& e, const std::string& name) {
    return strnlen(e.set_name, kNameLen) == name.size() &&
           std::memcmp(e.set_name, name.data(), name.size()) == 0;
}

}  // namespace

SlotPlan assign_registry_slots(const config::Config& config, DestinationRegistry& registry) {
    SlotPlan plan;
    const uint32_t count = config.dataplane.destination_count;
    plan.slots.assign(count, kNoDestination);
    std::vector<bool> taken(kMaxDestinations, false);

    struct Pending {
        uint32_t index;
        const config::DestinationSetSettings* set;
        const config::DestinationSettings* dest;
    };
    std::vector<Pending> pending;
    for (const config::DestinationSetSettings& set : config.destination_sets) {
        for (size_t j = 0; j < set.destinations.size(); ++j) {
            const config::DestinationSettings& d = set.destinations[j];
            const uint32_t index = set.first + uint32_t(j);
            const uint32_t ip = htonl(d.ipv4);
            const uint16_t port = htons(d.port);
            bool found = false;
            for (uint16_t s = 0; s < kMaxDestinations && !found; ++s) {
                const DestinationRegistry::Entry& e = registry.entries[s];
                if (!e.in_use || taken[s] || e.ipv4 != ip || e.port != port ||
                    !same_name(e, set.name))
                    continue;
                taken[s] = true;
                plan.slots[index] = s;
                found = true;
            }
            if (!found) pending.push_back({index, &set, &d});
        }
    }
    for (uint16_t s = 0; s < kMaxDestinations; ++s)
        if (registry.entries[s].in_use && !taken[s]) plan.stale.push_back(s);

    for (const Pending& p : pending) {
        uint16_t slot = kNoDestination;
        for (uint16_t s = 0; s < kMaxDestinations && slot == kNoDestination; ++s)
            if (!registry.entries[s].in_use && !taken[s]) slot = s;
        if (slot == kNoDestination && !plan.stale.empty()) {
            slot = plan.stale.front();
            plan.stale.erase(plan.stale.begin());
        }
        if (slot == kNoDestination) continue;  // cannot happen: at most kMaxDestinations
        taken[slot] = true;
        DestinationRegistry::Entry& e = registry.entries[slot];
        e.ipv4 = htonl(p.dest->ipv4);
        e.port = htons(p.dest->port);
        std::memset(e.set_name, 0, sizeof e.set_name);
        std::memcpy(e.set_name, p.set->name.data(), std::min<size_t>(p.set->name.size(), kNameLen - 1));
        e.in_use = 1;
        plan.slots[p.index] = slot;
        plan.added.push_back(slot);
    }
    return plan;
}

void release_registry_slots(DestinationRegistry& registry, const std::vector<uint16_t>& slots) {
    for (uint16_t s : slots)
        if (s < kMaxDestinations) registry.entries[s].in_use = 0;
}

}  // namespace sipwire::dispatcher
