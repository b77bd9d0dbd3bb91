// Counters shared by sipwire-dp (writer) and sipwired / sipwirectl (readers).
//
// Every counter is declared once in an X-macro list below and expanded into the
// shared-memory block, the Prometheus names and the CLI table, so the three can
// never disagree. Each lcore owns its block (single writer); readers sum blocks.
#pragma once

#include <atomic>
#include <cstdint>

namespace sipwire {

// Per port and lcore traffic counters.  X(field, prometheus_name, help)
#define SIPWIRE_PORT_COUNTERS(X)                                                          \
    X(rx_packets, "sipwire_rx_packets_total", "Frames received")                            \
    X(rx_bytes, "sipwire_rx_bytes_total", "Bytes received (L2 frame length)")               \
    X(tx_packets, "sipwire_tx_packets_total", "Frames transmitted")                         \
    X(tx_bytes, "sipwire_tx_bytes_total", "Bytes transmitted (L2 frame length)")            \
    X(dropped_packets, "sipwire_dropped_packets_total", "Frames dropped, all reasons")      \
    X(arp_replies, "sipwire_arp_replies_total", "ARP requests for our addresses answered")  \
    X(icmp_echo_replies, "sipwire_icmp_echo_replies_total", "ICMP echo requests answered")  \
    X(sip_packets, "sipwire_sip_packets_total", "UDP datagrams to a SIP port")              \
    X(rtp_packets, "sipwire_rtp_packets_total", "UDP datagrams to the RTP port range")      \
    X(ip_fragments, "sipwire_ip_fragments_total", "IPv4 fragments received for reassembly") \
    X(ip_reassembled, "sipwire_ip_reassembled_total", "Datagrams reassembled from fragments") \
    X(punted_packets, "sipwire_punted_packets_total", "Datagrams handed to sipwired")        \
    X(control_tx_packets, "sipwire_control_tx_packets_total",                               \
      "Datagrams transmitted on behalf of sipwired")

// Why a frame was dropped. Exposed as sipwire_drops_total{reason="..."}.  X(field, help)
#define SIPWIRE_DROP_REASONS(X)                                                           \
    X(not_ipv4, "Ethertype is neither IPv4 nor ARP")                                      \
    X(bad_ipv4_header, "IPv4 header invalid (version, length, checksum)")                 \
    X(not_for_us, "Destination MAC or IPv4 address is not ours")                          \
    X(ip_fragment, "Reassembled IPv4 datagram larger than the reassembly buffer")                              \
    X(ip_protocol, "IPv4 protocol other than UDP or ICMP")                                \
    X(bad_udp, "UDP header, length or checksum invalid")                                  \
    X(udp_no_service, "UDP destination port has no service")                              \
    X(bad_arp, "ARP packet malformed or not Ethernet/IPv4")                               \
    X(arp_not_for_us, "ARP packet for an address that is not ours")                       \
    X(icmp_not_echo, "ICMP message other than echo request")                              \
    X(bad_icmp, "ICMP message malformed")                                                 \
    X(sip_invalid, "Invalid SIP message that cannot be answered (see parse errors)")     \
    X(sip_response_not_ours, "SIP response whose top Via is not ours")                    \
    X(sip_unroutable, "SIP message whose next hop is not an IPv4 address")                \
    X(sip_too_large, "Forwarded SIP message would exceed the maximum datagram size")      \
    X(rtp_no_stage, "RTP datagram with no media session")                                 \
    X(punt_ring_full, "Ring to sipwired full")                                            \
    X(no_neighbour, "Next hop MAC unknown (ARP request sent)")                            \
    X(runt_frame, "Frame shorter than an Ethernet header")                                \
    X(martian_source, "Source MAC multicast, or IPv4 source that cannot be a host")       \
    X(multi_segment, "Frame larger than one packet buffer (jumbo frames not enabled)")    \
    X(tx_queue_full, "NIC transmit queue full")

enum class DropReason : uint8_t {
#define SIPWIRE_X(name, help) name,
    SIPWIRE_DROP_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
        count
};

inline constexpr const char* kDropReasonNames[] = {
#define SIPWIRE_X(name, help) #name,
    SIPWIRE_DROP_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
};

inline constexpr const char* kDropReasonHelp[] = {
#define SIPWIRE_X(name, help) help,
    SIPWIRE_DROP_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
};

inline constexpr unsigned kDropReasonCount = static_cast<unsigned>(DropReason::count);

// A counter with exactly one writer. Increments compile to a plain load/add/store
// (no lock prefix); the atomic type only makes concurrent reads well defined.
struct Counter {
    std::atomic<uint64_t> value{0};

    void add(uint64_t n) noexcept {
        value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    uint64_t get() const noexcept { return value.load(std::memory_order_relaxed); }
};
static_assert(std::atomic<uint64_t>::is_always_lock_free);
static_assert(sizeof(Counter) == sizeof(uint64_t));

struct PortCounters {
#define SIPWIRE_X(name, prom, help) Counter name;
    SIPWIRE_PORT_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
    Counter drops[kDropReasonCount];
};

struct PortCounterField {
    Counter PortCounters::*member;
    const char* field;
    const char* prometheus_name;
    const char* help;
};

inline constexpr PortCounterField kPortCounterFields[] = {
#define SIPWIRE_X(name, prom, help) {&PortCounters::name, #name, prom, help},
    SIPWIRE_PORT_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
};

}  // namespace sipwire
