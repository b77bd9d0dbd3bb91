// Responses sipwire-dp sends by itself (400, 482, 483, 503, 200 to OPTIONS), built
// from the request (RFC 3261 8.2.6): every Via line in order (the top one with the
// received / rport edits of RFC 3581), From, To (with our tag when it has none),
// Call-ID and CSeq copied; then the caller's extra header lines, "Server: sipwire"
// and "Content-Length: 0". Header names are written in their long form. Internal to
// dataplane/proxy.
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/rewrite.h"
#include "sip/message.h"

namespace sipwire::proxy {

struct LocalResponse {
    uint16_t code;                  // 100..699
    std::string_view reason;        // "Service Unavailable"
    const std::string_view* extra;  // pieces written verbatim after CSeq (whole lines, CRLF included)
    uint32_t extra_count;
    bool add_to_tag;                // the request's To has no tag: add ours
};

// Writes the response to `request` into out[0 .. capacity). `top_via_edits` holds the
// edits of the first Via value (add_top_via_edits()). Returns the length, 0 when it
// does not fit.
uint32_t write_local_response(const sip::SipMessage& request, const EditList& top_via_edits,
                              const LocalResponse& response, char* out, uint32_t capacity) noexcept;

}  // namespace sipwire::proxy
