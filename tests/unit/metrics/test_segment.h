// A real shared-memory segment for a test, filled like a running sipwire-dp would
// fill it, and unlinked when the test ends.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "sipwire/shm_mapping.h"

namespace sipwire::testing {

class TestSegment {
public:
    TestSegment() {
        static std::atomic<int> serial{0};
        instance_ = "test-" + std::to_string(getpid()) + "-" + std::to_string(serial++);
        std::string error;
        if (!mapping_.create(instance_, error)) ADD_FAILURE() << error;
    }
    ~TestSegment() { mapping_.unlink(); }
    TestSegment(const TestSegment&) = delete;
    TestSegment& operator=(const TestSegment&) = delete;

    const SegmentView& view() const { return mapping_.view(); }
    ShmHeader& header() const { return view().header(); }
    const std::string& instance() const { return instance_; }

    void add_port(uint32_t index, const char* name, const char* driver, bool link_up) {
        PortStatus& p = view().port(index);
        std::snprintf(p.name, sizeof p.name, "%s", name);
        std::snprintf(p.driver, sizeof p.driver, "%s", driver);
        const uint8_t mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, uint8_t(index + 1)};
        for (int i = 0; i < 6; ++i) p.mac[i] = mac[i];
        p.link_up.store(link_up ? 1 : 0);
        p.link_speed_mbps.store(10000);
        p.rx_queues = 1;
        p.tx_queues = 2;
    }

    void add_worker(uint32_t index, uint32_t lcore, uint64_t heartbeat_ns, uint64_t acked) {
        WorkerState& w = view().worker(index);
        w.lcore_id = lcore;
        w.heartbeat_ns.store(heartbeat_ns);
        w.acked_generation.store(acked);
        w.run_state.store(uint32_t(WorkerRunState::running));
    }

    PortCounters& counters(uint32_t worker, uint32_t port) const {
        return view().worker(worker).ports[port];
    }

private:
    std::string instance_;
    ShmMapping mapping_;
};

}  // namespace sipwire::testing
