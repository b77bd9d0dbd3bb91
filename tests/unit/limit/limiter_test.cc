// The dialog table and the admission decisions with an injected clock: retransmissions,
// channel bookkeeping through every release path, failover stickiness, live resize,
// sweeper timeouts, a full table.
#include <gtest/gtest.h>

#include <memory>

#include "limit/limiter.h"
#include "limit_harness.h"

namespace sipwire::limit::test {
namespace {

class LimiterTest : public ::testing::Test {
protected:
    LimiterTest() {
        counters0_ = std::make_unique<CallLimitCounters>();
        counters1_ = std::make_unique<CallLimitCounters>();
        lcore0_.attach(*shared_.state, *counters0_, 0, 2);
        lcore1_.attach(*shared_.state, *counters1_, 1, 2);
    }

    // Both lcores at time `t` with the current snapshot.
    void at(uint64_t t) {
        now_ = t;
        lcore0_.begin(*shared_.config, shared_.generation, t);
        lcore1_.begin(*shared_.config, shared_.generation, t);
    }
    // Sweeps the whole table from both lcores.
    uint32_t sweep_all() { return lcore0_.sweep(kDialogSlots / 2) + lcore1_.sweep(kDialogSlots / 2); }

    // The dialog of every test call: the caller's From tag, the callee's To tag.
    static constexpr uint32_t kCaller = 0x1928301;
    static constexpr uint32_t kCallee = 0xa6c85cf;

    Verdict invite(uint64_t call, Limiter& l, uint8_t set = 0, uint32_t src = 0, bool marker = false) {
        return l.admit_invite(NewCall{call, src, set, marker, kCaller});
    }
    // A final response to the INVITE (the callee's To tag).
    void answer(Limiter& l, uint64_t call, uint16_t status) { l.on_final_response(call, status, kCallee); }
    // A final response to the caller's BYE of the call's dialog.
    void bye_answer(Limiter& l, uint64_t call, uint16_t status) { l.on_bye_response(call, status, kCaller, kCallee); }

    uint64_t sum(Counter CallLimitCounters::*field) const {
        return (counters0_.get()->*field).get() + (counters1_.get()->*field).get();
    }
    uint64_t released(ChannelRelease r) const {
        return counters0_->released[unsigned(r)].get() + counters1_->released[unsigned(r)].get();
    }
    uint64_t rejected_channels(unsigned s) const {
        return counters0_->rejected_channels[s].get() + counters1_->rejected_channels[s].get();
    }
    uint64_t rejected_cps(unsigned s) const {
        return counters0_->rejected_cps[s].get() + counters1_->rejected_cps[s].get();
    }

