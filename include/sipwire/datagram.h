// A UDP datagram as it crosses the rings between sipwire-dp and sipwired.
#pragma once

#include <cstdint>
#include <type_traits>

#include "sipwire/limits.h"

namespace sipwire {

enum class DatagramKind : uint16_t {
    punted = 1,    // dp -> cp: received on a SIP port, for the control plane
    transmit = 2,  // cp -> dp: send this payload from one of our addresses
};

// Addresses and ports in network byte order, as on the wire.
struct Datagram {
    DatagramKind kind;
    uint16_t port_index;  // data-plane port it arrived on / leaves by
    uint16_t length;      // payload bytes used
    uint16_t pad;
    uint32_t src_ipv4;
    uint32_t dst_ipv4;
    uint16_t src_port;
    uint16_t dst_port;
    uint64_t timestamp_ns;  // CLOCK_MONOTONIC when received (punted) or queued
    uint8_t payload[kDatagramMax];
};
static_assert(std::is_trivially_copyable_v<Datagram>);

}  // namespace sipwire
