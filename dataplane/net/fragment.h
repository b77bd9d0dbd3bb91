// Outgoing UDP datagrams larger than the link MTU (an INVITE with a large SDP) leave
// as IPv4 fragments (RFC 791): the UDP header and payload are one byte stream cut at
// 8-byte boundaries, each piece behind its own IPv4 header.
#pragma once

#include <cstdint>

namespace sipwire::net {

inline constexpr uint16_t kLinkMtu = 1500;  // IPv4 bytes per frame

// Fills the 8-byte UDP header at `udp` (payload behind it, `udp_length` bytes in all)
// including the checksum. Addresses and ports in network byte order.
void write_udp_header(uint8_t* udp, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
                      uint16_t dst_port, uint16_t udp_length) noexcept;

// Bytes of the UDP stream one fragment carries for `mtu`.
constexpr uint16_t fragment_payload(uint16_t mtu) { return uint16_t((mtu - 20) & ~7u); }

// Writes the fragment that starts at byte `offset` of the UDP stream (`udp`,
// `udp_length` bytes) into `out` (room for mtu + 14 bytes). Returns the frame length;
// the next fragment starts at offset + fragment_payload(mtu).
uint16_t build_udp_fragment(uint8_t* out, const uint8_t src_mac[6], const uint8_t dst_mac[6],
                            uint32_t src_ip, uint32_t dst_ip, uint16_t ip_id, const uint8_t* udp,
                            uint16_t udp_length, uint16_t offset, uint16_t mtu) noexcept;

}  // namespace sipwire::net
