// The stateless proxy's decisions, end to end through handle_sip(): real SIP
// messages in, exact or re-parsed bytes out.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "proxy/branch.h"
#include "proxy_harness.h"

namespace sipwire::proxy::test {
namespace {

using sip::HeaderId;
using sip::ParseError;

// Replaces every "<BRANCH>" with `branch`.
std::string with_branch(std::string text, std::string_view branch) {
    for (size_t at; (at = text.find("<BRANCH>")) != std::string::npos;) text.replace(at, 8, branch);
    return text;
}

// Inserts a header line right after the start line.
std::string push_line(std::string_view wire, std::string_view line) {
    std::string s(wire);
    s.insert(s.find("\r\n") + 2, std::string(line) + "\r\n");
    return s;
}

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
    return s;
}

bool is_our_branch(std::string_view b) {
    if (b.size() != kBranchLength || b.substr(0, 7) != "z9hG4bK") return false;
    for (char c : b.substr(7))
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Which destination of set 0 a Call-ID goes to (the table alternates 0, 1).
uint32_t expected_destination(std::string_view call_id) {
    return (call_id_hash(call_id) % kDispatchTableSize) % 2 == 0 ? ip("10.1.0.1") : ip("10.1.0.2");
}

// --- keep-alives and garbage --------------------------------------------------------

TEST_F(ProxyTest, CrlfKeepalivesAreConsumed) {
    EXPECT_EQ(handle("").result.action, Action::consumed);
    EXPECT_EQ(handle("\r\n\r\n").result.action, Action::consumed);
    EXPECT_EQ(handle("\r\n").result.action, Action::consumed);
    EXPECT_EQ(counters().keepalives.get(), 3u);
    EXPECT_EQ(counters().requests_received.get(), 0u);
}

TEST_F(ProxyTest, GarbageIsDroppedInvalid) {
    const Out o = handle("hello world\r\n\r\n");
    EXPECT_EQ(o.result.action, Action::drop);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_invalid);
    EXPECT_EQ(parse_errors(ParseError::bad_start_line), 1u);
}

// --- forwarding an INVITE -------------------------------------------------------------

TEST_F(ProxyTest, InviteIsDispatchedWithExactEdits) {
    Out o = handle(invite());
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, expected_destination("a84b4c76e66710@pc33.atlanta.example.com"));
    EXPECT_EQ(o.result.dst_port, o.result.dst_ip == ip("10.1.0.1") ? port(5060) : port(5080));

    const std::string branch(o.vias().at(0).branch);
    ASSERT_TRUE(is_our_branch(branch)) << branch;
    const std::string expected = with_branch(
        message("INVITE sip:bob@biloxi.example.com SIP/2.0\n"
                "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=<BRANCH>\n"
                "Record-Route: <sip:10.0.0.1:5060;lr>\n"
                "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062;received=192.0.2.10\n"
                "Max-Forwards: 69\n"
                "To: Bob <sip:bob@biloxi.example.com>\n"
                "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                "CSeq: 314159 INVITE\n"
                "Contact: <sip:alice@192.0.2.10:5062>\n"
                "Content-Type: application/sdp\n",
                kSdp),
        branch);
    EXPECT_EQ(o.bytes, expected);

    EXPECT_EQ(counters().requests_received.get(), 1u);
    EXPECT_EQ(counters().requests_forwarded.get(), 1u);
    EXPECT_EQ(counters().requests_dispatched.get(), 1u);
    const unsigned slot = o.result.dst_ip == ip("10.1.0.1") ? 7 : 9;
    EXPECT_EQ(counters().destination_requests[slot].get(), 1u);
}

TEST_F(ProxyTest, ForwardedInviteParsesWithBodyUntouched) {
    const std::string in = invite();
    Out o = handle(in);
    ASSERT_EQ(o.result.action, Action::forward);
    const sip::SipMessage& m = o.parsed();
    ASSERT_EQ(o.parse, ParseError::ok);
    EXPECT_EQ(m.max_forwards(), 69u);
    EXPECT_EQ(m.content_length(), crlf(kSdp).size());
    EXPECT_EQ(m.body(), crlf(kSdp));
    EXPECT_EQ(m.trailing_bytes(), 0u);
    const auto vias = o.vias();
    ASSERT_EQ(vias.size(), 2u);
    EXPECT_EQ(vias[0].host, "10.0.0.1");
    EXPECT_EQ(vias[0].port, 5060);
    EXPECT_EQ(vias[0].transport, "UDP");
    EXPECT_EQ(vias[1].host, "pc33.atlanta.example.com");
    EXPECT_EQ(vias[1].received, "192.0.2.10");
    EXPECT_EQ(vias[1].rport, 5062);
    EXPECT_EQ(vias[1].branch, "z9hG4bK776asdhds");
}

