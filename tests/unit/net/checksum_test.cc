#include "net/checksum.h"

#include <gtest/gtest.h>

#include <random>

#include "frames.h"
#include "net/bytes.h"

namespace sipwire::net::test {
namespace {

Bytes random_bytes(std::mt19937& rng, size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    return b;
}

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 section 3: these bytes sum to ddf2.
    const Bytes data = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_complement_sum(data.data(), data.size()), 0xddf2);
}

TEST(Checksum, SumMatchesNaiveForEveryLengthAndAlignment) {
    std::mt19937 rng(1);
    const Bytes data = random_bytes(rng, 200);
    for (size_t offset = 0; offset < 4; ++offset)
        for (size_t n = 0; n + offset <= data.size(); ++n)
            ASSERT_EQ(ones_complement_sum(data.data() + offset, n),
                      naive_sum(slice(data, offset, n)))
                << "offset " << offset << " length " << n;
}

TEST(Checksum, SumsChainOverEvenPieces) {
    std::mt19937 rng(2);
    const Bytes data = random_bytes(rng, 101);
    const uint16_t first = ones_complement_sum(data.data(), 40);
    EXPECT_EQ(ones_complement_sum(data.data() + 40, 61, first), naive_sum(data));
}

TEST(Checksum, AllOnesDataDoesNotOverflow) {
    const Bytes data(65535, 0xff);
    EXPECT_EQ(ones_complement_sum(data.data(), data.size()), naive_sum(data));
}

TEST(Checksum, Ipv4HeaderKnownValue) {
    // A textbook header (192.168.0.1 -> 192.168.0.199, UDP) whose checksum is b861.
    Bytes h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
               0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    EXPECT_EQ(ipv4_header_checksum(h.data(), h.size()), 0xb861);
    EXPECT_FALSE(ipv4_header_checksum_ok(h.data(), h.size()));
    h[10] = 0x12;  // garbage in the field is ignored when computing
    EXPECT_EQ(ipv4_header_checksum(h.data(), h.size()), 0xb861);
    set16(h, 10, 0xb861);
    EXPECT_TRUE(ipv4_header_checksum_ok(h.data(), h.size()));
    h[8] = 0x3f;  // TTL changed, checksum not
    EXPECT_FALSE(ipv4_header_checksum_ok(h.data(), h.size()));
}

TEST(Checksum, UdpMatchesNaiveForManyLengths) {
    std::mt19937 rng(3);
    for (uint16_t n = 0; n < 300; ++n) {
        const uint32_t src = static_cast<uint32_t>(rng());
        const uint32_t dst = static_cast<uint32_t>(rng());
        Bytes udp = udp_datagram(src, dst, static_cast<uint16_t>(rng()),
                                 static_cast<uint16_t>(rng()), random_bytes(rng, n));
        const uint16_t expected = get16(udp, 6);
        set16(udp, 6, 0x5555);  // ignored when computing
        ASSERT_EQ(udp_checksum(src, dst, udp.data(), static_cast<uint16_t>(udp.size())),
                  expected);
        set16(udp, 6, expected);
        ASSERT_TRUE(udp_checksum_ok(src, dst, udp.data(), static_cast<uint16_t>(udp.size())));
        udp.back() ^= 0x01;
        if (n > 0) {
            ASSERT_FALSE(
                udp_checksum_ok(src, dst, udp.data(), static_cast<uint16_t>(udp.size())));
        }
    }
}

TEST(Checksum, UdpComputedZeroIsSentAsAllOnes) {
    // Pick the last payload word so that everything else sums to ffff: the checksum
    // is then 0, which UDP must transmit as ffff (RFC 768).
    const uint32_t src = ip(10, 0, 0, 2), dst = ip(10, 0, 0, 1);
    Bytes udp = udp_datagram(src, dst, 5060, 5060, Bytes(10, 0x11));
    set16(udp, udp.size() - 2, 0);
    set16(udp, 6, 0);
    Bytes pseudo;
    put_ip(pseudo, src);
    put_ip(pseudo, dst);
    put16(pseudo, 17);
    put16(pseudo, static_cast<uint16_t>(udp.size()));
    put(pseudo, udp);
    set16(udp, udp.size() - 2, static_cast<uint16_t>(~naive_sum(pseudo)));

    const uint16_t checksum =
        udp_checksum(src, dst, udp.data(), static_cast<uint16_t>(udp.size()));
    EXPECT_EQ(checksum, 0xffff);
    set16(udp, 6, checksum);
    EXPECT_TRUE(udp_checksum_valid(src, dst, udp));
    EXPECT_TRUE(udp_checksum_ok(src, dst, udp.data(), static_cast<uint16_t>(udp.size())));
}

TEST(Checksum, IncrementalUpdateMatchesRecomputation) {
    std::mt19937 rng(4);
    for (int round = 0; round < 2000; ++round) {
        Bytes data = random_bytes(rng, 40);
        set16(data, 10, 0);
        set16(data, 10, naive_checksum(data));
        const size_t at = 2 * (rng() % 20);
        if (at == 10) continue;

        const uint16_t old_word = get16(data, at);
        const auto new_word = static_cast<uint16_t>(rng());
        set16(data, at, new_word);
        set16(data, 10, checksum_adjust16(get16(data, 10), old_word, new_word));
        ASSERT_TRUE(naive_checksum_ok(data)) << "round " << round;
    }
}

TEST(Checksum, IncrementalUpdateOf32BitField) {
    std::mt19937 rng(5);
    for (int round = 0; round < 2000; ++round) {
        Bytes data = random_bytes(rng, 20);
        set16(data, 10, 0);
        set16(data, 10, naive_checksum(data));
        const uint32_t old_value = load_be32(data.data() + 12);
        const auto new_value = static_cast<uint32_t>(rng());
        store_be32(data.data() + 12, new_value);
        set16(data, 10, checksum_adjust32(get16(data, 10), old_value, new_value));
        ASSERT_TRUE(naive_checksum_ok(data)) << "round " << round;
    }
}

}  // namespace
}  // namespace sipwire::net::test
