// IPv4 -> MAC table of one worker and port. Fixed capacity, open addressing,
// owned by one lcore: no locks, no allocation after construction.
#pragma once

#include <cstdint>

namespace sipwire::net {

class NeighbourTable {
public:
    static constexpr uint32_t kCapacity = 1024;  // power of two
    static constexpr uint64_t kLifetimeNs = 300'000'000'000ULL;  // entries older are stale

    // Adds or refreshes ip -> mac. When the probe window is full, the oldest entry in
    // it is replaced.
    void learn(uint32_t ip, const uint8_t mac[6], uint64_t now_ns) noexcept;

    // Updates ip -> mac only when ip is already in the table (RFC 826 "merge"): ARP
    // traffic not addressed to us may correct an entry but must not fill the table.
    // Returns whether it was present.
    bool refresh(uint32_t ip, const uint8_t mac[6], uint64_t now_ns) noexcept;

    // Adds ip -> mac as a configured (static) entry: never stale, never evicted by
    // learning, not changed by ARP.
    void pin(uint32_t ip, const uint8_t mac[6]) noexcept { learn(ip, mac, kPinnedNs); }

    // The MAC of `ip`, or nullptr when unknown or stale.
    const uint8_t* lookup(uint32_t ip, uint64_t now_ns) const noexcept;

    uint32_t size() const noexcept { return size_; }

private:
    struct Entry {
        uint32_t ip;  // 0 = empty
        uint8_t mac[6];
        uint64_t learned_ns;
    };
    static constexpr uint32_t kProbe = 8;
    // Learned "in the future": the newest entry in any window, fresh until the end of time.
    static constexpr uint64_t kPinnedNs = ~uint64_t(0) - kLifetimeNs;
    static uint32_t home_slot(uint32_t ip) noexcept;
    uint32_t find(uint32_t ip) const noexcept;  // slot of ip, or kCapacity when absent
    Entry entries_[kCapacity] = {};
    uint32_t size_ = 0;
};

}  // namespace sipwire::net
