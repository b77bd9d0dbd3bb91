#include "dispatcher/maglev.h"

#include <algorithm>
#include <vector>

namespace sipwire::dispatcher {

namespace {

// splitmix64's finaliser: a fixed, well-mixed 64-bit hash (no std::hash, whose
// values may differ between builds).
uint64_t mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

void build_maglev_table(std::span<const MaglevMember> members, DispatchTable& table) {
    constexpr uint64_t M = kDispatchTableSize;
    std::fill(std::begin(table), std::end(table), kNoDestination);
    if (members.empty()) return;

    struct Perm {
        uint64_t offset, skip, next;
        uint16_t weight;
    };
    std::vector<Perm> perms;
    perms.reserve(members.size());
    uint16_t max_weight = 1;
    for (const MaglevMember& m : members) {
        const uint64_t key = uint64_t(m.ipv4) << 16 | m.port;
        const uint16_t w = std::max<uint16_t>(m.weight, 1);
        perms.push_back({mix(key) % M, mix(key ^ 0x5157'4152'4557'4950ULL) % (M - 1) + 1, 0, w});
        max_weight = std::max(max_weight, w);
    }

    uint64_t filled = 0;
    for (;;) {
        // One round: `max_weight` passes; a member takes a turn in the passes
        // below its weight, so the last (partial) round is shared out evenly.
        for (uint16_t pass = 0; pass < max_weight; ++pass) {
            for (size_t i = 0; i < members.size(); ++i) {
                Perm& p = perms[i];
                if (pass >= p.weight) continue;
                uint64_t c = (p.offset + p.next * p.skip) % M;
                while (table[c] != kNoDestination) {
                    ++p.next;
                    c = (p.offset + p.next * p.skip) % M;
                }
                table[c] = members[i].value;
                ++p.next;
                if (++filled == M) return;
            }
        }
    }
}

void build_set_table(DataplaneConfig& config, uint32_t set_index) {
    DestinationSetConfig& set = config.destination_sets[set_index];
    std::vector<MaglevMember> members;
    for (uint32_t i = set.first; i < uint32_t(set.first) + set.count && i < kMaxDestinations; ++i) {
        const DestinationConfig& d = config.destinations[i];
        if (d.healthy) members.push_back({d.ipv4, d.port, d.weight, uint16_t(i - set.first)});
    }
    set.healthy_count = static_cast<uint16_t>(members.size());
    build_maglev_table(members, set.table);
}

}  // namespace sipwire::dispatcher