TEST_F(ProxyTest, BranchIsStableAcrossRetransmissions) {
    Out a = handle(invite());
    Out b = handle(invite());
    ASSERT_EQ(a.result.action, Action::forward);
    EXPECT_EQ(a.bytes, b.bytes);
    // Another transaction (new top branch) gets another branch.
    Out c = handle(invite("a84b4c76e66710@pc33.atlanta.example.com", "z9hG4bKother"));
    EXPECT_NE(a.vias().at(0).branch, c.vias().at(0).branch);
}

TEST_F(ProxyTest, CancelAndNon2xxAckShareTheInviteBranchAndDestination) {
    Out inv = handle(invite());
    Out can = handle(cancel());
    Out ack = handle(ack_non2xx("remote-486"));
    ASSERT_EQ(inv.result.action, Action::forward);
    ASSERT_EQ(can.result.action, Action::forward);
    ASSERT_EQ(ack.result.action, Action::forward);
    const std::string branch(inv.vias().at(0).branch);
    EXPECT_EQ(can.vias().at(0).branch, branch);
    EXPECT_EQ(ack.vias().at(0).branch, branch);
    EXPECT_EQ(can.result.dst_ip, inv.result.dst_ip);
    EXPECT_EQ(ack.result.dst_ip, inv.result.dst_ip);
    EXPECT_EQ(can.result.dst_port, inv.result.dst_port);
    // No Record-Route on CANCEL / ACK.
    EXPECT_FALSE(can.parsed().has(HeaderId::record_route));
    EXPECT_FALSE(ack.parsed().has(HeaderId::record_route));
}

TEST_F(ProxyTest, Rfc2543BranchIsStableAndSharedWithCancel) {
    const std::string inv = replace_all(invite(), ";branch=z9hG4bK776asdhds", ";branch=1a2b3c");
    const std::string can = replace_all(cancel(), ";branch=z9hG4bK776asdhds", ";branch=1a2b3c");
    Out a = handle(inv);
    Out b = handle(inv);
    Out c = handle(can);
    ASSERT_EQ(a.result.action, Action::forward);
    EXPECT_TRUE(is_our_branch(a.vias().at(0).branch));
    EXPECT_EQ(a.bytes, b.bytes);
    EXPECT_EQ(c.vias().at(0).branch, a.vias().at(0).branch);
    // Without a branch at all, too.
    Out d = handle(replace_all(invite(), ";branch=z9hG4bK776asdhds", ""));
    Out e = handle(replace_all(cancel(), ";branch=z9hG4bK776asdhds", ""));
    ASSERT_EQ(d.result.action, Action::forward);
    EXPECT_EQ(d.vias().at(0).branch, e.vias().at(0).branch);
    EXPECT_NE(d.vias().at(0).branch, a.vias().at(0).branch);
}

TEST_F(ProxyTest, MaxForwardsIsAddedWhenAbsent) {
    Out o = handle(replace_all(invite(), "Max-Forwards: 70\r\n", ""));
    ASSERT_EQ(o.result.action, Action::forward);
    const std::string& b = o.bytes;
    const size_t rr = b.find("Record-Route: <sip:10.0.0.1:5060;lr>\r\nMax-Forwards: 70\r\nVia: SIP/2.0/UDP pc33");
    EXPECT_NE(rr, std::string::npos) << b;
    EXPECT_EQ(o.parsed().max_forwards(), 70u);
    EXPECT_EQ(o.parsed().count(HeaderId::max_forwards), 1u);
}

TEST_F(ProxyTest, TrailingBytesAfterTheBodyAreNotForwarded) {
    Out o = handle(invite() + "garbage-after-body");
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.bytes.find("garbage"), std::string::npos);
    EXPECT_EQ(o.parsed().trailing_bytes(), 0u);
    EXPECT_EQ(o.parsed().body(), crlf(kSdp));
}

TEST_F(ProxyTest, LeadingCrlfsAreNotForwarded) {
    Out o = handle("\r\n\r\n" + invite());
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.bytes.rfind("INVITE ", 0), 0u);
}

// --- Record-Route -----------------------------------------------------------------

TEST_F(ProxyTest, RecordRouteOnlyOnInitialDialogCreatingRequests) {
    const std::string reinvite =
        replace_all(invite(), "To: Bob <sip:bob@biloxi.example.com>", "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356");
    EXPECT_FALSE(handle(reinvite).parsed().has(HeaderId::record_route));

    const std::string subscribe = message(
        "SUBSCRIBE sip:bob@biloxi.example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKsub1\n"
        "Max-Forwards: 70\n"
        "To: <sip:bob@biloxi.example.com>\n"
        "From: <sip:alice@atlanta.example.com>;tag=xfg9\n"
        "Call-ID: sub-1@192.0.2.10\n"
        "CSeq: 17766 SUBSCRIBE\n"
        "Event: presence\n"
        "Contact: <sip:alice@192.0.2.10:5062>\n");
    EXPECT_EQ(handle(subscribe).header(HeaderId::record_route), "<sip:10.0.0.1:5060;lr>");

    const std::string reg = message(
        "REGISTER sip:biloxi.example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKreg1\n"
        "Max-Forwards: 70\n"
        "To: <sip:bob@biloxi.example.com>\n"
        "From: <sip:bob@biloxi.example.com>;tag=456248\n"
        "Call-ID: reg-1@192.0.2.10\n"
        "CSeq: 1826 REGISTER\n"
        "Contact: <sip:bob@192.0.2.10:5062>\n");
    Out r = handle(reg);
    ASSERT_EQ(r.result.action, Action::forward);
    EXPECT_FALSE(r.parsed().has(HeaderId::record_route));

    config().sip.record_route = 0;
    EXPECT_FALSE(handle(invite()).parsed().has(HeaderId::record_route));
}

