#include <gtest/gtest.h>

#include "frames.h"

namespace sipwire::net::test {
namespace {

constexpr uint16_t kRequest = 1;
constexpr uint16_t kReply = 2;
constexpr Mac kZeroMac = {};

using Arp = NetStage;

TEST_F(Arp, RequestForUsBecomesTheExactReply) {
    Bytes frame = arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, kOurIp);
    const Outcome out = process(frame);

    ASSERT_EQ(out.next, Next::transmit_back);
    const Bytes expected = [] {
        Bytes f = ethernet(kPeerMac, kOurMac, kEtherArp);
        put(f, arp_packet(kReply, kOurMac, kOurIp, kPeerMac, kPeerIp));
        return f;
    }();
    EXPECT_EQ(frame, expected);
    EXPECT_EQ(counters.arp_replies.get(), 1u);
    EXPECT_TRUE(knows(kPeerIp, kPeerMac));  // the requester will talk to us next
}

TEST_F(Arp, UnicastRequestForUsIsAnswered) {
    // Linux re-validates an entry with a unicast request to the cached MAC.
    Bytes frame = arp_frame(kRequest, kPeerMac, kPeerIp, kOurMac, kOurIp, kOurMac);
    EXPECT_EQ(process(frame).next, Next::transmit_back);
    EXPECT_EQ(slice(frame, 0, 6), Bytes(kPeerMac.begin(), kPeerMac.end()));
}

TEST_F(Arp, PaddedRequestKeepsItsLengthAndPadding) {
    Bytes frame = arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, kOurIp);
    frame.resize(60, 0xa5);
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    ASSERT_EQ(frame.size(), 60u);
    EXPECT_EQ(slice(frame, 42, 18), Bytes(18, 0xa5));
    EXPECT_EQ(get16(frame, 20), kReply);
}

TEST_F(Arp, RequestForAnotherAddressIsDroppedAndTeachesNothingNew) {
    const Bytes frame = arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, ip(10, 0, 0, 77));
    expect_drop(frame, DropReason::arp_not_for_us);
    EXPECT_EQ(neighbours.size(), 0u);
    EXPECT_EQ(counters.arp_replies.get(), 0u);
}

TEST_F(Arp, RequestForAnotherAddressUpdatesAKnownNeighbour) {
    neighbours.learn(kPeerIp, kOtherMac.data(), now_ns);
    expect_drop(arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, ip(10, 0, 0, 77)),
                DropReason::arp_not_for_us);
    EXPECT_TRUE(knows(kPeerIp, kPeerMac));
}

TEST_F(Arp, GratuitousArpUpdatesAKnownNeighbour) {
    // A failover moved the gateway address to a new MAC and announced it.
    neighbours.learn(kGatewayIp, kOtherMac.data(), now_ns);
    expect_drop(arp_frame(kRequest, kRouterMac, kGatewayIp, kZeroMac, kGatewayIp),
                DropReason::arp_not_for_us);
    EXPECT_TRUE(knows(kGatewayIp, kRouterMac));
}

TEST_F(Arp, ReplyToUsIsConsumedAndLearned) {
    Bytes frame = arp_frame(kReply, kRouterMac, kGatewayIp, kOurMac, kOurIp, kOurMac);
    const Bytes before = frame;
    EXPECT_EQ(process(frame).next, Next::consumed);
    EXPECT_EQ(frame, before);
    EXPECT_TRUE(knows(kGatewayIp, kRouterMac));
    EXPECT_EQ(counters.arp_replies.get(), 0u);
}

