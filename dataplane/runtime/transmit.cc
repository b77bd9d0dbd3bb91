#include "runtime/transmit.h"

#include <cstring>

#include "net/fragment.h"
#include "net/route.h"

namespace sipwire::dp {

namespace {

constexpr uint32_t kTransmitRingBatch = 32;  // control-plane datagrams per iteration
constexpr uint16_t kFrameHeaders = 14 + 20 + 8;
constexpr uint32_t kArpRequestsPerTick = 4;   // per port and tick
constexpr uint64_t kArpTickNs = 10'000'000;   // 10 ms

// Whether another ARP request may go out by `port` now: bounds the ARP a flood of
// datagrams to unresolved next hops can cause.
bool arp_allowed(WorkerContext& ctx, uint32_t port, uint64_t now_ns) noexcept {
    const uint64_t tick = now_ns / kArpTickNs;
    if (ctx.arp_tick_ns[port] != tick) {
        ctx.arp_tick_ns[port] = tick;
        ctx.arp_in_tick[port] = 0;
    }
    return ctx.arp_in_tick[port]++ < kArpRequestsPerTick;
}

rte_mbuf* alloc_frame(LoopState& s, uint32_t port) noexcept {
    rte_mbuf* m = rte_pktmbuf_alloc(s.ctx.ports->pools[port]);
    if (!m) count_drop(s.self.ports[port], DropReason::tx_queue_full);
    return m;
}

void send_frame(LoopState& s, uint32_t port, rte_mbuf* m, uint16_t length) noexcept {
    m->data_len = length;
    m->pkt_len = length;
    enqueue_tx(s, port, m);
}

}  // namespace

void send_udp(LoopState& s, uint32_t ingress_port, uint32_t src_ip, uint16_t src_port,
              uint32_t dst_ip, uint16_t dst_port, uint16_t payload_length) noexcept {
    WorkerContext& ctx = s.ctx;
    const net::Route r = net::route(ctx.interfaces, ctx.ports->count, dst_ip);
    if (r.port < 0) {
        count_drop(s.self.ports[ingress_port], DropReason::sip_unroutable);
        return;
    }
    const uint32_t port = uint32_t(r.port);
    const net::Interface& iface = ctx.interfaces[port];
    const uint8_t* mac = ctx.neighbours[port].lookup(r.next_hop, s.now_ns);
    if (!mac) {
        count_drop(s.self.ports[port], DropReason::no_neighbour);
        if (!arp_allowed(ctx, port, s.now_ns)) return;
        if (rte_mbuf* m = alloc_frame(s, port))
            send_frame(s, port, m, net::build_arp_request(rte_pktmbuf_mtod(m, uint8_t*), iface, r.next_hop));
        return;
    }
    const uint8_t* payload = ctx.udp_out + 8;
    if (kFrameHeaders + payload_length <= 14 + net::kLinkMtu) {
        rte_mbuf* m = alloc_frame(s, port);
        if (!m) return;
        const uint16_t len = net::build_udp_frame(
            rte_pktmbuf_mtod(m, uint8_t*), uint16_t(rte_pktmbuf_tailroom(m)), iface.mac, mac,
            src_ip, dst_ip, src_port, dst_port, payload, payload_length);
        send_frame(s, port, m, len);
        return;
    }
    // Larger than the MTU: IPv4 fragments, checksum over the whole datagram first.
    const uint16_t udp_length = uint16_t(8 + payload_length);
    net::write_udp_header(ctx.udp_out, src_ip, dst_ip, src_port, dst_port, udp_length);
    const uint16_t ip_id = ctx.next_ip_id++;
    for (uint32_t offset = 0; offset < udp_length; offset += net::fragment_payload(net::kLinkMtu)) {
        rte_mbuf* m = alloc_frame(s, port);
        if (!m) return;
        send_frame(s, port, m,
                   net::build_udp_fragment(rte_pktmbuf_mtod(m, uint8_t*), iface.mac, mac, src_ip,
                                           dst_ip, ip_id, ctx.udp_out, udp_length,
                                           uint16_t(offset), net::kLinkMtu));
    }
}

void drain_transmit_ring(LoopState& s) noexcept {
    DatagramRing& ring = s.ctx.segment.rings(s.ctx.index).transmit;
    for (uint32_t n = 0; n < kTransmitRingBatch; ++n) {
        const Datagram* d = ring.consumer_slot();
        if (!d) break;
        if (d->port_index < s.ctx.ports->count && d->length <= kDatagramMax) {
            const uint32_t port = d->port_index;
            std::memcpy(s.ctx.udp_out + 8, d->payload, d->length);
            s.self.ports[port].control_tx_packets.add(1);
            send_udp(s, port, d->src_ipv4 ? d->src_ipv4 : s.ctx.interfaces[port].ipv4,
                     d->src_port, d->dst_ipv4, d->dst_port, d->length);
        }
        ring.pop();
    }
}

}  // namespace sipwire::dp
