// The limit stage: admission of new calls against calls-per-second and channel
// limits, capacity failover, and the channel bookkeeping of the calls it admitted.
// Pure code over the shared CallLimitsState (call_limits.h) and one lcore's
// CallLimitCounters: no DPDK, no allocation, no lock, no system call; time is given
// by the caller (the poll loop's clock, or a test's).
//
// One Limiter per lcore (it holds that lcore's token buckets and sweep cursor). The
// proxy asks it, for each SIP message it forwards:
//   - an initial INVITE (no To tag): admit_invite(). Scopes: the server, the
//     destination set it is dispatched to, the first SourceScope whose prefix holds
//     the source address. A scope limits when active and cps_milli / channels != 0;
//     the others cost nothing, and with no limit anywhere nothing is tracked at all.
//       * Call-ID already tracked: a retransmission (counted `retransmissions`, not
//         admitted again); it goes where the first one went (failed over or not).
//       * each limiting scope in turn (server, set, source): a channel reserved
//         (ScopeState::channels, refused at `channels`), then one call spent from the
//         rate (token_bucket.h). The first refusal is counted rejected_channels[scope]
//         or rejected_cps[scope]; what the earlier scopes took is given back.
//       * admitted: tracked in the dialog table (reserved, with the scopes whose
//         channels it holds and the caller's tag: the INVITE's From tag),
//         admitted[scope] counted for every scope of the call.
//         Table full: dialog_table_full counted, refused.
//       * refused: failed over when failover_ipv4 != 0 and the INVITE has not been
//         failed over before (no failover marker): the call is tracked with
//         kDialogFailedOver and no channel (counted failed_over); else 503
//         (the caller counts local_responses[at_capacity]).
//   - CANCEL / BYE / ACK / any other request with a tracked Call-ID: on_request().
//     No request releases a channel (a CANCEL may lose the race with the 2xx or be
//     answered 481; a BYE may be refused): the final responses below do. A
//     failed-over call is reported so that its requests follow it to the failover
//     server; its BYE keeps it tracked for reservation_timeout more (retransmissions
//     of the BYE).
//   - a final response to an INVITE: on_final_response(). 2xx confirms a reserved
//     call (since_ns = now, the callee's tag: the 2xx's To tag); 487 releases a
//     reserved one (released[cancel]), any
//     other non-2xx too (released[final_error]); a failed-over call is left to time
//     out (its ACK still has to follow it).
//   - a final response to a BYE: on_bye_response(), with the BYE's From and To tags
//     (a response copies them). Only a BYE of the call's dialog ends it: a confirmed
//     call is released (released[bye]) by a 2xx or 481 (the dialog is gone either
//     way) when the BYE's {From tag, To tag} is {caller tag, callee tag} in either
//     order (the caller or the callee hung up); a reserved one (no callee tag yet,
//     an early BYE) by a 2xx only, when one of the BYE's tags is the caller's. Other
//     tags (a BYE made up to get a 481 while the call goes on), any other status:
//     nothing released (the max-duration sweep is the fallback). A failed-over call
//     is left to its linger.
//   - every loop iteration, sweep(): a bounded slice of the table; a reserved call
//     older than reservation_timeout_ms is released (released[reservation_timeout]),
//     a confirmed one older than max_call_duration_s (released[max_duration]).
//     Zero in the configuration means the defaults below. Each worker sweeps its own
//     part of the table; releases are compare-and-swaps, so a call released by a BYE's
//     200 and a sweeper at once is released once.
// Live resize: the limits are read from the snapshot of the loop iteration; a lower
// channel limit refuses new calls only, calls already admitted keep their channels.
// Released calls are counted in `released` only when they held a channel.
#pragma once

#include <cstdint>

#include "limit/dialog_table.h"
#include "limit/token_bucket.h"
#include "sipwire/call_limits.h"

