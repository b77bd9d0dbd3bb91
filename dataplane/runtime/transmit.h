// Datagrams the worker originates: forwarded SIP, its own SIP responses, and what
// sipwired queues on the transmit ring. Routed by destination, fragmented above the
// link MTU.
#pragma once

#include <cstdint>

#include "runtime/loop_state.h"

namespace sipwire::dp {

// Sends the UDP payload at ctx.udp_out + 8 (`payload_length` bytes) from src to dst
// (network byte order). Drops are counted on `ingress_port`'s counters when no route
// exists, on the egress port's otherwise. Unknown next-hop MAC: an ARP request goes
// out instead and the datagram is dropped (no_neighbour).
void send_udp(LoopState& s, uint32_t ingress_port, uint32_t src_ip, uint16_t src_port,
              uint32_t dst_ip, uint16_t dst_port, uint16_t payload_length) noexcept;

// Sends up to a batch of datagrams from this worker's transmit ring.
void drain_transmit_ring(LoopState& s) noexcept;

}  // namespace sipwire::dp
