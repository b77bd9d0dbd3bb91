// Lock-free open addressing over the shared DialogSlot array (see dialog_table.h).
#include "limit/dialog_table.h"

#include <atomic>

namespace sipwire::limit {

Found DialogTable::find(uint64_t key) const noexcept {
    const uint32_t home = static_cast<uint32_t>(key) & mask_;
    for (uint32_t i = 0; i < kProbe; ++i) {
        DialogSlot& s = slots_[(home + i) & mask_];
        if (s.key.load(std::memory_order_acquire) != key) continue;
        const uint32_t word = s.state.load(std::memory_order_acquire);
        // The slot may have been released and claimed by another call between the
        // two loads: the word is ours only if the key still is.
        if (s.key.load(std::memory_order_acquire) != key) continue;
        if (dialog_state(word) != DialogState::free) return {&s, word};
    }
    return {};
}

InsertResult DialogTable::claim(uint64_t key, Found* found, DialogSlot** claimed) noexcept {
    const uint32_t home = static_cast<uint32_t>(key) & mask_;
    uint32_t free_mask = 0;  // probe positions seen free
    for (uint32_t i = 0; i < kProbe; ++i) {
        DialogSlot& s = slots_[(home + i) & mask_];
        const uint64_t k = s.key.load(std::memory_order_acquire);
        if (k == key) {
            const uint32_t word = s.state.load(std::memory_order_acquire);
            // As in find(): the word belongs to `key` only if the key did not change.
            if (s.key.load(std::memory_order_acquire) != key) continue;
            if (found && dialog_state(word) != DialogState::free) *found = {&s, word};
            return InsertResult::exists;
        }
        if (k == 0) free_mask |= 1u << i;
    }
    while (free_mask != 0) {
        const uint32_t i = static_cast<uint32_t>(__builtin_ctz(free_mask));
        free_mask &= free_mask - 1;
        DialogSlot& s = slots_[(home + i) & mask_];
        uint64_t expected = 0;
        if (!s.key.compare_exchange_strong(expected, key, std::memory_order_acq_rel)) continue;
        *claimed = &s;
        return InsertResult::inserted;
    }
    return InsertResult::full;
}

uint32_t DialogTable::publish(DialogSlot& s, const CallScopes& scopes, bool failed_over_flag, uint64_t now_ns,
                              uint32_t caller_tag) noexcept {
    // Ours until the state is published: nobody else writes these fields.
    const uint32_t old = s.state.load(std::memory_order_relaxed);
    s.scopes[0] = scopes.scope[0];
    s.scopes[1] = scopes.scope[1];
    s.scopes[2] = scopes.scope[2];
    s.since_ns.store(now_ns, std::memory_order_relaxed);
    s.caller_tag.store(caller_tag, std::memory_order_relaxed);
    s.callee_tag.store(0, std::memory_order_relaxed);  // none until a 2xx confirms
    const uint32_t uses = (old >> kDialogUseShift) + 1;
    const uint32_t word = (uses << kDialogUseShift) | (failed_over_flag ? kDialogFailedOver : 0) |
                          static_cast<uint32_t>(DialogState::reserved);
    s.state.store(word, std::memory_order_release);
    return word;
}

void DialogTable::abandon(DialogSlot& slot) noexcept { slot.key.store(0, std::memory_order_release); }

InsertResult DialogTable::insert(uint64_t key, const CallScopes& scopes, bool failed_over_flag, uint64_t now_ns,
                                 Found* found, uint32_t caller_tag) noexcept {
    DialogSlot* claimed = nullptr;
    const InsertResult r = claim(key, found, &claimed);
    if (r != InsertResult::inserted) return r;
    const uint32_t word = publish(*claimed, scopes, failed_over_flag, now_ns, caller_tag);
    if (found) *found = {claimed, word};
    return r;
}

bool DialogTable::confirm(const Found& f, uint64_t now_ns, uint32_t callee_tag) noexcept {
    if (dialog_state(f.word) != DialogState::reserved) return false;
    // Not ours any more (confirmed by another lcore, released): write nothing.
    if (f.slot->state.load(std::memory_order_relaxed) != f.word) return false;
    // since_ns and callee_tag before the state (the CAS releases them): a sweeper or
    // a BYE's response that sees `confirmed` sees this since_ns and callee tag, never
    // the reservation's. Should the CAS fail (another lcore confirmed or released the
    // call in between), the slot keeps a since_ns of now and this tag: at most a later
    // sweep of whatever holds it, or a BYE response that releases nothing.
    f.slot->since_ns.store(now_ns, std::memory_order_relaxed);
    f.slot->callee_tag.store(callee_tag, std::memory_order_relaxed);
    uint32_t expected = f.word;
    return f.slot->state.compare_exchange_strong(expected, with_state(f.word, DialogState::confirmed),
                                                 std::memory_order_acq_rel);
}

bool DialogTable::release(DialogSlot& slot, uint32_t word, ScopeState* scope_states, CallScopes& scopes) noexcept {
    if (dialog_state(word) == DialogState::free) return false;
    uint32_t expected = word;
    // Free, flags cleared, use count kept.
    const uint32_t freed = word & ~((1u << kDialogUseShift) - 1);
    if (!slot.state.compare_exchange_strong(expected, freed, std::memory_order_acq_rel)) return false;
    // The key is still ours: nobody writes the scopes until we store 0 below.
    for (unsigned i = 0; i < 3; ++i) {
        scopes.scope[i] = slot.scopes[i];
        if (scopes.scope[i] < kLimitScopes)
            scope_states[scopes.scope[i]].channels.fetch_sub(1, std::memory_order_relaxed);
    }
    slot.key.store(0, std::memory_order_release);
    return true;
}

}  // namespace sipwire::limit