TEST_F(ProxyTest, OurRecordRouteGoesAboveExistingOnes) {
    const std::string in = replace_all(invite(), "Contact:", "Record-Route: <sip:192.0.2.1;lr>\r\nContact:");
    Out o = handle(in);
    ASSERT_EQ(o.result.action, Action::forward);
    sip::HeaderValues rr(o.parsed(), HeaderId::record_route);
    std::string_view v;
    ASSERT_TRUE(rr.next(v));
    EXPECT_EQ(v, "<sip:10.0.0.1:5060;lr>");
    ASSERT_TRUE(rr.next(v));
    EXPECT_EQ(v, "<sip:192.0.2.1;lr>");
    EXPECT_FALSE(rr.next(v));
}

// --- Route (loose routing) --------------------------------------------------------------

std::string bye(std::string_view ruri, std::string_view route_lines) {
    return message("BYE " + std::string(ruri) +
                   " SIP/2.0\n"
                   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKbye1;rport\n"
                   "Max-Forwards: 70\n" +
                   std::string(route_lines) +
                   "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\n"
                   "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                   "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                   "CSeq: 314160 BYE\n");
}

TEST_F(ProxyTest, RouteToUsIsRemovedAndRequestUriFollowed) {
    Out o = handle(bye("sip:bob@192.0.2.30:5070", "Route: <sip:10.0.0.1:5060;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.30"));
    EXPECT_EQ(o.result.dst_port, port(5070));
    EXPECT_EQ(o.bytes.find("Route"), std::string::npos) << o.bytes;
    EXPECT_EQ(o.parsed().max_forwards(), 69u);
    EXPECT_EQ(counters().requests_dispatched.get(), 0u);
    EXPECT_EQ(counters().requests_forwarded.get(), 1u);
}

TEST_F(ProxyTest, RouteWithoutPortMatchesUs) {
    Out o = handle(bye("sip:bob@192.0.2.30", "Route: <sip:10.0.0.1;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.30"));
    EXPECT_EQ(o.result.dst_port, port(5060));
}

