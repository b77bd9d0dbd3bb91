// The SIP stage's decisions: a stateless proxy (RFC 3261 section 16.11, RFC 3581)
// in front of the dispatcher's destination sets.
//
// Takes one received SIP datagram, parses it (zero-copy), and writes the datagram to
// send — the forwarded request or response with its edits applied once, or a
// response of our own — into `out`. Pure bytes: no DPDK, no allocation, noexcept.
//
// Decisions, in order (counters in SipCounters):
//   - empty or CRLF-only datagram: keep-alive, consumed (keepalives).
//   - parse error (parse_errors[e]): a request other than ACK whose header section
//     was split (sip::headers_indexed(e)) and has a parsable top Via, From, To,
//     Call-ID and CSeq line is answered "400 Bad Request" with
//     `Warning: 399 sipwire "<parse_error_phrase(e)>"` (local_responses[bad_request]);
//     anything else is dropped (sip_invalid). A top Via that does not parse counts
//     parse_errors[bad_via].
//   - request (requests_received):
//       OPTIONS to us (Request-URI host our address, port absent or ours, no user,
//       no To tag): 200 OK with Allow / Accept (local_responses[options_ok]);
//       ACK whose To tag is one of our local tags (branch.h): consumed;
//       Max-Forwards 0: 483 (local_responses[too_many_hops]);
//       a Via of ours (one of our addresses and SIP ports) whose branch has our
//       loop part (branch.h): 482 (local_responses[loop_detected]);
//       top Route is us (any of our addresses, port ours or absent): that value and
//       every following one that is us too (the two of a double Record-Route) are
//       removed (loose routing; more than 4 lines of them: drop sip_unroutable) and
//       the request goes to the next Route URI, else to the Request-URI — unless the Request-URI is one of our addresses, then to the
//       dispatcher; a next hop that is not an IPv4 literal: drop sip_unroutable;
//       otherwise the dispatcher: config.sip.dispatch_set, table[call_id_hash %
//       kDispatchTableSize] (branch.h) -> index into the set -> destination
//       (requests_dispatched, destination_requests[registry_slot]); no set: the
//       Request-URI when it is an IPv4 literal that is not ours; no destination:
//       503 (local_responses[no_destination]).
//     An ACK is never answered: where another request would get 482 / 483 / 400 it
//     is dropped sip_invalid, where it would get 503 it is dropped sip_unroutable.
//     The egress address: our address on the port net::route() picks for the next
//     hop among `interfaces` (the ingress address dst_ip when there is no route or
//     no interface view); the datagram is sent from it (Result::src_ip).
//     Forwarded (requests_forwarded) with, in one copy: our Via pushed on top
//     ("Via: SIP/2.0/UDP <egress ip>:<dst port>;branch=<branch.h>"), received / rport
//     on the received top Via (rewrite.h), Record-Route when config.sip.record_route
//     and the request is an initial INVITE / SUBSCRIBE / REFER / NOTIFY (no To tag):
//     "<sip:<egress ip>:<dst port>;lr>", or when the egress address is not the
//     ingress one (double record-routing, RFC 5658) one line
//     "<sip:<egress ip>:<dst port>;lr>, <sip:<dst ip>:<dst port>;lr>" (the next
//     hop's side on top), Max-Forwards decremented (70 added when absent), our Route
//     values removed. Everything else is copied byte for byte, the body
//     and Content-Length included; bytes after the body (RFC 3261 18.3) are not.
//     Larger than out_capacity: drop sip_too_large.
//   - call limits (dataplane/limit/limiter.h), when a Limiter is given and any limit
//     is configured, once the next hop is known:
//       an initial INVITE (no To tag) is admitted, or is a retransmission of a call
//       already admitted (forwarded as before), or is refused: with
//       config.limits.failover_ipv4 set and no "X-Sipwire-Failover" header it goes
//       to failover_ipv4:failover_port (5060 when 0) with the line
//       "X-Sipwire-Failover: 1" added with the lines we insert above the received
//       top Via (the loop guard: an INVITE that
//       carries it is never failed over again), otherwise it gets "503 Service
//       Unavailable" with "Retry-After: <retry_after_s>" (local_responses[at_capacity]);
//       retransmissions of a failed-over INVITE go to the failover server again;
//       CANCEL, BYE and the other requests of a tracked call are reported to the
//       limiter (channel releases); those of a failed-over call follow it to the
//       failover server — CANCEL and ACK before its 2xx whatever their Route says,
//       the others where the dispatcher would have chosen (no Route beyond us).
//     A final response to an INVITE (CSeq method INVITE, status >= 200) that we
//     forward or punt is reported to the limiter (2xx confirms, others release).
//   - response (responses_received): the top Via must be ours (sent-by host any of
//     our addresses — a response comes back on the port its request left by — and
//     port one of our SIP ports, 5060 when absent), else drop
//     sip_response_not_ours. Its value is removed; with no Via left it answers one
//     of sipwired's own requests: punt (responses_punted). Otherwise it goes to the
//     next Via (responses_forwarded): received else sent-by host, rport value else
//     sent-by port else 5060; not IPv4: drop sip_unroutable. Sent from the egress
//     address toward that Via.
//   - our own responses go back to the datagram's source address and port
//     (symmetric response routing, RFC 3581 style, whether or not rport was asked
//     for): the address the request came from is the one that can reach its sender
//     through NAT. Sent from the egress address toward it.
#pragma once

