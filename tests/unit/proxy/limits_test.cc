// The proxy with the limit stage: 503 with Retry-After at capacity, capacity failover
// with its marker and loop guard, retransmissions not counted, channels released by
// the final responses that pass through (to the INVITE, to the BYE), never by a
// CANCEL or BYE request alone.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "limit/limiter.h"
#include "proxy/branch.h"
#include "proxy_harness.h"

namespace sipwire::proxy::test {
namespace {

constexpr std::string_view kCallA = "a84b4c76e66710@pc33.atlanta.example.com";
constexpr std::string_view kCallB = "second-call-7f3e@pc33.atlanta.example.com";
constexpr uint64_t kSecond = 1'000'000'000ULL;

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
    for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) s.replace(at, from.size(), to);
    return s;
}

// Which destination of set 0 a Call-ID goes to (the table alternates 0, 1).
uint32_t expected_destination(std::string_view call_id) {
    return (call_id_hash(call_id) % kDispatchTableSize) % 2 == 0 ? ip("10.1.0.1") : ip("10.1.0.2");
}

std::string with_call_id(std::string wire, std::string_view call_id) {
    return replace_all(std::move(wire), kCallA, call_id);
}

// A response from downstream to a request of `call_id` we forwarded (our Via on top).
std::string response_to(std::string_view status, std::string_view call_id, std::string_view cseq = "314159 INVITE") {
    return message("SIP/2.0 " + std::string(status) +
                   "\n"
                   "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0123456789abcdef0123456789abcdef\n"
                   "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport=5062;received=192.0.2.10\n"
                   "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                   "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                   "Call-ID: " +
                   std::string(call_id) +
                   "\n"
                   "CSeq: " +
                   std::string(cseq) + "\n");
}

// BYE of `call_id` in its dialog, no Route: where the dispatcher sends it.
std::string bye_of(std::string_view call_id) {
    return message("BYE sip:bob@biloxi.example.com SIP/2.0\n"
                   "Via: SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKbye1;rport\n"
                   "Max-Forwards: 70\n"
                   "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                   "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                   "Call-ID: " +
                   std::string(call_id) +
                   "\n"
                   "CSeq: 314160 BYE\n");
}

class ProxyLimitsTest : public ProxyTest {
protected:
    ProxyLimitsTest()
        : state_(std::make_unique<CallLimitsState>()),
          limit_counters_(std::make_unique<CallLimitCounters>()),
          limiter_(std::make_unique<limit::Limiter>()) {
        limiter_->attach(*state_, *limit_counters_, 0, 1);
        config().limits.retry_after_s = 30;
        use_limiter(limiter_.get());
    }

    // A new snapshot of config().limits, at time `t`.
    void apply(uint64_t t = kSecond) {
        ++config().generation;
        limiter_->begin(config().limits, config().generation, t);
    }

    int32_t channels(unsigned scope) const { return state_->scopes[scope].channels.load(); }
    const CallLimitCounters& limits() const { return *limit_counters_; }

    std::unique_ptr<CallLimitsState> state_;
    std::unique_ptr<CallLimitCounters> limit_counters_;
    std::unique_ptr<limit::Limiter> limiter_;
};

TEST_F(ProxyLimitsTest, AtChannelCapacityTheNewCallGets503WithRetryAfter) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    apply();
    ASSERT_EQ(handle(invite()).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);

    Out o = handle(with_call_id(invite(), kCallB));
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.result.dst_ip, ip(kClient));
    EXPECT_EQ(o.result.dst_port, port(kClientPort));
    EXPECT_EQ(o.bytes.substr(0, o.bytes.find("\r\n")), "SIP/2.0 503 Service Unavailable");
    EXPECT_NE(o.bytes.find("\r\nRetry-After: 30\r\n"), std::string::npos) << o.bytes;
    EXPECT_EQ(o.header(sip::HeaderId::call_id), kCallB);
    EXPECT_EQ(local(SipLocalResponse::at_capacity), 1u);
    EXPECT_EQ(limits().rejected_channels[kServerScope].get(), 1u);
    EXPECT_EQ(channels(kServerScope), 1);

    // The ACK to our 503 is ours: consumed.
    const std::string to_tag(o.parsed().to_tag());
    Out ack = handle(with_call_id(ack_non2xx(to_tag), kCallB));
    EXPECT_EQ(ack.result.action, Action::consumed);
}

