#include <gtest/gtest.h>

#include <vector>

#include "frames.h"
#include "net/fragment.h"
#include "net/route.h"

namespace sipwire::net {
namespace {

using namespace test;

Interface iface(uint32_t address, uint32_t gateway) {
    Interface i{};
    i.ipv4 = address;
    i.netmask = kNetmask24;
    i.gateway = gateway;
    return i;
}

TEST(Route, OnLinkPortWinsOverGateway) {
    const Interface ports[2] = {iface(ip(10, 0, 0, 1), ip(10, 0, 0, 254)),
                                iface(ip(198, 51, 100, 1), 0)};
    Route r = route(ports, 2, ip(198, 51, 100, 10));
    EXPECT_EQ(r.port, 1);
    EXPECT_EQ(r.next_hop, ip(198, 51, 100, 10));
    r = route(ports, 2, ip(10, 0, 0, 9));
    EXPECT_EQ(r.port, 0);
    EXPECT_EQ(r.next_hop, ip(10, 0, 0, 9));
    r = route(ports, 2, ip(203, 0, 113, 5));  // off-link: port 0's gateway
    EXPECT_EQ(r.port, 0);
    EXPECT_EQ(r.next_hop, ip(10, 0, 0, 254));
}

TEST(Route, NoGatewayNoRoute) {
    const Interface ports[1] = {iface(ip(10, 0, 0, 1), 0)};
    EXPECT_EQ(route(ports, 1, ip(203, 0, 113, 5)).port, -1);
}

// A 3000-byte datagram leaves as three fragments whose payloads, put back together
// by offset, are the original UDP bytes with a valid checksum.
TEST(Fragment, SplitsAtEightByteBoundariesAndReassembles) {
    const uint16_t payload_len = 2992;
    std::vector<uint8_t> udp(8 + payload_len);
    for (size_t i = 8; i < udp.size(); ++i) udp[i] = uint8_t(i * 7);
    write_udp_header(udp.data(), kOurIp, kPeerIp, port(5060), port(5080), uint16_t(udp.size()));
    EXPECT_TRUE(udp_checksum_valid(kOurIp, kPeerIp, udp));

    std::vector<uint8_t> rebuilt(udp.size());
    std::vector<uint8_t> frame(kLinkMtu + 14);
    uint16_t offset = 0, fragments = 0;
    while (offset < udp.size()) {
        const uint16_t len = build_udp_fragment(frame.data(), kOurMac.data(), kPeerMac.data(),
                                                kOurIp, kPeerIp, 0x4242, udp.data(),
                                                uint16_t(udp.size()), offset, kLinkMtu);
        ASSERT_GT(len, 34);
        ASSERT_LE(len, kLinkMtu + 14);
        const uint8_t* ipv4 = frame.data() + 14;
        EXPECT_TRUE(naive_checksum_ok(Bytes(ipv4, ipv4 + 20))) << "IPv4 header checksum";
        const uint16_t flags_offset = uint16_t(ipv4[6] << 8 | ipv4[7]);
        EXPECT_EQ((flags_offset & 0x1fff) * 8, offset);
        const uint16_t piece = uint16_t(len - 34);
        EXPECT_EQ(bool(flags_offset & 0x2000), offset + piece < udp.size());
        std::memcpy(rebuilt.data() + offset, ipv4 + 20, piece);
        offset = uint16_t(offset + piece);
        ++fragments;
    }
    EXPECT_EQ(fragments, 3);
    EXPECT_EQ(rebuilt, udp);
}

}  // namespace
}  // namespace sipwire::net
