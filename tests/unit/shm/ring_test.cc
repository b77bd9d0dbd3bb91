#include <gtest/gtest.h>

#include <memory>
#include <thread>

#include "sipwire/layout.h"

namespace sipwire {
namespace {

struct Message {
    uint64_t sequence;
    uint64_t check;  // derived from sequence: a torn or stale slot shows
};
using TestRing = SpscRing<Message, 64>;

TEST(SpscRing, EmptyAndFull) {
    auto ring = std::make_unique<TestRing>();
    EXPECT_EQ(ring->consumer_slot(), nullptr);
    for (uint64_t i = 0; i < TestRing::kCapacity; ++i) {
        Message* m = ring->producer_slot();
        ASSERT_NE(m, nullptr);
        *m = {i, ~i};
        ring->push();
    }
    EXPECT_EQ(ring->producer_slot(), nullptr) << "a full ring must refuse";
    EXPECT_EQ(ring->size(), TestRing::kCapacity);
    for (uint64_t i = 0; i < TestRing::kCapacity; ++i) {
        const Message* m = ring->consumer_slot();
        ASSERT_NE(m, nullptr);
        EXPECT_EQ(m->sequence, i);
        ring->pop();
    }
    EXPECT_EQ(ring->consumer_slot(), nullptr);
}

TEST(SpscRing, IndicesWrapAround32Bits) {
    auto ring = std::make_unique<TestRing>();
    ring->head.store(0xffffffffu - 3);
    ring->tail.store(0xffffffffu - 3);
    for (uint64_t i = 0; i < 10; ++i) {
        ASSERT_NE(ring->producer_slot(), nullptr);
        *ring->producer_slot() = {i, ~i};
        ring->push();
    }
    EXPECT_EQ(ring->size(), 10u);
    for (uint64_t i = 0; i < 10; ++i) {
        ASSERT_EQ(ring->consumer_slot()->sequence, i);
        ring->pop();
    }
}

// One producer and one consumer thread; every message arrives once, in order, intact.
TEST(SpscRingStress, TwoThreadsInOrderNoLossNoTearing) {
    constexpr uint64_t kMessages = 2'000'000;
    auto ring = std::make_unique<TestRing>();
    std::thread producer([&] {
        for (uint64_t i = 0; i < kMessages;) {
            Message* m = ring->producer_slot();
            if (!m) {
                std::this_thread::yield();
                continue;
            }
            *m = {i, ~i};
            ring->push();
            ++i;
        }
    });
    uint64_t expected = 0, bad = 0;
    while (expected < kMessages) {
        const Message* m = ring->consumer_slot();
        if (!m) {
            std::this_thread::yield();
            continue;
        }
        if (m->sequence != expected || m->check != ~expected) ++bad;
        ring->pop();
        ++expected;
    }
    producer.join();
    EXPECT_EQ(bad, 0u);
    EXPECT_EQ(ring->size(), 0u);
}

}  // namespace
}  // namespace sipwire
