// Ethernet filtering, IPv4 validation and ICMP echo.
#include <gtest/gtest.h>

#include "frames.h"

namespace sipwire::net::test {
namespace {

constexpr size_t kIp = 14;  // IPv4 header offset in a frame

using Ethernet = NetStage;
using Ipv4 = NetStage;
using Icmp = NetStage;

Bytes echo_request_frame(const Bytes& data = text("ping payload 0123456789")) {
    Ipv4Fields f;
    f.protocol = 1;
    return ipv4_frame(f, icmp_message(8, 0, 0x4242, 7, data));
}

TEST_F(Ethernet, EveryRuntIsDroppedWithoutReadingPastIt) {
    const Bytes good = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    for (size_t length = 0; length < 14; ++length) {
        SCOPED_TRACE(length);
        expect_drop(slice(good, 0, length), DropReason::runt_frame);
    }
}

TEST_F(Ethernet, OtherUnicastDestinationIsNotForUs) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    std::copy(kOtherMac.begin(), kOtherMac.end(), frame.begin());
    expect_drop(frame, DropReason::not_for_us);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Ethernet, MulticastDestinationIsNotForUs) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    const Mac group = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    std::copy(group.begin(), group.end(), frame.begin());
    expect_drop(frame, DropReason::not_for_us);
}

TEST_F(Ethernet, BroadcastDestinationIsAccepted) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    std::copy(kBroadcast.begin(), kBroadcast.end(), frame.begin());
    EXPECT_EQ(process(frame).next, Next::sip);
}

TEST_F(Ethernet, MulticastSourceIsAMartian) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    frame[6] |= 0x01;
    expect_drop(frame, DropReason::martian_source);
}

TEST_F(Ethernet, OtherEthertypesAreNotIpv4) {
    for (const uint16_t type : {0x86dd /* IPv6 */, 0x8100 /* 802.1Q */, 0x88a8 /* QinQ */,
                                0x8035 /* RARP */, 0x0000}) {
        Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
        set16(frame, 12, type);
        SCOPED_TRACE(type);
        expect_drop(frame, DropReason::not_ipv4);
    }
}

TEST_F(Ipv4, BadHeaderChecksum) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    frame[kIp + 10] ^= 0x01;
    expect_drop(frame, DropReason::bad_ipv4_header);
    EXPECT_EQ(neighbours.size(), 0u);  // nothing learned from a corrupt header
}

TEST_F(Ipv4, BadVersionAndLengths) {
    const Bytes good = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("hello"));
    // Each corruption gets a correct checksum, so only the field itself is wrong.
    auto with = [&](size_t at, uint16_t value) {
        Bytes frame = good;
        set16(frame, at, value);
        set16(frame, kIp + 10, 0);
        set16(frame, kIp + 10, naive_checksum(slice(frame, kIp, 20)));
        return frame;
    };
    const auto total = get16(good, kIp + 2);
    expect_drop(with(kIp, 0x6500), DropReason::bad_ipv4_header);  // version 6
    expect_drop(with(kIp, 0x4400), DropReason::bad_ipv4_header);  // IHL 4
    expect_drop(with(kIp, 0x4f00), DropReason::bad_ipv4_header);  // IHL 15 > packet
    expect_drop(with(kIp + 2, static_cast<uint16_t>(total + 1)), DropReason::bad_ipv4_header);
    expect_drop(with(kIp + 2, 19), DropReason::bad_ipv4_header);  // shorter than its header
}

TEST_F(Ipv4, EthernetPaddingIsIgnored) {
    // A short datagram padded to 60 bytes: the IPv4 total length says where it ends.
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("hi"));
    ASSERT_LT(frame.size(), 60u);
    frame.resize(60, 0xa5);
    const Outcome out = process(frame);
    ASSERT_EQ(out.next, Next::sip);
    EXPECT_EQ(out.udp.payload_length, 2);
}

TEST_F(Ipv4, HeaderWithOptionsIsAccepted) {
    Ipv4Fields f;
    f.options = {0x94, 0x04, 0x00, 0x00};  // router alert
    Bytes frame = ipv4_frame(f, udp_datagram(kPeerIp, kOurIp, 40000, kSipPort, text("x")));
    const Outcome out = process(frame);
    ASSERT_EQ(out.next, Next::sip);
    EXPECT_EQ(out.udp.payload_offset, 14 + 24 + 8);
}

TEST_F(Ipv4, OtherDestinationIsNotForUs) {
    expect_drop(udp_frame(kPeerIp, ip(10, 0, 0, 3), 40000, kSipPort, text("x")),
                DropReason::not_for_us);
    expect_drop(udp_frame(kPeerIp, ip(255, 255, 255, 255), 40000, kSipPort, text("x")),
                DropReason::not_for_us);
    expect_drop(udp_frame(kPeerIp, ip(10, 0, 0, 255), 40000, kSipPort, text("x")),
                DropReason::not_for_us);
}

