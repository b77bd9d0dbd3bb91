// The calls the limiter tracks, in the shared DialogSlot table (call_limits.h), found
// by a hash of their Call-ID from any lcore. Internal to dataplane/limit.
//
// Lock-free open addressing: a call's home slot is `key & mask`; it lives in one of
// the kProbe slots from there (linear probing, wrapping). A slot is claimed by a
// compare-and-swap of its key from 0, filled (scopes, flags, since_ns, caller tag),
// then published
// by a release store of its state word (use count + 1, reserved). Every later change
// of the state — confirm, release — is a compare-and-swap of the whole word, so of two
// lcores (two sweepers, a BYE and a sweeper) exactly one releases a call, and a
// release meant for an earlier call of the slot fails on the use count. The releaser
// gives the channels back, then stores key 0 (release order): the next claimant of
// the slot sees the slot's fields only after that.
//
// Lookups scan all kProbe slots (a freed slot may sit between a home slot and its
// call: no early stop, no tombstones). A key with a free state is a call being
// inserted or released this instant; lookups skip it, insert() reports it as
// existing (the same Call-ID twice in a few nanoseconds is a retransmission).
// Two lcores inserting the same new Call-ID at the same instant may both succeed;
// each entry still has its release path (the second one times out).
#pragma once

#include <cstdint>

#include "sipwire/call_limits.h"

namespace sipwire::limit {

inline constexpr uint32_t kProbe = 16;

// Slots without a scope: kNoScope in all three.
struct CallScopes {
    uint8_t scope[3] = {kNoScope, kNoScope, kNoScope};
};

inline constexpr DialogState dialog_state(uint32_t word) noexcept {
    return static_cast<DialogState>(word & kDialogStateMask);
}
inline constexpr bool failed_over(uint32_t word) noexcept { return (word & kDialogFailedOver) != 0; }
// `word` with another state and the same flags and use count.
inline constexpr uint32_t with_state(uint32_t word, DialogState s) noexcept {
    return (word & ~kDialogStateMask) | static_cast<uint32_t>(s);
}

// Call-ID hash -> table key (0 means free).
inline constexpr uint64_t dialog_key(uint64_t call_hash) noexcept { return call_hash != 0 ? call_hash : 1; }

// A From / To tag's 64-bit hash (the proxy's Call-ID hash of the tag) -> the 32 bits
// a DialogSlot keeps, never 0 (0 = no tag known).
inline constexpr uint32_t dialog_tag(uint64_t tag_hash) noexcept {
    const uint32_t t = static_cast<uint32_t>(tag_hash) ^ static_cast<uint32_t>(tag_hash >> 32);
    return t != 0 ? t : 1;
}

struct Found {
    DialogSlot* slot = nullptr;  // nullptr: no live entry
    uint32_t word = 0;           // its state word when found
};

enum class InsertResult : uint8_t { inserted, exists, full };

class DialogTable {
public:
    DialogTable() noexcept = default;
    // `count` slots, a power of two >= kProbe (kDialogSlots in the segment).
    DialogTable(DialogSlot* slots, uint32_t count) noexcept : slots_(slots), mask_(count - 1) {}

    uint32_t size() const noexcept { return mask_ + 1; }
    DialogSlot& slot(uint32_t index) const noexcept { return slots_[index & mask_]; }

    // A live entry (reserved or confirmed) of `key`.
    Found find(uint64_t key) const noexcept;

    // Claims a slot for `key` in state reserved (with kDialogFailedOver when
    // `failed_over`), holding channels in `scopes`, since `now_ns`, with the caller's
    // tag `caller_tag`. `exists` (with `*found` set when it is live) when the key is
    // there already; `full` when every probed slot is taken.
    InsertResult insert(uint64_t key, const CallScopes& scopes, bool failed_over, uint64_t now_ns,
                        Found* found, uint32_t caller_tag = 0) noexcept;

    // insert() in two steps, for a caller that decides after the lookup: claim() is
    // the scan of insert() (`exists` / `full` as there) that takes a free slot for
    // `key` without publishing it (lookups skip it, other inserts of `key` see it as
    // existing); publish() fills and publishes it, abandon() gives it back.
    InsertResult claim(uint64_t key, Found* found, DialogSlot** claimed) noexcept;
    static uint32_t publish(DialogSlot& slot, const CallScopes& scopes, bool failed_over, uint64_t now_ns,
                            uint32_t caller_tag) noexcept;
    static void abandon(DialogSlot& slot) noexcept;

    // reserved -> confirmed (a 2xx), since_ns = now, callee_tag = `callee_tag` (the
    // 2xx's To tag). False when the slot no longer holds `f.word` (released, or
    // confirmed already).
    static bool confirm(const Found& f, uint64_t now_ns, uint32_t callee_tag) noexcept;

    // Frees the slot when it still holds `word`, and gives back its channels (one in
    // each of its scopes, in `scope_states`, the region's ScopeState array). True for
    // the one caller that did; `scopes` then says which channels were given back.
    static bool release(DialogSlot& slot, uint32_t word, ScopeState* scope_states, CallScopes& scopes) noexcept;

private:
    DialogSlot* slots_ = nullptr;
    uint32_t mask_ = 0;
};

}  // namespace sipwire::limit
