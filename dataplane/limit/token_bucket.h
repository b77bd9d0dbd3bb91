// Calls-per-second limiting shared by every lcore without a lock (ARCHITECTURE.md,
// "Per-core limits"). Internal to dataplane/limit.
//
// A scope's rate R (ScopeLimit::cps_milli, calls per second x 1000) fills a shared
// pool (ScopeState::pool_milli, milli-tokens, capacity ScopeLimit::burst calls).
// Each lcore spends from a private LocalBucket and, when it is empty, takes a batch
// of whole calls from the pool: one atomic operation per batch, not per call.
//
// Refill: the lcore that comes to the pool first brings it up to date — it moves
// ScopeState::refilled_ns forward by compare-and-swap (the winner alone adds what the
// elapsed time earned), then adds those tokens, capped at the capacity. Time earned
// is converted exactly: add = floor(elapsed * R / 1e9) milli-tokens, and refilled_ns
// moves forward by ceil(add * 1e9 / R) <= elapsed, so no fraction is ever created
// out of nothing and none is lost beyond one milli-token per refill. Time during
// which the pool was full earns nothing (it is brought up to date before every take).
//
// Batch: one millisecond of the rate in whole calls, at least one (batch_milli()).
// An lcore holds at most one batch; tokens held by an lcore were already taken from
// the pool, so they never add to what is admitted, they only arrive late:
//   admitted in [0, T]  <=  burst + R * T                              (any T)
//   admitted in one second under overload  >=  R - lcores * batch - 1  (pool drained)
// With the batch at 1 ms of the rate, the per-second error is lcores x 0.1 % of R.
// Traffic below the rate is never refused: the pool ends up full whenever the
// spending stays below R, and at most lcores * batch tokens sit in local buckets.
//
// Time is the caller's (CLOCK_MONOTONIC ns from the poll loop; tests inject it).
// Every operation is noexcept, lock-free (compare-and-swap loops over at most the
// number of lcores contending), with no allocation and no system call.
#pragma once

#include <cstdint>

#include "sipwire/call_limits.h"

namespace sipwire::limit {

inline constexpr int64_t kCallMilli = 1000;  // one call, in milli-tokens

// One lcore's tokens for one scope: whole calls, in milli-tokens.
struct LocalBucket {
    int64_t milli = 0;
};

// Milli-tokens an lcore takes from the pool at once: 1 ms of the rate in whole calls,
// at least one call.
constexpr int64_t batch_milli(uint32_t cps_milli) noexcept {
    const int64_t calls_per_ms = int64_t{cps_milli} / 1'000'000;
    return (calls_per_ms < 1 ? 1 : calls_per_ms) * kCallMilli;
}

// Pool capacity in milli-tokens: the burst, at least one call.
constexpr int64_t capacity_milli(const ScopeLimit& limit) noexcept {
    return (limit.burst < 1 ? 1 : int64_t{limit.burst}) * kCallMilli;
}

// Brings the pool up to `now_ns` at the scope's rate (cps_milli != 0).
void refill_pool(ScopeState& state, const ScopeLimit& limit, uint64_t now_ns) noexcept;

// Takes up to `want_calls` whole calls from the pool; returns how many it took
// (0 when it holds less than one). A pool above `capacity` (the burst was lowered)
// is cut down to it on the way.
int64_t take_from_pool(ScopeState& state, int64_t want_calls, int64_t capacity) noexcept;

// Spends one call of a limited scope (cps_milli != 0): from `local`, else from a
// batch taken from the pool (brought up to date first). False when none is left.
bool spend_call(ScopeState& state, LocalBucket& local, const ScopeLimit& limit, uint64_t now_ns) noexcept;

// Gives back a call spent by spend_call() (a later scope refused the call).
inline void refund_call(LocalBucket& local) noexcept { local.milli += kCallMilli; }

}  // namespace sipwire::limit