TEST_F(Ipv4, InterfaceWithoutAddressTakesNothing) {
    iface.ipv4 = 0;
    expect_drop(udp_frame(kPeerIp, 0, 40000, kSipPort, text("x")), DropReason::not_for_us);
}

TEST_F(Ipv4, MartianSourcesAreDroppedAndNotLearned) {
    for (const uint32_t src : {ip(0, 0, 0, 0), ip(0, 1, 2, 3), ip(127, 0, 0, 1), ip(224, 0, 0, 5),
                               ip(240, 0, 0, 1), ip(255, 255, 255, 255), ip(10, 0, 0, 255),
                               kOurIp}) {
        SCOPED_TRACE(testing::Message() << std::hex << src);
        expect_drop(udp_frame(src, kOurIp, 40000, kSipPort, text("x")),
                    DropReason::martian_source);
    }
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Ipv4, SlashThirtyOneHasNoBroadcastAddress) {
    iface.ipv4 = ip(10, 0, 0, 0);
    iface.netmask = ip(255, 255, 255, 254);
    Bytes frame = udp_frame(ip(10, 0, 0, 1), iface.ipv4, 40000, kSipPort, text("x"));
    EXPECT_EQ(process(frame).next, Next::sip);
}

TEST_F(Ipv4, OnLinkSourceIsLearnedFromTheFrame) {
    Bytes frame = udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("x"));
    process(frame);
    EXPECT_TRUE(knows(kPeerIp, kPeerMac));
}

TEST_F(Ipv4, OffLinkSourceIsNotLearned) {
    // The frame's source MAC is the router's, not the remote host's.
    Bytes frame = udp_frame(kRemoteIp, kOurIp, 40000, kSipPort, text("x"), kRouterMac);
    EXPECT_EQ(process(frame).next, Next::sip);
    EXPECT_EQ(neighbours.lookup(kRemoteIp, now_ns), nullptr);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Ipv4, FragmentsGoToReassembly) {
    for (const uint16_t flags_fragment : {0x2000 /* MF, first */, 0x0010 /* last */,
                                          0x2010 /* middle */}) {
        Ipv4Fields f;
        f.flags_fragment = flags_fragment;
        SCOPED_TRACE(flags_fragment);
        Bytes frame = ipv4_frame(f, udp_datagram(kPeerIp, kOurIp, 40000, kSipPort, text("x")));
        EXPECT_EQ(process(frame).next, Next::fragment);
    }
    Ipv4Fields not_fragmented;
    not_fragmented.flags_fragment = 0;
    Bytes frame =
        ipv4_frame(not_fragmented, udp_datagram(kPeerIp, kOurIp, 40000, kSipPort, text("x")));
    EXPECT_EQ(process(frame).next, Next::sip);
}

TEST_F(Ipv4, OtherProtocolsAreDropped) {
    for (const uint8_t protocol : {6 /* TCP */, 47 /* GRE */, 50 /* ESP */, 132 /* SCTP */}) {
        Ipv4Fields f;
        f.protocol = protocol;
        SCOPED_TRACE(protocol);
        expect_drop(ipv4_frame(f, Bytes(20, 0)), DropReason::ip_protocol);
    }
}

TEST_F(Ipv4, EveryTruncationOfEveryFrameIsDropped) {
    // Each prefix is copied into a buffer of exactly its size, so a read past the end
    // shows up under AddressSanitizer.
    const Bytes frames[] = {
        echo_request_frame(),
        udp_frame(kPeerIp, kOurIp, 40000, kSipPort, text("INVITE sip:bob@example.com SIP/2.0")),
        udp_frame(kPeerIp, kOurIp, 40000, kRtpMin, Bytes(172, 0x80)),
        arp_frame(1, kPeerMac, kPeerIp, {}, kOurIp),
    };
    for (const Bytes& good : frames) {
        for (size_t length = 0; length < good.size(); ++length) {
            Bytes prefix = slice(good, 0, length);
            const Outcome out = process(prefix);
            ASSERT_EQ(out.next, Next::drop) << "length " << length;
            ASSERT_LT(static_cast<unsigned>(out.reason), kDropReasonCount);
            if (length < 14) {
                EXPECT_EQ(out.reason, DropReason::runt_frame);
            }
        }
    }
    EXPECT_EQ(counters.sip_packets.get(), 0u);
    EXPECT_EQ(counters.rtp_packets.get(), 0u);
    EXPECT_EQ(counters.icmp_echo_replies.get(), 0u);
    EXPECT_EQ(counters.arp_replies.get(), 0u);
}

