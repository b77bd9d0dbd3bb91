// The SIP stage's decisions: a stateless proxy (RFC 3261 section 16.11, RFC 3581)
// in front of the dispatcher's destination sets.
//
// Takes one received SIP datagram, parses it (zero-copy), and writes the datagram to
// send — the forwarded request or response with its edits applied once, or a
// response of our own — into `out`. Pure bytes: no DPDK, no allocation, noexcept.
#pragma once

#include <cstdint>

#include "sipwire/counters.h"
#include "sipwire/dataplane_config.h"
#include "sipwire/sip_counters.h"

namespace sipwire::proxy {

// Addresses and ports in network byte order.
struct Inbound {
    const uint8_t* payload;
    uint16_t length;
    uint32_t src_ip;
    uint16_t src_port;
    uint32_t dst_ip;    // one of our addresses
    uint16_t dst_port;  // one of our SIP ports
};

enum class Action : uint8_t {
    drop,     // `drop_reason` says why (counted by the caller)
    forward,  // send `out[0..length)` from our address/port to dst_ip:dst_port
    reply,    // our own response: send `out[0..length)` to dst_ip:dst_port
    punt,     // hand the inbound datagram to sipwired (answers to its own requests)
    consumed, // nothing to send and nothing wrong (CRLF keepalive, ACK to our response)
};

struct Result {
    Action action;
    DropReason drop_reason;
    uint32_t dst_ip;
    uint16_t dst_port;
    uint16_t length;
};

Result handle_sip(const Inbound& in, const DataplaneConfig& config, uint8_t* out,
                  uint16_t out_capacity, SipCounters& counters) noexcept;

}  // namespace sipwire::proxy
