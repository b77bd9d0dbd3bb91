// Header name -> HeaderId tables and lookup, inline for the parser's hot loop.
// Internal to dataplane/sip; the API is header_id() in header_names.h.
//
// Compact forms go through a 256-entry table. Full names go through a perfect hash
// of (first letter, last letter, length) into 128 slots, checked for collisions at
// compile time, then one exact case-insensitive compare done a word at a time.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <utility>

#include "sip/header_names.h"
#include "sip/lex.h"

namespace sipwire::sip::detail {

struct Entry {
    std::string_view name;
    HeaderId id;
};

inline constexpr std::array<Entry, kHeaderIdCount> kEntries = {{
#define SIPWIRE_X(id, name, compact) {name, HeaderId::id},
    SIPWIRE_SIP_HEADERS(SIPWIRE_X)
#undef SIPWIRE_X
}};

inline constexpr size_t kMaxNameLength = 24;

// Full names: a perfect hash of (first letter, last letter, length) into 128 slots,
// checked for collisions at compile time, then one exact case-insensitive compare
// done a word at a time: (input | fold) == lower, where `fold` has 0x20 on the bytes
// that are letters in the name (only 'A'..'Z' / 'a'..'z' map onto a lower-case letter
// under | 0x20) and 0 elsewhere (exact match for '-').
inline constexpr uint32_t kSlots = 128;
// | 0x20 folds the case of letters (all names start and end with one); any other
// byte gives some slot, and the exact compare decides.
constexpr uint32_t hash(char first, char last, size_t length) {
    return (static_cast<uint32_t>(static_cast<uint8_t>(first) | 0x20) +
            13u * static_cast<uint32_t>(static_cast<uint8_t>(last) | 0x20) + 34u * static_cast<uint32_t>(length)) &
           (kSlots - 1);
}

// The name as up to three words read at offsets 0, 8 (names over 16 bytes) and
// length - 8, or for short names 4-byte words at 0 and length - 4 (2-byte at 0 and
// length - 2 for 2..3 bytes): overlapping reads that never leave the name.
struct Words {
    uint64_t w[3];
};

template <class GetByte>
constexpr uint64_t word_at(GetByte byte, size_t offset, size_t width) {
    uint64_t v = 0;
    for (size_t i = 0; i < width; ++i) {
        const uint64_t b = byte(offset + i);
        v |= std::endian::native == std::endian::little ? b << (8 * i) : b << (8 * (width - 1 - i));
    }
    return v;
}

template <class GetByte>
constexpr Words words(GetByte byte, size_t length) {
    if (length >= 8) {
        return {{word_at(byte, 0, 8), length > 16 ? word_at(byte, 8, 8) : 0, word_at(byte, length - 8, 8)}};
    }
    const size_t width = length >= 4 ? 4 : 2;
    return {{word_at(byte, 0, width), 0, word_at(byte, length - width, width)}};
}

struct Slot {
    Words lower;  // the name in lower case
    Words fold;   // 0x20 where the name has a letter
    uint8_t length;
    HeaderId id;
};

constexpr std::array<Slot, kSlots> make_slots() {
    std::array<Slot, kSlots> t{};
    for (const Entry& e : kEntries) {
        if (e.id == HeaderId::other || e.name.size() < 2) continue;
        Slot& s = t[hash(e.name.front(), e.name.back(), e.name.size())];
        if (s.length != 0) throw "header name hash collision: change hash()";
        const std::string_view n = e.name;
        s.lower = words([n](size_t i) -> uint64_t { return static_cast<uint8_t>(lex::kLower[static_cast<uint8_t>(n[i])]); },
                        n.size());
        s.fold = words(
            [n](size_t i) -> uint64_t {
                const char c = lex::kLower[static_cast<uint8_t>(n[i])];
                return c >= 'a' && c <= 'z' ? 0x20 : 0;
            },
            n.size());
        s.length = static_cast<uint8_t>(n.size());
        s.id = e.id;
    }
    return t;
}
inline constexpr std::array<Slot, kSlots> kSlotTable = make_slots();

[[gnu::always_inline]] inline Words load_words(const char* p, size_t length) noexcept {
    Words w{};
    if (length >= 8) {
        std::memcpy(&w.w[0], p, 8);
        if (length > 16) std::memcpy(&w.w[1], p + 8, 8);
        std::memcpy(&w.w[2], p + length - 8, 8);
    } else if (length >= 4) {
        uint32_t a, b;
        std::memcpy(&a, p, 4);
        std::memcpy(&b, p + length - 4, 4);
        w.w[0] = a;
        w.w[2] = b;
    } else {
        uint16_t a, b;
        std::memcpy(&a, p, 2);
        std::memcpy(&b, p + length - 2, 2);
        w.w[0] = a;
        w.w[2] = b;
    }
    return w;
}

constexpr std::array<HeaderId, 256> make_compact() {
    std::array<HeaderId, 256> t{};
    for (const auto& row : std::array<std::pair<char, HeaderId>, kHeaderIdCount>{{
#define SIPWIRE_X(id, name, compact) {compact, HeaderId::id},
             SIPWIRE_SIP_HEADERS(SIPWIRE_X)
#undef SIPWIRE_X
         }}) {
        if (row.first == 0) continue;
        t[static_cast<uint8_t>(row.first)] = row.second;
        t[static_cast<uint8_t>(row.first - 'a' + 'A')] = row.second;
    }
    return t;
}
inline constexpr std::array<HeaderId, 256> kCompact = make_compact();

static_assert([] {
    for (const Entry& e : kEntries)
        if (e.name.size() > kMaxNameLength) return false;
    return true;
}());

[[gnu::always_inline]] inline HeaderId lookup_header(std::string_view name) noexcept {
    const size_t n = name.size();
    if (n == 1) return kCompact[static_cast<uint8_t>(name[0])];
    if (n < 2 || n > kMaxNameLength) return HeaderId::other;
    const Slot& s = kSlotTable[hash(name[0], name[n - 1], n)];
    if (s.length != n) return HeaderId::other;
    const Words w = load_words(name.data(), n);
    const uint64_t diff = ((w.w[0] | s.fold.w[0]) ^ s.lower.w[0]) | ((w.w[1] | s.fold.w[1]) ^ s.lower.w[1]) |
                          ((w.w[2] | s.fold.w[2]) ^ s.lower.w[2]);
    return diff == 0 ? s.id : HeaderId::other;
}

#ifdef SIPWIRE_SIP_SSE2
// The same slots as 2 x 16 bytes for an SSE2 compare: (input | fold) == lower on
// the first `length` bytes.
struct VecSlot {
    alignas(16) uint8_t lower[32];
    alignas(16) uint8_t fold[32];
    uint8_t length;
    HeaderId id;
};

constexpr std::array<VecSlot, kSlots> make_vec_slots() {
    std::array<VecSlot, kSlots> t{};
    for (const Entry& e : kEntries) {
        if (e.id == HeaderId::other || e.name.size() < 2) continue;
        VecSlot& s = t[hash(e.name.front(), e.name.back(), e.name.size())];
        for (size_t i = 0; i < e.name.size(); ++i) {
            const char c = lex::kLower[static_cast<uint8_t>(e.name[i])];
            s.lower[i] = static_cast<uint8_t>(c);
            s.fold[i] = c >= 'a' && c <= 'z' ? 0x20 : 0;
        }
        s.length = static_cast<uint8_t>(e.name.size());
        s.id = e.id;
    }
    return t;
}
inline constexpr std::array<VecSlot, kSlots> kVecSlotTable = make_vec_slots();
static_assert(kMaxNameLength <= 32);
#endif

// lookup_header() for a name inside a buffer that ends at `limit`: reads 32 bytes
// from the name's start when the buffer allows, so the compare is two vectors.
[[gnu::always_inline]] inline HeaderId lookup_header_in(const char* p, size_t n, const char* limit) noexcept {
#ifdef SIPWIRE_SIP_SSE2
    if (n >= 2 && n <= kMaxNameLength && limit - p >= 32) {
        const VecSlot& s = kVecSlotTable[hash(p[0], p[n - 1], n)];
        if (s.length != n) return HeaderId::other;
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        const __m128i fa = _mm_load_si128(reinterpret_cast<const __m128i*>(s.fold));
        const __m128i fb = _mm_load_si128(reinterpret_cast<const __m128i*>(s.fold + 16));
        const __m128i la = _mm_load_si128(reinterpret_cast<const __m128i*>(s.lower));
        const __m128i lb = _mm_load_si128(reinterpret_cast<const __m128i*>(s.lower + 16));
        const uint32_t eq = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(a, fa), la))) |
                            static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_or_si128(b, fb), lb))) << 16;
        const uint32_t need = n >= 32 ? ~0u : (1u << n) - 1;
        return (eq & need) == need ? s.id : HeaderId::other;
    }
#else
    (void)limit;
#endif
    return lookup_header({p, n});
}

}  // namespace sipwire::sip::detail
