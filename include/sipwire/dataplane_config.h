// The data plane's view of the configuration: a plain-old-data snapshot that
// sipwired builds from the TOML file, validates, and publishes in shared memory.
// sipwire-dp never parses configuration itself.
#pragma once

#include <cstdint>
#include <type_traits>

#include "sipwire/call_limits.h"
#include "sipwire/limits.h"

namespace sipwire {

// Start-up parameters for sipwire-dp: read once when it attaches. Changing them
// needs a data-plane restart (sipwirectl status shows when they differ).
struct BootConfig {
    char eal_args[kMaxEalArgs][kEalArgLen];  // NUL-terminated strings
    uint32_t eal_arg_count;
    uint32_t port_count;
    char port_names[kMaxPorts][kNameLen];  // DPDK device names or PCI addresses
    uint16_t rx_descriptors;
    uint16_t tx_descriptors;
    uint32_t mbufs_per_port;
};

struct PortConfig {
    uint32_t ipv4;           // network byte order
    uint8_t prefix_len;
    uint8_t pad[3];
    uint32_t gateway_ipv4;   // network byte order; 0 = none (on-link only)
};

// A neighbour whose MAC is configured, never learned (links without ARP: net_null in
// benchmarks, static peering).
struct StaticNeighbour {
    uint32_t ipv4;  // network byte order
    uint8_t mac[6];
    uint16_t port_index;
};

// One switch behind the dispatcher.
struct DestinationConfig {
    uint32_t ipv4;            // network byte order
    uint16_t port;            // network byte order
    uint16_t registry_slot;   // stable index into DestinationRegistry (counters, labels)
    uint16_t weight;          // relative share of new calls
    uint8_t healthy;          // 1 = answering health probes (or probing disabled)
    uint8_t pad;
};

inline constexpr uint16_t kNoDestination = 0xffff;

// A destination set (the switches of a cluster). `table` maps a Call-ID hash to a
// member, relative to `first` (destinations[first + entry]): Maglev consistent
// hashing over the healthy members, weighted, built by sipwired; kNoDestination
// everywhere when no member is healthy.
struct DestinationSetConfig {
    uint16_t first;  // destinations[first .. first + count)
    uint16_t count;
    uint16_t healthy_count;
    uint16_t pad;
    uint16_t table[kDispatchTableSize];
};

struct SipProxyConfig {
    uint8_t record_route;  // 1 = add Record-Route so in-dialog requests pass through us
    uint8_t pad;
    uint16_t dispatch_set;  // set that takes requests not routed otherwise; kNoDestination = none
};

struct DataplaneConfig {
    uint64_t generation;  // 1, 2, ... ; 0 = never published
    uint32_t port_count;
    PortConfig ports[kMaxPorts];
    uint16_t sip_ports[kMaxSipPorts];  // host byte order; 0 = unused slot
    uint16_t rtp_port_min;             // host byte order; 0 = no RTP range
    uint16_t rtp_port_max;
    uint32_t idle_sleep_us;  // sleep when a loop iteration saw no packet; 0 = busy poll
    uint32_t burst_size;     // frames per rx burst, at most kMaxBurst

    uint32_t static_neighbour_count;
    StaticNeighbour static_neighbours[kMaxStaticNeighbours];

    SipProxyConfig sip;
    uint32_t destination_count;
    uint32_t destination_set_count;
    DestinationConfig destinations[kMaxDestinations];
    DestinationSetConfig destination_sets[kMaxDestinationSets];

    CallLimitsConfig limits;
};

static_assert(std::is_trivially_copyable_v<BootConfig>);
static_assert(std::is_trivially_copyable_v<DataplaneConfig>);

}  // namespace sipwire