TEST_F(ProxyTest, OnlyTheFirstValueOfAMultiValueRouteLineIsRemoved) {
    Out o = handle(bye("sip:bob@192.0.2.30", "Route: <sip:10.0.0.1;lr>, <sip:10.1.0.9:5090;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("10.1.0.9"));
    EXPECT_EQ(o.result.dst_port, port(5090));
    EXPECT_NE(o.bytes.find("\r\nRoute: <sip:10.1.0.9:5090;lr>\r\n"), std::string::npos) << o.bytes;
    EXPECT_EQ(o.parsed().count(HeaderId::route), 1u);
}

TEST_F(ProxyTest, NextRouteOnTheNextLine) {
    Out o = handle(bye("sip:bob@192.0.2.30", "Route: <sip:10.0.0.1:5060;lr>\nRoute: <sip:10.1.0.9;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("10.1.0.9"));
    EXPECT_EQ(o.result.dst_port, port(5060));
    EXPECT_EQ(o.header(HeaderId::route), "<sip:10.1.0.9;lr>");
    EXPECT_EQ(o.parsed().count(HeaderId::route), 1u);
}

TEST_F(ProxyTest, NextRouteThatIsNotAnAddressIsUnroutable) {
    Out o = handle(bye("sip:bob@192.0.2.30", "Route: <sip:10.0.0.1;lr>, <sip:proxy.example.com;lr>\n"));
    EXPECT_EQ(o.result.action, Action::drop);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_unroutable);
}

TEST_F(ProxyTest, RouteToUsWithHostNameRequestUriGoesToTheDispatcher) {
    Out o = handle(bye("sip:bob@biloxi.example.com", "Route: <sip:10.0.0.1;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, expected_destination("a84b4c76e66710@pc33.atlanta.example.com"));
    EXPECT_EQ(o.bytes.find("Route"), std::string::npos);
    EXPECT_EQ(counters().requests_dispatched.get(), 1u);
}

// RFC 3261 16.6 step 6: another proxy's route on top is where the request goes; it
// stays in the message for that proxy to remove.
TEST_F(ProxyTest, RouteNotToUsIsFollowedAndKept) {
    Out o = handle(bye("sip:bob@192.0.2.30", "Route: <sip:10.5.5.5;lr>\n"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("10.5.5.5"));
    EXPECT_EQ(o.result.dst_port, port(5060));
    EXPECT_EQ(o.header(HeaderId::route), "<sip:10.5.5.5;lr>");
}

// --- received / rport ---------------------------------------------------------------

std::string register_with_via(std::string_view via_value) {
    return message(
        "REGISTER sip:biloxi.example.com SIP/2.0\n"
        "Via: " +
        std::string(via_value) +
        "\n"
        "Max-Forwards: 70\n"
        "To: <sip:bob@biloxi.example.com>\n"
        "From: <sip:bob@biloxi.example.com>;tag=456248\n"
        "Call-ID: reg-1@192.0.2.10\n"
        "CSeq: 1826 REGISTER\n");
}

std::string second_via_line(Out& o) {
    const auto& m = o.parsed();
    const auto& h = m.headers()[m.headers()[m.first_index(HeaderId::via)].next_same];
    return std::string(m.value(h));
}

TEST_F(ProxyTest, ReceivedAndRportOnTheTopVia) {
    struct Case {
        const char* in;
        const char* out;
    } cases[] = {
        // Same address, no rport: untouched.
        {"SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa", "SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa"},
        // rport asks for received even when the address matches (RFC 3581 4).
        {"SIP/2.0/UDP 192.0.2.10:5062;rport;branch=z9hG4bKa",
         "SIP/2.0/UDP 192.0.2.10:5062;rport=5062;branch=z9hG4bKa;received=192.0.2.10"},
        // Another address behind NAT, no params at all.
        {"SIP/2.0/UDP 10.10.10.10:5060", "SIP/2.0/UDP 10.10.10.10:5060;received=192.0.2.10"},
        {"SIP/2.0/UDP 10.10.10.10", "SIP/2.0/UDP 10.10.10.10;received=192.0.2.10"},
        // A received that is wrong is replaced, never duplicated; a right one kept.
        {"SIP/2.0/UDP host.example.com;received=1.1.1.1;branch=z9hG4bKa",
         "SIP/2.0/UDP host.example.com;received=192.0.2.10;branch=z9hG4bKa"},
        {"SIP/2.0/UDP host.example.com;received=192.0.2.10;branch=z9hG4bKa",
         "SIP/2.0/UDP host.example.com;received=192.0.2.10;branch=z9hG4bKa"},
        // An rport with a value is left as it is.
        {"SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa;rport=1234",
         "SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKa;rport=1234;received=192.0.2.10"},
        // Only the first value of a multi-value line.
        {"SIP/2.0/UDP 10.10.10.10;rport, SIP/2.0/UDP 10.20.20.20;rport",
         "SIP/2.0/UDP 10.10.10.10;rport=5062;received=192.0.2.10, SIP/2.0/UDP 10.20.20.20;rport"},
        // Case of the rport name kept.
        {"SIP/2.0/UDP 192.0.2.10:5062;RPort", "SIP/2.0/UDP 192.0.2.10:5062;RPort=5062;received=192.0.2.10"},
    };
    for (const Case& c : cases) {
        Out o = handle(register_with_via(c.in));
        ASSERT_EQ(o.result.action, Action::forward) << c.in;
        EXPECT_EQ(second_via_line(o), c.out) << c.in;
        EXPECT_EQ(o.parse, ParseError::ok);
    }
}

TEST_F(ProxyTest, CompactViaIsEditedToo) {
    const std::string in = replace_all(invite(), "Via: SIP/2.0/UDP pc33", "v: SIP/2.0/UDP pc33");
    Out o = handle(in);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_NE(o.bytes.find("\r\nv: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062;"
                           "received=192.0.2.10\r\n"),
              std::string::npos)
        << o.bytes;
    EXPECT_EQ(o.vias().size(), 2u);
}

// --- Max-Forwards and loops -----------------------------------------------------------

TEST_F(ProxyTest, MaxForwardsZeroGets483) {
    const std::string in = replace_all(invite(), "Max-Forwards: 70", "Max-Forwards: 0");
    Out o = handle(in);
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.result.dst_ip, ip(kClient));
    EXPECT_EQ(o.result.dst_port, port(kClientPort));
    LocalTag tag;
    make_local_tag("a84b4c76e66710@pc33.atlanta.example.com", 314159, tag);
    EXPECT_EQ(o.bytes, crlf("SIP/2.0 483 Too Many Hops\n"
                            "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062;"
                            "received=192.0.2.10\n"
                            "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                            "To: Bob <sip:bob@biloxi.example.com>;tag=" +
                            std::string(tag.view()) +
                            "\n"
                            "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                            "CSeq: 314159 INVITE\n"
                            "Server: sipwire\n"
                            "Content-Length: 0\n"
                            "\n"));
    EXPECT_EQ(o.parse, ParseError::empty);  // not parsed yet
    EXPECT_EQ(o.parsed().status_code(), 483);
    EXPECT_EQ(local(SipLocalResponse::too_many_hops), 1u);
    EXPECT_EQ(counters().requests_forwarded.get(), 0u);
}

TEST_F(ProxyTest, AckWithMaxForwardsZeroIsDropped) {
    Out o = handle(replace_all(ack_non2xx("x1"), "Max-Forwards: 70", "Max-Forwards: 0"));
    EXPECT_EQ(o.result.action, Action::drop);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_invalid);
    EXPECT_EQ(local(SipLocalResponse::too_many_hops), 0u);
}

TEST_F(ProxyTest, RequestComingBackUnchangedIsALoop) {
    Out first = handle(invite());
    ASSERT_EQ(first.result.action, Action::forward);
    // The destination, a proxy, pushes its Via and sends the request back to us.
    std::string back = push_line(first.bytes, "Via: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKdest1");
    back = replace_all(back, "Max-Forwards: 69", "Max-Forwards: 68");
    Out o = handle(back, "10.1.0.1", 5060);
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.bytes.rfind("SIP/2.0 482 Loop Detected\r\n", 0), 0u) << o.bytes;
    EXPECT_EQ(o.result.dst_ip, ip("10.1.0.1"));
    EXPECT_EQ(local(SipLocalResponse::loop_detected), 1u);
    // Its three Via lines come back in order.
    const auto vias = o.vias();
    ASSERT_EQ(vias.size(), 3u);
    EXPECT_EQ(vias[0].host, "10.1.0.1");
    EXPECT_EQ(vias[1].host, "10.0.0.1");
    EXPECT_EQ(vias[2].host, "pc33.atlanta.example.com");
}

TEST_F(ProxyTest, RequestComingBackWithAnotherRequestUriIsASpiral) {
    Out first = handle(invite());
    ASSERT_EQ(first.result.action, Action::forward);
    std::string back = push_line(first.bytes, "Via: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKdest1");
    back = replace_all(back, "INVITE sip:bob@biloxi.example.com", "INVITE sip:bob@192.0.2.77");
    Out o = handle(back, "10.1.0.1", 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    const auto vias = o.vias();
    ASSERT_EQ(vias.size(), 4u);
    EXPECT_EQ(vias[0].host, "10.0.0.1");
    EXPECT_EQ(vias[2].host, "10.0.0.1");
    EXPECT_NE(vias[0].branch, vias[2].branch);
}

// --- dispatcher -------------------------------------------------------------------------

TEST_F(ProxyTest, DestinationIsStablePerCallIdAndSpread) {
    std::mt19937_64 rng(12345);
    unsigned to_a = 0, to_b = 0;
    constexpr unsigned kCalls = 10000;
    for (unsigned i = 0; i < kCalls; ++i) {
        char call_id[40];
        std::snprintf(call_id, sizeof call_id, "%016llx@192.0.2.%u", static_cast<unsigned long long>(rng()),
                      static_cast<unsigned>(rng() % 250));
        const Result r = handle(invite(call_id)).result;
        ASSERT_EQ(r.action, Action::forward);
        if (r.dst_ip == ip("10.1.0.1")) {
            EXPECT_EQ(r.dst_port, port(5060));
            ++to_a;
        } else {
            ASSERT_EQ(r.dst_ip, ip("10.1.0.2"));
            EXPECT_EQ(r.dst_port, port(5080));
            ++to_b;
        }
        if (i % 1000 == 0) {
            // The same Call-ID again, and its CANCEL: the same destination.
            EXPECT_EQ(handle(invite(call_id, "z9hG4bKretry")).result.dst_ip, r.dst_ip);
            EXPECT_EQ(handle(replace_all(cancel(), "a84b4c76e66710@pc33.atlanta.example.com", call_id)).result.dst_ip,
                      r.dst_ip);
        }
    }
    EXPECT_GE(to_a, kCalls * 45 / 100);
    EXPECT_LE(to_a, kCalls * 55 / 100);
    EXPECT_EQ(to_a + to_b, kCalls);
    EXPECT_GE(counters().destination_requests[7].get(), to_a);
    EXPECT_GE(counters().destination_requests[9].get(), to_b);
    EXPECT_EQ(counters().destination_requests[7].get() + counters().destination_requests[9].get(),
              counters().requests_dispatched.get());
}

TEST_F(ProxyTest, AnotherSetIsUsedWhenConfigured) {
    config().sip.dispatch_set = 1;
    Out o = handle(invite());
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("10.1.0.3"));
    EXPECT_EQ(counters().destination_requests[11].get(), 1u);
}

TEST_F(ProxyTest, NoHealthyDestinationGets503AndItsAckIsConsumed) {
    for (auto& slot : config().destination_sets[0].table) slot = kNoDestination;
    config().destination_sets[0].healthy_count = 0;
    Out o = handle(invite());
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.result.dst_ip, ip(kClient));
    EXPECT_EQ(o.result.dst_port, port(kClientPort));
    EXPECT_EQ(o.bytes.rfind("SIP/2.0 503 Service Unavailable\r\n", 0), 0u) << o.bytes;
    EXPECT_EQ(local(SipLocalResponse::no_destination), 1u);
    ASSERT_EQ(o.parse, ParseError::empty);
    const std::string tag(o.parsed().to_tag());
    ASSERT_EQ(o.parse, ParseError::ok);
    EXPECT_EQ(tag.rfind("sw", 0), 0u);
    EXPECT_EQ(tag.size(), kLocalTagLength);
    EXPECT_EQ(o.parsed().header(HeaderId::server), "sipwire");
    EXPECT_EQ(o.parsed().content_length(), 0u);

    // Retransmission: the same response, the same tag.
    EXPECT_EQ(handle(invite()).bytes, o.bytes);

    // The ACK to our 503 stops here; an ACK to someone else's response does not.
    EXPECT_EQ(handle(ack_non2xx(tag)).result.action, Action::consumed);
    Out other = handle(ack_non2xx("sw0123456789abcdef"));
    EXPECT_EQ(other.result.action, Action::drop);
    EXPECT_EQ(other.result.drop_reason, DropReason::sip_unroutable);
    EXPECT_EQ(local(SipLocalResponse::no_destination), 2u);
}

TEST_F(ProxyTest, TableIndexOutsideTheSetGets503) {
    for (auto& slot : config().destination_sets[0].table) slot = 5;
    Out o = handle(invite());
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.parsed().status_code(), 503);
}

TEST_F(ProxyTest, WithoutADispatchSetTheRequestUriAddressIsUsed) {
    config().sip.dispatch_set = kNoDestination;
    Out o = handle(replace_all(invite(), "INVITE sip:bob@biloxi.example.com", "INVITE sip:bob@192.0.2.40:5070"));
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.40"));
    EXPECT_EQ(o.result.dst_port, port(5070));
    EXPECT_EQ(counters().requests_dispatched.get(), 0u);

    // A host name, or ourselves: nowhere to go.
    EXPECT_EQ(handle(invite()).parsed().status_code(), 503);
    EXPECT_EQ(handle(replace_all(invite(), "INVITE sip:bob@biloxi.example.com", "INVITE sip:bob@10.0.0.1"))
                  .parsed()
                  .status_code(),
              503);
}

// --- OPTIONS to us --------------------------------------------------------------------

std::string options(std::string_view ruri, std::string_view to = "<sip:10.0.0.1>") {
    return message("OPTIONS " + std::string(ruri) +
                   " SIP/2.0\n"
                   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKopt1\n"
                   "Max-Forwards: 70\n"
                   "To: " +
                   std::string(to) +
                   "\n"
                   "From: <sip:monitor@192.0.2.10>;tag=a1\n"
                   "Call-ID: opt-1@192.0.2.10\n"
                   "CSeq: 1 OPTIONS\n"
                   "Accept: application/sdp\n");
}

TEST_F(ProxyTest, OptionsToUsIsAnswered200) {
    Out o = handle(options("sip:10.0.0.1"));
    ASSERT_EQ(o.result.action, Action::reply);
    LocalTag tag;
    make_local_tag("opt-1@192.0.2.10", 1, tag);
    EXPECT_EQ(o.bytes, crlf("SIP/2.0 200 OK\n"
                            "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKopt1\n"
                            "From: <sip:monitor@192.0.2.10>;tag=a1\n"
                            "To: <sip:10.0.0.1>;tag=" +
                            std::string(tag.view()) +
                            "\n"
                            "Call-ID: opt-1@192.0.2.10\n"
                            "CSeq: 1 OPTIONS\n"
                            "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, PRACK, UPDATE, INFO, SUBSCRIBE, "
                            "NOTIFY, REFER, MESSAGE, PUBLISH\n"
                            "Accept: application/sdp\n"
                            "Server: sipwire\n"
                            "Content-Length: 0\n"
                            "\n"));
    EXPECT_EQ(local(SipLocalResponse::options_ok), 1u);
    EXPECT_EQ(handle(options("sip:10.0.0.1:5060;transport=udp")).result.action, Action::reply);
    EXPECT_EQ(local(SipLocalResponse::options_ok), 2u);
}

TEST_F(ProxyTest, OptionsNotForUsIsForwarded) {
    EXPECT_EQ(handle(options("sip:alice@10.0.0.1")).result.action, Action::forward);
    EXPECT_EQ(handle(options("sip:10.0.0.1:5070")).result.action, Action::forward);
    EXPECT_EQ(handle(options("sip:10.0.0.1", "<sip:10.0.0.1>;tag=dlg")).result.action, Action::forward);
    EXPECT_EQ(handle(options("sip:bob@biloxi.example.com")).result.action, Action::forward);
    EXPECT_EQ(local(SipLocalResponse::options_ok), 0u);
}

// --- 400 ---------------------------------------------------------------------------------

TEST_F(ProxyTest, MalformedMaxForwardsGets400WithWarning) {
    Out o = handle(replace_all(invite(), "Max-Forwards: 70", "Max-Forwards: seventy"));
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.result.dst_ip, ip(kClient));
    EXPECT_EQ(o.bytes.rfind("SIP/2.0 400 Bad Request\r\n", 0), 0u) << o.bytes;
    EXPECT_EQ(o.parsed().header("Warning"), "399 sipwire \"Malformed Max-Forwards header\"");
    EXPECT_EQ(o.parse, ParseError::ok);
    EXPECT_EQ(local(SipLocalResponse::bad_request), 1u);
    EXPECT_EQ(parse_errors(ParseError::bad_max_forwards), 1u);
    EXPECT_EQ(counters().requests_received.get(), 0u);
    // The top Via has received / rport like any response of ours.
    EXPECT_EQ(o.vias().at(0).received, "192.0.2.10");
}