TEST_F(ProxyLimitsTest, ChannelsFollowTheResponsesAndRequestsThatPassThrough) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    config().limits.scopes[kFirstSetScope] = {0, 0, 5, 1};
    apply();
    ASSERT_EQ(handle(invite()).result.action, Action::forward);
    EXPECT_EQ(channels(kFirstSetScope), 1);  // dispatched to set 0
    ASSERT_EQ(handle(response_to("180 Ringing", kCallA), "10.1.0.1", 5060).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("200 OK", kCallA), "10.1.0.1", 5060).result.action, Action::forward);
    // A failed re-INVITE of the established call releases nothing.
    ASSERT_EQ(handle(response_to("491 Request Pending", kCallA, "314161 INVITE"), "10.1.0.1", 5060).result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    EXPECT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::reply);  // full

    // The BYE itself releases nothing (it may be refused downstream); its 200 does.
    Out b = handle(bye_of(kCallA));
    ASSERT_EQ(b.result.action, Action::forward);
    EXPECT_EQ(b.result.dst_ip, expected_destination(kCallA));
    EXPECT_EQ(channels(kServerScope), 1);
    ASSERT_EQ(handle(response_to("500 Server Internal Error", kCallA, "314160 BYE"), "10.1.0.1", 5060).result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    Out ok = handle(response_to("200 OK", kCallA, "314160 BYE"), "10.1.0.1", 5060);
    ASSERT_EQ(ok.result.action, Action::forward);
    EXPECT_EQ(ok.result.dst_ip, ip("192.0.2.10"));  // on to the UAC
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(channels(kFirstSetScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::bye)].get(), 1u);

    // A call refused downstream gives its channel back with the final response.
    ASSERT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    ASSERT_EQ(handle(response_to("486 Busy Here", kCallB), "10.1.0.1", 5060).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::final_error)].get(), 1u);

    // A cancelled one with the 487 to its INVITE (not with the CANCEL itself).
    ASSERT_EQ(handle(invite()).result.action, Action::forward);
    ASSERT_EQ(handle(cancel()).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    ASSERT_EQ(handle(response_to("200 OK", kCallA, "314159 CANCEL"), "10.1.0.1", 5060).result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    ASSERT_EQ(handle(response_to("487 Request Terminated", kCallA), "10.1.0.1", 5060).result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::cancel)].get(), 1u);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::final_error)].get(), 1u);
}

TEST_F(ProxyLimitsTest, AMadeUpByeAnswered481KeepsTheChannelTheRealByeReleasesIt) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    apply();
    ASSERT_EQ(handle(invite()).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("200 OK", kCallA), "10.1.0.1", 5060).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);

    // The caller sends a BYE of its own live call with a wrong To tag: the switch has
    // no such dialog and answers 481, the call goes on. The channel stays taken.
    const std::string bogus_bye = replace_all(bye_of(kCallA), "tag=a6c85cf", "tag=not-the-callee");
    ASSERT_EQ(handle(bogus_bye).result.action, Action::forward);
    const std::string bogus_481 = replace_all(
        response_to("481 Call/Transaction Does Not Exist", kCallA, "314160 BYE"), "tag=a6c85cf", "tag=not-the-callee");
    Out r = handle(bogus_481, "10.1.0.1", 5060);
    ASSERT_EQ(r.result.action, Action::forward);
    EXPECT_EQ(r.result.dst_ip, ip("192.0.2.10"));  // passed on to the caller as always
    EXPECT_EQ(channels(kServerScope), 1);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::bye)].get(), 0u);
    // A wrong From tag is no better.
    ASSERT_EQ(handle(replace_all(response_to("481 Call/Transaction Does Not Exist", kCallA, "314160 BYE"),
                                 "tag=1928301774", "tag=someone-else"),
                     "10.1.0.1", 5060)
                  .result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    // Still at capacity: the next call is refused.
    Out refused = handle(with_call_id(invite(), kCallB));
    ASSERT_EQ(refused.result.action, Action::reply);
    EXPECT_EQ(refused.bytes.substr(0, refused.bytes.find("\r\n")), "SIP/2.0 503 Service Unavailable");
    EXPECT_EQ(limits().rejected_channels[kServerScope].get(), 1u);

    // The real BYE's 200 releases.
    ASSERT_EQ(handle(bye_of(kCallA)).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("200 OK", kCallA, "314160 BYE"), "10.1.0.1", 5060).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::bye)].get(), 1u);
    ASSERT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);

    // The callee hangs up call B: the 200 to its BYE (From and To the other way round)
    // comes back from the caller's side and releases too.
    ASSERT_EQ(handle(response_to("200 OK", kCallB), "10.1.0.1", 5060).result.action, Action::forward);
    const std::string callee_bye_ok =
        message("SIP/2.0 200 OK\n"
                "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK00112233445566778899aabbccddeeff\n"
                "Via: SIP/2.0/UDP 10.1.0.1:5060;branch=z9hG4bKcalleebye\n"
                "From: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
                "To: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
                "Call-ID: " +
                std::string(kCallB) +
                "\n"
                "CSeq: 1 BYE\n");
    Out ok = handle(callee_bye_ok, "192.0.2.10", 5062);
    ASSERT_EQ(ok.result.action, Action::forward);
    EXPECT_EQ(ok.result.dst_ip, ip("10.1.0.1"));
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::bye)].get(), 2u);
}