    Shared shared_;
    std::unique_ptr<CallLimitCounters> counters0_, counters1_;
    Limiter lcore0_, lcore1_;
    uint64_t now_ = 0;
};

TEST_F(LimiterTest, NoLimitCostsNothingAndTracksNothing) {
    shared_.config->scopes[kServerScope] = ScopeLimit{0, 0, 0, 1};  // active, unlimited
    at(kSecond);
    EXPECT_FALSE(lcore0_.enabled());
    EXPECT_EQ(invite(1, lcore0_), Verdict::unlimited);
    EXPECT_EQ(lcore0_.table().find(dialog_key(1)).slot, nullptr);
    EXPECT_EQ(lcore0_.on_request(1, RequestKind::bye), Follow::normal);
}

TEST_F(LimiterTest, RetransmissionIsNotCountedAgain) {
    shared_.scope(kServerScope) = cps(1, 1, 10);
    at(kSecond);
    EXPECT_EQ(invite(42, lcore0_), Verdict::admitted);
    EXPECT_EQ(invite(42, lcore0_), Verdict::retransmission);
    EXPECT_EQ(invite(42, lcore1_), Verdict::retransmission);  // seen from another lcore
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    EXPECT_EQ(sum(&CallLimitCounters::retransmissions), 2u);
    EXPECT_EQ(counters0_->admitted[kServerScope].get(), 1u);
    EXPECT_EQ(invite(43, lcore0_), Verdict::rejected);  // the only token was spent once
    EXPECT_EQ(rejected_cps(kServerScope), 1u);
}

TEST_F(LimiterTest, EveryScopeIsCheckedAndRefusalGivesBackWhatWasTaken) {
    shared_.scope(kServerScope) = cps(0, 0, 100);
    shared_.scope(kFirstSetScope + 2) = ScopeLimit{0, 0, 2, 1};
    shared_.scope(kFirstSourceScope + 1) = cps(1000, 1);
    shared_.config->source_count = 2;
    shared_.config->sources[0] = {0x0000000a, 0x000000ff};  // 10.0.0.0/8 (network order)
    shared_.config->sources[1] = {0x0002000c, 0x00ffffff};  // 12.0.2.0/24
    at(kSecond);
    const uint32_t src = 0x0702000c;  // 12.0.2.7
    EXPECT_EQ(invite(1, lcore0_, 2, src), Verdict::admitted);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    EXPECT_EQ(shared_.channels(kFirstSetScope + 2), 1);
    EXPECT_EQ(counters0_->admitted[kFirstSourceScope + 1].get(), 1u);
    // The source's rate refuses the next one: the server's and the set's channels return.
    EXPECT_EQ(invite(2, lcore0_, 2, src), Verdict::rejected);
    EXPECT_EQ(rejected_cps(kFirstSourceScope + 1), 1u);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    EXPECT_EQ(shared_.channels(kFirstSetScope + 2), 1);
    // Another source: the set's channels are the limit.
    EXPECT_EQ(invite(3, lcore0_, 2, 0x0101a8c0), Verdict::admitted);
    EXPECT_EQ(invite(4, lcore0_, 2, 0x0101a8c0), Verdict::rejected);
    EXPECT_EQ(rejected_channels(kFirstSetScope + 2), 1u);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    // Another set is not limited.
    EXPECT_EQ(invite(5, lcore0_, 1, 0x0101a8c0), Verdict::admitted);
    EXPECT_EQ(shared_.channels(kServerScope), 3);
}

TEST_F(LimiterTest, ChannelCountsReturnToZeroThroughEveryReleasePath) {
    shared_.scope(kServerScope) = cps(0, 0, 1000);
    shared_.scope(kFirstSetScope) = ScopeLimit{0, 0, 500, 1};
    shared_.config->reservation_timeout_ms = 30'000;
    shared_.config->max_call_duration_s = 3600;
    uint64_t t = 10 * kSecond;
    at(t);
    // 1xx: answered then BYE (its 200 on the other lcore); 2xx: 486; 3xx: CANCEL
    // then 487; 4xx: answered, BYE lost; 5xx: never answered.
    for (uint64_t c = 0; c < 50; ++c) {
        ASSERT_EQ(invite(100 + c, lcore0_), Verdict::admitted);
        ASSERT_EQ(invite(200 + c, lcore1_), Verdict::admitted);
        ASSERT_EQ(invite(300 + c, lcore0_), Verdict::admitted);
        ASSERT_EQ(invite(400 + c, lcore1_), Verdict::admitted);
        ASSERT_EQ(invite(500 + c, lcore0_), Verdict::admitted);
    }
    EXPECT_EQ(shared_.channels(kServerScope), 250);
    EXPECT_EQ(shared_.channels(kFirstSetScope), 250);
    t += kSecond;
    at(t);
    for (uint64_t c = 0; c < 50; ++c) {
        answer(lcore1_, 100 + c, 180);  // provisional: nothing
        answer(lcore1_, 100 + c, 200);
        answer(lcore0_, 100 + c, 200);  // 2xx retransmission
        answer(lcore0_, 200 + c, 486);
        EXPECT_EQ(lcore1_.on_request(300 + c, RequestKind::cancel), Follow::normal);
        answer(lcore0_, 300 + c, 487);  // the 487 releases, not the CANCEL
        answer(lcore1_, 300 + c, 487);  // retransmitted 487: released once
        answer(lcore1_, 400 + c, 200);
    }
    EXPECT_EQ(shared_.channels(kServerScope), 150);
    t += 60 * kSecond;
    at(t);
    for (uint64_t c = 0; c < 50; ++c) {
        lcore1_.on_request(100 + c, RequestKind::ack);
        EXPECT_EQ(lcore1_.on_request(100 + c, RequestKind::bye), Follow::normal);
        lcore0_.on_request(100 + c, RequestKind::bye);  // retransmitted BYE
        bye_answer(lcore0_, 100 + c, 200);
        bye_answer(lcore1_, 100 + c, 200);  // retransmitted 200: released once
    }
    EXPECT_EQ(sweep_all(), 50u);  // the unanswered ones, 61 s > 30 s
    EXPECT_EQ(shared_.channels(kServerScope), 50);
    t += 3600 * kSecond;
    at(t);
    EXPECT_EQ(sweep_all(), 50u);  // the lost BYEs
    EXPECT_EQ(sweep_all(), 0u);
    EXPECT_EQ(shared_.channels(kServerScope), 0);
    EXPECT_EQ(shared_.channels(kFirstSetScope), 0);
    EXPECT_EQ(released(ChannelRelease::bye), 50u);
    EXPECT_EQ(released(ChannelRelease::final_error), 50u);
    EXPECT_EQ(released(ChannelRelease::cancel), 50u);
    EXPECT_EQ(released(ChannelRelease::max_duration), 50u);
    EXPECT_EQ(released(ChannelRelease::reservation_timeout), 50u);
    for (uint32_t i = 0; i < kDialogSlots; ++i) ASSERT_EQ(shared_.state->dialogs[i].key.load(), 0u) << i;
}

TEST_F(LimiterTest, CancelAloneReleasesNothingTheFinalResponseDecides) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    shared_.config->reservation_timeout_ms = 5000;
    shared_.config->max_call_duration_s = 60;
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    ASSERT_EQ(invite(2, lcore0_), Verdict::admitted);
    ASSERT_EQ(invite(3, lcore0_), Verdict::admitted);
    EXPECT_EQ(lcore1_.on_request(1, RequestKind::cancel), Follow::normal);
    EXPECT_EQ(lcore1_.on_request(2, RequestKind::cancel), Follow::normal);
    EXPECT_EQ(lcore1_.on_request(3, RequestKind::cancel), Follow::normal);
    EXPECT_EQ(shared_.channels(kServerScope), 3);
    for (unsigned r = 0; r < kChannelReleaseCount; ++r) EXPECT_EQ(released(ChannelRelease(r)), 0u);
    // Call 1: the CANCEL lost the race with the 200: confirmed, it keeps its channel.
    answer(lcore0_, 1, 200);
    answer(lcore1_, 1, 487);  // the 487 cannot come after a 2xx; ignored if it does
    const Found f = lcore0_.table().find(dialog_key(1));
    ASSERT_NE(f.slot, nullptr);
    EXPECT_EQ(dialog_state(f.word), DialogState::confirmed);
    // Call 2: 487 Request Terminated: released as cancelled.
    answer(lcore0_, 2, 487);
    EXPECT_EQ(released(ChannelRelease::cancel), 1u);
    EXPECT_EQ(released(ChannelRelease::final_error), 0u);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    // Call 3: the CANCEL unanswered, the INVITE too: the reservation timeout.
    at(kSecond + 4999 * kMs);
    EXPECT_EQ(sweep_all(), 0u);
    at(kSecond + 5000 * kMs);
    EXPECT_EQ(sweep_all(), 1u);
    EXPECT_EQ(released(ChannelRelease::reservation_timeout), 1u);
    EXPECT_EQ(shared_.channels(kServerScope), 1);  // call 1, still up
    bye_answer(lcore1_, 1, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 0);
    EXPECT_EQ(released(ChannelRelease::bye), 1u);
}

TEST_F(LimiterTest, ByeRequestAloneReleasesNothingItsResponseDoes) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    at(kSecond);
    for (uint64_t c = 1; c <= 4; ++c) {
        ASSERT_EQ(invite(c, lcore0_), Verdict::admitted);
        answer(lcore0_, c, 200);
        EXPECT_EQ(lcore1_.on_request(c, RequestKind::bye), Follow::normal);
    }
    EXPECT_EQ(shared_.channels(kServerScope), 4);
    // Provisional, challenged, refused: nothing.
    bye_answer(lcore0_, 1, 100);
    bye_answer(lcore0_, 1, 407);
    bye_answer(lcore0_, 1, 500);
    bye_answer(lcore0_, 1, 408);
    EXPECT_EQ(shared_.channels(kServerScope), 4);
    // A 2xx to another request (the proxy passes only BYE responses here) is not a BYE's.
    answer(lcore0_, 1, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 4);
    // Its 200 releases, once.
    bye_answer(lcore0_, 1, 200);
    bye_answer(lcore1_, 1, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 3);
    // 481: the UAS has no such dialog: released too.
    bye_answer(lcore1_, 2, 481);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    EXPECT_EQ(released(ChannelRelease::bye), 2u);
    // An early-dialog BYE (no 2xx to the INVITE yet) answered 200 releases as well.
    ASSERT_EQ(invite(5, lcore0_), Verdict::admitted);
    bye_answer(lcore0_, 5, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    EXPECT_EQ(released(ChannelRelease::bye), 3u);
    // Untracked Call-ID: nothing.
    bye_answer(lcore0_, 99, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
}

TEST_F(LimiterTest, ByeResponseReleasesOnlyWithTheDialogsTagsEitherWay) {
    shared_.scope(kServerScope) = cps(0, 0, 4);
    at(kSecond);
    for (uint64_t c = 1; c <= 4; ++c) {
        ASSERT_EQ(invite(c, lcore0_), Verdict::admitted);
        answer(lcore0_, c, 200);
    }
    const Found f = lcore0_.table().find(dialog_key(1));
    ASSERT_NE(f.slot, nullptr);
    EXPECT_EQ(f.slot->caller_tag.load(), kCaller);
    EXPECT_EQ(f.slot->callee_tag.load(), kCallee);
    EXPECT_EQ(invite(9, lcore0_), Verdict::rejected);  // at capacity

    // The caller makes up a BYE of its own live call with a wrong To tag: the switch
    // answers 481 (no such dialog), the call goes on, and so does its channel.
    constexpr uint32_t kWrong = 0x5eed;
    lcore1_.on_bye_response(1, 481, kCaller, kWrong);
    lcore1_.on_bye_response(1, 200, kCaller, kWrong);
    lcore1_.on_bye_response(1, 481, kWrong, kCallee);   // wrong From tag
    lcore1_.on_bye_response(1, 481, kCallee, kCallee);  // both the callee's
    lcore1_.on_bye_response(1, 481, kCaller, kCaller);  // both the caller's
    lcore1_.on_bye_response(1, 481, kCaller, 0);        // no To tag
    EXPECT_EQ(shared_.channels(kServerScope), 4);
    EXPECT_EQ(released(ChannelRelease::bye), 0u);
    EXPECT_EQ(invite(10, lcore1_), Verdict::rejected);  // still at capacity

    // The caller's real BYE: its 200 releases.
    lcore1_.on_bye_response(1, 200, kCaller, kCallee);
    EXPECT_EQ(shared_.channels(kServerScope), 3);
    // The callee hangs up: From and To are the other way round.
    lcore1_.on_bye_response(2, 200, kCallee, kCaller);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    // 481 to a BYE of the dialog, either direction: the dialog is gone, released too.
    lcore0_.on_bye_response(3, 481, kCaller, kCallee);
    lcore0_.on_bye_response(4, 481, kCallee, kCaller);
    EXPECT_EQ(shared_.channels(kServerScope), 0);
    EXPECT_EQ(released(ChannelRelease::bye), 4u);
}

TEST_F(LimiterTest, EarlyByeReleasesWithTheCallersTagAnd2xxOnly) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    ASSERT_EQ(invite(2, lcore0_), Verdict::admitted);
    const Found f = lcore0_.table().find(dialog_key(1));
    ASSERT_NE(f.slot, nullptr);
    EXPECT_EQ(f.slot->callee_tag.load(), 0u);  // no callee tag before a 2xx
    // Reserved: a 481 releases nothing, even from the caller's dialog (the call may
    // still be answered), nor a 2xx to a BYE of another caller tag.
    lcore1_.on_bye_response(1, 481, kCaller, 0x77);
    lcore1_.on_bye_response(1, 200, 0x66, 0x77);
    EXPECT_EQ(shared_.channels(kServerScope), 2);
    // The caller's early BYE, answered 200 (the callee's tag of the early dialog is
    // whatever the 1xx said): released.
    lcore1_.on_bye_response(1, 200, kCaller, 0x77);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    EXPECT_EQ(released(ChannelRelease::bye), 1u);
    // A 2xx to the INVITE after that confirms nothing: the call is not tracked any more.
    answer(lcore0_, 1, 200);
    EXPECT_EQ(lcore0_.table().find(dialog_key(1)).slot, nullptr);
    // Call 2 answered: the callee's tag now counts; a 2xx with another To tag (a fork,
    // a retransmission) does not replace it.
    answer(lcore0_, 2, 200);
    lcore0_.on_final_response(2, 200, 0x77);
    lcore1_.on_bye_response(2, 200, kCaller, 0x77);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    bye_answer(lcore1_, 2, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 0);
    EXPECT_EQ(released(ChannelRelease::bye), 2u);
}

TEST_F(LimiterTest, AReusedSlotForgetsThePreviousCallsTags) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    answer(lcore0_, 1, 200);
    bye_answer(lcore0_, 1, 200);
    ASSERT_EQ(shared_.channels(kServerScope), 0);
    // The same Call-ID hash again (the same slot), another caller.
    ASSERT_EQ(lcore0_.admit_invite(NewCall{1, 0, 0, false, 0x1234}), Verdict::admitted);
    const Found f = lcore0_.table().find(dialog_key(1));
    ASSERT_NE(f.slot, nullptr);
    EXPECT_EQ(f.slot->caller_tag.load(), 0x1234u);
    EXPECT_EQ(f.slot->callee_tag.load(), 0u);
    bye_answer(lcore0_, 1, 200);  // the previous call's dialog
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    lcore0_.on_final_response(1, 200, 0x4321);
    bye_answer(lcore0_, 1, 481);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    lcore0_.on_bye_response(1, 200, 0x4321, 0x1234);
    EXPECT_EQ(shared_.channels(kServerScope), 0);
}