TEST_F(ProxyTest, MalformedCseqGets400) {
    Out o = handle(replace_all(invite(), "CSeq: 314159 INVITE", "CSeq: 314159 BYE"));
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_NE(o.bytes.find("\r\nWarning: 399 sipwire \"Malformed CSeq header\"\r\n"), std::string::npos);
    EXPECT_NE(o.bytes.find("\r\nCSeq: 314159 BYE\r\n"), std::string::npos);
    EXPECT_EQ(parse_errors(ParseError::bad_cseq), 1u);
}

TEST_F(ProxyTest, UnanswerableErrorsAreDropped) {
    // No Call-ID: nothing to answer with.
    Out a = handle(replace_all(invite(), "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n", ""));
    EXPECT_EQ(a.result.action, Action::drop);
    EXPECT_EQ(a.result.drop_reason, DropReason::sip_invalid);
    EXPECT_EQ(parse_errors(ParseError::missing_call_id), 1u);
    // A malformed top Via.
    Out b = handle(replace_all(invite(), "Via: SIP/2.0/UDP pc33", "Via: SIP/2.0/UDP ;;pc33"));
    EXPECT_EQ(b.result.drop_reason, DropReason::sip_invalid);
    EXPECT_EQ(parse_errors(ParseError::bad_via), 1u);
    // An ACK is never answered.
    Out c = handle(replace_all(ack_non2xx("x"), "CSeq: 314159 ACK", "CSeq: 314159 BYE"));
    EXPECT_EQ(c.result.drop_reason, DropReason::sip_invalid);
    // A response with an error.
    Out d = handle(crlf("SIP/2.0 200 OK\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx\n\n"));
    EXPECT_EQ(d.result.drop_reason, DropReason::sip_invalid);
    EXPECT_EQ(local(SipLocalResponse::bad_request), 0u);
}

