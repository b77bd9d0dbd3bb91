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

inline constexpr unsigned kMaxRegistrarDomains = 8;

// The registrar's domains: a REGISTER whose Request-URI host is one of them goes to
// sipwired; a request to user@<one of them> is routed by the location table.
struct LocationConfig {
    uint32_t domain_count;  // 0 = no registrar: REGISTER is proxied like any request
    uint8_t domain_lengths[kMaxRegistrarDomains];
    char domains[kMaxRegistrarDomains][kNameLen];  // lower case, not NUL-terminated
};

// The RTP relay (media anchoring). Ports come from [rtp_port_min, rtp_port_max].
struct MediaConfig {
    uint8_t relay;  // 1 = rewrite SDP and relay the media of calls through us
    uint8_t pad[3];
    uint32_t inactivity_timeout_ms;  // no packet on any port of an answered call: released
    uint32_t offer_timeout_ms;       // an offer never answered: released
    uint32_t relatch_after_ms;       // a latched port silent this long may latch a new source; 0 = never
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
    LocationConfig location;
    MediaConfig media;
};

static_assert(std::is_trivially_copyable_v<BootConfig>);
static_assert(std::is_trivially_copyable_v<DataplaneConfig>);

}  // namespace sipwire
