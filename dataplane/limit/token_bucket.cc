// Shared token pools and per-lcore buckets (see token_bucket.h).
#include "limit/token_bucket.h"

#include <atomic>

namespace sipwire::limit {

namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000ULL;
}  // namespace

void refill_pool(ScopeState& state, const ScopeLimit& limit, uint64_t now_ns) noexcept {
    const uint64_t rate = limit.cps_milli;  // milli-tokens per second
    if (rate == 0) return;
    const int64_t capacity = capacity_milli(limit);
    uint64_t last = state.refilled_ns.load(std::memory_order_relaxed);
    if (now_ns <= last) return;  // brought up to date already (or another lcore's clock is ahead)
    const uint64_t elapsed = now_ns - last;
    const unsigned __int128 earned = static_cast<unsigned __int128>(elapsed) * rate / kNsPerSecond;
    if (earned == 0) return;  // less than one milli-token yet: let time accumulate
    int64_t add;
    uint64_t next;
    if (earned >= static_cast<unsigned __int128>(capacity)) {
        add = capacity;  // a full pool: the rest of the time earned nothing
        next = now_ns;
    } else {
        add = static_cast<int64_t>(earned);
        // The time those tokens took, rounded up (<= elapsed): the remainder is kept.
        next = last + static_cast<uint64_t>((static_cast<unsigned __int128>(add) * kNsPerSecond + rate - 1) / rate);
    }
    // One lcore wins the interval; the others see it gone and take what it added.
    if (!state.refilled_ns.compare_exchange_strong(last, next, std::memory_order_relaxed)) return;
    int64_t pool = state.pool_milli.load(std::memory_order_relaxed);
    for (;;) {
        const int64_t filled = pool + add > capacity ? (pool > capacity ? pool : capacity) : pool + add;
        if (filled == pool) return;
        if (state.pool_milli.compare_exchange_weak(pool, filled, std::memory_order_relaxed)) return;
    }
}

int64_t take_from_pool(ScopeState& state, int64_t want_calls, int64_t capacity) noexcept {
    int64_t pool = state.pool_milli.load(std::memory_order_relaxed);
    for (;;) {
        const int64_t available = pool > capacity ? capacity : pool;
        int64_t calls = available / kCallMilli;
        if (calls <= 0) {
            if (pool > capacity &&
                !state.pool_milli.compare_exchange_weak(pool, available, std::memory_order_relaxed))
                continue;
            return 0;
        }
        if (calls > want_calls) calls = want_calls;
        if (state.pool_milli.compare_exchange_weak(pool, available - calls * kCallMilli, std::memory_order_relaxed))
            return calls;
    }
}

bool spend_call(ScopeState& state, LocalBucket& local, const ScopeLimit& limit, uint64_t now_ns) noexcept {
    if (local.milli >= kCallMilli) {
        local.milli -= kCallMilli;
        return true;
    }
    refill_pool(state, limit, now_ns);
    const int64_t calls = take_from_pool(state, batch_milli(limit.cps_milli) / kCallMilli, capacity_milli(limit));
    if (calls == 0) return false;
    local.milli += (calls - 1) * kCallMilli;
    return true;
}

}  // namespace sipwire::limit
