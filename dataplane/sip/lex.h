// Character classes and small scanners shared by the SIP parser files. Internal to
// dataplane/sip: not part of the stage's API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#if defined(__SSE2__) && !defined(SIPWIRE_SIP_NO_SIMD)
#include <emmintrin.h>
#define SIPWIRE_SIP_SSE2 1
#endif

namespace sipwire::sip::lex {

enum : uint8_t {
    kToken = 1,     // RFC 3261 token: alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~"
    kDigit = 2,
    kHostChar = 4,  // hostname / IPv4 / IPv6 reference characters (lenient: "_" allowed)
    kWs = 8,        // SP / HT / CR / LF (linear white space, folding included)
    kHex = 16,
};

constexpr std::array<uint8_t, 256> make_classes() {
    std::array<uint8_t, 256> t{};
    for (int c = '0'; c <= '9'; ++c) t[c] |= kToken | kDigit | kHostChar | kHex;
    for (int c = 'a'; c <= 'z'; ++c) t[c] |= kToken | kHostChar;
    for (int c = 'A'; c <= 'Z'; ++c) t[c] |= kToken | kHostChar;
    for (int c = 'a'; c <= 'f'; ++c) t[c] |= kHex;
    for (int c = 'A'; c <= 'F'; ++c) t[c] |= kHex;
    for (char c : std::string_view("-.!%*_+`'~")) t[static_cast<uint8_t>(c)] |= kToken;
    for (char c : std::string_view("-._[]:")) t[static_cast<uint8_t>(c)] |= kHostChar;
    for (char c : std::string_view(" \t\r\n")) t[static_cast<uint8_t>(c)] |= kWs;
    return t;
}
inline constexpr std::array<uint8_t, 256> kClass = make_classes();

inline bool is(char c, uint8_t cls) noexcept { return (kClass[static_cast<uint8_t>(c)] & cls) != 0; }
inline bool is_token(char c) noexcept { return is(c, kToken); }
inline bool is_digit(char c) noexcept { return is(c, kDigit); }
inline bool is_ws(char c) noexcept { return is(c, kWs); }

constexpr std::array<char, 256> make_lower() {
    std::array<char, 256> t{};
    for (int c = 0; c < 256; ++c) t[c] = static_cast<char>((c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c);
    return t;
}
inline constexpr std::array<char, 256> kLower = make_lower();

// Lower-case ASCII letters only; every other byte unchanged.
inline char to_lower(char c) noexcept { return kLower[static_cast<uint8_t>(c)]; }

// Case-insensitive equality of two ASCII strings.
inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

// Same, with `lower` known to be lower case already.
inline bool iequals_lower(std::string_view a, std::string_view lower) noexcept {
    if (a.size() != lower.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != lower[i]) return false;
    return true;
}

// Views are trimmed of LWS (SP, HT, CR, LF: a folded line counts as white space).
inline std::string_view trim(std::string_view s) noexcept {
    size_t b = 0, e = s.size();
    while (b < e && is_ws(s[b])) ++b;
    while (e > b && is_ws(s[e - 1])) --e;
    return s.substr(b, e - b);
}
inline size_t skip_ws(std::string_view s, size_t i) noexcept {
    while (i < s.size() && is_ws(s[i])) ++i;
    return i;
}
inline size_t skip_token(std::string_view s, size_t i) noexcept {
    while (i < s.size() && is_token(s[i])) ++i;
    return i;
}

// Index just past the closing quote of the quoted-string opening at s[i] (which is '"'),
// honouring backslash escapes; s.size() when unterminated.
inline size_t skip_quoted(std::string_view s, size_t i) noexcept {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return s.size();
}

// Like skip_quoted(), but std::string_view::npos when the quoted-string is unterminated.
inline size_t quoted_end(std::string_view s, size_t i) noexcept {
    for (++i; i < s.size(); ++i) {
        if (s[i] == '\\') {
            ++i;
        } else if (s[i] == '"') {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

// Parses 1*DIGIT with at most `max_digits` digits. Returns false on an empty string,
// a non-digit or too many digits.
inline bool parse_uint(std::string_view s, uint32_t max_digits, uint32_t& out) noexcept {
    if (s.empty() || s.size() > max_digits) return false;
    uint32_t v = 0;
    for (char c : s) {
        if (!is_digit(c)) return false;
        v = v * 10 + static_cast<uint32_t>(c - '0');
    }
    out = v;
    return true;
}

// Port number 0..65535 as decimal digits.
inline bool parse_port(std::string_view s, uint16_t& out) noexcept {
    uint32_t v = 0;
    if (!parse_uint(s, 5, v) || v > 65535) return false;
    out = static_cast<uint16_t>(v);
    return true;
}

// Host: hostname / IPv4address / "[" IPv6 "]". Lenient about label syntax but only
// host characters are allowed and brackets must enclose an IPv6 reference.
inline bool valid_host(std::string_view h) noexcept {
    if (h.empty()) return false;
    if (h.front() == '[') {
        if (h.size() < 3 || h.back() != ']') return false;
        for (size_t i = 1; i + 1 < h.size(); ++i)
            if (!is(h[i], kHex) && h[i] != ':' && h[i] != '.') return false;
        return true;
    }
    for (char c : h)
        if (!is(c, kHostChar) || c == '[' || c == ']' || c == ':') return false;
    return true;
}

inline bool is_special(uint8_t c) noexcept { return c < 0x20 || c >= 0x7f; }

// Bit i set when p[i] is a control character (< 0x20 or DEL) or not ASCII (>= 0x80),
// for the n <= 64 bytes at p.
#ifdef SIPWIRE_SIP_SSE2
inline uint64_t special_bits16(const char* p) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    // Signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them too.
    return static_cast<uint32_t>(_mm_movemask_epi8(
        _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)))));
}
#endif

inline uint64_t special_mask(const char* p, size_t n) noexcept {
    uint64_t m = 0;
    size_t i = 0;
#ifdef SIPWIRE_SIP_SSE2
    if (n == 64) {
        return special_bits16(p) | special_bits16(p + 16) << 16 | special_bits16(p + 32) << 32 |
               special_bits16(p + 48) << 48;
    }
    for (; i + 16 <= n; i += 16) m |= special_bits16(p + i) << i;
#endif
    for (; i < n; ++i)
        if (is_special(static_cast<uint8_t>(p[i]))) m |= uint64_t{1} << i;
    return m;
}

// Finds the control / non-ASCII bytes of a buffer front to back, 64 bytes at a time:
// one mask per block, then one count-trailing-zeros per special byte, so the plain
// printable text of a header line costs no branch at all. The header-section scanner
// stops on these bytes only: CR, LF, HT, UTF-8 sequences and the invalid rest.
class SpecialScanner {
public:
    SpecialScanner(const char* begin, const char* end) noexcept : base_(begin), end_(end) { load(); }

