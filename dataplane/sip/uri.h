// SIP / SIPS URI (RFC 3261 19.1) split into views of the input, nothing decoded.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipwire::sip {

enum class UriScheme : uint8_t { invalid, sip, sips };

struct SipUri {
    UriScheme scheme = UriScheme::invalid;
    std::string_view user;       // empty when absent; escapes and user params kept as written
    std::string_view password;   // empty when absent
    std::string_view host;       // an IPv6 reference keeps its []
    std::string_view port_text;  // empty when absent
    uint16_t port = 0;           // 0 when absent
    std::string_view params;     // after the first ';' behind the host, up to '?' ("transport=udp;lr")
    std::string_view headers;    // after '?', empty when absent
};

// Parses "sip:" / "sips:" URIs (scheme case-insensitive). Returns false for other
// schemes (tel:, urn:...) and malformed URIs; `out` is then unspecified.
bool parse_sip_uri(std::string_view uri, SipUri& out) noexcept;

}  // namespace sipwire::sip