TEST_F(LimiterTest, ReservationTimeoutCountsFromTheInviteAndConfirmationRestarts) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    shared_.config->reservation_timeout_ms = 5000;
    shared_.config->max_call_duration_s = 60;
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    ASSERT_EQ(invite(2, lcore0_), Verdict::admitted);
    at(kSecond + 4999 * kMs);
    EXPECT_EQ(sweep_all(), 0u);
    answer(lcore0_, 2, 200);
    at(kSecond + 5000 * kMs);
    EXPECT_EQ(sweep_all(), 1u);  // call 1
    at(kSecond + 4999 * kMs + 59 * kSecond);
    EXPECT_EQ(sweep_all(), 0u);
    at(kSecond + 4999 * kMs + 60 * kSecond);
    EXPECT_EQ(sweep_all(), 1u);  // call 2, 60 s after its 200
    EXPECT_EQ(shared_.channels(kServerScope), 0);
}

TEST_F(LimiterTest, DefaultTimeoutsWhenTheConfigurationSaysZero) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    at(kSecond + uint64_t{kDefaultReservationTimeoutMs} * kMs - 1);
    EXPECT_EQ(sweep_all(), 0u);
    at(kSecond + uint64_t{kDefaultReservationTimeoutMs} * kMs);
    EXPECT_EQ(sweep_all(), 1u);
}

