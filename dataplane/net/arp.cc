// ARP (RFC 826): answers requests for our address, learns neighbours.
#include <cstring>

#include "net/stages.h"
#include "net/wire.h"

namespace sipwire::net {

using namespace wire;

namespace {

bool is_ethernet_ipv4_arp(const uint8_t* arp) noexcept {
    return load_be16(arp + kArpHtype) == kArpHtypeEthernet &&
           load_be16(arp + kArpPtype) == kEtherTypeIpv4 && arp[kArpHlen] == 6 &&
           arp[kArpPlen] == 4;
}

// Turns the request in `frame` into our reply, in place. Trailing padding is kept,
// so the frame length does not change.
void rewrite_into_reply(uint8_t* frame, const Interface& iface) noexcept {
    uint8_t* arp = frame + kEthHeaderLen;
    uint8_t requester_mac[6];
    std::memcpy(requester_mac, arp + kArpSha, 6);
    const uint32_t requester_ip = load32(arp + kArpSpa);

    std::memcpy(frame + kEthDst, requester_mac, 6);
    std::memcpy(frame + kEthSrc, iface.mac, 6);
    store_be16(arp + kArpOp, kArpOpReply);
    std::memcpy(arp + kArpSha, iface.mac, 6);
    store32(arp + kArpSpa, iface.ipv4);
    std::memcpy(arp + kArpTha, requester_mac, 6);
    store32(arp + kArpTpa, requester_ip);  // 0 for an RFC 5227 probe: the reply defends
}

}  // namespace

Outcome process_arp(uint8_t* frame, uint16_t length, const Interface& iface,
                    NeighbourTable& neighbours, uint64_t now_ns,
                    PortCounters& counters) noexcept {
    if (length < kEthHeaderLen + kArpLen) return drop(DropReason::bad_arp);
    const uint8_t* arp = frame + kEthHeaderLen;
    if (!is_ethernet_ipv4_arp(arp)) return drop(DropReason::bad_arp);
    const uint16_t op = load_be16(arp + kArpOp);
    if (op != kArpOpRequest && op != kArpOpReply) return drop(DropReason::bad_arp);

    const uint8_t* sender_mac = arp + kArpSha;
    const uint32_t sender_ip = load32(arp + kArpSpa);
    if (is_multicast_mac(sender_mac)) return drop(DropReason::martian_source);
    const bool for_us = iface.ipv4 != 0 && load32(arp + kArpTpa) == iface.ipv4;

    // RFC 826: any ARP may update an entry we have, but only ARP addressed to us adds
    // one, so a busy segment's broadcasts do not fill the table. Probes (sender 0)
    // and off-link or impossible senders teach nothing.
    if (is_host_address(iface, sender_ip) && on_link(iface, sender_ip)) {
        if (for_us)
            neighbours.learn(sender_ip, sender_mac, now_ns);
        else
            neighbours.refresh(sender_ip, sender_mac, now_ns);
    }

    if (!for_us) return drop(DropReason::arp_not_for_us);
    if (op == kArpOpReply) return {Next::consumed, kNotDropped, {}};

    rewrite_into_reply(frame, iface);
    counters.arp_replies.add(1);
    return {Next::transmit_back, kNotDropped, {}};
}

uint16_t build_arp_request(uint8_t* out, const Interface& iface, uint32_t target_ip) noexcept {
    std::memset(out, 0, kEthMinFrameLen);  // target MAC unknown; padding to the minimum
    std::memcpy(out + kEthDst, kBroadcastMac, 6);
    std::memcpy(out + kEthSrc, iface.mac, 6);
    store_be16(out + kEthType, kEtherTypeArp);

    uint8_t* arp = out + kEthHeaderLen;
    store_be16(arp + kArpHtype, kArpHtypeEthernet);
    store_be16(arp + kArpPtype, kEtherTypeIpv4);
    arp[kArpHlen] = 6;
    arp[kArpPlen] = 4;
    store_be16(arp + kArpOp, kArpOpRequest);
    std::memcpy(arp + kArpSha, iface.mac, 6);
    store32(arp + kArpSpa, iface.ipv4);
    store32(arp + kArpTpa, target_ip);
    return kEthMinFrameLen;
}

}  // namespace sipwire::net
