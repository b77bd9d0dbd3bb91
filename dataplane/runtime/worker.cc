#include "runtime/worker.h"

#include <rte_cycles.h>
#include <rte_ip.h>
#include <rte_ip_frag.h>
#include <rte_lcore.h>

#include <cstring>

#include "net/route.h"
#include "runtime/loop_state.h"
#include "runtime/sip_path.h"
#include "runtime/transmit.h"
#include "sipwire/snapshot.h"

namespace sipwire::dp {

namespace {

// Datagrams being reassembled at once. Each may hold up to 8 fragment mbufs for the
// time-out, so this bounds what a flood of incomplete fragments can take from the pool.
constexpr uint32_t kFragmentFlows = 128;
constexpr uint32_t kFragmentBucketEntries = 16;
constexpr uint64_t kFragmentTimeoutMs = 2000;    // incomplete datagrams are freed after

// Interfaces and static neighbours follow the configuration snapshot.
void refresh_interfaces(WorkerContext& ctx, const DataplaneConfig& cfg) noexcept {
    for (uint32_t p = 0; p < ctx.ports->count; ++p) {
        net::Interface& iface = ctx.interfaces[p];
        iface = p < cfg.port_count ? net::interface_of(cfg.ports[p]) : net::Interface{};
        std::memcpy(iface.mac, ctx.segment.port(p).mac, 6);
    }
    for (uint32_t i = 0; i < cfg.static_neighbour_count && i < kMaxStaticNeighbours; ++i) {
        const StaticNeighbour& n = cfg.static_neighbours[i];
        if (n.port_index < ctx.ports->count) ctx.neighbours[n.port_index].pin(n.ipv4, n.mac);
    }
    ctx.interfaces_generation = cfg.generation;
}

void follow(LoopState& s, uint32_t port, rte_mbuf* m, const uint8_t* frame,
            const net::Outcome& out, rte_ip_frag_death_row& death_row) noexcept;

// Hands a fragment to the reassembly table; once a datagram is complete it is copied
// into one linear buffer and classified again like any received frame.
void reassemble(LoopState& s, uint32_t port, rte_mbuf* m, rte_ip_frag_death_row& death_row) noexcept {
    PortCounters& c = s.self.ports[port];
    c.ip_fragments.add(1);
    auto* ip = rte_pktmbuf_mtod_offset(m, rte_ipv4_hdr*, sizeof(rte_ether_hdr));
    m->l2_len = sizeof(rte_ether_hdr);
    m->l3_len = rte_ipv4_hdr_len(ip);
    // One call may put up to RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1 mbufs on the death row,
    // which DPDK does not bound: empty it before it can overflow.
    if (death_row.cnt + RTE_LIBRTE_IP_FRAG_MAX_FRAG + 1 > RTE_IP_FRAG_DEATH_ROW_MBUF_LEN)
        rte_ip_frag_free_death_row(&death_row, 0);
    rte_mbuf* whole = rte_ipv4_frag_reassemble_packet(s.ctx.fragments, &death_row, m, rte_rdtsc(), ip);
    if (!whole) return;  // kept until its siblings arrive, or freed on time-out
    c.ip_reassembled.add(1);
    const uint32_t length = rte_pktmbuf_pkt_len(whole);
    if (length > kReassemblyMax) {
        count_drop(c, DropReason::ip_fragment);
        rte_pktmbuf_free(whole);
        return;
    }
    uint8_t* frame = s.ctx.reassembled;
    const void* data = rte_pktmbuf_read(whole, 0, length, frame);
    if (data != frame) std::memcpy(frame, data, length);
    rte_pktmbuf_free(whole);
    // Reassembly leaves the header checksum zero; the L3 stage checks it.
    auto* linear_ip = reinterpret_cast<rte_ipv4_hdr*>(frame + sizeof(rte_ether_hdr));
    linear_ip->hdr_checksum = 0;
    linear_ip->hdr_checksum = rte_ipv4_cksum(linear_ip);
    const net::Outcome out = net::process_frame(frame, uint16_t(length), s.ctx.interfaces[port],
                                                *s.config, s.ctx.neighbours[port], s.now_ns, c);
    follow(s, port, nullptr, frame, out, death_row);
}

// Sends a classified frame down its path. `m` is the mbuf holding `frame`, or
// nullptr for a reassembled frame in the worker's buffer (which is never a fragment).
void follow(LoopState& s, uint32_t port, rte_mbuf* m, const uint8_t* frame,
            const net::Outcome& out, rte_ip_frag_death_row& death_row) noexcept {
    PortCounters& c = s.self.ports[port];
    switch (out.next) {
    case net::Next::transmit_back:
        if (m) {
            enqueue_tx(s, port, m);
            return;
        }
        break;
    case net::Next::fragment:
        if (m) {
            reassemble(s, port, m, death_row);  // takes the mbuf
            return;
        }
        count_drop(c, DropReason::ip_fragment);
        break;
    case net::Next::sip:
        handle_sip_datagram(s, port, frame, out.udp);
        break;
    case net::Next::rtp:
        count_drop(c, DropReason::rtp_no_stage);
        break;
    case net::Next::consumed:
        break;
    case net::Next::drop:
        count_drop(c, out.reason);
        break;
    }
    if (m) rte_pktmbuf_free(m);
}

void receive(LoopState& s, uint32_t port, rte_mbuf* m, rte_ip_frag_death_row& death_row) noexcept {
    PortCounters& c = s.self.ports[port];
    c.rx_packets.add(1);
    c.rx_bytes.add(rte_pktmbuf_pkt_len(m));
    if (m->nb_segs != 1) {  // larger than one buffer: jumbo frames are not enabled
        count_drop(c, DropReason::multi_segment);
        rte_pktmbuf_free(m);
        return;
    }
    uint8_t* frame = rte_pktmbuf_mtod(m, uint8_t*);
    const net::Outcome out =
        net::process_frame(frame, rte_pktmbuf_data_len(m), s.ctx.interfaces[port], *s.config,
                           s.ctx.neighbours[port], s.now_ns, c);
    follow(s, port, m, frame, out, death_row);
}

}  // namespace

bool init_worker(WorkerContext& ctx, int socket_id) {
    const uint64_t timeout_cycles = rte_get_tsc_hz() / 1000 * kFragmentTimeoutMs;
    ctx.fragments = rte_ip_frag_table_create(kFragmentFlows, kFragmentBucketEntries,
                                             kFragmentFlows, timeout_cycles, socket_id);
    return ctx.fragments != nullptr;
}

int run_worker(void* arg) {
    WorkerContext& ctx = *static_cast<WorkerContext*>(arg);
    WorkerState& self = ctx.segment.worker(ctx.index);
    self.lcore_id = rte_lcore_id();
    self.heartbeat_ns.store(monotonic_ns());
    self.run_state.store(uint32_t(WorkerRunState::running));

    LoopState s{ctx, self, nullptr, monotonic_ns(), {}};
    rte_ip_frag_death_row death_row{};
    const uint64_t heartbeat_cycles = rte_get_tsc_hz() / 100;  // 10 ms
    uint64_t last_heartbeat_tsc = rte_rdtsc();
    LoopClock clock;
    clock.init(rte_get_tsc_hz(), last_heartbeat_tsc, s.now_ns);
    ctx.limiter.attach(ctx.segment.call_limits(), self.limits, ctx.index,
                       ctx.segment.header().worker_count.load(std::memory_order_relaxed));
    rte_mbuf* burst[kMaxBurst];

    while (!ctx.stop->load(std::memory_order_relaxed)) {
        self.loops.add(1);
        const uint64_t tsc = rte_rdtsc();
        if (tsc - last_heartbeat_tsc >= heartbeat_cycles) {
            s.now_ns = monotonic_ns();
            self.heartbeat_ns.store(s.now_ns, std::memory_order_relaxed);
            last_heartbeat_tsc = tsc;
            clock.anchor(tsc, s.now_ns);
        } else {
            const uint64_t now = clock.at(tsc);
            if (now > s.now_ns) s.now_ns = now;  // never backwards across a re-anchor
        }
        s.config = acquire_config(ctx.segment, self);
        if (!s.config) {
            rte_delay_us_sleep(1000);  // nothing published yet
            continue;
        }
        if (s.config->generation != ctx.interfaces_generation) refresh_interfaces(ctx, *s.config);
        // Call limits of this snapshot: a new generation applies from this iteration.
        ctx.limiter.begin(s.config->limits, s.config->generation, s.now_ns);
        ctx.limiter.sweep();

        uint32_t received = 0;
        const uint32_t configured_burst = s.config->burst_size;
        const uint16_t burst_size =
            uint16_t(configured_burst && configured_burst < kMaxBurst ? configured_burst : kMaxBurst);
        for (uint32_t p = 0; p < ctx.ports->count; ++p) {
            const uint16_t n =
                rte_eth_rx_burst(ctx.ports->dpdk_port_id[p], uint16_t(ctx.index), burst, burst_size);
            for (uint16_t i = 0; i < n; ++i) receive(s, p, burst[i], death_row);
            received += n;
        }
        rte_ip_frag_free_death_row(&death_row, 0);
        drain_transmit_ring(s);
        for (uint32_t p = 0; p < ctx.ports->count; ++p) flush_tx(s, p);

        if (received) {
            self.busy_loops.add(1);
        } else if (s.config->idle_sleep_us) {
            // Idle back-off: lets sipwired and others run on small machines.
            rte_delay_us_sleep(s.config->idle_sleep_us);
        }
    }
    self.run_state.store(uint32_t(WorkerRunState::stopped));
    self.acked_generation.store(0);
    return 0;
}

}  // namespace sipwire::dp