TEST_F(LimiterTest, SweepIsBoundedPerCall) {
    shared_.scope(kServerScope) = cps(0, 0, 100);
    shared_.config->reservation_timeout_ms = 1;
    at(kSecond);
    ASSERT_EQ(invite(7, lcore0_), Verdict::admitted);
    at(2 * kSecond);
    // 64 slots per call: the whole half-table takes kDialogSlots / 2 / 64 calls.
    uint32_t calls = 0, released = 0;
    while (released == 0 && calls < kDialogSlots) {
        released += lcore0_.sweep() + lcore1_.sweep();
        ++calls;
    }
    EXPECT_EQ(released, 1u);
    EXPECT_LE(calls, kDialogSlots / 2 / kSweepSlotsPerLoop);
}

TEST_F(LimiterTest, LoweringCapacityStopsNewCallsOnly) {
    shared_.scope(kServerScope) = cps(0, 0, 10);
    at(kSecond);
    for (uint64_t c = 1; c <= 10; ++c) ASSERT_EQ(invite(c, c % 2 ? lcore0_ : lcore1_), Verdict::admitted);
    EXPECT_EQ(invite(11, lcore0_), Verdict::rejected);
    shared_.scope(kServerScope).channels = 5;
    shared_.publish();
    at(2 * kSecond);
    EXPECT_EQ(invite(12, lcore0_), Verdict::rejected);
    EXPECT_EQ(shared_.channels(kServerScope), 10);  // no established call touched
    for (uint64_t c = 1; c <= 6; ++c) bye_answer(lcore1_, c, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 4);
    EXPECT_EQ(invite(13, lcore0_), Verdict::admitted);
    // Raised again, live.
    shared_.scope(kServerScope).channels = 100;
    shared_.publish();
    at(3 * kSecond);
    EXPECT_EQ(invite(14, lcore1_), Verdict::admitted);
    // Removed: nothing tracked for new calls, the old ones still release.
    shared_.scope(kServerScope).channels = 0;
    shared_.publish();
    at(4 * kSecond);
    EXPECT_EQ(invite(15, lcore1_), Verdict::unlimited);
    EXPECT_EQ(shared_.channels(kServerScope), 6);
    EXPECT_FALSE(lcore1_.enabled());
    EXPECT_TRUE(lcore1_.tracking()) << "calls admitted before must still report their end";
    bye_answer(lcore1_, 7, 200);
    EXPECT_EQ(shared_.channels(kServerScope), 5);
    shared_.config->reservation_timeout_ms = 1000;
    shared_.publish();
    at(400 * kSecond);
    sweep_all();
    EXPECT_EQ(shared_.channels(kServerScope), 0);
    // A maximum call duration after the limits went, nothing can be tracked any more.
    at(4 * kSecond + 4 * 3600 * kSecond + kSecond);
    EXPECT_FALSE(lcore1_.tracking());
}

