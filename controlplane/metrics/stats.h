// A consistent-enough copy of everything sipwire-dp publishes in the segment:
// per (port, worker) counters, per-worker loop state, port status and header
// fields. Read by the Prometheus exporter on each scrape and by the control API.
// Counters are single-writer relaxed atomics, so a snapshot is a set of recent
// values, not an instant; that is what every per-core stats reader gets.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "sipwire/call_limits.h"
#include "sipwire/counters.h"
#include "sipwire/layout.h"
#include "sipwire/sip_counters.h"

namespace sipwire::metrics {

inline constexpr unsigned kPortCounterCount = std::size(kPortCounterFields);

// One value per X-macro entry: values[i] belongs to kPortCounterFields[i],
// drops[r] to kDropReasonNames[r].
struct CounterValues {
    std::array<uint64_t, kPortCounterCount> values{};
    std::array<uint64_t, kDropReasonCount> drops{};

    CounterValues& operator+=(const CounterValues& o);
    // Value of the field called `field` (a kPortCounterFields name); 0 if unknown.
    uint64_t get(std::string_view field) const;
};

inline constexpr unsigned kSipCounterCount = std::size(kSipCounterFields);

// Names of the SIP_PARSE_ERRORS and SIP_LOCAL_RESPONSES X-macro entries.
inline constexpr const char* kSipParseErrorNames[] = {
#define SIPWIRE_X(name, phrase) #name,
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
};
inline constexpr const char* kSipParseErrorPhrases[] = {
#define SIPWIRE_X(name, phrase) phrase,
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
};
inline constexpr const char* kSipLocalResponseNames[] = {
#define SIPWIRE_X(name, code, help) #name,
    SIPWIRE_SIP_LOCAL_RESPONSES(SIPWIRE_X)
#undef SIPWIRE_X
};
inline constexpr const char* kSipLocalResponseHelp[] = {
#define SIPWIRE_X(name, code, help) help,
    SIPWIRE_SIP_LOCAL_RESPONSES(SIPWIRE_X)
#undef SIPWIRE_X
};

// SIP stage counters of one worker (or a sum): values[i] belongs to
// kSipCounterFields[i], local_responses[r] to kSipLocalResponseCodes[r],
// parse_errors[e] to kSipParseErrorNames[e] ([0], ok, unused),
// destination_requests[s] to DestinationRegistry slot s.
struct SipValues {
    std::array<uint64_t, kSipCounterCount> values{};
    std::array<uint64_t, kSipLocalResponseCount> local_responses{};
    std::array<uint64_t, kSipParseErrorCount> parse_errors{};
    std::array<uint64_t, kMaxDestinations> destination_requests{};

    SipValues& operator+=(const SipValues& o);
    // Value of the field called `field` (a kSipCounterFields name); 0 if unknown.
    uint64_t get(std::string_view field) const;
};

// The SIPWIRE_CALL_LIMIT_COUNTERS entries and the channel release reasons.
struct CallLimitCounterField {
    Counter CallLimitCounters::*member;
    const char* field;
    const char* prometheus_name;
    const char* help;
};
inline constexpr CallLimitCounterField kCallLimitCounterFields[] = {
#define SIPWIRE_X(name, prom, help) {&CallLimitCounters::name, #name, prom, help},
    SIPWIRE_CALL_LIMIT_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
};
inline constexpr unsigned kCallLimitCounterCount = std::size(kCallLimitCounterFields);
inline constexpr const char* kChannelReleaseNames[] = {
#define SIPWIRE_X(name, help) #name,
    SIPWIRE_CHANNEL_RELEASE_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
};
inline constexpr const char* kChannelReleaseHelp[] = {
#define SIPWIRE_X(name, help) help,
    SIPWIRE_CHANNEL_RELEASE_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
};

// Call-limit counters of one worker (or a sum): values[i] belongs to
// kCallLimitCounterFields[i]; the arrays are by scope number and ChannelRelease.
struct LimitValues {
    std::array<uint64_t, kCallLimitCounterCount> values{};
    std::array<uint64_t, kLimitScopes> admitted{};
    std::array<uint64_t, kLimitScopes> rejected_cps{};
    std::array<uint64_t, kLimitScopes> rejected_channels{};
    std::array<uint64_t, kChannelReleaseCount> released{};

    LimitValues& operator+=(const LimitValues& o);
    // Value of the field called `field` (a kCallLimitCounterFields name); 0 if unknown.
    uint64_t get(std::string_view field) const;
};

struct WorkerStats {
    uint32_t index = 0;  // worker block in the segment
    uint32_t lcore = 0;
    bool running = false;
    uint64_t acked_generation = 0;
    uint64_t loops = 0;
    uint64_t busy_loops = 0;
    // Seconds since the worker's last heartbeat; empty before its first one.
    std::optional<double> heartbeat_age_seconds;
};

struct PortState {
    uint32_t index = 0;
    std::string name;    // as started by sipwire-dp ("port<N>" if it wrote none)
    std::string driver;
    std::string mac;     // "02:00:00:00:00:01"
    bool link_up = false;
    uint32_t speed_mbps = 0;
    uint16_t rx_queues = 0;
    uint16_t tx_queues = 0;
};

// Counters of one port as seen by one worker.
struct PortWorkerStats {
    uint32_t port = 0;    // index into StatsSnapshot::ports
    uint32_t worker = 0;  // index into StatsSnapshot::workers
    CounterValues counters;
};

struct StatsSnapshot {
    int32_t controlplane_pid = 0;
    int32_t dataplane_pid = 0;
    bool dataplane_alive = false;
    uint64_t controlplane_started_unix_ns = 0;
    uint64_t dataplane_started_unix_ns = 0;  // 0 = never started
    uint64_t config_generation = 0;          // published; 0 = none yet

    std::vector<WorkerStats> workers;  // [0, header.worker_count)
    std::vector<PortState> ports;      // [0, header.port_count)
    // Port-major: cells[port * workers.size() + worker].
    std::vector<PortWorkerStats> cells;
    std::vector<CounterValues> port_totals;  // per port, summed over workers
    CounterValues totals;                    // everything
    std::vector<SipValues> sip;  // per worker, as `workers`
    SipValues sip_totals;        // summed over workers
    std::vector<LimitValues> limits;  // per worker, as `workers`
    LimitValues limit_totals;         // summed over workers
    // CallLimitsState::scopes[i].channels: calls holding a channel, by scope number.
    std::array<int32_t, kLimitScopes> channels_in_use{};

    const PortWorkerStats& cell(uint32_t port, uint32_t worker) const {
        return cells[size_t(port) * workers.size() + worker];
    }
};

// CLOCK_MONOTONIC in nanoseconds, the clock of WorkerState::heartbeat_ns.
uint64_t monotonic_now_ns();

// Reads workers [0, header.worker_count) and ports [0, header.port_count) (both
// clamped to the segment's capacity). `monotonic_now_ns` ages the heartbeats.
StatsSnapshot read_stats(const SegmentView& segment, uint64_t monotonic_now_ns);
StatsSnapshot read_stats(const SegmentView& segment);

// "aa:bb:cc:dd:ee:ff"
std::string format_mac(const uint8_t (&mac)[6]);

}  // namespace sipwire::metrics