namespace sipwire::limit {

inline constexpr uint32_t kDefaultReservationTimeoutMs = 180'000;  // Timer C (RFC 3261 16.6)
inline constexpr uint32_t kDefaultMaxCallDurationS = 4 * 3600;
inline constexpr uint32_t kSweepSlotsPerLoop = 64;

enum class Verdict : uint8_t {
    unlimited,       // no limit configured: forward, nothing tracked
    admitted,        // a new call within every limit: forward
    retransmission,  // the INVITE of a call already admitted: forward, not counted again
    failed_over,     // send to the failover server (with the marker), new or retransmitted
    rejected,        // 503 at capacity
};

struct NewCall {
    uint64_t call_hash;    // Call-ID hash (the dispatcher's)
    uint32_t src_ip;       // network byte order
    uint8_t set;           // destination set it is dispatched to; kNoScope when none
    bool failover_marker;  // failed over once already: never again
    uint32_t caller_tag;   // dialog_tag() of the INVITE's From tag
};

enum class RequestKind : uint8_t { cancel, bye, ack, other };

// Where the requests of a tracked call go.
enum class Follow : uint8_t {
    normal,           // not tracked, or tracked here: the proxy routes as always
    failover_early,   // failed over, no 2xx yet: CANCEL / ACK / everything to the failover server
    failover_dialog,  // failed over and answered: what the dispatcher would route, to the failover server
};

class alignas(64) Limiter {
public:
    // `worker` of `workers` sweeps slots [size * worker / workers, size * (worker + 1) / workers).
    void attach(CallLimitsState& shared, CallLimitCounters& counters, uint32_t worker, uint32_t workers) noexcept;
    // Same over a table of `slot_count` slots (tests).
    void attach(ScopeState* scopes, DialogSlot* slots, uint32_t slot_count, CallLimitCounters& counters,
                uint32_t worker, uint32_t workers) noexcept;

    // Once per loop iteration, before the burst: the snapshot's limits and the clock.
    void begin(const CallLimitsConfig& config, uint64_t generation, uint64_t now_ns) noexcept;
    void set_now(uint64_t now_ns) noexcept { now_ns_ = now_ns; }

    // Any limit configured: new calls are checked.
    bool enabled() const noexcept { return enabled_; }
    // Calls may be tracked (limits on, or switched off less than a maximum call
    // duration ago): the proxy reports requests and responses. Otherwise it asks nothing.
    bool tracking() const noexcept { return tracking_; }
    const CallLimitsConfig& config() const noexcept { return *config_; }

    Verdict admit_invite(const NewCall& call) noexcept;
    Follow on_request(uint64_t call_hash, RequestKind kind) noexcept;
    // `to_tag`: dialog_tag() of the response's To tag.
    void on_final_response(uint64_t call_hash, uint16_t status, uint32_t to_tag) noexcept;
    // `from_tag`, `to_tag`: dialog_tag() of the BYE's (the response's) From and To tags.
    void on_bye_response(uint64_t call_hash, uint16_t status, uint32_t from_tag, uint32_t to_tag) noexcept;
    // Looks at `slots` table slots of this worker's part; returns the calls released.
    uint32_t sweep(uint32_t slots = kSweepSlotsPerLoop) noexcept;

    const DialogTable& table() const noexcept { return table_; }

private:
    bool limiting(const ScopeLimit& l) const noexcept { return l.active != 0 && (l.cps_milli | l.channels) != 0; }
    void apply(const CallLimitsConfig& config, uint64_t generation) noexcept;
    void count_release(const CallScopes& scopes, ChannelRelease reason) noexcept;

    ScopeState* scopes_ = nullptr;
    CallLimitCounters* counters_ = nullptr;
    const CallLimitsConfig* config_ = nullptr;
    DialogTable table_;
    uint64_t generation_ = 0;
    uint64_t now_ns_ = 0;
    uint64_t reservation_timeout_ns_ = 0;
    uint64_t max_duration_ns_ = 0;
    uint32_t sweep_begin_ = 0;
    uint32_t sweep_end_ = 0;
    uint32_t sweep_next_ = 0;
    uint64_t drain_until_ns_ = 0;
    bool enabled_ = false;
    bool tracking_ = false;
    LocalBucket local_[kLimitScopes];
};

}  // namespace sipwire::limit