TEST_F(LimiterTest, RateResizeAppliesAtTheNextGeneration) {
    shared_.scope(kServerScope) = cps(10, 1);
    at(kSecond);
    int admitted = 0;
    for (int ms = 0; ms < 1000; ++ms) {
        at(kSecond + uint64_t(ms) * kMs);
        admitted += invite(uint64_t(1000 + ms), lcore0_) == Verdict::admitted ? 1 : 0;
    }
    EXPECT_EQ(admitted, 10);  // 1 burst + 9.99 earned
    shared_.scope(kServerScope) = cps(100, 1);
    shared_.publish();
    admitted = 0;
    for (int ms = 0; ms < 1000; ++ms) {
        at(2 * kSecond + uint64_t(ms) * kMs);
        admitted += invite(uint64_t(5000 + ms), lcore0_) == Verdict::admitted ? 1 : 0;
    }
    EXPECT_NEAR(admitted, 100, 1);
}

TEST_F(LimiterTest, FailoverIsStickyAndNeverTwice) {
    shared_.scope(kServerScope) = cps(0, 0, 1);
    shared_.config->failover_ipv4 = 0x0900000a;
    shared_.config->reservation_timeout_ms = 10'000;
    shared_.config->max_call_duration_s = 600;
    at(kSecond);
    ASSERT_EQ(invite(1, lcore0_), Verdict::admitted);
    answer(lcore0_, 1, 200);  // established: holds its channel throughout
    EXPECT_EQ(invite(2, lcore0_), Verdict::failed_over);
    EXPECT_EQ(sum(&CallLimitCounters::failed_over), 1u);
    EXPECT_EQ(rejected_channels(kServerScope), 1u);
    EXPECT_EQ(shared_.channels(kServerScope), 1);  // a failed-over call holds no channel here
    // Its retransmission goes there again, uncounted.
    EXPECT_EQ(invite(2, lcore1_), Verdict::failed_over);
    EXPECT_EQ(sum(&CallLimitCounters::failed_over), 1u);
    EXPECT_EQ(sum(&CallLimitCounters::retransmissions), 1u);
    // Already failed over once (marker): 503.
    EXPECT_EQ(invite(3, lcore0_, 0, 0, true), Verdict::rejected);
    // CANCEL / ACK follow it; its final non-2xx does not end the pin (the ACK follows).
    EXPECT_EQ(lcore1_.on_request(2, RequestKind::cancel), Follow::failover_early);
    answer(lcore1_, 2, 487);
    EXPECT_EQ(lcore1_.on_request(2, RequestKind::ack), Follow::failover_early);
    // Answered: a dialog there; BYE follows it and keeps it a little longer.
    ASSERT_EQ(invite(4, lcore0_), Verdict::failed_over);
    answer(lcore0_, 4, 200);
    EXPECT_EQ(lcore1_.on_request(4, RequestKind::ack), Follow::failover_dialog);
    at(100 * kSecond);
    EXPECT_EQ(sweep_all(), 1u);  // call 2's pin (10 s, unanswered); call 4 is confirmed
    EXPECT_EQ(lcore1_.on_request(4, RequestKind::bye), Follow::failover_dialog);
    bye_answer(lcore0_, 4, 200);  // the failover server's 200: the pin lingers on
    EXPECT_EQ(lcore1_.on_request(4, RequestKind::bye), Follow::failover_early);  // lingering
    at(109 * kSecond);
    EXPECT_EQ(sweep_all(), 0u);
    at(110 * kSecond);
    EXPECT_EQ(sweep_all(), 1u);
    EXPECT_EQ(lcore1_.on_request(4, RequestKind::bye), Follow::normal);
    EXPECT_EQ(shared_.channels(kServerScope), 1);
    // Pins hold no channel: no release counted for them.
    for (unsigned r = 0; r < kChannelReleaseCount; ++r) EXPECT_EQ(released(ChannelRelease(r)), 0u);
}

