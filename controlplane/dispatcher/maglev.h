// Maglev consistent hashing (Eisenbud et al., NSDI 2016) for the dispatcher's
// destination sets, weighted: in every round of the population each member claims
// `weight` entries, so its share of the table is weight / sum of weights.
//
// Deterministic: the permutation of a member depends only on its address and port,
// so every sipwired (and every restart) builds the same table from the same members,
// and removing a member moves only (about) the entries it held.
#pragma once

#include <cstdint>
#include <span>

#include "sipwire/dataplane_config.h"
#include "sipwire/limits.h"

namespace sipwire::dispatcher {

struct MaglevMember {
    uint32_t ipv4;   // network byte order, as in DestinationConfig
    uint16_t port;   // network byte order
    uint16_t weight; // 1..100; 0 is taken as 1
    uint16_t value;  // what the table holds for this member (a destination index)
};

using DispatchTable = uint16_t[kDispatchTableSize];

// Fills `table` with the members' values; kNoDestination everywhere when `members`
// is empty.
void build_maglev_table(std::span<const MaglevMember> members, DispatchTable& table);

// Rebuilds set `set_index` of `config` over its healthy destinations: a table
// entry is a member's position in the set, relative to `first` (the destination is
// config.destinations[first + entry]). Sets healthy_count.
void build_set_table(DataplaneConfig& config, uint32_t set_index);

}  // namespace sipwire::dispatcher