TEST_F(Arp, ReplyForAnotherAddressIsDropped) {
    expect_drop(arp_frame(kReply, kRouterMac, kGatewayIp, kPeerMac, kPeerIp),
                DropReason::arp_not_for_us);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Arp, ProbeForOurAddressIsDefendedWithoutLearning) {
    // RFC 5227 probe: sender address 0. The reply tells the prober the address is taken.
    Bytes frame = arp_frame(kRequest, kPeerMac, 0, kZeroMac, kOurIp);
    ASSERT_EQ(process(frame).next, Next::transmit_back);
    const Bytes expected = [] {
        Bytes f = ethernet(kPeerMac, kOurMac, kEtherArp);
        put(f, arp_packet(kReply, kOurMac, kOurIp, kPeerMac, 0));
        return f;
    }();
    EXPECT_EQ(frame, expected);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Arp, OffLinkSenderIsAnsweredButNotLearned) {
    Bytes frame = arp_frame(kRequest, kPeerMac, kRemoteIp, kZeroMac, kOurIp);
    EXPECT_EQ(process(frame).next, Next::transmit_back);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Arp, SenderClaimingOurAddressIsNotLearned) {
    Bytes frame = arp_frame(kRequest, kPeerMac, kOurIp, kZeroMac, kOurIp);
    process(frame);
    EXPECT_EQ(neighbours.lookup(kOurIp, now_ns), nullptr);
}

TEST_F(Arp, MulticastSenderMacIsAMartian) {
    const Mac group = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
    Bytes frame = ethernet(kBroadcast, kPeerMac, kEtherArp);
    put(frame, arp_packet(kRequest, group, kPeerIp, kZeroMac, kOurIp));
    expect_drop(frame, DropReason::martian_source);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Arp, MalformedPacketsAreBadArp) {
    const Bytes good = arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, kOurIp);
    struct Corruption {
        size_t offset;
        uint8_t value;
    };
    const Corruption corruptions[] = {
        {15, 6},     // hardware type IEEE 802 instead of Ethernet
        {16, 0x86},  // protocol type IPv6
        {18, 8},     // hardware address length
        {19, 16},    // protocol address length
        {21, 3},     // opcode RARP request
        {21, 0},     // opcode 0
    };
    for (const auto& c : corruptions) {
        Bytes frame = good;
        frame[c.offset] = c.value;
        SCOPED_TRACE(c.offset);
        expect_drop(frame, DropReason::bad_arp);
    }
    EXPECT_EQ(counters.arp_replies.get(), 0u);
    EXPECT_EQ(neighbours.size(), 0u);
}

TEST_F(Arp, TruncatedPacketIsBadArp) {
    const Bytes good = arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, kOurIp);
    for (size_t length = 14; length < good.size(); ++length) {
        SCOPED_TRACE(length);
        expect_drop(slice(good, 0, length), DropReason::bad_arp);
    }
}

TEST_F(Arp, InterfaceWithoutAddressAnswersNothing) {
    iface.ipv4 = 0;
    expect_drop(arp_frame(kRequest, kPeerMac, kPeerIp, kZeroMac, 0), DropReason::arp_not_for_us);
    expect_drop(arp_frame(kRequest, kPeerMac, 0, kZeroMac, 0), DropReason::arp_not_for_us);
}

TEST_F(Arp, BuiltRequestIsExactAndAnsweredByTheTarget) {
    uint8_t out[64];
    std::memset(out, 0xee, sizeof out);
    const uint16_t length = build_arp_request(out, iface, kGatewayIp);
    ASSERT_EQ(length, 60);

    Bytes expected = ethernet(kBroadcast, kOurMac, kEtherArp);
    put(expected, arp_packet(kRequest, kOurMac, kOurIp, kZeroMac, kGatewayIp));
    expected.resize(60, 0);
    Bytes frame(out, out + length);
    EXPECT_EQ(frame, expected);

    // The gateway's own stage answers it and learns us.
    Interface gateway{};
    std::memcpy(gateway.mac, kRouterMac.data(), 6);
    gateway.ipv4 = kGatewayIp;
    gateway.netmask = kNetmask24;
    NeighbourTable gateway_neighbours;
    PortCounters gateway_counters;
    const Outcome out_gw = process_frame(frame.data(), length, gateway, config, gateway_neighbours,
                                         now_ns, gateway_counters);
    ASSERT_EQ(out_gw.next, Next::transmit_back);
    EXPECT_NE(gateway_neighbours.lookup(kOurIp, now_ns), nullptr);

    // And the reply comes back to us, consumed, teaching us the gateway.
    EXPECT_EQ(process(frame).next, Next::consumed);
    EXPECT_TRUE(knows(kGatewayIp, kRouterMac));
}

}  // namespace
}  // namespace sipwire::net::test
