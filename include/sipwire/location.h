// The user location table: where each registered address-of-record (AOR) can be
// reached. sipwired (the registrar) is its only writer; every sipwire-dp lcore reads
// it without locks to route INVITEs to registered users.
//
// Two arrays at the end of the segment, sized when sipwired creates it
// (ShmHeader::location_bindings = B, a power of two):
//   - records[B]: one binding (AOR -> contact) each, guarded by a per-record
//     sequence counter (seqlock: odd while the writer changes it).
//   - index[4 * B]: open addressing, linear probing, keyed by the AOR hash; each
//     entry names a record, or marks a provisioned user with no record (so an
//     INVITE to a known user with no live contact gets 480, an unknown one 404).
//     Removed entries become tombstones; a tombstone followed by an empty entry
//     becomes empty again, so probe runs do not grow without bound.
// Memory: 192 bytes a record + 4 x 16 bytes of index = 256 bytes per binding.
// Lookups read at most kLocationMaxProbe index entries (bounded work per packet);
// the writer refuses an insert that would need more.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace sipwire {

inline constexpr uint32_t kAorMax = 64;         // "user@domain" bytes
inline constexpr uint32_t kContactUriMax = 88;  // registered Contact URI bytes
inline constexpr uint32_t kLocationIndexPerBinding = 4;
inline constexpr uint32_t kLocationMaxProbe = 64;
inline constexpr uint32_t kMinLocationBindings = 1024;
inline constexpr uint32_t kMaxLocationBindings = 1u << 24;  // 16,777,216

// Index entry keys 0 and 1 are reserved: location_key() never returns them.
inline constexpr uint64_t kIndexEmpty = 0;
inline constexpr uint64_t kIndexTombstone = 1;
// LocationIndexEntry::record value of a provisioned user's marker.
inline constexpr uint32_t kUserMarker = 0xffffffffu;

// The AOR key: FNV-1a over user, '@', and the domain in lower case (SIP host names
// are case-insensitive, users are not). Both processes compute it from this header.
inline uint64_t location_key(std::string_view user, std::string_view domain) noexcept {
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&h](unsigned char c) noexcept { h = (h ^ c) * 0x100000001b3ull; };
    for (const char c : user) mix(static_cast<unsigned char>(c));
    mix('@');
    for (const char c : domain) mix(static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c + 32 : c));
    return h < 2 ? h + 2 : h;
}

struct LocationIndexEntry {
    std::atomic<uint64_t> key;     // AOR key, kIndexEmpty or kIndexTombstone
    std::atomic<uint32_t> record;  // records[] index, or kUserMarker
    uint32_t pad;
};
static_assert(sizeof(LocationIndexEntry) == 16);

// One binding as the writer fills it and a reader copies it out.
struct LocationBinding {
    uint64_t key;         // location_key() of the AOR
    uint64_t expires_ns;  // CLOCK_MONOTONIC; the data plane ignores it once past
    uint32_t ipv4;        // where to send: the NAT-seen source (received / rport), network order
    uint16_t port;        // network byte order
    uint16_t q_milli;     // Contact q-value x 1000 (1000 when absent)
    uint32_t order;       // registrar's sequence number: higher = registered later
    uint8_t live;         // 1 = in use
    uint8_t reachable;    // 0 = keepalives unanswered: routing skips it
    uint8_t aor_len;
    uint8_t contact_len;
    char aor[kAorMax];             // "user@domain", domain lower case
    char contact[kContactUriMax];  // the Contact URI, the Request-URI of routed requests
};
static_assert(sizeof(LocationBinding) == 184);
static_assert(std::is_trivially_copyable_v<LocationBinding>);

inline constexpr size_t kBindingWords = sizeof(LocationBinding) / 8;

// A binding under its sequence counter, copied word by word with relaxed atomics
// (no torn word, no data race); the counter says whether the copy is whole.
struct LocationRecord {
    std::atomic<uint64_t> seq;
    std::atomic<uint64_t> words[kBindingWords];
};
static_assert(sizeof(LocationRecord) == 192);
static_assert(std::is_standard_layout_v<LocationRecord>);

// The writer's side (sipwired, one thread).
inline void location_write(LocationRecord& r, const LocationBinding& b) noexcept {
    uint64_t w[kBindingWords];
    std::memcpy(w, &b, sizeof b);
    const uint64_t s = r.seq.load(std::memory_order_relaxed);
    r.seq.store(s + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    for (size_t i = 0; i < kBindingWords; ++i) r.words[i].store(w[i], std::memory_order_relaxed);
    r.seq.store(s + 2, std::memory_order_release);
}

// The readers' side: false when the writer was changing the record (retry or skip).
inline bool location_read(const LocationRecord& r, LocationBinding& out) noexcept {
    const uint64_t s1 = r.seq.load(std::memory_order_acquire);
    if (s1 & 1) return false;
    uint64_t w[kBindingWords];
    for (size_t i = 0; i < kBindingWords; ++i) w[i] = r.words[i].load(std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (r.seq.load(std::memory_order_relaxed) != s1) return false;
    std::memcpy(&out, w, sizeof out);
    return true;
}

// Where the two arrays are, from the segment header.
struct LocationTableView {
    LocationRecord* records = nullptr;
    LocationIndexEntry* index = nullptr;
    uint32_t bindings = 0;    // records (power of two); 0 = no table
    uint32_t index_mask = 0;  // index size - 1

    bool valid() const noexcept { return bindings != 0; }
};

inline constexpr uint64_t location_region_size(uint32_t bindings) {
    return uint64_t{bindings} * sizeof(LocationRecord) +
           uint64_t{bindings} * kLocationIndexPerBinding * sizeof(LocationIndexEntry);
}

}  // namespace sipwire
