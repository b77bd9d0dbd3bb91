// next_hop() and build_udp_frame(): what the transmit path uses.
#include <gtest/gtest.h>

#include "frames.h"

namespace sipwire::net::test {
namespace {

using Build = NetStage;

TEST_F(Build, NextHopIsTheDestinationWhenOnLink) {
    EXPECT_EQ(next_hop(iface, kPeerIp), kPeerIp);
    EXPECT_EQ(next_hop(iface, kGatewayIp), kGatewayIp);
    EXPECT_EQ(next_hop(iface, ip(10, 0, 0, 200)), ip(10, 0, 0, 200));
}

TEST_F(Build, NextHopIsTheGatewayOtherwise) {
    EXPECT_EQ(next_hop(iface, kRemoteIp), kGatewayIp);
    EXPECT_EQ(next_hop(iface, ip(10, 0, 1, 2)), kGatewayIp);  // just outside the /24
}

TEST_F(Build, NoRouteWithoutGatewayOrAddress) {
    iface.gateway = 0;
    EXPECT_EQ(next_hop(iface, kRemoteIp), 0u);
    EXPECT_EQ(next_hop(iface, kPeerIp), kPeerIp);
    EXPECT_EQ(next_hop(iface, 0), 0u);
    iface.ipv4 = 0;
    EXPECT_EQ(next_hop(iface, kPeerIp), 0u);
}

TEST_F(Build, UdpFrameHeadersAreExact) {
    const Bytes payload = text("SIP/2.0 200 OK\r\n\r\n");
    uint8_t out[128];
    const uint16_t length =
        build_udp_frame(out, sizeof out, kOurMac.data(), kRouterMac.data(), kOurIp, kRemoteIp,
                        port(kSipPort), port(5062), payload.data(),
                        static_cast<uint16_t>(payload.size()));
    ASSERT_EQ(length, 42 + payload.size());
    const Bytes frame(out, out + length);

    Bytes expected = ethernet(kRouterMac, kOurMac, kEtherIpv4);
    Ipv4Fields f;
    f.src = kOurIp;
    f.dst = kRemoteIp;
    f.ttl = 64;
    f.id = 0;
    f.flags_fragment = 0;
    put(expected, ipv4_packet(f, udp_datagram(kOurIp, kRemoteIp, kSipPort, 5062, payload)));
    EXPECT_EQ(frame, expected);
}

TEST_F(Build, UdpFrameRoundTripsAsSip) {
    // A peer on the link builds a datagram to our SIP port; our stage classifies it.
    const Bytes payload = text("REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP x\r\n\r\n");
    uint8_t out[256];
    const uint16_t length = build_udp_frame(out, sizeof out, kPeerMac.data(), kOurMac.data(),
                                            kPeerIp, kOurIp, port(5070), port(kSipPort),
                                            payload.data(), static_cast<uint16_t>(payload.size()));
    ASSERT_NE(length, 0);
    Bytes frame(out, out + length);
    const Outcome result = process(frame);

    ASSERT_EQ(result.next, Next::sip);
    EXPECT_EQ(result.udp.src_ip, kPeerIp);
    EXPECT_EQ(result.udp.dst_ip, kOurIp);
    EXPECT_EQ(result.udp.src_port, port(5070));
    EXPECT_EQ(result.udp.dst_port, port(kSipPort));
    EXPECT_EQ(slice(frame, result.udp.payload_offset, result.udp.payload_length), payload);
    EXPECT_TRUE(knows(kPeerIp, kPeerMac));
}

TEST_F(Build, UdpFrameRoundTripsAsRtpWithOddPayload) {
    const Bytes payload(161, 0x55);
    uint8_t out[256];
    const uint16_t length = build_udp_frame(out, sizeof out, kPeerMac.data(), kOurMac.data(),
                                            kPeerIp, kOurIp, port(30000), port(kRtpMin + 2),
                                            payload.data(), static_cast<uint16_t>(payload.size()));
    Bytes frame(out, out + length);
    const Outcome result = process(frame);
    ASSERT_EQ(result.next, Next::rtp);
    EXPECT_EQ(result.udp.payload_length, payload.size());
}

TEST_F(Build, UdpFrameMustFit) {
    const Bytes payload(100, 0x42);
    uint8_t out[200];
    const auto build = [&](uint16_t capacity, uint16_t payload_length) {
        return build_udp_frame(out, capacity, kOurMac.data(), kPeerMac.data(), kOurIp, kPeerIp,
                               port(kSipPort), port(kSipPort), payload.data(), payload_length);
    };
    EXPECT_EQ(build(142, 100), 142);  // exactly fits
    EXPECT_EQ(build(141, 100), 0);
    EXPECT_EQ(build(41, 0), 0);  // not even the headers
    EXPECT_EQ(build(0, 0), 0);
    EXPECT_EQ(build(42, 0), 42);
}

TEST_F(Build, UdpFrameWithoutPayload) {
    uint8_t out[64];
    const uint16_t length = build_udp_frame(out, sizeof out, kPeerMac.data(), kOurMac.data(),
                                            kPeerIp, kOurIp, port(5070), port(kSipPort),
                                            nullptr, 0);
    ASSERT_EQ(length, 42);
    Bytes frame(out, out + length);
    EXPECT_TRUE(udp_checksum_valid(kPeerIp, kOurIp, slice(frame, 34, 8)));
    EXPECT_EQ(process(frame).next, Next::sip);
}

TEST_F(Build, UdpFrameAroundAPayloadAlreadyInPlace) {
    // The transmit path may copy the payload into the buffer first.
    const Bytes payload = text("payload already at offset 42");
    uint8_t out[128];
    std::memcpy(out + 42, payload.data(), payload.size());
    const uint16_t length = build_udp_frame(out, sizeof out, kPeerMac.data(), kOurMac.data(),
                                            kPeerIp, kOurIp, port(5070), port(kSipPort), out + 42,
                                            static_cast<uint16_t>(payload.size()));
    Bytes frame(out, out + length);
    const Outcome result = process(frame);
    ASSERT_EQ(result.next, Next::sip);
    EXPECT_EQ(slice(frame, 42, payload.size()), payload);
}

}  // namespace
}  // namespace sipwire::net::test
