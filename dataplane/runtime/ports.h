// NIC ports of sipwire-dp: look them up by name, configure one RX and one TX queue
// per worker (RSS spreads flows across RX queues when there are several), start
// them, and publish their status into the segment.
#pragma once

#include <cstdint>
#include <string>

#include "sipwire/layout.h"

struct rte_mempool;

namespace sipwire::dp {

struct PortSetup {
    uint16_t dpdk_port_id[kMaxPorts];
    rte_mempool* pools[kMaxPorts];
    uint32_t count;
};

// Starts every port named in the boot configuration with `queues` RX/TX queues.
// On failure returns false with one sentence in `error` saying what to do.
bool start_ports(const BootConfig& boot, uint16_t queues, const SegmentView& seg,
                 PortSetup& out, std::string& error);

// Refreshes link state in the segment (called by the housekeeping thread).
void update_link_status(const PortSetup& ports, const SegmentView& seg);

void stop_ports(const PortSetup& ports);

}  // namespace sipwire::dp
