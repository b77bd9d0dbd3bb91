#include "net/checksum.h"

#include "net/bytes.h"
#include "net/wire.h"

namespace sipwire::net {
namespace {

using wire::kIpChecksum;
using wire::kUdpChecksum;

uint16_t fold(uint64_t sum) noexcept {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

uint16_t udp_pseudo_header_sum(uint32_t src_ip, uint32_t dst_ip, uint16_t udp_length) noexcept {
    uint8_t pseudo[12];
    store32(pseudo, src_ip);
    store32(pseudo + 4, dst_ip);
    pseudo[8] = 0;
    pseudo[9] = wire::kIpProtocolUdp;
    store_be16(pseudo + 10, udp_length);
    return ones_complement_sum(pseudo, sizeof pseudo);
}

}  // namespace

uint16_t ones_complement_sum(const uint8_t* data, size_t length, uint16_t sum) noexcept {
    // Sum native-order 32-bit words into a wide accumulator and swap once at the end:
    // the ones-complement sum is byte-order independent (RFC 1071 section 2.B), and
    // carries out of each 16-bit half are folded back in by fold().
    uint64_t acc = to_network16(sum);
    for (; length >= 4; data += 4, length -= 4) acc += load32(data);
    if (length >= 2) {
        acc += load16(data);
        data += 2;
        length -= 2;
    }
    if (length == 1) {
        const uint8_t last[2] = {data[0], 0};
        acc += load16(last);
    }
    return to_host16(fold(acc));
}

uint16_t ipv4_header_checksum(const uint8_t* header, size_t header_length) noexcept {
    // Sum around the checksum field instead of requiring the caller to zero it.
    uint16_t sum = ones_complement_sum(header, kIpChecksum);
    sum = ones_complement_sum(header + kIpChecksum + 2,
                              header_length - kIpChecksum - 2, sum);
    return static_cast<uint16_t>(~sum);
}

bool ipv4_header_checksum_ok(const uint8_t* header, size_t header_length) noexcept {
    return ones_complement_sum(header, header_length) == 0xffff;
}

uint16_t udp_checksum(uint32_t src_ip, uint32_t dst_ip, const uint8_t* udp,
                      uint16_t udp_length) noexcept {
    uint16_t sum = udp_pseudo_header_sum(src_ip, dst_ip, udp_length);
    sum = ones_complement_sum(udp, kUdpChecksum, sum);
    sum = ones_complement_sum(udp + kUdpChecksum + 2,
                              size_t{udp_length} - kUdpChecksum - 2, sum);
    const auto checksum = static_cast<uint16_t>(~sum);
    return checksum == 0 ? 0xffff : checksum;
}

bool udp_checksum_ok(uint32_t src_ip, uint32_t dst_ip, const uint8_t* udp,
                     uint16_t udp_length) noexcept {
    const uint16_t sum = udp_pseudo_header_sum(src_ip, dst_ip, udp_length);
    return ones_complement_sum(udp, udp_length, sum) == 0xffff;
}

uint16_t checksum_adjust16(uint16_t checksum, uint16_t old_word, uint16_t new_word) noexcept {
    // HC' = ~(~HC + ~m + m')
    const uint64_t sum = uint64_t{static_cast<uint16_t>(~checksum)} +
                         static_cast<uint16_t>(~old_word) + new_word;
    return static_cast<uint16_t>(~fold(sum));
}

uint16_t checksum_adjust32(uint16_t checksum, uint32_t old_value, uint32_t new_value) noexcept {
    checksum = checksum_adjust16(checksum, static_cast<uint16_t>(old_value >> 16),
                                 static_cast<uint16_t>(new_value >> 16));
    return checksum_adjust16(checksum, static_cast<uint16_t>(old_value),
                             static_cast<uint16_t>(new_value));
}

}  // namespace sipwire::net
