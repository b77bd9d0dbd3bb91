// Stable identities of dispatcher destinations: each configured destination owns a
// slot of the segment's DestinationRegistry, which indexes its per-destination
// counters (SipCounters::destination_requests). The identity is (address, port,
// set name): it keeps its slot across reloads and restarts of either process for
// as long as the segment lives. Written by sipwired only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "sipwire/layout.h"

namespace sipwire::dispatcher {

struct SlotPlan {
    // slots[i] is the registry slot of config.dataplane.destinations[i].
    std::vector<uint16_t> slots;
    // Slots taken by this plan for destinations new to the registry (to give back
    // if the snapshot cannot be published).
    std::vector<uint16_t> added;
    // In-use slots of destinations no longer configured: freed only after the
    // snapshot without them is published (the data plane may still count on them).
    std::vector<uint16_t> stale;
};

// Assigns slots and writes new entries into `registry` (in_use = 1). A destination
// already registered keeps its slot; a new one takes the lowest free slot. Should
// every slot be held (the old and new configurations together exceed
// kMaxDestinations), a new destination reuses a stale slot, whose counters it then
// inherits.
SlotPlan assign_registry_slots(const config::Config& config, DestinationRegistry& registry);

// Marks `slots` free (in_use = 0).
void release_registry_slots(DestinationRegistry& registry, const std::vector<uint16_t>& slots);

}  // namespace sipwire::dispatcher
