// The SIP port's path through the worker: the proxy stage decides, this sends.
#pragma once

#include "net/net.h"
#include "runtime/loop_state.h"

namespace sipwire::dp {

// `frame` holds the datagram `udp` describes (the received frame, or a reassembled one).
void handle_sip_datagram(LoopState& s, uint32_t port, const uint8_t* frame,
                         const net::UdpView& udp) noexcept;

}  // namespace sipwire::dp