TEST_F(Icmp, EchoRequestBecomesAValidReply) {
    const Bytes data = text("ping payload 0123456789");
    Bytes frame = echo_request_frame(data);
    const Bytes request = frame;
    const Outcome out = process(frame);

    ASSERT_EQ(out.next, Next::transmit_back);
    EXPECT_EQ(counters.icmp_echo_replies.get(), 1u);
    ASSERT_EQ(frame.size(), request.size());
    // Ethernet: back to the sender, from us.
    EXPECT_EQ(slice(frame, 0, 6), Bytes(kPeerMac.begin(), kPeerMac.end()));
    EXPECT_EQ(slice(frame, 6, 6), Bytes(kOurMac.begin(), kOurMac.end()));
    EXPECT_EQ(get16(frame, 12), kEtherIpv4);
    // IPv4: addresses swapped, fresh TTL, valid checksum, the rest as received.
    const Bytes header = slice(frame, kIp, 20);
    EXPECT_TRUE(naive_checksum_ok(header));
    EXPECT_EQ(slice(header, 12, 4), slice(request, kIp + 16, 4));
    EXPECT_EQ(slice(header, 16, 4), slice(request, kIp + 12, 4));
    EXPECT_EQ(header[8], 64);
    EXPECT_EQ(slice(header, 0, 8), slice(request, kIp, 8));
    EXPECT_EQ(header[9], 1);
    // ICMP: echo reply, same id, sequence and data, valid checksum.
    const Bytes icmp = slice(frame, kIp + 20, frame.size() - kIp - 20);
    EXPECT_EQ(icmp[0], 0);
    EXPECT_EQ(icmp[1], 0);
    EXPECT_TRUE(naive_checksum_ok(icmp));
    EXPECT_EQ(slice(icmp, 4, icmp.size() - 4), slice(request, kIp + 24, icmp.size() - 4));
}

// Found by tests/fuzz/net_fuzz.cc: id, sequence and data all zero leave the reply's
// other words summing to +0, where the incremental update gave a checksum of 0x0000
// (which never verifies) instead of 0xffff.
TEST_F(Icmp, EchoReplyWithAllZeroWordsHasAValidChecksum) {
    Ipv4Fields f;
    f.protocol = 1;
    Bytes frame = ipv4_frame(f, icmp_message(8, 0, 0, 0, Bytes(32, 0)));
    ASSERT_EQ(get16(frame, kIp + 22), 0xf7ff);  // the request: 0x0800 + 0xf7ff
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    const Bytes icmp = slice(frame, kIp + 20, frame.size() - kIp - 20);
    EXPECT_EQ(icmp[0], 0);
    EXPECT_EQ(get16(frame, kIp + 22), 0xffff);
    EXPECT_TRUE(naive_checksum_ok(icmp));
}

TEST_F(Icmp, EchoRequestWithOptionsAndOddPayload) {
    Ipv4Fields f;
    f.protocol = 1;
    f.options = {0x01, 0x01, 0x01, 0x00};  // NOPs and end of list
    Bytes frame = ipv4_frame(f, icmp_message(8, 0, 1, 1, text("odd")));
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    EXPECT_TRUE(naive_checksum_ok(slice(frame, kIp, 24)));
    EXPECT_TRUE(naive_checksum_ok(slice(frame, kIp + 24, frame.size() - kIp - 24)));
    EXPECT_EQ(frame[kIp + 24], 0);
}

TEST_F(Icmp, EchoFromARemoteHostGoesBackThroughTheRouter) {
    Ipv4Fields f;
    f.protocol = 1;
    f.src = kRemoteIp;
    Bytes frame = ipv4_frame(f, icmp_message(8, 0, 1, 1, {}), kRouterMac);
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    EXPECT_EQ(slice(frame, 0, 6), Bytes(kRouterMac.begin(), kRouterMac.end()));
    Bytes remote;
    put_ip(remote, kRemoteIp);
    EXPECT_EQ(slice(frame, kIp + 16, 4), remote);
}

TEST_F(Icmp, EchoRequestInBroadcastFrameIsAnsweredFromOurMac) {
    Bytes frame = echo_request_frame();
    std::copy(kBroadcast.begin(), kBroadcast.end(), frame.begin());
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    EXPECT_EQ(slice(frame, 6, 6), Bytes(kOurMac.begin(), kOurMac.end()));
}

TEST_F(Icmp, OtherTypesAreNotEcho) {
    for (const uint8_t type : {0 /* echo reply */, 3 /* unreachable */, 11 /* time exceeded */,
                               13 /* timestamp */}) {
        Ipv4Fields f;
        f.protocol = 1;
        SCOPED_TRACE(type);
        expect_drop(ipv4_frame(f, icmp_message(type, 0, 1, 1, text("data"))),
                    DropReason::icmp_not_echo);
    }
    EXPECT_EQ(counters.icmp_echo_replies.get(), 0u);
}

TEST_F(Icmp, BadChecksumOrShortMessageIsBadIcmp) {
    Bytes frame = echo_request_frame();
    frame.back() ^= 0x40;
    expect_drop(frame, DropReason::bad_icmp);

    Ipv4Fields f;
    f.protocol = 1;
    expect_drop(ipv4_frame(f, Bytes{8, 0, 0xf7, 0xff}), DropReason::bad_icmp);  // 4 bytes
    expect_drop(ipv4_frame(f, Bytes{}), DropReason::bad_icmp);
}

}  // namespace
}  // namespace sipwire::net::test
