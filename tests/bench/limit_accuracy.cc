// Accuracy of the calls-per-second limit, measured with the real clock and real
// threads (not a benchmark of cost: see limit_bench.cc for that).
//
// N threads, each with its own Limiter (as the lcores have), attached to one shared
// CallLimitsState (heap, zeroed, as sipwired creates the region). The configuration
// has one limit: the server scope at R calls per second, burst B, no channel limit.
// Every thread calls begin() and admit_invite() with CLOCK_MONOTONIC, and releases
// every admitted call at once with the 200 to its BYE, so the dialog table never
// fills (a refused call's claimed slot is given back by the limiter itself).
//
//   phase 1: X * R new calls per second offered (distinct Call-ID hashes), for S s;
//   phase 2: right after (or --gap-ms later), on the same state (the pool drained
//            by phase 1),
//            0.9 * R per second for S s.
//
// The offered load is one global schedule, attempt n due at start + n / rate, and
// thread i takes attempts i, i + N, i + 2N, ...: evenly spread over time, whatever
// N. Each thread busy-waits on the clock until an attempt is due; a thread that was
// preempted catches up at once (its lateness is reported). Offered, admitted and
// refused calls are counted per thread and per wall-clock second of the clock value
// the limiter was given, and summed at the end.
//
// The program reports; it does not pass or fail.
//
//   limit_accuracy [--threads N] [--cps R] [--burst B] [--overload X] [--seconds S] [--no-pin]
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "limit/limiter.h"
#include "sipwire/call_limits.h"

