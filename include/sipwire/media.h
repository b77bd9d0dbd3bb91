// The RTP relay's shared state: media sessions (one per call) and relay ports.
//
// sipwire-dp's SIP stage (any lcore) creates a session when it anchors an SDP offer,
// reserving relay ports with compare-and-swap; the RTP stage (any lcore) reads the
// port entry of each packet's destination port — a direct index, no hashing.
// sipwired only reads (sipwirectl media, metrics).
//
// A stream (one m= line) has two relay ports, each an even RTP port with its RTCP
// port (+1) reserved with it:
//   - port `a` faces the caller: the caller sends there, we send to the caller from it;
//   - port `b` faces the callee.
// The offer from the caller is rewritten to <relay address>:b (the callee sends to
// b), the answer from the callee to <relay address>:a. A packet arriving on port P
// from endpoint X goes to remote(peer(P)) from peer(P): the entry of P remembers X
// (the SDP address until the first packet latches X's real source, comedia).
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

#include "sipwire/counters.h"

namespace sipwire {

inline constexpr uint32_t kMediaSessions = 1u << 15;  // calls anchored at once (power of two)
inline constexpr unsigned kMaxMediaStreams = 4;       // m= lines anchored per call
inline constexpr uint32_t kMediaPorts = 65536;        // port entries, indexed by UDP port

// MediaPort::state: 0 = free; else bit 0 set, bits 8-31 how many times it was taken
// (like DialogSlot::state: a compare-and-swap with a stale value fails).
inline constexpr uint32_t kMediaPortInUse = 0x1;
inline constexpr uint32_t kMediaPortUseShift = 8;

// Packs an endpoint address: ipv4 (network order) << 16 | port (network order). 0 = unknown.
inline constexpr uint64_t pack_endpoint(uint32_t ipv4, uint16_t port) { return (uint64_t{ipv4} << 16) | port; }
inline constexpr uint32_t endpoint_ipv4(uint64_t e) { return static_cast<uint32_t>(e >> 16); }
inline constexpr uint16_t endpoint_port(uint64_t e) { return static_cast<uint16_t>(e & 0xffff); }

// One relay port (RTP or RTCP). The control fields are written by the SIP stage
// before `state` publishes the port, or with atomics afterwards; the statistics by
// the lcore that receives the port's packets (RSS keeps a flow on one lcore; a rare
// second writer can only lose an increment, never tear a value).
struct alignas(64) MediaPort {
    std::atomic<uint32_t> state;
    std::atomic<uint32_t> session;    // kMediaSessions index
    std::atomic<uint16_t> peer_port;  // host order: the relay port packets arriving here leave from
    uint8_t rtcp;                     // 1 = the RTCP port of a pair
    uint8_t side;                     // 0 = faces the caller (a), 1 = faces the callee (b)
    std::atomic<uint32_t> local_ipv4; // network order: our address this port is advertised on
    std::atomic<uint64_t> remote;     // endpoint we send to from this port (pack_endpoint); 0 = none yet
    std::atomic<uint32_t> latched;    // 1 = `remote` is a received source, not the SDP's
    std::atomic<uint32_t> ssrc;       // last SSRC seen (RTP)
    // Statistics (RFC 3550 appendix A.1 / A.8).
    Counter packets;
    Counter bytes;
    std::atomic<uint64_t> last_rx_ns;  // CLOCK_MONOTONIC of the last packet; 0 = none
    std::atomic<uint32_t> max_seq;     // extended highest sequence number received
    std::atomic<uint32_t> base_seq;    // extended first sequence number
    std::atomic<uint32_t> jitter_q4;   // interarrival jitter in RTP timestamp units x 16
    std::atomic<uint32_t> transit;     // last relative transit time (timestamp units)
    std::atomic<uint32_t> relatches;   // times a new source took the port over
    uint32_t clock_rate;               // RTP clock of the stream (Hz, from the SDP; 8000 default)
};
static_assert(sizeof(MediaPort) == 128);

enum class MediaSessionState : uint32_t { free = 0, offered = 1, answered = 2 };
// MediaSession::state: MediaSessionState in bits 0-1, use count from bit 8 (no ABA).
inline constexpr uint32_t kMediaStateMask = 0x3;
inline constexpr uint32_t kMediaUseShift = 8;

// One anchored call, found by a hash of its Call-ID (open addressing, like the
// dialog table). Ports are written before the state word publishes them.
struct alignas(64) MediaSession {
    std::atomic<uint64_t> key;         // Call-ID hash, never 0; 0 = free
    std::atomic<uint32_t> state;
    std::atomic<uint32_t> caller_tag;  // From tag of the offer (dialog_tag hash)
    std::atomic<uint64_t> created_ns;  // CLOCK_MONOTONIC
    std::atomic<uint32_t> stream_count;
    std::atomic<uint16_t> port_a[kMaxMediaStreams];  // host order, even RTP port; 0 = none
    std::atomic<uint16_t> port_b[kMaxMediaStreams];
    uint32_t pad;
};
static_assert(sizeof(MediaSession) == 64);

struct MediaState {
    MediaSession sessions[kMediaSessions];
    MediaPort ports[kMediaPorts];
};
static_assert(std::is_standard_layout_v<MediaState>);

// Per lcore.  X(field, prometheus_name, help)
#define SIPWIRE_MEDIA_COUNTERS(X)                                                          \
    X(relayed_packets, "sipwire_rtp_relayed_packets_total", "RTP and RTCP packets relayed")  \
    X(relayed_bytes, "sipwire_rtp_relayed_bytes_total", "UDP payload bytes relayed")        \
    X(latched, "sipwire_rtp_latched_total", "Relay ports that latched their endpoint's source") \
    X(relatched, "sipwire_rtp_relatched_total", "Relay ports whose endpoint moved (re-latch)") \
    X(hijack_refused, "sipwire_rtp_hijack_refused_total",                                      \
      "Packets from another source on a latched port, dropped")                               \
    X(no_session, "sipwire_rtp_no_session_total", "Packets to a relay port with no session")   \
    X(sessions_created, "sipwire_media_sessions_created_total", "Calls whose media was anchored") \
    X(sdp_rewritten, "sipwire_sdp_rewritten_total", "SDP bodies rewritten to the relay")       \
    X(sdp_invalid, "sipwire_sdp_invalid_total", "SDP bodies refused (malformed, hostile)")     \
    X(no_ports, "sipwire_media_no_ports_total", "Offers refused: no free relay port or session slot")

// Why a media session ended. Exposed as sipwire_media_sessions_released_total{reason}.
#define SIPWIRE_MEDIA_RELEASE_REASONS(X)                \
    X(bye, "BYE answered")                              \
    X(cancel, "CANCEL (487)")                           \
    X(failure, "Final error response to the INVITE")    \
    X(inactivity, "No media for the inactivity timeout") \
    X(no_answer, "Offer never answered")

enum class MediaRelease : uint8_t {
#define SIPWIRE_X(name, help) name,
    SIPWIRE_MEDIA_RELEASE_REASONS(SIPWIRE_X)
#undef SIPWIRE_X
        count
};
inline constexpr unsigned kMediaReleaseCount = unsigned(MediaRelease::count);

struct MediaCounters {
#define SIPWIRE_X(name, prom, help) Counter name;
    SIPWIRE_MEDIA_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
    Counter released[kMediaReleaseCount];
};

}  // namespace sipwire
