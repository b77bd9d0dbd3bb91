// Counters of the SIP stage (sipwire-dp writes, sipwired and sipwirectl read).
// Declared once here as X-macro lists, like counters.h.
#pragma once

#include <cstdint>

#include "sipwire/counters.h"
#include "sipwire/limits.h"

namespace sipwire {

// Why a datagram is not a SIP message we accept.  X(name, phrase)
// `name` is stable (metrics label); `phrase` fits a 400 Reason / Warning text.
#define SIPWIRE_SIP_PARSE_ERRORS(X)                                                  \
    X(ok, "OK")                                                                      \
    X(empty, "Empty message")                                                        \
    X(oversize, "Message too large")                                                 \
    X(truncated, "Truncated message")                                                \
    X(bad_start_line, "Malformed start line")                                        \
    X(unsupported_version, "Unsupported SIP version")                                \
    X(bad_header, "Malformed header line")                                           \
    X(nul_byte, "NUL byte in message headers")                                       \
    X(invalid_utf8, "Invalid UTF-8 in message headers")                              \
    X(too_many_headers, "Too many header lines")                                     \
    X(missing_via, "Missing Via header")                                             \
    X(missing_from, "Missing From header")                                           \
    X(missing_to, "Missing To header")                                               \
    X(missing_call_id, "Missing Call-ID header")                                     \
    X(missing_cseq, "Missing CSeq header")                                           \
    X(bad_via, "Malformed Via header")                                               \
    X(bad_cseq, "Malformed CSeq header")                                             \
    X(bad_max_forwards, "Malformed Max-Forwards header")                             \
    X(bad_content_length, "Malformed Content-Length header")                         \
    X(content_length_mismatch, "Content-Length larger than message body")

inline constexpr unsigned kSipParseErrorCount = 0
#define SIPWIRE_X(name, phrase) +1
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
    ;

// Message counts of the SIP stage.  X(field, prometheus_name, help)
#define SIPWIRE_SIP_COUNTERS(X)                                                           \
    X(requests_received, "sipwire_sip_requests_received_total", "SIP requests received")    \
    X(responses_received, "sipwire_sip_responses_received_total", "SIP responses received") \
    X(requests_forwarded, "sipwire_sip_requests_forwarded_total", "SIP requests forwarded")  \
    X(responses_forwarded, "sipwire_sip_responses_forwarded_total",                         \
      "SIP responses forwarded to the next Via")                                            \
    X(requests_dispatched, "sipwire_sip_requests_dispatched_total",                         \
      "Requests sent to a destination chosen by the dispatcher")                            \
    X(responses_punted, "sipwire_sip_responses_punted_total",                               \
      "Responses to sipwired's own requests (health probes), handed to sipwired")           \
    X(keepalives, "sipwire_sip_keepalives_total", "CRLF keepalives received")              \
    X(registers_punted, "sipwire_sip_registers_punted_total",                               \
      "REGISTER requests for our domains, handed to sipwired's registrar")                  \
    X(requests_located, "sipwire_sip_requests_located_total",                               \
      "Requests routed to a registered contact (location table)")

// Responses sipwire-dp answers by itself.  X(field, status code, help)
// Exposed as sipwire_sip_local_responses_total{code="...",reason="<field>"}.
#define SIPWIRE_SIP_LOCAL_RESPONSES(X)                                                    \
    X(options_ok, 200, "OPTIONS addressed to sipwire")                                    \
    X(bad_request, 400, "Invalid request")                                                \
    X(loop_detected, 482, "Request looped back to sipwire")                               \
    X(too_many_hops, 483, "Max-Forwards reached zero")                                    \
    X(no_destination, 503, "No healthy destination to dispatch to")                       \
    X(at_capacity, 503, "New call over a CPS or channel limit, no failover")              \
    X(user_unknown, 404, "Request for a user of our domains who is not known")            \
    X(user_unavailable, 480, "Request for a known user with no live contact")             \
    X(media_unavailable, 503, "No relay port or media session free for the offer")        \
    X(bad_sdp, 488, "SDP offer the relay cannot anchor (malformed or hostile)")

enum class SipLocalResponse : uint8_t {
#define SIPWIRE_X(name, code, help) name,
    SIPWIRE_SIP_LOCAL_RESPONSES(SIPWIRE_X)
#undef SIPWIRE_X
        count
};
inline constexpr unsigned kSipLocalResponseCount = unsigned(SipLocalResponse::count);

inline constexpr uint16_t kSipLocalResponseCodes[] = {
#define SIPWIRE_X(name, code, help) code,
    SIPWIRE_SIP_LOCAL_RESPONSES(SIPWIRE_X)
#undef SIPWIRE_X
};

struct SipCounters {
#define SIPWIRE_X(name, prom, help) Counter name;
    SIPWIRE_SIP_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
    Counter local_responses[kSipLocalResponseCount];
    Counter parse_errors[kSipParseErrorCount];  // by ParseError, [0] (ok) unused
    Counter destination_requests[kMaxDestinations];  // by DestinationRegistry slot
};

struct SipCounterField {
    Counter SipCounters::*member;
    const char* field;
    const char* prometheus_name;
    const char* help;
};

inline constexpr SipCounterField kSipCounterFields[] = {
#define SIPWIRE_X(name, prom, help) {&SipCounters::name, #name, prom, help},
    SIPWIRE_SIP_COUNTERS(SIPWIRE_X)
#undef SIPWIRE_X
};

}  // namespace sipwire
