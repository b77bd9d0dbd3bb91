#include "metrics/stats.h"

#include <unistd.h>

#include <cstring>

#include <gtest/gtest.h>

#include "test_segment.h"

namespace sipwire::metrics {
namespace {

using sipwire::testing::TestSegment;

constexpr uint64_t kNow = 1'000'000'000'000ULL;  // injected CLOCK_MONOTONIC

size_t field_index(std::string_view field) {
    for (size_t i = 0; i < kPortCounterCount; ++i)
        if (field == kPortCounterFields[i].field) return i;
    ADD_FAILURE() << "no counter " << field;
    return 0;
}

// Two ports, two workers (lcores 1 and 3): every counter field of every cell gets a
// distinct value so that a mixed-up index shows.
class StatsTest : public ::testing::Test {
protected:
    void SetUp() override {
        seg.add_port(0, "net_tap0", "net_tap", true);
        seg.add_port(1, "net_tap1", "net_tap", false);
        seg.add_worker(0, 1, kNow - 250'000'000, 7);
        seg.add_worker(1, 3, kNow - 2'000'000'000, 6);
        for (uint32_t w = 0; w < 2; ++w)
            for (uint32_t p = 0; p < 2; ++p) {
                PortCounters& pc = seg.counters(w, p);
                for (size_t i = 0; i < kPortCounterCount; ++i)
                    (pc.*kPortCounterFields[i].member).add(value(w, p, i));
                for (size_t r = 0; r < kDropReasonCount; ++r) pc.drops[r].add(1000 * (w + 1) + 10 * p + r);
            }
        seg.view().worker(0).loops.add(500);
        seg.view().worker(0).busy_loops.add(20);
        seg.view().worker(1).loops.add(700);
        ShmHeader& h = seg.header();
        h.worker_count.store(2);
        h.port_count.store(2);
        h.dataplane_pid.store(getpid());
        h.controlplane_pid.store(getpid());
        h.controlplane_started_unix_ns.store(1'700'000'000'500'000'000ULL);
        h.dataplane_started_unix_ns.store(1'700'000'100'000'000'000ULL);
        h.published.store(pack_published(7, 2));
    }

    static uint64_t value(uint32_t w, uint32_t p, size_t field) {
        return 100000 * (w + 1) + 1000 * (p + 1) + field;
    }

    TestSegment seg;
};

TEST_F(StatsTest, ReadsHeaderWorkersAndPorts) {
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_EQ(s.dataplane_pid, getpid());
    EXPECT_TRUE(s.dataplane_alive);
    EXPECT_EQ(s.config_generation, 7u);
    EXPECT_EQ(s.controlplane_started_unix_ns, 1'700'000'000'500'000'000ULL);

    ASSERT_EQ(s.workers.size(), 2u);
    EXPECT_EQ(s.workers[0].lcore, 1u);
    EXPECT_EQ(s.workers[1].lcore, 3u);
    EXPECT_EQ(s.workers[0].loops, 500u);
    EXPECT_EQ(s.workers[0].busy_loops, 20u);
    EXPECT_EQ(s.workers[1].loops, 700u);
    EXPECT_EQ(s.workers[0].acked_generation, 7u);
    EXPECT_TRUE(s.workers[0].running);
    ASSERT_TRUE(s.workers[0].heartbeat_age_seconds);
    EXPECT_DOUBLE_EQ(*s.workers[0].heartbeat_age_seconds, 0.25);
    EXPECT_DOUBLE_EQ(*s.workers[1].heartbeat_age_seconds, 2.0);

    ASSERT_EQ(s.ports.size(), 2u);
    EXPECT_EQ(s.ports[0].name, "net_tap0");
    EXPECT_EQ(s.ports[0].driver, "net_tap");
    EXPECT_EQ(s.ports[0].mac, "02:00:00:00:00:01");
    EXPECT_TRUE(s.ports[0].link_up);
    EXPECT_FALSE(s.ports[1].link_up);
    EXPECT_EQ(s.ports[1].speed_mbps, 10000u);
    EXPECT_EQ(s.ports[1].rx_queues, 1u);
    EXPECT_EQ(s.ports[1].tx_queues, 2u);
}

TEST_F(StatsTest, CellsHoldEveryFieldOfEveryPortAndWorker) {
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    ASSERT_EQ(s.cells.size(), 4u);
    for (uint32_t p = 0; p < 2; ++p)
        for (uint32_t w = 0; w < 2; ++w) {
            const PortWorkerStats& c = s.cell(p, w);
            EXPECT_EQ(c.port, p);
            EXPECT_EQ(c.worker, w);
            for (size_t i = 0; i < kPortCounterCount; ++i)
                EXPECT_EQ(c.counters.values[i], value(w, p, i)) << kPortCounterFields[i].field;
            for (size_t r = 0; r < kDropReasonCount; ++r)
                EXPECT_EQ(c.counters.drops[r], 1000 * (w + 1) + 10 * p + r) << kDropReasonNames[r];
        }
}

TEST_F(StatsTest, SumsPerPortAndOverall) {
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    for (size_t i = 0; i < kPortCounterCount; ++i) {
        EXPECT_EQ(s.port_totals[0].values[i], value(0, 0, i) + value(1, 0, i));
        EXPECT_EQ(s.port_totals[1].values[i], value(0, 1, i) + value(1, 1, i));
        EXPECT_EQ(s.totals.values[i], value(0, 0, i) + value(1, 0, i) + value(0, 1, i) + value(1, 1, i));
    }
    for (size_t r = 0; r < kDropReasonCount; ++r)
        EXPECT_EQ(s.totals.drops[r], 1000 + 2000 + 1010 + 2010 + 4 * r);
    EXPECT_EQ(s.totals.get("rx_packets"), s.totals.values[field_index("rx_packets")]);
    EXPECT_EQ(s.totals.get("no_such_counter"), 0u);
}

TEST_F(StatsTest, IgnoresWorkersAndPortsBeyondTheCounts) {
    // A third worker and port with counters, not announced in the header.
    seg.add_worker(2, 5, kNow, 7);
    seg.add_port(2, "net_tap2", "net_tap", true);
    seg.counters(2, 0).rx_packets.add(1'000'000);
    seg.counters(0, 2).rx_packets.add(1'000'000);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_EQ(s.workers.size(), 2u);
    EXPECT_EQ(s.ports.size(), 2u);
    EXPECT_EQ(s.totals.get("rx_packets"),
              value(0, 0, 0) + value(1, 0, 0) + value(0, 1, 0) + value(1, 1, 0));
}

TEST_F(StatsTest, ClampsCountsToTheSegmentCapacity) {
    seg.header().worker_count.store(1000);
    seg.header().port_count.store(1000);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_EQ(s.workers.size(), kMaxWorkers);
    EXPECT_EQ(s.ports.size(), kMaxPorts);
    EXPECT_EQ(s.cells.size(), size_t(kMaxWorkers) * kMaxPorts);
    EXPECT_EQ(s.ports[3].name, "port3");  // no name written
}

TEST_F(StatsTest, EmptyBeforeTheDataPlaneStarts) {
    seg.header().worker_count.store(0);
    seg.header().port_count.store(0);
    seg.header().dataplane_pid.store(0);
    seg.view().worker(0).heartbeat_ns.store(0);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_FALSE(s.dataplane_alive);
    EXPECT_TRUE(s.workers.empty());
    EXPECT_TRUE(s.cells.empty());
    EXPECT_EQ(s.totals.get("rx_packets"), 0u);
}

TEST_F(StatsTest, NoHeartbeatYetHasNoAge) {
    seg.view().worker(1).heartbeat_ns.store(0);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_FALSE(s.workers[1].heartbeat_age_seconds.has_value());
}

TEST_F(StatsTest, UnterminatedPortNameStaysInBounds) {
    PortStatus& p = seg.view().port(0);
    std::memset(p.name, 'x', sizeof p.name);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    EXPECT_EQ(s.ports[0].name, std::string(kNameLen, 'x'));
}

}  // namespace
}  // namespace sipwire::metrics
