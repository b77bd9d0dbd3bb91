// L2/L3 stage of the data plane: Ethernet, ARP, IPv4, ICMP echo, UDP demultiplexing.
//
// Works on raw frame bytes (no DPDK types), so unit tests feed it synthetic frames.
// Every function is noexcept, allocates nothing and does bounded work per frame.
#pragma once

#include <cstdint>

#include "net/neighbour_table.h"
#include "sipwire/counters.h"
#include "sipwire/dataplane_config.h"

namespace sipwire::net {

// One data-plane port as this stage sees it. Addresses in network byte order.
struct Interface {
    uint8_t mac[6];
    uint32_t ipv4;     // 0 = no address: every IPv4 frame is not_for_us
    uint32_t netmask;
    uint32_t gateway;  // 0 = none
};

// A UDP datagram found in a frame. Addresses and ports in network byte order;
// offsets are from the start of the frame.
struct UdpView {
    uint32_t src_ip;
    uint32_t dst_ip;
    uint16_t src_port;
    uint16_t dst_port;
    uint16_t ip_offset;
    uint16_t payload_offset;
    uint16_t payload_length;
};

enum class Next : uint8_t {
    drop,           // `reason` says why; counted by the caller
    transmit_back,  // frame rewritten in place (ARP reply, ICMP echo reply): send on the same port
    sip,            // UDP to one of the configured SIP ports: `udp` is valid
    rtp,            // UDP to the RTP port range: `udp` is valid
    fragment,       // IPv4 fragment to our address, header valid: reassemble, then process again
    consumed,       // used here (an ARP reply to us, learned): free it, it is not a drop
};

struct Outcome {
    Next next;
    DropReason reason;  // meaningful only when next == Next::drop
    UdpView udp;        // meaningful only when next is sip or rtp
};

// Classifies one received frame and, for ARP requests and ICMP echo requests to our
// address, rewrites it in place into the reply. Learns neighbours from ARP and from
// on-link IPv4 sources. Counts arp_replies / icmp_echo_replies / sip_packets /
// rtp_packets in `counters`; the caller counts rx, tx and drops.
Outcome process_frame(uint8_t* frame, uint16_t length, const Interface& iface,
                      const DataplaneConfig& config, NeighbourTable& neighbours,
                      uint64_t now_ns, PortCounters& counters) noexcept;

// Address the frame for `dst_ip` must be sent to: dst_ip itself when on-link,
// otherwise the gateway (0 when neither applies).
uint32_t next_hop(const Interface& iface, uint32_t dst_ip) noexcept;

// Writes a broadcast ARP request for `target_ip` into `out` (at least 64 bytes).
// Returns the frame length.
uint16_t build_arp_request(uint8_t* out, const Interface& iface, uint32_t target_ip) noexcept;

// Writes Ethernet + IPv4 + UDP headers and copies `payload` behind them into `out`
// (capacity `out_capacity`). Checksums filled. Returns the frame length, or 0 when it
// does not fit. Addresses and ports in network byte order.
uint16_t build_udp_frame(uint8_t* out, uint16_t out_capacity, const uint8_t src_mac[6],
                         const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                         uint16_t src_port, uint16_t dst_port, const uint8_t* payload,
                         uint16_t payload_length) noexcept;

}  // namespace sipwire::net
