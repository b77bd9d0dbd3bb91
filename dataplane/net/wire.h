// Wire formats handled by this stage: field offsets (from the start of each header)
// and the constants this code compares them with. Internal to dataplane/net.
#pragma once

#include <cstdint>

namespace sipwire::net::wire {

// Ethernet II, as DPDK delivers it: no preamble, no FCS.
inline constexpr uint16_t kEthDst = 0;
inline constexpr uint16_t kEthSrc = 6;
inline constexpr uint16_t kEthType = 12;
inline constexpr uint16_t kEthHeaderLen = 14;
inline constexpr uint16_t kEthMinFrameLen = 60;  // shorter frames are padded to this
inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint8_t kBroadcastMac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// ARP for Ethernet / IPv4 (RFC 826).
inline constexpr uint16_t kArpHtype = 0;
inline constexpr uint16_t kArpPtype = 2;
inline constexpr uint16_t kArpHlen = 4;
inline constexpr uint16_t kArpPlen = 5;
inline constexpr uint16_t kArpOp = 6;
inline constexpr uint16_t kArpSha = 8;   // sender MAC
inline constexpr uint16_t kArpSpa = 14;  // sender IPv4
inline constexpr uint16_t kArpTha = 18;  // target MAC
inline constexpr uint16_t kArpTpa = 24;  // target IPv4
inline constexpr uint16_t kArpLen = 28;
inline constexpr uint16_t kArpHtypeEthernet = 1;
inline constexpr uint16_t kArpOpRequest = 1;
inline constexpr uint16_t kArpOpReply = 2;

// IPv4 (RFC 791).
inline constexpr uint16_t kIpVersionIhl = 0;
inline constexpr uint16_t kIpTos = 1;
inline constexpr uint16_t kIpTotalLen = 2;
inline constexpr uint16_t kIpId = 4;
inline constexpr uint16_t kIpFlagsFragment = 6;
inline constexpr uint16_t kIpTtl = 8;
inline constexpr uint16_t kIpProtocol = 9;
inline constexpr uint16_t kIpChecksum = 10;
inline constexpr uint16_t kIpSrc = 12;
inline constexpr uint16_t kIpDst = 16;
inline constexpr uint16_t kIpMinHeaderLen = 20;
inline constexpr uint16_t kIpMoreFragments = 0x2000;
inline constexpr uint16_t kIpFragmentOffsetMask = 0x1fff;
inline constexpr uint8_t kIpDefaultTtl = 64;
inline constexpr uint8_t kIpProtocolIcmp = 1;
inline constexpr uint8_t kIpProtocolUdp = 17;

// ICMP (RFC 792).
inline constexpr uint16_t kIcmpType = 0;
inline constexpr uint16_t kIcmpChecksum = 2;
inline constexpr uint16_t kIcmpHeaderLen = 8;
inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpEchoRequest = 8;

// UDP (RFC 768).
inline constexpr uint16_t kUdpSrcPort = 0;
inline constexpr uint16_t kUdpDstPort = 2;
inline constexpr uint16_t kUdpLen = 4;
inline constexpr uint16_t kUdpChecksum = 6;
inline constexpr uint16_t kUdpHeaderLen = 8;

}  // namespace sipwire::net::wire
