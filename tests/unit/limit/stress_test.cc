// The lock-free parts under real threads (also built with ThreadSanitizer): the
// shared token pool spent by four lcores at once, and the dialog table claimed and
// released from several threads.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "limit/dialog_table.h"
#include "limit/token_bucket.h"
#include "limit_harness.h"

namespace sipwire::limit::test {
namespace {

uint64_t steady_ns() {
    return static_cast<uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count());
}

TEST(PoolStress, FourThreadsSpendingFlatOutStayWithinRateTimesTimePlusBurst) {
    constexpr unsigned kThreads = 4;
    constexpr uint32_t kRate = 20000;  // calls per second
    constexpr uint32_t kBurst = 500;
    constexpr uint64_t kRun = 2 * kSecond;
    ScopeState st{};
    const ScopeLimit l = cps(kRate, kBurst);
    std::atomic<int64_t> admitted{0};
    std::atomic<uint64_t> attempts{0};
    std::atomic<bool> go{false};
    const uint64_t start = steady_ns();
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&] {
            LocalBucket local;
            int64_t mine = 0;
            uint64_t tries = 0;
            while (!go.load()) {
            }
            for (;;) {
                const uint64_t now = steady_ns();
                if (now - start >= kRun) break;
                ++tries;
                if (spend_call(st, local, l, now)) ++mine;
            }
            admitted += mine;
            attempts += tries;
        });
    }
    go = true;
    for (std::thread& t : threads) t.join();
    const uint64_t elapsed = steady_ns() - start;
    const int64_t batch_calls = batch_milli(l.cps_milli) / kCallMilli;
    // The stated bound: rate * time + burst + threads * batch (the pool alone gives
    // rate * time + burst; local buckets only delay tokens).
    const double bound = double(kRate) * double(elapsed) / double(kSecond) + kBurst + kThreads * batch_calls;
    EXPECT_LE(double(admitted.load()), bound) << "attempts " << attempts.load();
    // Spending flat out, it also gets close to what the rate allows (not starved).
    EXPECT_GE(double(admitted.load()), 0.9 * double(kRate) * double(kRun) / double(kSecond));
}

TEST(DialogStress, InsertOnOneThreadReleaseOnAnotherEachOnce) {
    constexpr unsigned kThreads = 4;
    constexpr unsigned kCalls = 20000;  // per thread
    Shared shared;
    ScopeState* scopes = shared.state->scopes;
    DialogTable table(shared.state->dialogs, kDialogSlots);
    std::atomic<uint64_t> inserted{0}, released_by_bye{0}, released_by_sweeper{0};
    std::atomic<bool> stop{false};

    // One "sweeper" releases every slot it finds (as if all timed out) while the
    // "BYE" threads release their neighbours' calls: each call is released once.
    std::thread sweeper([&] {
        uint32_t i = 0;
        while (!stop.load()) {
            DialogSlot& s = table.slot(i++);
            if (s.key.load(std::memory_order_relaxed) == 0) continue;
            const uint32_t w = s.state.load(std::memory_order_acquire);
            if (dialog_state(w) != DialogState::confirmed) continue;
            CallScopes got;
            if (DialogTable::release(s, w, scopes, got)) ++released_by_sweeper;
        }
    });
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            CallScopes sc;
            sc.scope[0] = kServerScope;
            sc.scope[2] = static_cast<uint8_t>(kFirstSourceScope + t);
            for (uint64_t c = 1; c <= kCalls; ++c) {
                const uint64_t mine = (uint64_t{t + 1} << 40) | c;
                scopes[kServerScope].channels.fetch_add(1);
                scopes[kFirstSourceScope + t].channels.fetch_add(1);
                Found f;
                ASSERT_EQ(table.insert(dialog_key(mine * 0x9e3779b97f4a7c15ULL), sc, false, c, &f),
                          InsertResult::inserted);
                ++inserted;
                DialogTable::confirm(f, c, 2);
                // BYE of a call of the previous thread, if it is there yet.
                const uint64_t theirs = (uint64_t{(t + kThreads - 1) % kThreads + 1} << 40) | c;
                const Found g = table.find(dialog_key(theirs * 0x9e3779b97f4a7c15ULL));
                CallScopes got;
                if (g.slot && DialogTable::release(*g.slot, g.word, scopes, got)) ++released_by_bye;
            }
        });
    }
    for (std::thread& t : threads) t.join();
    // What is left: released by this thread now.
    for (uint32_t i = 0; i < kDialogSlots; ++i) {
        DialogSlot& s = table.slot(i);
        const uint32_t w = s.state.load();
        CallScopes got;
        if (s.key.load() != 0 && DialogTable::release(s, w, scopes, got)) ++released_by_bye;
    }
    stop = true;
    sweeper.join();
    EXPECT_EQ(inserted.load(), uint64_t{kThreads} * kCalls);
    EXPECT_EQ(released_by_bye.load() + released_by_sweeper.load(), inserted.load());
    EXPECT_EQ(scopes[kServerScope].channels.load(), 0);
    for (unsigned t = 0; t < kThreads; ++t) EXPECT_EQ(scopes[kFirstSourceScope + t].channels.load(), 0);
    for (uint32_t i = 0; i < kDialogSlots; ++i) ASSERT_EQ(table.slot(i).key.load(), 0u) << i;
}

TEST(DialogStress, TwoSweepersNeverReleaseTwice) {
    constexpr uint32_t kSlots = 1024;
    std::unique_ptr<DialogSlot[]> slots(new DialogSlot[kSlots]());
    ScopeState scopes[kLimitScopes]{};
    DialogTable table(slots.get(), kSlots);
    for (int round = 0; round < 50; ++round) {
        CallScopes sc;
        sc.scope[0] = kServerScope;
        unsigned n = 0;
        for (uint64_t k = 1; k <= 900; ++k) {
            scopes[kServerScope].channels.fetch_add(1);
            if (table.insert(dialog_key(k * 0x9e3779b97f4a7c15ULL + uint64_t(round)), sc, false, 0, nullptr) !=
                InsertResult::inserted) {
                scopes[kServerScope].channels.fetch_sub(1);
                continue;
            }
            ++n;
        }
        std::atomic<unsigned> released{0};
        auto sweep = [&] {
            for (uint32_t i = 0; i < kSlots; ++i) {
                DialogSlot& s = table.slot(i);
                if (s.key.load(std::memory_order_relaxed) == 0) continue;
                const uint32_t w = s.state.load(std::memory_order_acquire);
                CallScopes got;
                if (DialogTable::release(s, w, scopes, got)) ++released;
            }
        };
        std::thread a(sweep), b(sweep);
        a.join();
        b.join();
        ASSERT_EQ(released.load(), n);
        ASSERT_EQ(scopes[kServerScope].channels.load(), 0);
    }
}

}  // namespace
}  // namespace sipwire::limit::test
