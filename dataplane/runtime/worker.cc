#include "runtime/worker.h"

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <time.h>

#include <cstring>

#include "sipwire/snapshot.h"

namespace sipwire::dp {

namespace {

constexpr uint32_t kTransmitRingBatch = 32;  // control-plane datagrams per iteration

uint64_t monotonic_ns() noexcept {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

// Frames waiting to leave by one port, flushed once per loop iteration.
struct TxBuffer {
    rte_mbuf* frames[2 * kMaxBurst];
    uint16_t count;
};

struct LoopState {
    WorkerContext& ctx;
    WorkerState& self;
    TxBuffer tx[kMaxPorts];
    uint64_t now_ns;
};

void count_drop(PortCounters& c, DropReason reason) noexcept {
    c.dropped_packets.add(1);
    c.drops[unsigned(reason)].add(1);
}

void enqueue_tx(LoopState& s, uint32_t port, rte_mbuf* m) noexcept {
    TxBuffer& b = s.tx[port];
    if (b.count == sizeof b.frames / sizeof b.frames[0]) {
        count_drop(s.self.ports[port], DropReason::tx_queue_full);
        rte_pktmbuf_free(m);
        return;
    }
    b.frames[b.count++] = m;
}

void flush_tx(LoopState& s, uint32_t port) noexcept {
    TxBuffer& b = s.tx[port];
    if (b.count == 0) return;
    const uint16_t sent =
        rte_eth_tx_burst(s.ctx.ports->dpdk_port_id[port], uint16_t(s.ctx.index), b.frames, b.count);
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

void refresh_interfaces(WorkerContext& ctx, const DataplaneConfig& cfg) noexcept {
    for (uint32_t p = 0; p < ctx.ports->count; ++p) {
        net::Interface& iface = ctx.interfaces[p];
        std::memcpy(iface.mac, ctx.segment.port(p).mac, 6);
        if (p < cfg.port_count) {
            const PortConfig& pc = cfg.ports[p];
            iface.ipv4 = pc.ipv4;
            iface.netmask = pc.prefix_len == 0 ? 0 : rte_cpu_to_be_32(~uint32_t(0) << (32 - pc.prefix_len));
            iface.gateway = pc.gateway_ipv4;
        } else {
            iface = net::Interface{};
            std::memcpy(iface.mac, ctx.segment.port(p).mac, 6);
        }
    }
    ctx.interfaces_generation = cfg.generation;
}

void handle_frame(LoopState& s, uint32_t port, rte_mbuf* m, const DataplaneConfig& cfg) noexcept {
    PortCounters& c = s.self.ports[port];
    c.rx_packets.add(1);
    c.rx_bytes.add(rte_pktmbuf_pkt_len(m));
    if (m->nb_segs != 1) {  // frames larger than one buffer: jumbo frames are not enabled
        count_drop(c, DropReason::multi_segment);
        rte_pktmbuf_free(m);
        return;
    }
    const net::Outcome out =
        net::process_frame(rte_pktmbuf_mtod(m, uint8_t*), rte_pktmbuf_data_len(m),
                           s.ctx.interfaces[port], cfg, s.ctx.neighbours[port], s.now_ns, c);
    switch (out.next) {
    case net::Next::transmit_back:
        enqueue_tx(s, port, m);
        return;
    case net::Next::consumed:
        break;
    case net::Next::sip:
        count_drop(c, DropReason::sip_no_stage);
        break;
    case net::Next::rtp:
        count_drop(c, DropReason::rtp_no_stage);
        break;
    case net::Next::drop:
        count_drop(c, out.reason);
        break;
    }
    rte_pktmbuf_free(m);
}

// Sends one datagram queued by sipwired. Unknown next hop: ARP for it and drop the
// datagram (the control plane retries its probes).
void transmit_datagram(LoopState& s, const Datagram& d) noexcept {
    if (d.port_index >= s.ctx.ports->count || d.length > kDatagramMax) return;
    const uint32_t port = d.port_index;
    PortCounters& c = s.self.ports[port];
    const net::Interface& iface = s.ctx.interfaces[port];
    rte_mbuf* m = rte_pktmbuf_alloc(s.ctx.ports->pools[port]);
    if (!m) {
        count_drop(c, DropReason::tx_queue_full);
        return;
    }
    const uint32_t hop = net::next_hop(iface, d.dst_ipv4);
    const uint8_t* mac = hop ? s.ctx.neighbours[port].lookup(hop, s.now_ns) : nullptr;
    uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
    uint16_t len = 0;
    if (mac) {
        len = net::build_udp_frame(frame, uint16_t(rte_pktmbuf_tailroom(m)), iface.mac, mac,
                                   d.src_ipv4 ? d.src_ipv4 : iface.ipv4, d.dst_ipv4, d.src_port,
                                   d.dst_port, d.payload, d.length);
        if (len) c.control_tx_packets.add(1);
    } else {
        count_drop(c, DropReason::no_neighbour);
        if (hop) len = net::build_arp_request(frame, iface, hop);
    }
    if (len == 0) {
        rte_pktmbuf_free(m);
        return;
    }
    m->data_len = len;
    m->pkt_len = len;
    enqueue_tx(s, port, m);
}

void drain_transmit_ring(LoopState& s) noexcept {
    DatagramRing& ring = s.ctx.segment.rings(s.ctx.index).transmit;
    for (uint32_t n = 0; n < kTransmitRingBatch; ++n) {
        const Datagram* d = ring.consumer_slot();
        if (!d) break;
        transmit_datagram(s, *d);
        ring.pop();
    }
}

}  // namespace

int run_worker(void* arg) {
    WorkerContext& ctx = *static_cast<WorkerContext*>(arg);
    WorkerState& self = ctx.segment.worker(ctx.index);
    self.lcore_id = rte_lcore_id();
    self.heartbeat_ns.store(monotonic_ns());
    self.run_state.store(uint32_t(WorkerRunState::running));

    LoopState s{ctx, self, {}, monotonic_ns()};
    const uint64_t tsc_hz = rte_get_tsc_hz();
    const uint64_t heartbeat_cycles = tsc_hz / 100;  // 10 ms
    uint64_t last_heartbeat_tsc = rte_rdtsc();
    rte_mbuf* burst[kMaxBurst];

    while (!ctx.stop->load(std::memory_order_relaxed)) {
        self.loops.add(1);
        const uint64_t tsc = rte_rdtsc();
        if (tsc - last_heartbeat_tsc >= heartbeat_cycles) {
            s.now_ns = monotonic_ns();
            self.heartbeat_ns.store(s.now_ns, std::memory_order_relaxed);
            last_heartbeat_tsc = tsc;
        }
        const DataplaneConfig* cfg = acquire_config(ctx.segment, self);
        if (!cfg) {
            rte_delay_us_sleep(1000);  // nothing published yet
            continue;
        }
        if (cfg->generation != ctx.interfaces_generation) refresh_interfaces(ctx, *cfg);

        uint32_t received = 0;
        const uint16_t burst_size = uint16_t(cfg->burst_size ? cfg->burst_size : kMaxBurst);
        for (uint32_t p = 0; p < ctx.ports->count; ++p) {
            const uint16_t n =
                rte_eth_rx_burst(ctx.ports->dpdk_port_id[p], uint16_t(ctx.index), burst, burst_size);
            for (uint16_t i = 0; i < n; ++i) handle_frame(s, p, burst[i], *cfg);
            received += n;
        }
        drain_transmit_ring(s);
        for (uint32_t p = 0; p < ctx.ports->count; ++p) flush_tx(s, p);

        if (received) {
            self.busy_loops.add(1);
        } else if (cfg->idle_sleep_us) {
            // Idle back-off: lets sipwired and others run on small machines.
            rte_delay_us_sleep(cfg->idle_sleep_us);
        }
    }
    self.run_state.store(uint32_t(WorkerRunState::stopped));
    self.acked_generation.store(0);
    return 0;
}

}  // namespace sipwire::dp
