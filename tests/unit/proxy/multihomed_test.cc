// Two ports on two subnets (phones on port 0, switches on port 1): Via, Record-Route
// and the source address follow the port a datagram leaves by (net::route()), the
// Record-Route is doubled when that is not the port it arrived on (RFC 5658), and
// every Route value of ours on top of an in-dialog request is removed.
#include <gtest/gtest.h>

#include <string>

#include "proxy_harness.h"

namespace sipwire::proxy::test {
namespace {

using sip::HeaderId;

constexpr std::string_view kPhoneSide = "192.0.2.1";     // port 0, 192.0.2.0/24
constexpr std::string_view kSwitchSide = "198.51.100.1";  // port 1, 198.51.100.0/24
constexpr std::string_view kPhone = "192.0.2.2";
constexpr std::string_view kSwitch = "198.51.100.10";

class MultihomedTest : public ProxyTest {
protected:
    MultihomedTest() {
        DataplaneConfig& c = config();
        c.port_count = 2;
        c.ports[0].ipv4 = ip(kPhoneSide);
        c.ports[0].prefix_len = 24;
        c.ports[1].ipv4 = ip(kSwitchSide);
        c.ports[1].prefix_len = 24;
        // One switch in set 0.
        c.destinations[0] = {ip(kSwitch), port(5060), 7, 1, 1, 0};
        c.destination_sets[0].count = 1;
        c.destination_sets[0].healthy_count = 1;
        for (unsigned i = 0; i < kDispatchTableSize; ++i) c.destination_sets[0].table[i] = 0;
        arrive_on(kPhoneSide);
    }

    static std::string phone_invite() {
        return message(
            "INVITE sip:bob@example.com SIP/2.0\n"
            "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKphone1\n"
            "Max-Forwards: 70\n"
            "To: <sip:bob@example.com>\n"
            "From: <sip:alice@example.com>;tag=a1\n"
            "Call-ID: mh-1@192.0.2.2\n"
            "CSeq: 1 INVITE\n"
            "Contact: <sip:alice@192.0.2.2:5060>\n");
    }

