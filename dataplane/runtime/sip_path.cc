#include "runtime/sip_path.h"


#include <cstring>

#include "proxy/proxy.h"
#include "runtime/transmit.h"

namespace sipwire::dp {

namespace {

// Hands the datagram to sipwired (answers to its own probes, later REGISTER).
void punt(LoopState& s, uint32_t port, const uint8_t* payload, const net::UdpView& udp) noexcept {
    PortCounters& c = s.self.ports[port];
    if (udp.payload_length > kDatagramMax) {
        count_drop(c, DropReason::sip_too_large);
        return;
    }
    DatagramRing& ring = s.ctx.segment.rings(s.ctx.index).punt;
    Datagram* d = ring.producer_slot();
    if (!d) {
        count_drop(c, DropReason::punt_ring_full);
        return;
    }
    d->kind = DatagramKind::punted;
    d->port_index = uint16_t(port);
    d->length = udp.payload_length;
    d->src_ipv4 = udp.src_ip;
    d->dst_ipv4 = udp.dst_ip;
    d->src_port = udp.src_port;
    d->dst_port = udp.dst_port;
    d->timestamp_ns = monotonic_ns();  // probe round-trip times need better than a tick
    std::memcpy(d->payload, payload, udp.payload_length);
    ring.push();
    c.punted_packets.add(1);
}

}  // namespace

void handle_sip_datagram(LoopState& s, uint32_t port, const uint8_t* frame,
                         const net::UdpView& udp) noexcept {
    const uint8_t* payload = frame + udp.payload_offset;
    const proxy::Inbound in{payload, udp.payload_length, udp.src_ip, udp.src_port, udp.dst_ip,
                            udp.dst_port};
    // Room after the 8-byte UDP header, bounded by the largest IPv4 datagram.
    constexpr uint16_t kPayloadRoom = 65535 - 20 - 8;
    // The interfaces send_udp() routes by: the proxy picks the same egress port.
    const proxy::Interfaces interfaces{s.ctx.interfaces, s.ctx.ports->count};
    const proxy::Result r = proxy::handle_sip(in, *s.config, s.ctx.udp_out + 8, kPayloadRoom, s.self.sip,
                                              &s.ctx.limiter, interfaces);
    switch (r.action) {
    case proxy::Action::forward:
    case proxy::Action::reply:
        // From the address of the port it leaves by and the SIP port the message
        // arrived on: that is what our Via and (top) Record-Route advertise.
        send_udp(s, port, r.src_ip, udp.dst_port, r.dst_ip, r.dst_port, r.length);
        return;
    case proxy::Action::punt:
        punt(s, port, payload, udp);
        return;
    case proxy::Action::consumed:
        return;
    case proxy::Action::drop:
        count_drop(s.self.ports[port], r.drop_reason);
        return;
    }
}

}  // namespace sipwire::dp