namespace {

using sipwire::CallLimitCounters;
using sipwire::CallLimitsConfig;
using sipwire::CallLimitsState;
using sipwire::kServerScope;
using sipwire::limit::Limiter;
using sipwire::limit::NewCall;
using sipwire::limit::Verdict;

constexpr uint64_t kSecond = 1'000'000'000ULL;

uint64_t now_ns() noexcept {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * kSecond + uint64_t(ts.tv_nsec);
}

// A bijection: distinct inputs give distinct Call-ID hashes, spread over the table.
uint64_t splitmix64(uint64_t x) noexcept {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

struct Options {
    unsigned threads = 2;
    uint32_t cps = 10000;
    uint32_t burst = 0;  // 0: cps / 10 (at least 1)
    double overload = 10.0;
    unsigned seconds = 10;
    unsigned gap_ms = 0;  // pause between the phases (no traffic)
    bool pin = true;
};

struct Phase {
    uint64_t start_ns;   // CLOCK_MONOTONIC of attempt 0
    double rate;         // attempts per second, all threads together
    uint64_t end_ns;     // attempts due at or after this are not made
    uint64_t tag;        // distinguishes the phases' Call-ID hashes
};

// One thread's figures for one phase, per wall-clock second (plus one bucket for an
// attempt that was due before the end but made after it).
struct PhaseCounts {
    std::vector<uint64_t> offered, admitted, rejected, other;
    uint64_t max_late_ns = 0;
    uint64_t late_1ms = 0;  // attempts made 1 ms or more after they were due
    uint64_t last_reject_n = UINT64_MAX;  // the phase's last refused attempt (global index)
    uint64_t last_reject_ns = 0;          // and when, from the phase's start
    explicit PhaseCounts(unsigned buckets) : offered(buckets), admitted(buckets), rejected(buckets), other(buckets) {}
};

struct alignas(64) Worker {
    std::unique_ptr<Limiter> limiter = std::make_unique<Limiter>();
    std::unique_ptr<CallLimitCounters> counters = std::make_unique<CallLimitCounters>();
    std::vector<PhaseCounts> phases;
};

void run_phase(Worker& w, const CallLimitsConfig& config, const Phase& p, unsigned index, unsigned threads,
               PhaseCounts& c) {
    const unsigned last = static_cast<unsigned>(c.offered.size() - 1);
    for (uint64_t n = index;; n += threads) {
        const uint64_t due = p.start_ns + static_cast<uint64_t>(std::llround(double(n) * 1e9 / p.rate));
        if (due >= p.end_ns) break;
        uint64_t now;
        while ((now = now_ns()) < due) __builtin_ia32_pause();
        const uint64_t late = now - due;
        c.max_late_ns = std::max(c.max_late_ns, late);
        c.late_1ms += late >= 1'000'000;
        unsigned sec = static_cast<unsigned>((now - p.start_ns) / kSecond);
        if (sec > last) sec = last;

        w.limiter->begin(config, 1, now);  // what the poll loop does every iteration
        const uint64_t h = splitmix64(p.tag | n);
        const Verdict v = w.limiter->admit_invite(NewCall{h, 0x0100000a, sipwire::kNoScope, false, 1});
        ++c.offered[sec];
        if (v == Verdict::admitted) {
            ++c.admitted[sec];
            w.limiter->on_bye_response(h, 200, 1, 2);  // early BYE: released at once: the table never fills
        } else if (v == Verdict::rejected) {
            ++c.rejected[sec];
            c.last_reject_n = n;
            c.last_reject_ns = now - p.start_ns;
        } else {
            ++c.other[sec];  // unlimited / retransmission / failed over: none expected
        }
    }
}

bool parse_u32(const char* s, uint32_t& out) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0' || v > 0xffffffffULL) return false;
    out = static_cast<uint32_t>(v);
    return true;
}

int usage(const char* prog) {
    std::fprintf(stderr,
                 "usage: %s [--threads N (2)] [--cps R (10000)] [--burst B (R/10)] [--overload X (10)]\n"
                 "          [--seconds S (10)] [--gap-ms G (0)] [--no-pin]\n",
                 prog);
    return 2;
}

struct Sum {
    std::vector<uint64_t> offered, admitted, rejected, other;
    uint64_t max_late_ns = 0, late_1ms = 0;
    uint64_t last_reject_n = UINT64_MAX, last_reject_ns = 0;
};

Sum sum_phase(const std::vector<Worker>& workers, unsigned phase, unsigned buckets) {
    Sum s{std::vector<uint64_t>(buckets), std::vector<uint64_t>(buckets), std::vector<uint64_t>(buckets),
          std::vector<uint64_t>(buckets)};
    for (const Worker& w : workers) {
        const PhaseCounts& c = w.phases[phase];
        for (unsigned i = 0; i < buckets; ++i) {
            s.offered[i] += c.offered[i];
            s.admitted[i] += c.admitted[i];
            s.rejected[i] += c.rejected[i];
            s.other[i] += c.other[i];
        }
        s.max_late_ns = std::max(s.max_late_ns, c.max_late_ns);
        s.late_1ms += c.late_1ms;
        if (c.last_reject_n != UINT64_MAX && (s.last_reject_n == UINT64_MAX || c.last_reject_n > s.last_reject_n)) {
            s.last_reject_n = c.last_reject_n;
            s.last_reject_ns = c.last_reject_ns;
        }
    }
    return s;
}

uint64_t total(const std::vector<uint64_t>& v) {
    uint64_t t = 0;
    for (uint64_t x : v) t += x;
    return t;
}

}  // namespace

