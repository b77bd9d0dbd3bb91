// Header names known to the parser: full names (case-insensitive) and the RFC 3261 /
// RFC 3265 / RFC 3515 / RFC 4028 / RFC 3892 compact forms.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipwire::sip {

// X(id, canonical name, compact form or 0)
#define SIPWIRE_SIP_HEADERS(X)                          \
    X(other, "", 0)                                     \
    X(via, "Via", 'v')                                  \
    X(from, "From", 'f')                                \
    X(to, "To", 't')                                    \
    X(call_id, "Call-ID", 'i')                          \
    X(cseq, "CSeq", 0)                                  \
    X(max_forwards, "Max-Forwards", 0)                  \
    X(contact, "Contact", 'm')                          \
    X(route, "Route", 0)                                \
    X(record_route, "Record-Route", 0)                  \
    X(content_length, "Content-Length", 'l')            \
    X(content_type, "Content-Type", 'c')                \
    X(content_encoding, "Content-Encoding", 'e')        \
    X(supported, "Supported", 'k')                      \
    X(subject, "Subject", 's')                          \
    X(event, "Event", 'o')                              \
    X(refer_to, "Refer-To", 'r')                        \
    X(allow_events, "Allow-Events", 'u')                \
    X(session_expires, "Session-Expires", 'x')          \
    X(referred_by, "Referred-By", 'b')                  \
    X(expires, "Expires", 0)                            \
    X(min_expires, "Min-Expires", 0)                    \
    X(allow, "Allow", 0)                                \
    X(require, "Require", 0)                            \
    X(proxy_require, "Proxy-Require", 0)                \
    X(unsupported, "Unsupported", 0)                    \
    X(authorization, "Authorization", 0)                \
    X(proxy_authorization, "Proxy-Authorization", 0)    \
    X(www_authenticate, "WWW-Authenticate", 0)          \
    X(proxy_authenticate, "Proxy-Authenticate", 0)      \
    X(user_agent, "User-Agent", 0)                      \
    X(server, "Server", 0)                              \
    X(accept, "Accept", 0)                              \
    X(rseq, "RSeq", 0)                                  \
    X(rack, "RAck", 0)                                  \
    X(path, "Path", 0)                                  \
    X(reason, "Reason", 0)                              \
    X(retry_after, "Retry-After", 0)                    \
    X(subscription_state, "Subscription-State", 0)      \
    X(p_asserted_identity, "P-Asserted-Identity", 0)

enum class HeaderId : uint8_t {
#define SIPWIRE_X(id, name, compact) id,
    SIPWIRE_SIP_HEADERS(SIPWIRE_X)
#undef SIPWIRE_X
};

inline constexpr uint8_t kHeaderIdCount = 0
#define SIPWIRE_X(id, name, compact) +1
    SIPWIRE_SIP_HEADERS(SIPWIRE_X)
#undef SIPWIRE_X
    ;

// Id of a header name (full or compact form, any case); HeaderId::other if unknown.
HeaderId header_id(std::string_view name) noexcept;

// "Call-ID"; "" for HeaderId::other.
std::string_view header_name(HeaderId id) noexcept;

}  // namespace sipwire::sip
