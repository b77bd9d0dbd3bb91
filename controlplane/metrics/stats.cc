#include "metrics/stats.h"

#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "sipwire/shm_mapping.h"

namespace sipwire::metrics {

namespace {

// A fixed char array written by the other process: stop at NUL or at its end.
template <size_t N>
std::string bounded_string(const char (&s)[N]) {
    return std::string(s, strnlen(s, N));
}

}  // namespace

CounterValues& CounterValues::operator+=(const CounterValues& o) {
    for (size_t i = 0; i < values.size(); ++i) values[i] += o.values[i];
    for (size_t r = 0; r < drops.size(); ++r) drops[r] += o.drops[r];
    return *this;
}

uint64_t CounterValues::get(std::string_view field) const {
    for (size_t i = 0; i < kPortCounterCount; ++i)
        if (field == kPortCounterFields[i].field) return values[i];
    return 0;
}

SipValues& SipValues::operator+=(const SipValues& o) {
    for (size_t i = 0; i < values.size(); ++i) values[i] += o.values[i];
    for (size_t i = 0; i < local_responses.size(); ++i) local_responses[i] += o.local_responses[i];
    for (size_t i = 0; i < parse_errors.size(); ++i) parse_errors[i] += o.parse_errors[i];
    for (size_t i = 0; i < destination_requests.size(); ++i)
        destination_requests[i] += o.destination_requests[i];
    return *this;
}

uint64_t SipValues::get(std::string_view field) const {
    for (size_t i = 0; i < kSipCounterCount; ++i)
        if (field == kSipCounterFields[i].field) return values[i];
    return 0;
}

LimitValues& LimitValues::operator+=(const LimitValues& o) {
    for (size_t i = 0; i < values.size(); ++i) values[i] += o.values[i];
    for (size_t i = 0; i < kLimitScopes; ++i) {
        admitted[i] += o.admitted[i];
        rejected_cps[i] += o.rejected_cps[i];
        rejected_channels[i] += o.rejected_channels[i];
    }
    for (size_t i = 0; i < released.size(); ++i) released[i] += o.released[i];
    return *this;
}

uint64_t LimitValues::get(std::string_view field) const {
    for (size_t i = 0; i < kCallLimitCounterCount; ++i)
        if (field == kCallLimitCounterFields[i].field) return values[i];
    return 0;
}

uint64_t monotonic_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

std::string format_mac(const uint8_t (&mac)[6]) {
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
                  mac[3], mac[4], mac[5]);
    return buf;
}

StatsSnapshot read_stats(const SegmentView& segment, uint64_t now_ns) {
    StatsSnapshot s;
    const ShmHeader& h = segment.header();
    s.controlplane_pid = h.controlplane_pid.load(std::memory_order_relaxed);
    s.dataplane_pid = h.dataplane_pid.load(std::memory_order_relaxed);
    s.dataplane_alive = process_alive(s.dataplane_pid);
    s.controlplane_started_unix_ns = h.controlplane_started_unix_ns.load(std::memory_order_relaxed);
    s.dataplane_started_unix_ns = h.dataplane_started_unix_ns.load(std::memory_order_relaxed);
    s.config_generation = published_generation(h.published.load(std::memory_order_acquire));

    const uint32_t worker_count =
        std::min<uint32_t>(h.worker_count.load(std::memory_order_acquire), kMaxWorkers);
    const uint32_t port_count =
        std::min<uint32_t>(h.port_count.load(std::memory_order_acquire), kMaxPorts);

    s.workers.reserve(worker_count);
    for (uint32_t w = 0; w < worker_count; ++w) {
        const WorkerState& ws = segment.worker(w);
        WorkerStats out;
        out.index = w;
        out.lcore = ws.lcore_id;
        out.running = ws.run_state.load(std::memory_order_relaxed) ==
                      uint32_t(WorkerRunState::running);
        out.acked_generation = ws.acked_generation.load(std::memory_order_relaxed);
        out.loops = ws.loops.get();
        out.busy_loops = ws.busy_loops.get();
        const uint64_t beat = ws.heartbeat_ns.load(std::memory_order_relaxed);
        if (beat != 0) out.heartbeat_age_seconds = now_ns > beat ? double(now_ns - beat) / 1e9 : 0.0;
        s.workers.push_back(out);

        const SipCounters& sc = ws.sip;
        SipValues sip;
        for (size_t i = 0; i < kSipCounterCount; ++i)
            sip.values[i] = (sc.*kSipCounterFields[i].member).get();
        for (size_t i = 0; i < kSipLocalResponseCount; ++i)
            sip.local_responses[i] = sc.local_responses[i].get();
        for (size_t i = 0; i < kSipParseErrorCount; ++i) sip.parse_errors[i] = sc.parse_errors[i].get();
        for (size_t i = 0; i < kMaxDestinations; ++i)
            sip.destination_requests[i] = sc.destination_requests[i].get();
        s.sip_totals += sip;
        s.sip.push_back(sip);

        const CallLimitCounters& lc = ws.limits;
        LimitValues limits;
        for (size_t i = 0; i < kCallLimitCounterCount; ++i)
            limits.values[i] = (lc.*kCallLimitCounterFields[i].member).get();
        for (size_t i = 0; i < kLimitScopes; ++i) {
            limits.admitted[i] = lc.admitted[i].get();
            limits.rejected_cps[i] = lc.rejected_cps[i].get();
            limits.rejected_channels[i] = lc.rejected_channels[i].get();
        }
        for (size_t i = 0; i < kChannelReleaseCount; ++i) limits.released[i] = lc.released[i].get();
        s.limit_totals += limits;
        s.limits.push_back(limits);
    }
    const CallLimitsState& cl = segment.call_limits();
    for (size_t i = 0; i < kLimitScopes; ++i)
        s.channels_in_use[i] = cl.scopes[i].channels.load(std::memory_order_relaxed);

    s.ports.reserve(port_count);
    for (uint32_t p = 0; p < port_count; ++p) {
        const PortStatus& ps = segment.port(p);
        PortState out;
        out.index = p;
        out.name = bounded_string(ps.name);
        if (out.name.empty()) out.name = "port" + std::to_string(p);
        out.driver = bounded_string(ps.driver);
        out.mac = format_mac(ps.mac);
        out.link_up = ps.link_up.load(std::memory_order_relaxed) != 0;
        out.speed_mbps = ps.link_speed_mbps.load(std::memory_order_relaxed);
        out.rx_queues = ps.rx_queues;
        out.tx_queues = ps.tx_queues;
        s.ports.push_back(std::move(out));
    }

    s.cells.reserve(size_t(port_count) * worker_count);
    s.port_totals.assign(port_count, CounterValues{});
    for (uint32_t p = 0; p < port_count; ++p) {
        for (uint32_t w = 0; w < worker_count; ++w) {
            const PortCounters& pc = segment.worker(w).ports[p];
            PortWorkerStats cell;
            cell.port = p;
            cell.worker = w;
            for (size_t i = 0; i < kPortCounterCount; ++i)
                cell.counters.values[i] = (pc.*kPortCounterFields[i].member).get();
            for (size_t r = 0; r < kDropReasonCount; ++r) cell.counters.drops[r] = pc.drops[r].get();
            s.port_totals[p] += cell.counters;
            s.totals += cell.counters;
            s.cells.push_back(cell);
        }
    }
    return s;
}

StatsSnapshot read_stats(const SegmentView& segment) {
    return read_stats(segment, monotonic_now_ns());
}

}  // namespace sipwire::metrics