#include <cstdint>

#include "net/net.h"
#include "sipwire/counters.h"
#include "sipwire/dataplane_config.h"
#include "sipwire/sip_counters.h"

namespace sipwire::limit {
class Limiter;
}

namespace sipwire::proxy {

// Header line added to an INVITE sent to the capacity-failover server.
inline constexpr char kFailoverMarkerName[] = "X-Sipwire-Failover";

// Addresses and ports in network byte order.
struct Inbound {
    const uint8_t* payload;
    uint16_t length;
    uint32_t src_ip;
    uint16_t src_port;
    uint32_t dst_ip;    // one of our addresses
    uint16_t dst_port;  // one of our SIP ports
};

// The data plane's ports as net::route() sees them (the worker's interfaces, rebuilt
// from the configuration): the proxy picks the port a datagram leaves by with the
// same rule the transmit path uses. Empty (count 0): every datagram is taken to
// leave by the port it arrived on.
struct Interfaces {
    const net::Interface* ports = nullptr;
    uint32_t count = 0;  // at most kMaxPorts
};

enum class Action : uint8_t {
    drop,     // `drop_reason` says why (counted by the caller)
    forward,  // send `out[0..length)` from src_ip and our SIP port to dst_ip:dst_port
    reply,    // our own response: send `out[0..length)` from src_ip to dst_ip:dst_port
    punt,     // hand the inbound datagram to sipwired (answers to its own requests)
    consumed, // nothing to send and nothing wrong (CRLF keepalive, ACK to our response)
};

struct Result {
    Action action;
    DropReason drop_reason;  // meaningful for Action::drop only (DropReason::count otherwise)
    uint32_t dst_ip;         // network byte order; forward / reply only
    uint16_t dst_port;       // network byte order; forward / reply only
    uint16_t length;         // bytes written to `out`; forward / reply only
    uint32_t src_ip;         // network byte order; forward / reply only: the address of
                             // the egress port toward dst_ip (Inbound::dst_ip when no
                             // route), to be sent from with Inbound::dst_port
};

// `out` must not overlap the payload. Counters are per lcore (single writer).
// `limiter`: this lcore's limit stage, begun for this loop iteration with the same
// configuration; nullptr = no call limits. `interfaces`: the ports the datagram may
// leave by (see Interfaces).
Result handle_sip(const Inbound& in, const DataplaneConfig& config, uint8_t* out,
                  uint16_t out_capacity, SipCounters& counters,
                  limit::Limiter* limiter = nullptr, Interfaces interfaces = {}) noexcept;

}  // namespace sipwire::proxy