TEST_F(ProxyLimitsTest, ACancelThatLosesTheRaceWithThe200LeavesTheCallHoldingItsChannel) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    apply();
    ASSERT_EQ(handle(invite()).result.action, Action::forward);
    ASSERT_EQ(handle(cancel()).result.action, Action::forward);
    // The UAS had answered already: 200 to the INVITE, 200 to the CANCEL, no 487.
    ASSERT_EQ(handle(response_to("200 OK", kCallA), "10.1.0.1", 5060).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("200 OK", kCallA, "314159 CANCEL"), "10.1.0.1", 5060).result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    EXPECT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::reply);  // still full
    for (unsigned r = 0; r < kChannelReleaseCount; ++r) EXPECT_EQ(limits().released[r].get(), 0u) << r;
    // A bogus CANCEL (answered 481) is no different.
    ASSERT_EQ(handle(cancel()).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("481 Call/Transaction Does Not Exist", kCallA, "314159 CANCEL"), "10.1.0.1", 5060)
                  .result.action,
              Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    // The call ends with the 200 to its BYE.
    ASSERT_EQ(handle(bye_of(kCallA)).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 1);
    ASSERT_EQ(handle(response_to("200 OK", kCallA, "314160 BYE"), "10.1.0.1", 5060).result.action, Action::forward);
    EXPECT_EQ(channels(kServerScope), 0);
    EXPECT_EQ(limits().released[unsigned(ChannelRelease::bye)].get(), 1u);
}

TEST_F(ProxyLimitsTest, RetransmissionIsForwardedAsBeforeAndNotCounted) {
    config().limits.scopes[kServerScope] = {1000, 1, 0, 1};  // 1 cps, burst 1
    apply();
    Out first = handle(invite());
    ASSERT_EQ(first.result.action, Action::forward);
    Out again = handle(invite());
    ASSERT_EQ(again.result.action, Action::forward);
    EXPECT_EQ(again.result.dst_ip, first.result.dst_ip);
    EXPECT_EQ(again.bytes, first.bytes);
    EXPECT_EQ(limits().retransmissions.get(), 1u);
    EXPECT_EQ(limits().admitted[kServerScope].get(), 1u);
    // The token went to the first INVITE only: the next call is over the rate.
    Out other = handle(with_call_id(invite(), kCallB));
    ASSERT_EQ(other.result.action, Action::reply);
    EXPECT_EQ(limits().rejected_cps[kServerScope].get(), 1u);
    EXPECT_EQ(local(SipLocalResponse::at_capacity), 1u);
}

