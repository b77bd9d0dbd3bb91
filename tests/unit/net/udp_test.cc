// UDP validation and demultiplexing to the SIP and RTP stages.
#include <gtest/gtest.h>

#include "frames.h"

namespace sipwire::net::test {
namespace {

constexpr size_t kUdp = 14 + 20;  // UDP header offset in a frame without IP options

using Udp = NetStage;

TEST_F(Udp, SipPortGoesToSipWithAFullView) {
    const Bytes payload = text("OPTIONS sip:10.0.0.1 SIP/2.0\r\n\r\n");
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, payload);
    const Outcome out = process(frame);

    ASSERT_EQ(out.next, Next::sip);
    EXPECT_EQ(counters.sip_packets.get(), 1u);
    EXPECT_EQ(out.udp.src_ip, kPeerIp);
    EXPECT_EQ(out.udp.dst_ip, kOurIp);
    EXPECT_EQ(out.udp.src_port, port(40000));
    EXPECT_EQ(out.udp.dst_port, port(kSipPort));
    EXPECT_EQ(out.udp.ip_offset, 14);
    EXPECT_EQ(out.udp.payload_offset, 42);
    ASSERT_EQ(out.udp.payload_length, payload.size());
    EXPECT_EQ(slice(frame, out.udp.payload_offset, out.udp.payload_length), payload);
}

TEST_F(Udp, EverySipPortSlotIsUsedAndZeroSlotsAreNot) {
    Bytes second = udp_frame(kPeerIp, kOurIp, 40000, 5080, text("x"));
    EXPECT_EQ(process(second).next, Next::sip);
    // Slots 1 and 3 are 0 (unused): port 0 must not match them.
    expect_drop(udp_frame(kPeerIp, kOurIp, 40000, 0, text("x")), DropReason::udp_no_service);
}

TEST_F(Udp, RtpRangeBoundsAreInclusive) {
    for (const uint16_t p : {kRtpMin, uint16_t{15000}, kRtpMax}) {
        Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, p, Bytes(172, 0x80));
        const Outcome out = process(frame);
        SCOPED_TRACE(p);
        ASSERT_EQ(out.next, Next::rtp);
        EXPECT_EQ(out.udp.dst_port, port(p));
        EXPECT_EQ(out.udp.payload_length, 172);
    }
    EXPECT_EQ(counters.rtp_packets.get(), 3u);
    expect_drop(udp_frame(kPeerIp, kOurIp, 40000, kRtpMin - 1, text("x")),
                DropReason::udp_no_service);
    expect_drop(udp_frame(kPeerIp, kOurIp, 40000, kRtpMax + 1, text("x")),
                DropReason::udp_no_service);
}

TEST_F(Udp, NoRtpRangeWhenMinimumIsZero) {
    config.rtp_port_min = 0;
    config.rtp_port_max = 65535;
    expect_drop(udp_frame(kPeerIp, kOurIp, 40000, 15000, text("x")), DropReason::udp_no_service);
    Bytes sip = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    EXPECT_EQ(process(sip).next, Next::sip);
}

TEST_F(Udp, OtherPortHasNoService) {
    expect_drop(udp_frame(kPeerIp, kOurIp, 40000, 53, text("x")), DropReason::udp_no_service);
    EXPECT_EQ(counters.sip_packets.get() + counters.rtp_packets.get(), 0u);
}

TEST_F(Udp, ZeroChecksumMeansNone) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("no checksum"));
    set16(frame, kUdp + 6, 0);
    EXPECT_EQ(process(frame).next, Next::sip);
}

TEST_F(Udp, BadChecksumIsBadUdp) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("INVITE"));
    frame.back() ^= 0x20;  // payload corrupted in flight
    expect_drop(frame, DropReason::bad_udp);

    Bytes wrong_field = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("INVITE"));
    set16(wrong_field, kUdp + 6, static_cast<uint16_t>(get16(wrong_field, kUdp + 6) + 1));
    expect_drop(wrong_field, DropReason::bad_udp);
    EXPECT_EQ(counters.sip_packets.get(), 0u);
}

TEST_F(Udp, BadLengthsAreBadUdp) {
    const Bytes good = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("hello"));
    for (const uint16_t length : {0, 7, 14 /* > IP payload of 13 */, 0xffff}) {
        Bytes frame = good;
        set16(frame, kUdp + 4, length);
        SCOPED_TRACE(length);
        expect_drop(frame, DropReason::bad_udp);
    }
    // IP payload too short to hold a UDP header.
    Ipv4Fields f;
    expect_drop(ipv4_frame(f, Bytes{0x9c, 0x40, 0x13, 0xc4}), DropReason::bad_udp);
}

TEST_F(Udp, UdpLengthShorterThanIpPayloadIsHonoured) {
    // Trailing bytes after the UDP datagram inside the IP packet are not payload.
    Bytes udp = udp_datagram(kPeerIp, kOurIp, 40000, kSipPort, text("abc"));
    udp.push_back(0xde);
    udp.push_back(0xad);
    Bytes frame = ipv4_frame(Ipv4Fields{}, udp);
    const Outcome out = process(frame);
    ASSERT_EQ(out.next, Next::sip);
    EXPECT_EQ(out.udp.payload_length, 3);
}

TEST_F(Udp, EmptyDatagramIsValid) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, {});  // a SIP keep-alive
    const Outcome out = process(frame);
    ASSERT_EQ(out.next, Next::sip);
    EXPECT_EQ(out.udp.payload_length, 0);
}

}  // namespace
}  // namespace sipwire::net::test
