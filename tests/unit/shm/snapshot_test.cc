#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

#include "sipwire/snapshot.h"

namespace sipwire {
namespace {

// A segment in ordinary memory: the protocol does not care where it lives.
struct TestSegment {
    std::unique_ptr<std::byte[]> memory{new std::byte[compute_layout().total]()};
    SegmentView view{memory.get()};
    TestSegment() { init_header(view.header()); }
};

// Every field of a published snapshot derives from one value, so a reader that
// sees a slot being overwritten sees fields that disagree.
DataplaneConfig config_for(uint32_t value) {
    DataplaneConfig c{};
    c.port_count = 1;
    c.ports[0].ipv4 = value;
    c.ports[0].gateway_ipv4 = ~value;
    c.idle_sleep_us = value;
    c.burst_size = value ^ 0x5a5a5a5au;
    c.rtp_port_min = uint16_t(value);
    c.rtp_port_max = uint16_t(~value);
    return c;
}

bool consistent(const DataplaneConfig& c) {
    const uint32_t v = c.ports[0].ipv4;
    return c.ports[0].gateway_ipv4 == ~v && c.idle_sleep_us == v &&
           c.burst_size == (v ^ 0x5a5a5a5au) && c.rtp_port_min == uint16_t(v) &&
           c.rtp_port_max == uint16_t(~v);
}

TEST(Snapshot, NothingPublishedGivesNull) {
    TestSegment seg;
    WorkerState& w = seg.view.worker(0);
    EXPECT_EQ(acquire_config(seg.view, w), nullptr);
}

TEST(Snapshot, PublishAdvancesGenerationAndWorkerAcknowledges) {
    TestSegment seg;
    WorkerState& w = seg.view.worker(0);
    w.run_state.store(uint32_t(WorkerRunState::running));
    EXPECT_EQ(publish_config(seg.view, config_for(7), true), 1u);
    const DataplaneConfig* c = acquire_config(seg.view, w);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->generation, 1u);
    EXPECT_EQ(c->idle_sleep_us, 7u);
    EXPECT_EQ(w.acked_generation.load(), 1u);
    EXPECT_EQ(publish_config(seg.view, config_for(8), true), 2u);
    EXPECT_EQ(acquire_config(seg.view, w)->idle_sleep_us, 8u);
    EXPECT_EQ(w.acked_generation.load(), 2u);
}

TEST(Snapshot, SlotHeldByAStuckWorkerIsNeverReused) {
    TestSegment seg;
    WorkerState& stuck = seg.view.worker(0);
    stuck.run_state.store(uint32_t(WorkerRunState::running));
    ASSERT_EQ(publish_config(seg.view, config_for(1), true), 1u);
    const DataplaneConfig* held = acquire_config(seg.view, stuck);
    // Without the worker acknowledging anything newer, the writer may use the other
    // slots once each, then must refuse rather than overwrite the held one.
    for (uint32_t i = 2; i <= kConfigSlots; ++i)
        EXPECT_EQ(publish_config(seg.view, config_for(i), true), i);
    EXPECT_EQ(publish_config(seg.view, config_for(99), true), 0u);
    EXPECT_EQ(held->idle_sleep_us, 1u);
    EXPECT_TRUE(consistent(*held));
    // Once the data plane is gone, nothing is held.
    EXPECT_NE(publish_config(seg.view, config_for(100), false), 0u);
}

// Writer publishes as fast as slots free up while workers acquire once per
// "iteration" and read the snapshot throughout it: no reader may ever see a
// snapshot change under it.
TEST(SnapshotStress, ReadersNeverSeeATornSnapshot) {
    constexpr unsigned kReaders = 2;
    constexpr uint32_t kPublications = 2000;
    TestSegment seg;
    for (unsigned r = 0; r < kReaders; ++r)
        seg.view.worker(r).run_state.store(uint32_t(WorkerRunState::running));
    ASSERT_EQ(publish_config(seg.view, config_for(0), true), 1u);

    std::atomic<bool> done{false};
    std::atomic<uint64_t> torn{0}, iterations{0};
    std::vector<std::thread> readers;
    for (unsigned r = 0; r < kReaders; ++r) {
        readers.emplace_back([&, r] {
            WorkerState& self = seg.view.worker(r);
            uint64_t last_generation = 0;
            while (!done.load(std::memory_order_relaxed)) {
                const DataplaneConfig* c = acquire_config(seg.view, self);
                if (c->generation < last_generation) torn.fetch_add(1);
                last_generation = c->generation;
                for (int k = 0; k < 8; ++k)
                    if (!consistent(*c)) torn.fetch_add(1);
                iterations.fetch_add(1, std::memory_order_relaxed);
            }
            self.run_state.store(uint32_t(WorkerRunState::stopped));
        });
    }
    // Start publishing only once every reader runs the first snapshot.
    for (unsigned r = 0; r < kReaders; ++r)
        while (seg.view.worker(r).acked_generation.load() == 0) std::this_thread::yield();
    uint32_t published = 0;
    while (published < kPublications) {
        if (publish_config(seg.view, config_for(published + 1), true) != 0) ++published;
        else std::this_thread::yield();
    }
    done.store(true);
    for (auto& t : readers) t.join();
    EXPECT_EQ(torn.load(), 0u);
    EXPECT_GT(iterations.load(), 0u);
    EXPECT_EQ(published_generation(seg.view.header().published.load()), kPublications + 1);
}

}  // namespace
}  // namespace sipwire