// --- responses ---------------------------------------------------------------------------

std::string response(std::string_view status, std::string_view via_lines, std::string_view body = {}) {
    return message("SIP/2.0 " + std::string(status) + "\n" + std::string(via_lines) +
                       "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                       "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                       "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
                       "CSeq: 314159 INVITE\n"
                       "Contact: <sip:bob@10.1.0.1>\n",
                   body);
}

constexpr std::string_view kTwoVias =
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0123456789abcdef0123456789abcdef\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062;received=192.0.2.10\n";

TEST_F(ProxyTest, ResponsesGoToTheNextViaReceivedAndRport) {
    for (const char* status : {"100 Trying", "180 Ringing", "486 Busy Here", "200 OK"}) {
        const std::string body = std::string_view(status) == "200 OK" ? std::string(kSdp) : std::string();
        const std::string in = response(status, kTwoVias, body);
        Out o = handle(in, "10.1.0.1", 5060);
        ASSERT_EQ(o.result.action, Action::forward) << status;
        EXPECT_EQ(o.result.dst_ip, ip("192.0.2.10"));
        EXPECT_EQ(o.result.dst_port, port(5062));
        std::string expected = in;
        expected.erase(expected.find("Via: SIP/2.0/UDP 10.0.0.1"), kTwoVias.find('\n') + 2);
        EXPECT_EQ(o.bytes, expected);
        EXPECT_EQ(o.parsed().body(), crlf(body));
    }
    EXPECT_EQ(counters().responses_received.get(), 4u);
    EXPECT_EQ(counters().responses_forwarded.get(), 4u);
}

