// Cost of the limit stage per new call, single thread: the admission check with its
// reservation (three limiting scopes: server rate + channels, destination-set
// channels, source rate; the dialog-table insert), the BYE's 200 that releases it, a call
// refused over the rate, and the unlimited case.
#include <benchmark/benchmark.h>

#include <cstring>
#include <memory>

#include "limit/limiter.h"

namespace sipwire::limit {
namespace {

constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
constexpr uint32_t kCallerTag = 0x1928301u;  // dialog tags (any non-zero values)
constexpr uint32_t kCalleeTag = 0xa6c85cfu;

struct Fixture {
    std::unique_ptr<CallLimitsState> state = std::make_unique<CallLimitsState>();
    std::unique_ptr<CallLimitsConfig> config = std::make_unique<CallLimitsConfig>();
    std::unique_ptr<CallLimitCounters> counters = std::make_unique<CallLimitCounters>();
    std::unique_ptr<Limiter> limiter = std::make_unique<Limiter>();

    explicit Fixture(uint32_t server_cps) {
        std::memset(config.get(), 0, sizeof(CallLimitsConfig));
        config->scopes[kServerScope] = {server_cps * 1000, 1000, 1'000'000, 1};
        config->scopes[kFirstSetScope] = {0, 0, 1'000'000, 1};
        config->scopes[kFirstSourceScope] = {4'000'000'000u, 100000, 0, 1};  // 4M cps
        config->source_count = 1;
        config->sources[0] = {0x0000000a, 0x000000ff};  // 10.0.0.0/8
        limiter->attach(*state, *counters, 0, 1);
        limiter->begin(*config, 1, 1'000'000'000ULL);
    }
};

// Admission + reservation of a new call (the table is emptied every 4096 calls,
// untimed).
void BM_AdmitNewCall(benchmark::State& state) {
    Fixture f(4'000'000);
    uint64_t now = 1'000'000'000ULL, n = 0, admitted = 0;
    for (auto _ : state) {
        now += 250;  // 4M attempts per simulated second: within the rate
        f.limiter->set_now(now);
        const Verdict v = f.limiter->admit_invite({++n * kGolden, 0x0100000a, 0, false, kCallerTag});
        admitted += v == Verdict::admitted;
        benchmark::DoNotOptimize(v);
        if ((n & 4095) == 0) {
            state.PauseTiming();
            for (uint64_t k = n - 4095; k <= n; ++k) f.limiter->on_bye_response(k * kGolden, 200, kCallerTag, kCalleeTag);
            state.ResumeTiming();
        }
    }
    if (admitted != n) state.SkipWithError("a call was refused");
}
BENCHMARK(BM_AdmitNewCall);

// A whole call's limiter work: INVITE admitted, 200 confirms, BYE passes, its 200
// releases.
void BM_AdmitConfirmRelease(benchmark::State& state) {
    Fixture f(4'000'000);
    uint64_t now = 1'000'000'000ULL, n = 0;
    for (auto _ : state) {
        now += 250;
        f.limiter->set_now(now);
        const uint64_t h = ++n * kGolden;
        benchmark::DoNotOptimize(f.limiter->admit_invite({h, 0x0100000a, 0, false, kCallerTag}));
        f.limiter->on_final_response(h, 200, kCalleeTag);
        benchmark::DoNotOptimize(f.limiter->on_request(h, RequestKind::bye));
        f.limiter->on_bye_response(h, 200, kCallerTag, kCalleeTag);
    }
}
BENCHMARK(BM_AdmitConfirmRelease);

// A new call over the rate (10 cps): 503.
void BM_RejectOverRate(benchmark::State& state) {
    Fixture f(10);
    uint64_t now = 1'000'000'000ULL, n = 0;
    for (auto _ : state) {
        now += 250;
        f.limiter->set_now(now);
        benchmark::DoNotOptimize(f.limiter->admit_invite({++n * kGolden, 0x0100000a, 0, false, kCallerTag}));
    }
}
BENCHMARK(BM_RejectOverRate);

// No limit configured: what the proxy pays per INVITE (nothing is tracked).
void BM_Unlimited(benchmark::State& state) {
    Fixture f(0);
    std::memset(f.config.get(), 0, sizeof(CallLimitsConfig));
    f.limiter->begin(*f.config, 2, 1'000'000'000ULL);
    uint64_t n = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(f.limiter->enabled() ? f.limiter->admit_invite({++n * kGolden, 0, 0, false, kCallerTag})
                                                      : Verdict::unlimited);
}
BENCHMARK(BM_Unlimited);

}  // namespace
}  // namespace sipwire::limit

BENCHMARK_MAIN();
