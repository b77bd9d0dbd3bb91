// Internet checksums (RFC 1071) for IPv4, ICMP and UDP, and the incremental update of
// RFC 1624 for code that rewrites a few header fields (echo replies, the RTP relay).
//
// Every 16-bit value here (sums, checksums, words) is the host-order number of a
// big-endian wire field: store it with store_be16().
#pragma once

#include <cstddef>
#include <cstdint>

namespace sipwire::net {

// Ones-complement sum of `length` bytes taken as big-endian 16-bit words, added to
// `sum` and folded to 16 bits; not complemented. A trailing odd byte is padded with
// zero, so when summing a message in pieces only the last piece may be odd.
uint16_t ones_complement_sum(const uint8_t* data, size_t length, uint16_t sum = 0) noexcept;

// Value for the checksum field of an IPv4 header of `header_length` (IHL * 4, at
// least 20) bytes. The field's current content is ignored.
uint16_t ipv4_header_checksum(const uint8_t* header, size_t header_length) noexcept;

// Whether an IPv4 header, checksum field included, sums correctly.
bool ipv4_header_checksum_ok(const uint8_t* header, size_t header_length) noexcept;

// Value for the checksum field of a UDP datagram (header + payload, `udp_length` >= 8
// bytes) with its IPv4 pseudo header; addresses in network byte order. The field's
// current content is ignored. Never 0: a computed 0 is sent as 0xFFFF (RFC 768),
// since 0 on the wire means "no checksum".
uint16_t udp_checksum(uint32_t src_ip, uint32_t dst_ip, const uint8_t* udp,
                      uint16_t udp_length) noexcept;

// Whether a UDP datagram with a non-zero checksum field sums correctly.
bool udp_checksum_ok(uint32_t src_ip, uint32_t dst_ip, const uint8_t* udp,
                     uint16_t udp_length) noexcept;

// RFC 1624 eqn. 3: the checksum after one 16-bit word covered by it changed from
// old_word to new_word. For UDP, leave a 0 (absent) checksum alone, and send a 0
// result as 0xFFFF.
uint16_t checksum_adjust16(uint16_t checksum, uint16_t old_word, uint16_t new_word) noexcept;

// The same for a 32-bit field (an IPv4 address, in host order here) at an even offset.
uint16_t checksum_adjust32(uint16_t checksum, uint32_t old_value, uint32_t new_value) noexcept;

}  // namespace sipwire::net