    // The switch's in-dialog BYE toward the phone's contact, with the route set
    // `route_lines` (whole lines).
    static std::string switch_bye(std::string_view route_lines) {
        return message(
            "BYE sip:alice@192.0.2.2:5060 SIP/2.0\n"
            "Via: SIP/2.0/UDP 198.51.100.10:5060;branch=z9hG4bKsw1\n"
            "Max-Forwards: 70\n" +
            std::string(route_lines) +
            "To: <sip:alice@example.com>;tag=a1\n"
            "From: <sip:bob@example.com>;tag=b1\n"
            "Call-ID: mh-1@192.0.2.2\n"
            "CSeq: 1 BYE\n");
    }
};

TEST_F(MultihomedTest, InviteToTheOtherPortAdvertisesTheEgressAddressAndDoubleRecordRoutes) {
    Out o = handle(phone_invite(), kPhone, 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip(kSwitch));
    EXPECT_EQ(o.result.dst_port, port(5060));
    EXPECT_EQ(o.result.src_ip, ip(kSwitchSide));
    const auto vias = o.vias();
    ASSERT_EQ(vias.size(), 2u);
    EXPECT_EQ(vias[0].host, kSwitchSide);
    EXPECT_EQ(vias[0].port, 5060);
    EXPECT_EQ(vias[1].host, kPhone);
    // The egress address first (the switch's side), then the ingress address.
    EXPECT_EQ(o.header(HeaderId::record_route), "<sip:198.51.100.1:5060;lr>, <sip:192.0.2.1:5060;lr>");
    EXPECT_EQ(o.parsed().count(HeaderId::record_route), 1u);
    const std::string branch(vias[0].branch);
    EXPECT_EQ(o.bytes.substr(0, o.bytes.find("Max-Forwards")),
              crlf("INVITE sip:bob@example.com SIP/2.0\n"
                   "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=" + branch + "\n"
                   "Record-Route: <sip:198.51.100.1:5060;lr>, <sip:192.0.2.1:5060;lr>\n"
                   "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKphone1\n"));
}

TEST_F(MultihomedTest, OurRecordRoutesGoAboveExistingOnesInOrder) {
    std::string in = phone_invite();
    in.insert(in.find("Max-Forwards"), "Record-Route: <sip:192.0.2.77;lr>\r\n");
    Out o = handle(in, kPhone, 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    std::vector<std::string> values;
    sip::HeaderValues rr(o.parsed(), HeaderId::record_route);
    for (std::string_view v; rr.next(v);) values.emplace_back(v);
    EXPECT_EQ(values, (std::vector<std::string>{"<sip:198.51.100.1:5060;lr>", "<sip:192.0.2.1:5060;lr>",
                                                "<sip:192.0.2.77;lr>"}));
}

TEST_F(MultihomedTest, SamePortInAndOutKeepsOneRecordRoute) {
    arrive_on(kSwitchSide);
    Out o = handle(phone_invite(), "198.51.100.20", 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip(kSwitch));
    EXPECT_EQ(o.result.src_ip, ip(kSwitchSide));
    EXPECT_EQ(o.vias().at(0).host, kSwitchSide);
    EXPECT_EQ(o.header(HeaderId::record_route), "<sip:198.51.100.1:5060;lr>");
}

TEST_F(MultihomedTest, NoRouteKeepsTheIngressAddress) {
    config().destinations[0].ipv4 = ip("203.0.113.9");  // on no subnet, no gateway
    Out o = handle(phone_invite(), kPhone, 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.src_ip, ip(kPhoneSide));
    EXPECT_EQ(o.vias().at(0).host, kPhoneSide);
    EXPECT_EQ(o.header(HeaderId::record_route), "<sip:192.0.2.1:5060;lr>");
}

TEST_F(MultihomedTest, GatewayPortIsTheEgressOffSubnet) {
    config().ports[1].gateway_ipv4 = ip("198.51.100.254");
    config().destinations[0].ipv4 = ip("203.0.113.9");
    Out o = handle(phone_invite(), kPhone, 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.src_ip, ip(kSwitchSide));
    EXPECT_EQ(o.vias().at(0).host, kSwitchSide);
}

TEST_F(MultihomedTest, ResponseFromTheSwitchGoesToThePhoneFromThePhoneSide) {
    const std::string in = message(
        "SIP/2.0 200 OK\n"
        "Via: SIP/2.0/UDP 198.51.100.1:5060;branch=z9hG4bK0123456789abcdef0123456789abcdef\n"
        "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKphone1\n"
        "Record-Route: <sip:198.51.100.1:5060;lr>, <sip:192.0.2.1:5060;lr>\n"
        "To: <sip:bob@example.com>;tag=b1\n"
        "From: <sip:alice@example.com>;tag=a1\n"
        "Call-ID: mh-1@192.0.2.2\n"
        "CSeq: 1 INVITE\n"
        "Contact: <sip:bob@198.51.100.10:5060>\n");
    for (const std::string_view arrived_on : {kSwitchSide, kPhoneSide}) {
        arrive_on(arrived_on);
        Out o = handle(in, kSwitch, 5060);
        ASSERT_EQ(o.result.action, Action::forward) << arrived_on;
        EXPECT_EQ(o.result.dst_ip, ip(kPhone));
        EXPECT_EQ(o.result.dst_port, port(5060));
        EXPECT_EQ(o.result.src_ip, ip(kPhoneSide));
        const auto vias = o.vias();
        ASSERT_EQ(vias.size(), 1u);
        EXPECT_EQ(vias[0].host, kPhone);
    }
    EXPECT_EQ(counters().responses_forwarded.get(), 2u);
}

TEST_F(MultihomedTest, ResponseWithOnlyOurOtherAddressIsPunted) {
    arrive_on(kSwitchSide);
    Out o = handle(message("SIP/2.0 200 OK\n"
                           "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKprobe1\n"
                           "To: <sip:198.51.100.10>;tag=x\n"
                           "From: <sip:192.0.2.1>;tag=y\n"
                           "Call-ID: probe-1\n"
                           "CSeq: 1 OPTIONS\n"),
                   kSwitch, 5060);
    EXPECT_EQ(o.result.action, Action::punt);
}

TEST_F(MultihomedTest, ResponseToAnotherSipPortIsNotOurs) {
    Out o = handle(message("SIP/2.0 200 OK\n"
                           "Via: SIP/2.0/UDP 198.51.100.1:5070;branch=z9hG4bKx\n"
                           "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKphone1\n"
                           "To: <sip:bob@example.com>;tag=b1\n"
                           "From: <sip:alice@example.com>;tag=a1\n"
                           "Call-ID: mh-1@192.0.2.2\n"
                           "CSeq: 1 INVITE\n"),
                   kSwitch, 5060);
    EXPECT_EQ(o.result.action, Action::drop);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_response_not_ours);
}

TEST_F(MultihomedTest, ByeFromTheSwitchLosesBothOfOurRoutesAndGoesToTheContact) {
    arrive_on(kSwitchSide);
    for (const char* routes : {"Route: <sip:198.51.100.1;lr>, <sip:192.0.2.1;lr>\n",
                               "Route: <sip:198.51.100.1:5060;lr>\nRoute: <sip:192.0.2.1:5060;lr>\n"}) {
        Out o = handle(switch_bye(routes), kSwitch, 5060);
        ASSERT_EQ(o.result.action, Action::forward) << routes;
        EXPECT_EQ(o.result.dst_ip, ip(kPhone));
        EXPECT_EQ(o.result.dst_port, port(5060));
        EXPECT_EQ(o.result.src_ip, ip(kPhoneSide));
        EXPECT_EQ(o.bytes.find("Route"), std::string::npos) << o.bytes;
        EXPECT_EQ(o.vias().at(0).host, kPhoneSide);
        EXPECT_EQ(o.parsed().max_forwards(), 69u);
    }
    EXPECT_EQ(counters().requests_dispatched.get(), 0u);
}

TEST_F(MultihomedTest, RoutesBeyondOursAreKeptAndFollowed) {
    arrive_on(kSwitchSide);
    Out o = handle(switch_bye("Route: <sip:198.51.100.1;lr>\nRoute: <sip:192.0.2.1;lr>, <sip:192.0.2.50:5080;lr>\n"),
                   kSwitch, 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.50"));
    EXPECT_EQ(o.result.dst_port, port(5080));
    EXPECT_EQ(o.result.src_ip, ip(kPhoneSide));
    EXPECT_EQ(o.parsed().count(HeaderId::route), 1u);
    EXPECT_NE(o.bytes.find("\r\nRoute: <sip:192.0.2.50:5080;lr>\r\n"), std::string::npos) << o.bytes;
}

TEST_F(MultihomedTest, OnlyConsecutiveTopRoutesOfOursAreRemoved) {
    arrive_on(kSwitchSide);
    Out o = handle(switch_bye("Route: <sip:198.51.100.1;lr>, <sip:192.0.2.50;lr>, <sip:192.0.2.1;lr>\n"), kSwitch,
                   5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.50"));
    EXPECT_EQ(o.header(HeaderId::route), "<sip:192.0.2.50;lr>, <sip:192.0.2.1;lr>");
}

TEST_F(MultihomedTest, TooManyLinesOfOurRoutesAreUnroutable) {
    arrive_on(kSwitchSide);
    std::string lines;
    for (int i = 0; i < 5; ++i) lines += "Route: <sip:198.51.100.1;lr>\n";
    Out o = handle(switch_bye(lines), kSwitch, 5060);
    EXPECT_EQ(o.result.action, Action::drop);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_unroutable);
}

TEST_F(MultihomedTest, LocalResponsesLeaveByThePortTowardTheirDestination) {
    // OPTIONS to our switch-side address, sent by the phone: answered from the phone side.
    Out o = handle(message("OPTIONS sip:198.51.100.1 SIP/2.0\n"
                           "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bKopt1\n"
                           "Max-Forwards: 70\n"
                           "To: <sip:198.51.100.1>\n"
                           "From: <sip:alice@example.com>;tag=a1\n"
                           "Call-ID: opt-1@192.0.2.2\n"
                           "CSeq: 1 OPTIONS\n"),
                   kPhone, 5060);
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.result.dst_ip, ip(kPhone));
    EXPECT_EQ(o.result.src_ip, ip(kPhoneSide));
    // A 503 (no destination) to a sender behind port 1's gateway that arrived on port 0.
    config().ports[1].gateway_ipv4 = ip("198.51.100.254");
    config().destination_sets[0].healthy_count = 0;
    for (unsigned i = 0; i < kDispatchTableSize; ++i) config().destination_sets[0].table[i] = kNoDestination;
    Out p = handle(phone_invite(), "203.0.113.5", 5060);
    ASSERT_EQ(p.result.action, Action::reply);
    EXPECT_EQ(p.result.dst_ip, ip("203.0.113.5"));
    EXPECT_EQ(p.result.src_ip, ip(kSwitchSide));
}

}  // namespace
}  // namespace sipwire::proxy::test
