// Fixed capacities of the shared-memory contract. Changing any of them changes the
// layout, so kLayoutVersion (layout.h) must change with them.
#pragma once

#include <cstdint>

namespace sipwire {

inline constexpr unsigned kMaxWorkers = 16;  // data-plane lcores (poll loops)
inline constexpr unsigned kMaxPorts = 4;
inline constexpr unsigned kMaxSipPorts = 4;
inline constexpr unsigned kMaxEalArgs = 32;
inline constexpr unsigned kEalArgLen = 128;
inline constexpr unsigned kNameLen = 64;
inline constexpr unsigned kMaxBurst = 64;
inline constexpr unsigned kConfigSlots = 4;

inline constexpr unsigned kMaxDestinations = 64;     // dispatcher destinations, all sets
inline constexpr unsigned kMaxDestinationSets = 8;
inline constexpr unsigned kDispatchTableSize = 1021;  // prime: Maglev lookup table per set
inline constexpr unsigned kMaxStaticNeighbours = 32;

inline constexpr unsigned kDatagramMax = 4000;  // largest datagram carried by a ring
inline constexpr unsigned kRingSlots = 256;     // per worker and direction

}  // namespace sipwire
