// Single-producer single-consumer ring of fixed-size slots, placed in shared
// memory. Head and tail are free-running 32-bit indices on their own cache lines;
// the producer publishes a filled slot with a release store of head, the consumer
// frees it with a release store of tail. No locks, no syscalls, no allocation.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace sipwire {

template <typename Slot, uint32_t Capacity>
struct alignas(64) SpscRing {
    static_assert((Capacity & (Capacity - 1)) == 0, "capacity must be a power of two");
    static_assert(std::is_trivially_copyable_v<Slot>);
    static constexpr uint32_t kCapacity = Capacity;

    alignas(64) std::atomic<uint32_t> head{0};  // written by the producer only
    alignas(64) std::atomic<uint32_t> tail{0};  // written by the consumer only
    alignas(64) Slot slots[Capacity];

    // Producer: a slot to fill, or nullptr when full. Call push() after filling.
    Slot* producer_slot() noexcept {
        const uint32_t h = head.load(std::memory_order_relaxed);
        if (h - tail.load(std::memory_order_acquire) == Capacity) return nullptr;
        return &slots[h & (Capacity - 1)];
    }
    void push() noexcept {
        head.store(head.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    // Consumer: the oldest filled slot, or nullptr when empty. Call pop() when done.
    const Slot* consumer_slot() const noexcept {
        const uint32_t t = tail.load(std::memory_order_relaxed);
        if (head.load(std::memory_order_acquire) == t) return nullptr;
        return &slots[t & (Capacity - 1)];
    }
    void pop() noexcept {
        tail.store(tail.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    }

    uint32_t size() const noexcept {
        return head.load(std::memory_order_acquire) - tail.load(std::memory_order_acquire);
    }
};

}  // namespace sipwire