TEST_F(ProxyTest, ResponseToTheSentByWithoutReceived) {
    Out o = handle(response("200 OK",
                            "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx, SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKy\n"),
                   "10.1.0.1", 5060);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("192.0.2.20"));
    EXPECT_EQ(o.result.dst_port, port(5060));
    EXPECT_NE(o.bytes.find("\r\nVia: SIP/2.0/UDP 192.0.2.20;branch=z9hG4bKy\r\n"), std::string::npos) << o.bytes;
    EXPECT_EQ(o.vias().size(), 1u);
    // Sent-by port used when there is no rport.
    Out p = handle(response("200 OK",
                            "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKx\n"
                            "Via: SIP/2.0/UDP 192.0.2.20:5099;branch=z9hG4bKy;rport\n"),
                   "10.1.0.1", 5060);
    EXPECT_EQ(p.result.dst_port, port(5099));
}

TEST_F(ProxyTest, ResponseNotOursIsDropped) {
    for (const char* via : {"Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bKx\nVia: SIP/2.0/UDP 192.0.2.20;branch=y\n",
                            "Via: SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bKx\nVia: SIP/2.0/UDP 192.0.2.20;branch=y\n",
                            "Via: SIP/2.0/UDP sipwire.example.com;branch=z9hG4bKx\n"}) {
        Out o = handle(response("200 OK", via), "10.1.0.1", 5060);
        EXPECT_EQ(o.result.action, Action::drop);
        EXPECT_EQ(o.result.drop_reason, DropReason::sip_response_not_ours) << via;
    }
}

