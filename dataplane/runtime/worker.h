// The poll loop of one data-plane lcore. Shared-nothing: each worker owns one RX and
// one TX queue per port, its neighbour tables, its reassembly table, its counter
// block and its rings.
#pragma once

#include <atomic>
#include <cstdint>

#include "limit/limiter.h"
#include "net/net.h"
#include "runtime/ports.h"
#include "sipwire/layout.h"

struct rte_ip_frag_tbl;

namespace sipwire::dp {

// Largest datagram reassembled from IPv4 fragments (an INVITE with a large SDP).
inline constexpr uint32_t kReassemblyMax = 16384;

struct alignas(64) WorkerContext {
    uint32_t index;  // worker number: counter block, rings and queue id
    const PortSetup* ports;
    SegmentView segment;
    const std::atomic<bool>* stop;
    rte_ip_frag_tbl* fragments;  // created at start-up on the worker's socket

    // Rebuilt when the configuration generation changes.
    uint64_t interfaces_generation;
    net::Interface interfaces[kMaxPorts];
    net::NeighbourTable neighbours[kMaxPorts];

    limit::Limiter limiter;  // call limits: this lcore's buckets and sweep cursor

    uint16_t next_ip_id;  // identification of the IPv4 fragments we send
    // ARP requests for unresolved next hops, limited per port and heartbeat tick.
    uint64_t arp_tick_ns[kMaxPorts];  // now_ns / 10 ms of the current tick
    uint32_t arp_in_tick[kMaxPorts];
    alignas(64) uint8_t reassembled[kReassemblyMax];  // a reassembled frame, linear
    alignas(64) uint8_t udp_out[8 + 65535];           // UDP header + payload being built
};

// Allocates the worker's reassembly table. False when DPDK memory is short.
bool init_worker(WorkerContext& ctx, int socket_id);

// rte_eal_remote_launch entry point; `arg` is a WorkerContext*.
int run_worker(void* arg);

}  // namespace sipwire::dp
