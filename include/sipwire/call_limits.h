// Calls-per-second and channel (concurrent call) limits: the configuration part
// (in each snapshot) and the shared state every lcore updates with atomics only.
//
// A limit applies to a scope: the whole server, one destination set, or one source
// (a customer's trunk: an IPv4 prefix). An initial INVITE is checked against every
// scope it belongs to (server, its destination set, its source if any).
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "sipwire/counters.h"
#include "sipwire/limits.h"

namespace sipwire {

inline constexpr unsigned kMaxSourceLimits = 32;
inline constexpr unsigned kServerScope = 0;
inline constexpr unsigned kFirstSetScope = 1;  // + destination set index
inline constexpr unsigned kFirstSourceScope = kFirstSetScope + kMaxDestinationSets;  // + source index
inline constexpr unsigned kLimitScopes = kFirstSourceScope + kMaxSourceLimits;
inline constexpr uint8_t kNoScope = 0xff;
inline constexpr uint32_t kDialogSlots = 1u << 18;  // calls tracked at once (power of two)

// --- configuration (part of DataplaneConfig) -------------------------------------

struct ScopeLimit {
    uint32_t cps_milli;  // new calls per second x 1000, this node's share; 0 = unlimited
    uint32_t burst;      // calls the shared pool may hold above the rate; >= 1 when limited
    uint32_t channels;   // concurrent calls; 0 = unlimited
    uint32_t active;     // 1 = the scope exists (configured set or source)
};

struct SourceScope {
    uint32_t ipv4;     // network byte order
    uint32_t netmask;  // network byte order
};

struct CallLimitsConfig {
    ScopeLimit scopes[kLimitScopes];
    uint32_t source_count;
    SourceScope sources[kMaxSourceLimits];  // scope kFirstSourceScope + i; first match wins
    uint32_t retry_after_s;                 // Retry-After of the 503 at capacity
    uint32_t failover_ipv4;                 // network byte order; 0 = no capacity failover
    uint16_t failover_port;                 // network byte order
    uint16_t pad;
    uint32_t reservation_timeout_ms;  // no final answer to an INVITE: its channel is released
    uint32_t max_call_duration_s;     // a confirmed call older than this is released (lost BYE)
};

// --- shared state (a region of the segment) --------------------------------------

// One scope's shared token pool and channel count. Lcores take batches of tokens
// from the pool into private buckets; the pool refills itself at the scope's rate
// when an lcore finds it short (compare-and-swap on refilled_ns, no lock).
struct alignas(64) ScopeState {
    std::atomic<int64_t> pool_milli;    // tokens x 1000
    std::atomic<uint64_t> refilled_ns;  // CLOCK_MONOTONIC of the last refill
    std::atomic<int32_t> channels;      // calls holding a channel in this scope
};

enum class DialogState : uint32_t { free = 0, reserved = 1, confirmed = 2 };

// DialogSlot::state is one word: the DialogState in bits 0-1, kDialogFailedOver, and
// in bits 8-31 how many times the slot was taken. Every change is a compare-and-swap
// of the whole word, so a release meant for an earlier call in the slot fails (no ABA).
inline constexpr uint32_t kDialogStateMask = 0x3;
// The call was sent to the capacity-failover server: it holds no channel here, and its
// CANCEL / ACK / BYE follow it there.
inline constexpr uint32_t kDialogFailedOver = 0x4;
inline constexpr uint32_t kDialogUseShift = 8;

// A call holding channels, found by a hash of its Call-ID from any lcore.
// The dialog's tags (32-bit hashes, never 0) say which BYE ends it: its response
// releases the call only when the BYE's From / To tags are the caller's and the
// callee's, in either order. caller_tag is written before the state word publishes
// the reservation, callee_tag before the compare-and-swap that confirms the call
// (readers load the state with acquire, as for since_ns).
struct DialogSlot {
    std::atomic<uint64_t> key;    // Call-ID hash, never 0; 0 = free
    std::atomic<uint32_t> state;  // DialogState | flags | use count (see above)
    uint8_t scopes[3];            // scopes whose channels it holds (kNoScope = none)
    uint8_t pad;
    std::atomic<uint64_t> since_ns;    // reservation or confirmation time (CLOCK_MONOTONIC)
    std::atomic<uint32_t> caller_tag;  // From tag of the INVITE (at admission)
    std::atomic<uint32_t> callee_tag;  // To tag of the 2xx that confirmed it; 0 = none yet
};
static_assert(sizeof(DialogSlot) == 32);

struct CallLimitsState {
    ScopeState scopes[kLimitScopes];
    DialogSlot dialogs[kDialogSlots];
};

static_assert(std::atomic<int64_t>::is_always_lock_free);
static_assert(std::is_standard_layout_v<CallLimitsState>);

// --- counters (per lcore, in WorkerState) ----------------------------------------

// X(field, prometheus_name, help)
#define SIPWIRE_CALL_LIMIT_COUNTERS(X)                                                    \
    X(failed_over, "sipwire_calls_failed_over_total",                                     \
      "New calls sent to the capacity-failover server")                                   \
    X(retransmissions, "sipwire_calls_retransmitted_total",                               \
      "INVITE retransmissions of calls already admitted (not counted again)")             \
    X(dialog_table_full, "sipwire_calls_untracked_total",                                 \
      "Calls refused because the dialog table was full")

// Why a channel was given back. Exposed as sipwire_channels_released_total{reason}.
#define SIPWIRE_CHANNEL_RELEASE_REASONS(X)                                                \
    X(final_error, "A final non-2xx response")                                            \
    X(cancel, "CANCEL")                                                                   \
    X(bye, "BYE")                                                                         \
    X(reservation_timeout, "No final response in time")                                   \
    X(max_duration, "Call longer than the maximum duration (lost BYE)")                   \
    X(media_timeout, "No media for the relay's inactivity timeout")

enum class ChannelRelease : uint8_t {
#define SIPWIRE_X(name, help) name,
    SIPWIRE_CHANNEL_RELEASE_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
        count
};
inline constexpr unsigned kChannelReleaseCount = unsigned(ChannelRelease::count);

struct CallLimitCounters {
#define SIPWIRE_X(name, prom, help) Counter name;
    SIPWIRE_CALL_LIMIT_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
    Counter admitted[kLimitScopes];           // new calls admitted, by scope
    Counter rejected_cps[kLimitScopes];       // refused (503 or failover): rate
    Counter rejected_channels[kLimitScopes];  // refused (503 or failover): capacity
    Counter released[kChannelReleaseCount];
};

}  // namespace sipwire
