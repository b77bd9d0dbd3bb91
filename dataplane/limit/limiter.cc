// Admission, failover and channel bookkeeping (see limiter.h).
#include "limit/limiter.h"

#include <atomic>

namespace sipwire::limit {

void Limiter::attach(CallLimitsState& shared, CallLimitCounters& counters, uint32_t worker,
                     uint32_t workers) noexcept {
    attach(shared.scopes, shared.dialogs, kDialogSlots, counters, worker, workers);
}

void Limiter::attach(ScopeState* scopes, DialogSlot* slots, uint32_t slot_count, CallLimitCounters& counters,
                     uint32_t worker, uint32_t workers) noexcept {
    scopes_ = scopes;
    counters_ = &counters;
    table_ = DialogTable(slots, slot_count);
    if (workers == 0 || worker >= workers) {
        worker = 0;
        workers = 1;
    }
    sweep_begin_ = static_cast<uint32_t>(uint64_t{slot_count} * worker / workers);
    sweep_end_ = static_cast<uint32_t>(uint64_t{slot_count} * (worker + 1) / workers);
    sweep_next_ = sweep_begin_;
    for (LocalBucket& b : local_) b = {};
}

void Limiter::begin(const CallLimitsConfig& config, uint64_t generation, uint64_t now_ns) noexcept {
    config_ = &config;
    now_ns_ = now_ns;
    if (generation != generation_) apply(config, generation);
    // Calls admitted before the limits were switched off still release their channels.
    tracking_ = enabled_ || now_ns < drain_until_ns_;
}

void Limiter::apply(const CallLimitsConfig& config, uint64_t generation) noexcept {
    generation_ = generation;
    const bool was_enabled = enabled_;
    enabled_ = false;
    for (unsigned s = 0; s < kLimitScopes; ++s) {
        const ScopeLimit& l = config.scopes[s];
        enabled_ = enabled_ || limiting(l);
        // At most one batch of the new rate stays in hand (none for an unlimited scope).
        const int64_t keep = l.cps_milli != 0 ? batch_milli(l.cps_milli) : 0;
        if (local_[s].milli > keep) local_[s].milli = keep;
    }
    const uint64_t reservation_ms =
        config.reservation_timeout_ms != 0 ? config.reservation_timeout_ms : kDefaultReservationTimeoutMs;
    const uint64_t duration_s = config.max_call_duration_s != 0 ? config.max_call_duration_s : kDefaultMaxCallDurationS;
    reservation_timeout_ns_ = reservation_ms * 1'000'000ULL;
    max_duration_ns_ = duration_s * 1'000'000'000ULL;
    if (was_enabled && !enabled_) drain_until_ns_ = now_ns_ + max_duration_ns_;
}

Verdict Limiter::admit_invite(const NewCall& call) noexcept {
    if (!enabled_) return Verdict::unlimited;
    const uint64_t key = dialog_key(call.call_hash);
    const CallLimitsConfig& cfg = *config_;

    // One scan: a retransmission goes where the first INVITE went; a new call gets
    // a slot claimed now and published once the limits have answered.
    Found existing;
    DialogSlot* claimed = nullptr;
    const InsertResult claim = table_.claim(key, &existing, &claimed);
    if (claim == InsertResult::exists) {
        counters_->retransmissions.add(1);
        return existing.slot != nullptr && failed_over(existing.word) ? Verdict::failed_over
                                                                     : Verdict::retransmission;
    }

    // The call's scopes: server, destination set, first matching source.
    uint8_t in_scope[3] = {kServerScope, kNoScope, kNoScope};
    if (call.set < kMaxDestinationSets) in_scope[1] = static_cast<uint8_t>(kFirstSetScope + call.set);
    const uint32_t sources = cfg.source_count < kMaxSourceLimits ? cfg.source_count : kMaxSourceLimits;
    for (uint32_t i = 0; i < sources; ++i) {
        if ((call.src_ip & cfg.sources[i].netmask) == cfg.sources[i].ipv4) {
            in_scope[2] = static_cast<uint8_t>(kFirstSourceScope + i);
            break;
        }
    }

    CallScopes held;        // scopes whose channel this call holds
    bool spent[3] = {};     // scopes whose rate it spent
    unsigned refused = 3;   // index into in_scope of the refusing scope
    bool by_channels = false;
    for (unsigned i = 0; i < 3; ++i) {
        const uint8_t s = in_scope[i];
        if (s == kNoScope) continue;
        const ScopeLimit& l = cfg.scopes[s];
        if (!limiting(l)) continue;
        if (l.channels != 0) {
            const int32_t before = scopes_[s].channels.fetch_add(1, std::memory_order_relaxed);
            if (before >= static_cast<int64_t>(l.channels)) {
                scopes_[s].channels.fetch_sub(1, std::memory_order_relaxed);
                refused = i;
                by_channels = true;
                break;
            }
            held.scope[i] = s;
        }
        if (l.cps_milli != 0) {
            if (!spend_call(scopes_[s], local_[s], l, now_ns_)) {
                refused = i;
                break;
            }
            spent[i] = true;
        }
    }

    if (refused == 3) {
        if (claimed != nullptr) {
            DialogTable::publish(*claimed, held, false, now_ns_, call.caller_tag);
            for (const uint8_t s : in_scope)
                if (s != kNoScope) counters_->admitted[s].add(1);
            return Verdict::admitted;
        }
        counters_->dialog_table_full.add(1);
    } else if (by_channels) {
        counters_->rejected_channels[in_scope[refused]].add(1);
    } else {
        counters_->rejected_cps[in_scope[refused]].add(1);
    }
    // Refused: give back what the scopes before the refusing one took.
    for (unsigned i = 0; i < 3; ++i) {
        if (held.scope[i] != kNoScope) scopes_[held.scope[i]].channels.fetch_sub(1, std::memory_order_relaxed);
        if (spent[i]) refund_call(local_[in_scope[i]]);
    }
    if (refused == 3) return Verdict::rejected;  // table full: nowhere to pin a failover either
    if (config_->failover_ipv4 != 0 && !call.failover_marker) {
        if (claimed != nullptr) {
            // Pinned, holding no channel: its CANCEL, ACK and BYE follow it.
            DialogTable::publish(*claimed, CallScopes{}, true, now_ns_, call.caller_tag);
            counters_->failed_over.add(1);
            return Verdict::failed_over;
        }
        // Without a pin its CANCEL would not follow it: refuse instead.
        counters_->dialog_table_full.add(1);
    }
    if (claimed != nullptr) DialogTable::abandon(*claimed);
    return Verdict::rejected;
}

Follow Limiter::on_request(uint64_t call_hash, RequestKind kind) noexcept {
    if (!tracking_) return Follow::normal;
    const Found f = table_.find(dialog_key(call_hash));
    if (f.slot == nullptr) return Follow::normal;
    const DialogState state = dialog_state(f.word);
    if (failed_over(f.word)) {
        if (kind == RequestKind::bye && state == DialogState::confirmed) {
            // Kept for the BYE's retransmissions, then swept as an unanswered pin.
            // since_ns first, then the state (release): a sweeper that sees `reserved`
            // sees the new since_ns. Should the CAS fail (another lcore's BYE, a
            // sweep), the slot keeps a since_ns of now: at most a later sweep.
            f.slot->since_ns.store(now_ns_, std::memory_order_relaxed);
            uint32_t expected = f.word;
            f.slot->state.compare_exchange_strong(expected, with_state(f.word, DialogState::reserved),
                                                  std::memory_order_acq_rel);
            return Follow::failover_dialog;
        }
        return state == DialogState::reserved ? Follow::failover_early : Follow::failover_dialog;
    }
    // A CANCEL or BYE request releases nothing: the final responses do (a CANCEL can
    // lose the race with a 2xx or be answered 481, a BYE can be refused).
    return Follow::normal;
}

void Limiter::on_final_response(uint64_t call_hash, uint16_t status, uint32_t to_tag) noexcept {
    if (!tracking_ || status < 200) return;
    const Found f = table_.find(dialog_key(call_hash));
    if (f.slot == nullptr || dialog_state(f.word) != DialogState::reserved) return;
    if (status < 300) {
        DialogTable::confirm(f, now_ns_, to_tag);
    } else if (!failed_over(f.word)) {
        CallScopes scopes;
        if (DialogTable::release(*f.slot, f.word, scopes_, scopes))
            count_release(scopes, status == 487 ? ChannelRelease::cancel : ChannelRelease::final_error);
    }
}

void Limiter::on_bye_response(uint64_t call_hash, uint16_t status, uint32_t from_tag, uint32_t to_tag) noexcept {
    if (!tracking_ || status < 200) return;
    // 2xx: the dialog ended; 481: the UAS has no such dialog. Anything else (a
    // challenge, an error) ends nothing: the max-duration sweep is the fallback.
    const bool ended = status < 300;
    if (!ended && status != 481) return;
    const Found f = table_.find(dialog_key(call_hash));
    if (f.slot == nullptr || failed_over(f.word)) return;  // a failed-over pin lingers (on_request)
    // Only a BYE of this call's dialog ends it: a 481 to a BYE with another tag says
    // nothing about the call (a caller could make one up to free its channel while
    // the call goes on). The state was loaded with acquire (find()): the tags written
    // before it was published are visible. Should the slot hold another call by now,
    // the release below fails on the use count.
    const uint32_t caller = f.slot->caller_tag.load(std::memory_order_relaxed);
    if (dialog_state(f.word) == DialogState::confirmed) {
        const uint32_t callee = f.slot->callee_tag.load(std::memory_order_relaxed);
        const bool same_dialog = callee != 0 && caller != 0 &&
                                 ((from_tag == caller && to_tag == callee) || (from_tag == callee && to_tag == caller));
        if (!same_dialog) return;
    } else {
        // An early BYE (no 2xx yet, so no callee tag): its 2xx only, from the caller's dialog.
        if (!ended || caller == 0 || (from_tag != caller && to_tag != caller)) return;
    }
    CallScopes scopes;
    if (DialogTable::release(*f.slot, f.word, scopes_, scopes)) count_release(scopes, ChannelRelease::bye);
}

uint32_t Limiter::sweep(uint32_t slots) noexcept {
    if (config_ == nullptr || sweep_end_ <= sweep_begin_) return 0;
    uint32_t released = 0;
    for (uint32_t n = 0; n < slots; ++n) {
        DialogSlot& s = table_.slot(sweep_next_);
        if (++sweep_next_ >= sweep_end_) sweep_next_ = sweep_begin_;
        if (s.key.load(std::memory_order_relaxed) == 0) continue;
        const uint32_t word = s.state.load(std::memory_order_acquire);
        const DialogState state = dialog_state(word);
        if (state == DialogState::free) continue;
        const uint64_t since = s.since_ns.load(std::memory_order_relaxed);
        const uint64_t limit = state == DialogState::reserved ? reservation_timeout_ns_ : max_duration_ns_;
        if (now_ns_ <= since || now_ns_ - since < limit) continue;
        CallScopes scopes;
        if (!DialogTable::release(s, word, scopes_, scopes)) continue;
        ++released;
        count_release(scopes, state == DialogState::reserved ? ChannelRelease::reservation_timeout
                                                             : ChannelRelease::max_duration);
    }
    return released;
}

void Limiter::count_release(const CallScopes& scopes, ChannelRelease reason) noexcept {
    if ((scopes.scope[0] & scopes.scope[1] & scopes.scope[2]) == kNoScope) return;  // held no channel
    counters_->released[static_cast<unsigned>(reason)].add(1);
}

}  // namespace sipwire::limit