TEST(DialogTable, FullProbeWindowRefusesAndFreedSlotsAreReused) {
    constexpr uint32_t kSlots = 64;
    std::unique_ptr<DialogSlot[]> slots(new DialogSlot[kSlots]());
    DialogTable table(slots.get(), kSlots);
    // Keys with the same home slot (5).
    for (uint64_t i = 1; i <= kProbe; ++i)
        ASSERT_EQ(table.insert(i * kSlots + 5, CallScopes{}, false, 0, nullptr), InsertResult::inserted) << i;
    EXPECT_EQ(table.insert(100 * kSlots + 5, CallScopes{}, false, 0, nullptr), InsertResult::full);
    // Another home slot further on still has room.
    EXPECT_EQ(table.insert(100 * kSlots + 40, CallScopes{}, false, 0, nullptr), InsertResult::inserted);
    // A freed slot in the middle of the run: lookups still find what is behind it.
    ScopeState scopes[kLimitScopes]{};
    const Found third = table.find(3 * kSlots + 5);
    ASSERT_NE(third.slot, nullptr);
    CallScopes got;
    ASSERT_TRUE(DialogTable::release(*third.slot, third.word, scopes, got));
    EXPECT_FALSE(DialogTable::release(*third.slot, third.word, scopes, got));  // once only
    EXPECT_EQ(table.find(3 * kSlots + 5).slot, nullptr);
    EXPECT_NE(table.find(kProbe * kSlots + 5).slot, nullptr);
    EXPECT_EQ(table.insert(kProbe * kSlots + 5, CallScopes{}, false, 0, nullptr), InsertResult::exists);
    EXPECT_EQ(table.insert(100 * kSlots + 5, CallScopes{}, false, 0, nullptr), InsertResult::inserted);
    // A stale release (the word of the slot's previous call) fails.
    const Found reused = table.find(100 * kSlots + 5);
    ASSERT_EQ(reused.slot, third.slot);
    EXPECT_FALSE(DialogTable::release(*reused.slot, third.word, scopes, got));
    EXPECT_TRUE(DialogTable::release(*reused.slot, reused.word, scopes, got));
}

TEST_F(LimiterTest, FullTableRefusesTheCallWith503) {
    constexpr uint32_t kSlots = 64;
    std::unique_ptr<DialogSlot[]> slots(new DialogSlot[kSlots]());
    Limiter small;
    small.attach(shared_.state->scopes, slots.get(), kSlots, *counters0_, 0, 1);
    shared_.scope(kServerScope) = cps(0, 0, 1000);
    shared_.config->failover_ipv4 = 0x0900000a;  // no pin possible either
    small.begin(*shared_.config, shared_.generation, kSecond);
    for (uint64_t i = 1; i <= kProbe; ++i) ASSERT_EQ(small.admit_invite({i * kSlots + 9, 0, kNoScope, false, kCaller}), Verdict::admitted);
    EXPECT_EQ(small.admit_invite({99 * kSlots + 9, 0, kNoScope, false, kCaller}), Verdict::rejected);
    EXPECT_EQ(counters0_->dialog_table_full.get(), 1u);
    EXPECT_EQ(shared_.channels(kServerScope), int32_t(kProbe));  // the refused call's channel returned
}

}  // namespace
}  // namespace sipwire::limit::test