    // First special byte at or after p (p never moves backwards), or end.
    const char* next(const char* p) noexcept {
        for (;;) {
            const auto off = static_cast<size_t>(p - base_);
            if (off < length_) {
                const uint64_t m = mask_ & (~uint64_t{0} << off);
                if (m != 0) return base_ + __builtin_ctzll(m);
                p = base_ + length_;
            }
            if (p >= end_) return end_;
            base_ = p;
            load();
        }
    }

private:
    void load() noexcept {
        const auto left = static_cast<size_t>(end_ - base_);
        length_ = left < 64 ? left : 64;
        mask_ = special_mask(base_, length_);
    }

    const char* base_;
    const char* end_;
    size_t length_ = 0;
    uint64_t mask_ = 0;
};

// First `c` in [p, e), or nullptr. Reads 16 bytes at a time while that stays below
// `limit` (the end of the buffer, >= e).
inline const char* find_char(const char* p, const char* e, const char* limit, char c) noexcept {
#ifdef SIPWIRE_SIP_SSE2
    const __m128i k = _mm_set1_epi8(c);
    while (p < e && limit - p >= 16) {
        const auto m = static_cast<uint32_t>(
            _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), k)));
        if (m != 0) {
            const char* r = p + __builtin_ctz(m);
            return r < e ? r : nullptr;
        }
        p += 16;
    }
#else
    (void)limit;
#endif
    for (; p < e; ++p)
        if (*p == c) return p;
    return nullptr;
}

// First special byte in [p, end), or end.
inline const char* find_special(const char* p, const char* end) noexcept {
    return SpecialScanner(p, end).next(p);
}

// Length of the well-formed UTF-8 sequence starting at p (lead byte >= 0x80):
// 2..4, 0 when malformed (overlong, surrogate, > U+10FFFF, bad continuation), -1
// when it runs past `end` with the bytes seen so far valid.
inline int utf8_sequence(const char* p, const char* end) noexcept {
    const auto* s = reinterpret_cast<const uint8_t*>(p);
    const auto avail = end - p;
    const uint8_t c = s[0];
    int need;
    uint8_t lo = 0x80, hi = 0xbf;  // allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
        need = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        need = 3;
        if (c == 0xe0) lo = 0xa0;
        if (c == 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 4;
        if (c == 0xf0) lo = 0x90;
        if (c == 0xf4) hi = 0x8f;
    } else {
        return 0;
    }
    for (int i = 1; i < need; ++i) {
        if (i >= avail) return -1;
        const uint8_t b = s[i];
        if (i == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return 0;
    }
    return need;
}

}  // namespace sipwire::sip::lex
