#include "net/neighbour_table.h"

#include <bit>
#include <cstring>

#include "net/bytes.h"

namespace sipwire::net {

static_assert(std::has_single_bit(NeighbourTable::kCapacity));

// Fibonacci hashing: the multiply spreads the host part of the address (the bits
// that differ between neighbours in one subnet) into the top bits, which pick the slot.
uint32_t NeighbourTable::home_slot(uint32_t ip) noexcept {
    constexpr int kShift = 32 - std::countr_zero(kCapacity);
    return (to_host32(ip) * 0x9E3779B1u) >> kShift;
}

// Entries are never removed (a replaced entry is overwritten in place), so a key
// always sits before the first empty slot of its window: the probe may stop there.
uint32_t NeighbourTable::find(uint32_t ip) const noexcept {
    if (ip == 0) return kCapacity;  // 0 marks empty slots
    const uint32_t home = home_slot(ip);
    for (uint32_t i = 0; i < kProbe; ++i) {
        const uint32_t slot = (home + i) & (kCapacity - 1);
        if (entries_[slot].ip == ip) return slot;
        if (entries_[slot].ip == 0) break;
    }
    return kCapacity;
}

void NeighbourTable::learn(uint32_t ip, const uint8_t mac[6], uint64_t now_ns) noexcept {
    if (ip == 0) return;
    const uint32_t home = home_slot(ip);
    Entry* target = nullptr;
    for (uint32_t i = 0; i < kProbe; ++i) {
        Entry& e = entries_[(home + i) & (kCapacity - 1)];
        if (e.ip == ip) {
            if (e.learned_ns == kPinnedNs && now_ns != kPinnedNs) return;  // static wins
            target = &e;
            break;
        }
        if (e.ip == 0) {
            target = &e;
            ++size_;
            break;
        }
        // Window full so far: remember the least recently learned entry to evict.
        if (target == nullptr || e.learned_ns < target->learned_ns) target = &e;
    }
    target->ip = ip;
    std::memcpy(target->mac, mac, sizeof target->mac);
    target->learned_ns = now_ns;
}

bool NeighbourTable::refresh(uint32_t ip, const uint8_t mac[6], uint64_t now_ns) noexcept {
    const uint32_t slot = find(ip);
    if (slot == kCapacity) return false;
    if (entries_[slot].learned_ns == kPinnedNs) return true;  // static entries stay as configured
    std::memcpy(entries_[slot].mac, mac, sizeof entries_[slot].mac);
    entries_[slot].learned_ns = now_ns;
    return true;
}

const uint8_t* NeighbourTable::lookup(uint32_t ip, uint64_t now_ns) const noexcept {
    const uint32_t slot = find(ip);
    if (slot == kCapacity) return nullptr;
    const Entry& e = entries_[slot];
    // Written as a sum so a clock reading older than the entry counts as fresh.
    if (now_ns >= e.learned_ns + kLifetimeNs) return nullptr;
    return e.mac;
}

}  // namespace sipwire::net
