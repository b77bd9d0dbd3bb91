// The poll loop of one data-plane lcore. Shared-nothing: each worker owns one RX and
// one TX queue per port, its neighbour tables, its counter block and its rings.
#pragma once

#include <atomic>
#include <cstdint>

#include "net/net.h"
#include "runtime/ports.h"
#include "sipwire/layout.h"

namespace sipwire::dp {

struct alignas(64) WorkerContext {
    uint32_t index;  // worker number: counter block, rings and queue id
    const PortSetup* ports;
    SegmentView segment;
    const std::atomic<bool>* stop;

    // Rebuilt when the configuration generation changes.
    uint64_t interfaces_generation;
    net::Interface interfaces[kMaxPorts];
    net::NeighbourTable neighbours[kMaxPorts];
};

// rte_eal_remote_launch entry point; `arg` is a WorkerContext*.
int run_worker(void* arg);

}  // namespace sipwire::dp
