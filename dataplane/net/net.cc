// Ethernet dispatch, next-hop choice and the UDP frame builder.
#include "net/net.h"

#include <cstring>

#include "net/checksum.h"
#include "net/stages.h"
#include "net/wire.h"

namespace sipwire::net {

using namespace wire;

Outcome process_frame(uint8_t* frame, uint16_t length, const Interface& iface,
                      const DataplaneConfig& config, NeighbourTable& neighbours,
                      uint64_t now_ns, PortCounters& counters) noexcept {
    if (length < kEthHeaderLen) return drop(DropReason::runt_frame);
    const uint8_t* dst_mac = frame + kEthDst;
    if (std::memcmp(dst_mac, iface.mac, 6) != 0 && std::memcmp(dst_mac, kBroadcastMac, 6) != 0)
        return drop(DropReason::not_for_us);
    // A group address is never a valid source; answering it would flood the segment.
    if (is_multicast_mac(frame + kEthSrc)) return drop(DropReason::martian_source);

    // 802.1Q tags are not supported: a tagged frame's ethertype is 0x8100.
    switch (load_be16(frame + kEthType)) {
        case kEtherTypeIpv4:
            return process_ipv4(frame, length, iface, config, neighbours, now_ns, counters);
        case kEtherTypeArp: return process_arp(frame, length, iface, neighbours, now_ns, counters);
        default: return drop(DropReason::not_ipv4);
    }
}

uint32_t next_hop(const Interface& iface, uint32_t dst_ip) noexcept {
    if (iface.ipv4 == 0 || dst_ip == 0) return 0;
    if (on_link(iface, dst_ip)) return dst_ip;
    return iface.gateway;
}

uint16_t build_udp_frame(uint8_t* out, uint16_t out_capacity, const uint8_t src_mac[6],
                         const uint8_t dst_mac[6], uint32_t src_ip, uint32_t dst_ip,
                         uint16_t src_port, uint16_t dst_port, const uint8_t* payload,
                         uint16_t payload_length) noexcept {
    constexpr uint16_t kHeadersLen = kEthHeaderLen + kIpMinHeaderLen + kUdpHeaderLen;
    // out_capacity <= 65535 also keeps the IPv4 total length in range.
    if (out_capacity < kHeadersLen || payload_length > out_capacity - kHeadersLen) return 0;
    const auto udp_len = static_cast<uint16_t>(kUdpHeaderLen + payload_length);
    const auto ip_total_len = static_cast<uint16_t>(kIpMinHeaderLen + udp_len);

    // Payload first, with memmove: the caller may have placed it in `out` already.
    uint8_t* udp = out + kEthHeaderLen + kIpMinHeaderLen;
    if (payload_length != 0) std::memmove(udp + kUdpHeaderLen, payload, payload_length);

    std::memcpy(out + kEthDst, dst_mac, 6);
    std::memcpy(out + kEthSrc, src_mac, 6);
    store_be16(out + kEthType, kEtherTypeIpv4);

    uint8_t* ip = out + kEthHeaderLen;
    ip[kIpVersionIhl] = 0x45;  // version 4, no options
    ip[kIpTos] = 0;
    store_be16(ip + kIpTotalLen, ip_total_len);
    store_be16(ip + kIpId, 0);             // never fragmented, so the id is unused
    store_be16(ip + kIpFlagsFragment, 0);  // DF clear: a router on a small-MTU path may fragment
    ip[kIpTtl] = kIpDefaultTtl;
    ip[kIpProtocol] = kIpProtocolUdp;
    store32(ip + kIpSrc, src_ip);
    store32(ip + kIpDst, dst_ip);
    store_be16(ip + kIpChecksum, ipv4_header_checksum(ip, kIpMinHeaderLen));

    store16(udp + kUdpSrcPort, src_port);
    store16(udp + kUdpDstPort, dst_port);
    store_be16(udp + kUdpLen, udp_len);
    store_be16(udp + kUdpChecksum, udp_checksum(src_ip, dst_ip, udp, udp_len));

    // Frames under 60 bytes are left short: the NIC pads them on transmit.
    return static_cast<uint16_t>(kHeadersLen + payload_length);
}

}  // namespace sipwire::net
