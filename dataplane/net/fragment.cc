#include "net/fragment.h"

#include <cstring>

#include "net/bytes.h"
#include "net/checksum.h"
#include "net/wire.h"

namespace sipwire::net {

using namespace wire;

void write_udp_header(uint8_t* udp, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                      uint16_t dst_port, uint16_t udp_length) noexcept {
    store16(udp + kUdpSrcPort, src_port);
    store16(udp + kUdpDstPort, dst_port);
    store_be16(udp + kUdpLen, udp_length);
    store_be16(udp + kUdpChecksum, udp_checksum(src_ip, dst_ip, udp, udp_length));
}

uint16_t build_udp_fragment(uint8_t* out, const uint8_t src_mac[6], const uint8_t dst_mac[6],
                            uint32_t src_ip, uint32_t dst_ip, uint16_t ip_id, const uint8_t* udp,
                            uint16_t udp_length, uint16_t offset, uint16_t mtu) noexcept {
    if (offset >= udp_length) return 0;
    const uint16_t room = fragment_payload(mtu);
    const uint16_t piece = udp_length - offset < room ? uint16_t(udp_length - offset) : room;
    const bool more = offset + piece < udp_length;

    std::memcpy(out + kEthDst, dst_mac, 6);
    std::memcpy(out + kEthSrc, src_mac, 6);
    store_be16(out + kEthType, kEtherTypeIpv4);
    uint8_t* ip = out + kEthHeaderLen;
    ip[kIpVersionIhl] = 0x45;
    ip[kIpTos] = 0;
    store_be16(ip + kIpTotalLen, uint16_t(kIpMinHeaderLen + piece));
    store_be16(ip + kIpId, ip_id);
    store_be16(ip + kIpFlagsFragment, uint16_t((more ? kIpMoreFragments : 0) | (offset >> 3)));
    ip[kIpTtl] = kIpDefaultTtl;
    ip[kIpProtocol] = kIpProtocolUdp;
    store32(ip + kIpSrc, src_ip);
    store32(ip + kIpDst, dst_ip);
    store_be16(ip + kIpChecksum, ipv4_header_checksum(ip, kIpMinHeaderLen));
    std::memcpy(ip + kIpMinHeaderLen, udp + offset, piece);
    return uint16_t(kEthHeaderLen + kIpMinHeaderLen + piece);
}

}  // namespace sipwire::net
