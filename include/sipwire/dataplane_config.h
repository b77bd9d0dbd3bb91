// The data plane's view of the configuration: a plain-old-data snapshot that
// sipwired builds from the TOML file, validates, and publishes in shared memory.
// sipwire-dp never parses configuration itself.
#pragma once

#include <cstdint>
#include <type_traits>

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

struct DataplaneConfig {
    uint64_t generation;  // 1, 2, ... ; 0 = never published
    uint32_t port_count;
    PortConfig ports[kMaxPorts];
    uint16_t sip_ports[kMaxSipPorts];  // host byte order; 0 = unused slot
    uint16_t rtp_port_min;             // host byte order; 0 = no RTP range
    uint16_t rtp_port_max;
    uint32_t idle_sleep_us;  // sleep when a loop iteration saw no packet; 0 = busy poll
    uint32_t burst_size;     // frames per rx burst, at most kMaxBurst
};

static_assert(std::is_trivially_copyable_v<BootConfig>);
static_assert(std::is_trivially_copyable_v<DataplaneConfig>);

}  // namespace sipwire