int main(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const char* a = argv[i];
        const char* v = i + 1 < argc ? argv[i + 1] : nullptr;
        uint32_t u = 0;
        if (std::strcmp(a, "--no-pin") == 0) {
            o.pin = false;
        } else if (v == nullptr) {
            return usage(argv[0]);
        } else if (std::strcmp(a, "--threads") == 0 && parse_u32(v, u) && u >= 1 && u <= 256) {
            o.threads = u, ++i;
        } else if (std::strcmp(a, "--cps") == 0 && parse_u32(v, u) && u >= 1 && u <= 4'000'000) {
            o.cps = u, ++i;
        } else if (std::strcmp(a, "--burst") == 0 && parse_u32(v, u) && u >= 1) {
            o.burst = u, ++i;
        } else if (std::strcmp(a, "--overload") == 0) {
            char* end = nullptr;
            o.overload = std::strtod(v, &end);
            if (end == v || *end != '\0' || !(o.overload > 0.0)) return usage(argv[0]);
            ++i;
        } else if (std::strcmp(a, "--gap-ms") == 0 && parse_u32(v, u) && u <= 3'600'000) {
            o.gap_ms = u, ++i;
        } else if (std::strcmp(a, "--seconds") == 0 && parse_u32(v, u) && u >= 1 && u <= 3600) {
            o.seconds = u, ++i;
        } else {
            return usage(argv[0]);
        }
    }
    if (o.burst == 0) o.burst = std::max<uint32_t>(1, o.cps / 10);
    const unsigned cpus = static_cast<unsigned>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));

    // The shared region, zeroed (value-initialised), and a configuration with a CPS
    // limit on the server scope only.
    auto state = std::make_unique<CallLimitsState>();
    auto config = std::make_unique<CallLimitsConfig>();
    std::memset(config.get(), 0, sizeof(CallLimitsConfig));
    config->scopes[kServerScope] = {o.cps * 1000, o.burst, 0, 1};

    std::vector<Worker> workers(o.threads);
    const unsigned buckets = o.seconds + 1;
    for (unsigned i = 0; i < o.threads; ++i) {
        workers[i].limiter->attach(*state, *workers[i].counters, i, o.threads);
        workers[i].phases.emplace_back(buckets);
        workers[i].phases.emplace_back(buckets);
    }

    const uint64_t t0 = now_ns() + 200'000'000ULL;  // every thread started and pinned by then
    const uint64_t t1 = t0 + o.seconds * kSecond + o.gap_ms * 1'000'000ULL;
    const Phase phases[2] = {
        {t0, o.overload * o.cps, t0 + o.seconds * kSecond, 0},
        {t1, 0.9 * o.cps, t1 + o.seconds * kSecond, 1ULL << 62},
    };

    std::printf("limit_accuracy: %u thread(s)%s on %u CPU(s), limit %u cps, burst %u, CLOCK_MONOTONIC\n",
                o.threads, o.pin ? " pinned" : "", cpus, o.cps, o.burst);
    std::printf("phase 1: %.0f new calls/s offered (%.3gx the limit) for %u s; then %u ms without traffic; "
                "phase 2: %.0f/s (0.9x) for %u s\n\n",
                phases[0].rate, o.overload, o.seconds, o.gap_ms, phases[1].rate, o.seconds);
    std::fflush(stdout);

    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.threads; ++i) {
        threads.emplace_back([&, i] {
            if (o.pin) {
                cpu_set_t set;
                CPU_ZERO(&set);
                CPU_SET(i % cpus, &set);
                pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
            }
            for (unsigned p = 0; p < 2; ++p)
                run_phase(workers[i], *config, phases[p], i, o.threads, workers[i].phases[p]);
        });
    }
    for (std::thread& t : threads) t.join();

    const double R = o.cps;
    const double B = o.burst;

    // ---- phase 1: overload ----
    const Sum s1 = sum_phase(workers, 0, buckets);
    std::printf("phase 1: overload %.3gx\n", o.overload);
    std::printf("%6s %12s %12s %12s %14s\n", "second", "offered", "admitted", "rejected", "error vs limit");
    double max_err = 0.0;
    unsigned max_err_sec = 0;
    for (unsigned i = 0; i < o.seconds; ++i) {
        const double err = (double(s1.admitted[i]) - R) / R * 100.0;
        std::printf("%6u %12llu %12llu %12llu %+13.3f%%%s\n", i, (unsigned long long)s1.offered[i],
                    (unsigned long long)s1.admitted[i], (unsigned long long)s1.rejected[i], err,
                    i == 0 ? "  (first second: limit + burst expected)" : "");
        if (i > 0 && std::fabs(err) >= max_err) {
            max_err = std::fabs(err);
            max_err_sec = i;
        }
    }
    if (s1.offered[o.seconds] != 0)
        std::printf("%6s %12llu %12llu %12llu  (due before the end, made after it)\n", "late",
                    (unsigned long long)s1.offered[o.seconds], (unsigned long long)s1.admitted[o.seconds],
                    (unsigned long long)s1.rejected[o.seconds]);
    const double first_err = (double(s1.admitted[0]) - (R + B)) / (R + B) * 100.0;
    const uint64_t adm1 = total(s1.admitted);
    std::printf("summary: max |error| vs the limit, seconds 1-%u: %.3f%% (second %u)\n", o.seconds - 1, max_err,
                max_err_sec);
    std::printf("summary: first second admitted %llu vs limit + burst %.0f: %+.3f%%\n",
                (unsigned long long)s1.admitted[0], R + B, first_err);
    std::printf("summary: admitted over %u s: %llu; bound burst + R x %u s = %.0f\n", o.seconds,
                (unsigned long long)adm1, o.seconds, B + R * o.seconds);
    std::printf("summary: offered %llu, unexpected verdicts %llu; scheduling: max lateness %.3f ms, "
                "%llu attempts >= 1 ms late\n\n",
                (unsigned long long)total(s1.offered), (unsigned long long)total(s1.other), s1.max_late_ns / 1e6,
                (unsigned long long)s1.late_1ms);

    // ---- phase 2: below the limit ----
    const Sum s2 = sum_phase(workers, 1, buckets);
    std::printf("phase 2: 0.9x the limit, %u ms after phase 1 (same state)\n", o.gap_ms);
    std::printf("%6s %12s %12s %12s\n", "second", "offered", "admitted", "rejected");
    for (unsigned i = 0; i < buckets; ++i) {
        if (i == o.seconds && s2.offered[i] == 0) break;
        std::printf("%6s %12llu %12llu %12llu\n", i == o.seconds ? "late" : std::to_string(i).c_str(),
                    (unsigned long long)s2.offered[i], (unsigned long long)s2.admitted[i],
                    (unsigned long long)s2.rejected[i]);
    }
    std::printf("summary: below the limit: offered %llu, admitted %llu, rejected %llu (expected 0), "
                "unexpected verdicts %llu; scheduling: max lateness %.3f ms, %llu attempts >= 1 ms late\n",
                (unsigned long long)total(s2.offered), (unsigned long long)total(s2.admitted),
                (unsigned long long)total(s2.rejected), (unsigned long long)total(s2.other), s2.max_late_ns / 1e6,
                (unsigned long long)s2.late_1ms);
    if (s2.last_reject_n != UINT64_MAX)
        std::printf("summary: last refusal below the limit: attempt #%llu of phase 2, %.3f ms after its start\n",
                    (unsigned long long)s2.last_reject_n, s2.last_reject_ns / 1e6);
    std::printf("\n");

    // ---- the limiter's own counters and the table ----
    uint64_t c_admitted = 0, c_rejected = 0, c_full = 0;
    for (const Worker& w : workers) {
        c_admitted += w.counters->admitted[kServerScope].get();
        c_rejected += w.counters->rejected_cps[kServerScope].get();
        c_full += w.counters->dialog_table_full.get();
    }
    uint64_t occupied = 0;
    for (const sipwire::DialogSlot& d : state->dialogs) occupied += d.key.load(std::memory_order_relaxed) != 0;
    std::printf("limiter counters: admitted %llu, rejected_cps %llu, dialog_table_full %llu; "
                "dialog slots in use at the end: %llu of %u\n",
                (unsigned long long)c_admitted, (unsigned long long)c_rejected, (unsigned long long)c_full,
                (unsigned long long)occupied, sipwire::kDialogSlots);
    return 0;
}
