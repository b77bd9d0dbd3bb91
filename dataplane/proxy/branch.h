// The stateless proxy's hashes: the dispatcher's Call-ID hash, the branch of the Via
// we push (RFC 3261 16.6 step 8, 16.11) and the To tag of our own responses.
// Internal to dataplane/proxy.
//
// Hash: a 64-bit multiply-fold hash in the style of wyhash — 16-byte blocks, each
// folded in with one 64x64->128 multiply whose halves are xor-ed ("mum"), the length
// mixed into the seed, a final mum. Fast on short strings (a 40-byte Call-ID is
// three multiplies), well spread in every bit (the dispatcher takes `% 1021`), fixed
// seeds and little-endian reads, so every lcore and every process computes the same
// value. It is not cryptographic: a sender can build collisions on purpose, which
// only lets it choose its own destination or collide its own branches.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/message.h"
#include "sip/via.h"

namespace sipwire::proxy {

namespace detail {

inline constexpr uint64_t kP0 = 0xa0761d6478bd642full;
inline constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;
inline constexpr uint64_t kP2 = 0x8ebc6af09c88c6e3ull;
inline constexpr uint64_t kP3 = 0x589965cc75374cc3ull;

inline uint64_t mum(uint64_t a, uint64_t b) noexcept {
    const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
    return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t read64(const char* p) noexcept {
    uint64_t v;
    std::memcpy(&v, p, 8);
    if constexpr (std::endian::native == std::endian::big) v = __builtin_bswap64(v);
    return v;
}

// 1..8 bytes, zero-padded, as a little-endian word.
inline uint64_t read_tail(const char* p, size_t n) noexcept {
    uint64_t v = 0;
    for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(p[i])) << (8 * i);
    return v;
}

}  // namespace detail

// Folds `s` into the running state `h`: the length first (so "ab","c" and "a","bc"
// differ), then one mum per 16-byte block and one for the tail. A sequence of fields
// is hashed by folding each in turn and finishing once (Hasher).
inline uint64_t fold_bytes(uint64_t h, std::string_view s) noexcept {
    using namespace detail;
    const char* p = s.data();
    size_t n = s.size();
    h ^= static_cast<uint64_t>(n) * kP0;
    while (n > 16) {
        h = mum(read64(p) ^ kP1, read64(p + 8) ^ h);
        p += 16;
        n -= 16;
    }
    uint64_t a = 0, b = 0;
    if (n > 8) {
        a = read64(p);
        b = read_tail(p + 8, n - 8);
    } else if (n > 0) {
        a = read_tail(p, n);
    }
    return mum(a ^ kP1, b ^ h ^ kP2);
}

inline uint64_t fold_u64(uint64_t h, uint64_t v) noexcept {
    using namespace detail;
    return mum(v ^ kP1, h ^ kP3);
}

inline uint64_t finish_hash(uint64_t h) noexcept {
    using namespace detail;
    return mum(h ^ kP3, h ^ kP0);
}

// Hash of one string.
inline uint64_t hash_bytes(std::string_view s, uint64_t seed) noexcept {
    return finish_hash(fold_bytes(seed ^ detail::kP2, s));
}

// Several fields hashed as one sequence.
class Hasher {
public:
    explicit Hasher(uint64_t seed) noexcept : h_(seed ^ detail::kP2) {}
    Hasher& add(std::string_view s) noexcept {
        h_ = fold_bytes(h_, s);
        return *this;
    }
    Hasher& add(uint64_t v) noexcept {
        h_ = fold_u64(h_, v);
        return *this;
    }
    uint64_t value() const noexcept { return finish_hash(h_); }

private:
    uint64_t h_;
};

// The dispatcher's hash of a Call-ID (byte-exact, RFC 3261 20.8): every request of a
// call hashes to the same table slot on every lcore.
inline uint64_t call_id_hash(std::string_view call_id) noexcept {
    return hash_bytes(call_id, 0x5349505749524531ull);  // "SIPWIRE1"
}

// 16 lower-case hex digits of v at out.
inline void format_hex64(uint64_t v, char* out) noexcept {
    constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
        out[i] = kHex[v & 0xf];
        v >>= 4;
    }
}

// The leading 1*DIGIT of a CSeq value as a number (0 when none): works on a CSeq that
// parse_message() rejected too, so a 400 and the ACK to it agree on our To tag.
uint32_t cseq_leading_number(std::string_view cseq_value) noexcept;

// --- branch of the Via we push -------------------------------------------------------
//
// "z9hG4bK" + 16 hex (transaction part) + 16 hex (loop part), RFC 3261 16.6 step 8.
// (The From tag below is tag_for_hash() of the From value.)
//
// Transaction part, unique per transaction and the same for its retransmissions:
//   - top Via branch has the magic cookie: hash(top branch, top sent-by, Request-URI);
//   - otherwise (RFC 2543 sender): hash(Call-ID, CSeq number, From tag, Request-URI,
//     top sent-by, top Via parameters).
// CANCEL and the ACK of a non-2xx carry the INVITE's top Via and Request-URI, so
// they get the INVITE's branch, which the next hop needs to match them.
//
// Loop part, the fields that decide where we send the request: hash(Call-ID, CSeq
// number, From tag, Request-URI, every Route value). A request that comes back with
// our Via below and an equal loop part has looped; one whose Request-URI or Route
// changed is spiralling (16.3 step 4). The To tag, Proxy-Require and
// Proxy-Authorization are left out: an ACK to a non-2xx has a To tag the INVITE
// lacked, and a CANCEL carries neither of the other two, yet both must keep the
// INVITE's branch.
inline constexpr std::string_view kMagicCookie = "z9hG4bK";
inline constexpr size_t kBranchLength = 7 + 16 + 16;

struct Branch {
    char text[kBranchLength];
    std::string_view view() const noexcept { return {text, kBranchLength}; }
    std::string_view loop_part() const noexcept { return {text + 7 + 16, 16}; }
};

// `msg` parsed without error, `top` its top Via.
void make_branch(const sip::SipMessage& msg, const sip::Via& top, Branch& out) noexcept;

// The From tag as the branch hashes it, found without a full name-addr parse: the
// value of the first ";tag=" (any case) after the last '>' (after the start when
// there is none), up to ';', ',' or white space. Equal to SipMessage::from_tag() for
// a well-formed From; for any other it is still a fixed function of the bytes, which
// is all a hash needs.
std::string_view tag_for_hash(std::string_view name_addr_value) noexcept;

// True when `via_branch` (a Via of ours further down the request) has our format
// and the loop part of `ours`.
inline bool same_loop_part(std::string_view via_branch, const Branch& ours) noexcept {
    return via_branch.size() == kBranchLength && via_branch.substr(0, 7) == kMagicCookie &&
           via_branch.substr(7 + 16) == ours.loop_part();
}

// --- To tag of our own responses ------------------------------------------------------
//
// "sw" + 16 hex of hash(Call-ID, CSeq number): stateless, the same for every
// retransmission, and recognisable in the ACK that answers a non-2xx of ours (it
// carries our To tag, the Call-ID and the CSeq number of the INVITE).
inline constexpr size_t kLocalTagLength = 2 + 16;

struct LocalTag {
    char text[kLocalTagLength];
    std::string_view view() const noexcept { return {text, kLocalTagLength}; }
};

void make_local_tag(std::string_view call_id, uint32_t cseq_number, LocalTag& out) noexcept;
bool is_local_tag(std::string_view to_tag, std::string_view call_id, uint32_t cseq_number) noexcept;

}  // namespace sipwire::proxy
