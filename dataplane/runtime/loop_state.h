// What one poll-loop iteration works with, and the transmit buffering shared by the
// worker's paths (replies, forwarded SIP, control-plane datagrams).
#pragma once

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <time.h>

#include "runtime/worker.h"
#include "sipwire/layout.h"

namespace sipwire::dp {

// Frames waiting to leave by one port, flushed once per loop iteration.
struct TxBuffer {
    rte_mbuf* frames[4 * kMaxBurst];
    uint16_t count;
};

struct LoopState {
    WorkerContext& ctx;
    WorkerState& self;
    const DataplaneConfig* config;
    uint64_t now_ns;  // CLOCK_MONOTONIC at the start of this loop iteration (TSC-interpolated)
    TxBuffer tx[kMaxPorts];
};

inline uint64_t monotonic_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

// CLOCK_MONOTONIC read once per heartbeat, interpolated with the TSC in between: a
// nanosecond clock for every loop iteration at the cost of one rdtsc and a multiply
// (the call limits' token buckets need better than the 10 ms heartbeat).
struct LoopClock {
    uint64_t anchor_tsc = 0;
    uint64_t anchor_ns = 0;
    uint64_t ns_per_tsc_q32 = 0;  // nanoseconds per TSC cycle, 32.32 fixed point

    void init(uint64_t tsc_hz, uint64_t tsc, uint64_t ns) noexcept {
        ns_per_tsc_q32 = tsc_hz != 0 ? (1'000'000'000ULL << 32) / tsc_hz : 0;
        anchor(tsc, ns);
    }
    void anchor(uint64_t tsc, uint64_t ns) noexcept {
        anchor_tsc = tsc;
        anchor_ns = ns;
    }
    uint64_t at(uint64_t tsc) const noexcept {
        const unsigned __int128 delta = static_cast<unsigned __int128>(tsc - anchor_tsc) * ns_per_tsc_q32;
        return anchor_ns + static_cast<uint64_t>(delta >> 32);
    }
};

inline void count_drop(PortCounters& c, DropReason reason) noexcept {
    c.dropped_packets.add(1);
    c.drops[unsigned(reason)].add(1);
}

inline void enqueue_tx(LoopState& s, uint32_t port, rte_mbuf* m) noexcept {
    TxBuffer& b = s.tx[port];
    if (b.count == sizeof b.frames / sizeof b.frames[0]) {
        count_drop(s.self.ports[port], DropReason::tx_queue_full);
        rte_pktmbuf_free(m);
        return;
    }
    b.frames[b.count++] = m;
}

inline void flush_tx(LoopState& s, uint32_t port) noexcept {
    TxBuffer& b = s.tx[port];
    if (b.count == 0) return;
    const uint16_t sent = rte_eth_tx_burst(s.ctx.ports->dpdk_port_id[port], uint16_t(s.ctx.index),
                                           b.frames, b.count);
    PortCounters& c = s.self.ports[port];
    uint64_t bytes = 0;
    for (uint16_t i = 0; i < sent; ++i) bytes += rte_pktmbuf_pkt_len(b.frames[i]);
    c.tx_packets.add(sent);
    c.tx_bytes.add(bytes);
    for (uint16_t i = sent; i < b.count; ++i) {
        count_drop(c, DropReason::tx_queue_full);
        rte_pktmbuf_free(b.frames[i]);
    }
    b.count = 0;
}

}  // namespace sipwire::dp