TEST_F(ProxyLimitsTest, OverCapacityWithFailoverGoesThereWithTheMarkerAndStaysThere) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    config().limits.failover_ipv4 = ip("10.9.0.1");
    config().limits.failover_port = port(5070);
    apply();
    ASSERT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::forward);  // takes the channel

    Out o = handle(invite());
    ASSERT_EQ(o.result.action, Action::forward);
    EXPECT_EQ(o.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(o.result.dst_port, port(5070));
    EXPECT_NE(o.bytes.find("\r\nX-Sipwire-Failover: 1\r\n"), std::string::npos) << o.bytes;
    EXPECT_EQ(o.parsed().header("x-sipwire-failover"), "1");
    ASSERT_EQ(o.parse, sip::ParseError::ok);
    EXPECT_EQ(o.parsed().body(), crlf(kSdp));
    EXPECT_EQ(limits().failed_over.get(), 1u);
    EXPECT_EQ(limits().rejected_channels[kServerScope].get(), 1u);
    EXPECT_EQ(local(SipLocalResponse::at_capacity), 0u);
    EXPECT_EQ(channels(kServerScope), 1);

    // Its retransmission, CANCEL and the ACK of the 487 go there too.
    Out re = handle(invite());
    EXPECT_EQ(re.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(re.bytes, o.bytes);
    EXPECT_EQ(limits().failed_over.get(), 1u);
    EXPECT_EQ(limits().retransmissions.get(), 1u);
    Out c = handle(cancel());
    ASSERT_EQ(c.result.action, Action::forward);
    EXPECT_EQ(c.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(c.result.dst_port, port(5070));
    EXPECT_EQ(c.bytes.find("X-Sipwire-Failover"), std::string::npos);
    ASSERT_EQ(handle(response_to("487 Request Terminated", kCallA), "10.9.0.1", 5070).result.action,
              Action::forward);
    Out a = handle(ack_non2xx("a6c85cf"));
    ASSERT_EQ(a.result.action, Action::forward);
    EXPECT_EQ(a.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(channels(kServerScope), 1);  // the failed-over call never held one here
}

TEST_F(ProxyLimitsTest, BYEOfAnAnsweredFailedOverCallFollowsIt) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    config().limits.failover_ipv4 = ip("10.9.0.1");
    apply();
    ASSERT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::forward);
    Out o = handle(invite());
    ASSERT_EQ(o.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(o.result.dst_port, port(5060));  // failover_port 0: 5060
    ASSERT_EQ(handle(response_to("200 OK", kCallA), "10.9.0.1", 5060).result.action, Action::forward);
    Out b = handle(bye_of(kCallA));
    ASSERT_EQ(b.result.action, Action::forward);
    EXPECT_EQ(b.result.dst_ip, ip("10.9.0.1"));
    // Its 200 passes through; the pin lingers: a retransmitted BYE still goes there.
    ASSERT_EQ(handle(response_to("200 OK", kCallA, "314160 BYE"), "10.9.0.1", 5060).result.action, Action::forward);
    Out again = handle(bye_of(kCallA));
    ASSERT_EQ(again.result.action, Action::forward);
    EXPECT_EQ(again.result.dst_ip, ip("10.9.0.1"));
    EXPECT_EQ(channels(kServerScope), 1);  // kCallB's, untouched
    // A BYE with a Route set beyond us follows its Route.
    Out routed = handle(replace_all(bye_of(kCallA), "Max-Forwards: 70\r\n",
                                    "Max-Forwards: 70\r\nRoute: <sip:10.0.0.1;lr>, <sip:10.1.0.77;lr>\r\n"));
    EXPECT_EQ(routed.result.dst_ip, ip("10.1.0.77"));
}

TEST_F(ProxyLimitsTest, AnInviteFailedOverOnceIsNeverFailedOverAgain) {
    config().limits.scopes[kServerScope] = {0, 0, 1, 1};
    config().limits.failover_ipv4 = ip("10.9.0.1");
    apply();
    ASSERT_EQ(handle(with_call_id(invite(), kCallB)).result.action, Action::forward);
    const std::string marked = replace_all(invite(), "Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Sipwire-Failover: 1\r\n");
    Out o = handle(marked);
    ASSERT_EQ(o.result.action, Action::reply);
    EXPECT_EQ(o.bytes.substr(0, o.bytes.find("\r\n")), "SIP/2.0 503 Service Unavailable");
    EXPECT_NE(o.bytes.find("\r\nRetry-After: 30\r\n"), std::string::npos);
    EXPECT_EQ(limits().failed_over.get(), 0u);
    EXPECT_EQ(local(SipLocalResponse::at_capacity), 1u);

    // Within capacity, a marked INVITE (we are the failover server) is admitted as is:
    // the marker stays, no second one is added.
    ASSERT_EQ(handle(bye_of(kCallB)).result.action, Action::forward);
    ASSERT_EQ(handle(response_to("200 OK", kCallB, "314160 BYE"), "10.1.0.1", 5060).result.action, Action::forward);
    Out admitted = handle(marked);
    ASSERT_EQ(admitted.result.action, Action::forward);
    EXPECT_EQ(admitted.result.dst_ip, expected_destination(kCallA));
    size_t markers = 0;
    for (size_t at = 0; (at = admitted.bytes.find("X-Sipwire-Failover", at)) != std::string::npos; ++at) ++markers;
    EXPECT_EQ(markers, 1u);
}

TEST_F(ProxyLimitsTest, WithoutLimitsNothingChanges) {
    apply();  // all scopes unlimited
    Out with = handle(invite());
    use_limiter(nullptr);
    Out without = handle(invite());
    EXPECT_EQ(with.bytes, without.bytes);
    EXPECT_EQ(limits().admitted[kServerScope].get(), 0u);
    EXPECT_EQ(state_->dialogs[call_id_hash(kCallA) & (kDialogSlots - 1)].key.load(), 0u);
}

}  // namespace
}  // namespace sipwire::proxy::test