TEST_F(ProxyTest, ResponseWithOnlyOurViaIsPunted) {
    Out o = handle(response("200 OK", "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKprobe1\n"), "10.1.0.1", 5060);
    EXPECT_EQ(o.result.action, Action::punt);
    EXPECT_EQ(counters().responses_punted.get(), 1u);
    EXPECT_EQ(counters().responses_forwarded.get(), 0u);
}

TEST_F(ProxyTest, ResponseToAHostNameIsUnroutable) {
    Out o = handle(response("200 OK", "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\nVia: SIP/2.0/UDP pc.example.com\n"),
                   "10.1.0.1", 5060);
    EXPECT_EQ(o.result.drop_reason, DropReason::sip_unroutable);
}

// --- sizes and robustness ---------------------------------------------------------------

TEST_F(ProxyTest, TooSmallOutputIsDroppedTooLarge) {
    const Out full = handle(invite());
    ASSERT_EQ(full.result.action, Action::forward);
    const auto n = static_cast<uint16_t>(full.bytes.size());
    EXPECT_EQ(handle(invite(), kClient, kClientPort, n).result.action, Action::forward);
    Out small = handle(invite(), kClient, kClientPort, n - 1);
    EXPECT_EQ(small.result.action, Action::drop);
    EXPECT_EQ(small.result.drop_reason, DropReason::sip_too_large);
    EXPECT_EQ(handle(invite(), kClient, kClientPort, 0).result.drop_reason, DropReason::sip_too_large);
    // Our own responses too.
    Out reply = handle(options("sip:10.0.0.1"), kClient, kClientPort, 100);
    EXPECT_EQ(reply.result.drop_reason, DropReason::sip_too_large);
    // Responses.
    Out resp = handle(response("200 OK", kTwoVias), "10.1.0.1", 5060, 50);
    EXPECT_EQ(resp.result.drop_reason, DropReason::sip_too_large);
}

TEST_F(ProxyTest, EveryTruncationIsHandled) {
    for (const std::string& full : {invite(), response("200 OK", kTwoVias, kSdp), cancel(), options("sip:10.0.0.1")}) {
        for (size_t n = 0; n <= full.size(); ++n) {
            for (const uint16_t cap : {uint16_t{kDatagramMax}, uint16_t{300}}) {
                Out o = handle(std::string_view(full).substr(0, n), "10.1.0.1", 5060, cap);
                if (o.result.action == Action::forward || o.result.action == Action::reply) {
                    EXPECT_LE(o.bytes.size(), cap);
                    o.parsed();
                    // Whatever we send parses (local 400s excepted: they copy the bad line).
                    if (o.bytes.rfind("SIP/2.0 400", 0) != 0) {
                        EXPECT_EQ(o.parse, ParseError::ok) << n;
                    }
                }
            }
        }
    }
}

TEST_F(ProxyTest, TooManyHeaderLinesStillForward) {
    std::string head = invite_head();
    for (int i = 0; i < 40; ++i) head += "X-Filler-" + std::to_string(i) + ": value\n";
    const std::string in = message(head, kSdp);
    sip::SipMessage m;
    ASSERT_EQ(sip::parse_message(in.data(), static_cast<uint32_t>(in.size()), m), ParseError::ok);
    Out o = handle(in);
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.parsed().header_count(), m.header_count() + 2u);  // + our Via, Record-Route
}

}  // namespace
}  // namespace sipwire::proxy::test
