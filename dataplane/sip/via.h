// One Via value (via-parm, RFC 3261 20.42 / 25.1), parsed into views of the input.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipwire::sip {

struct Via {
    std::string_view protocol_name;     // "SIP"
    std::string_view protocol_version;  // "2.0"
    std::string_view transport;         // "UDP", "TCP", "TLS", "SCTP", "WS"... as written
    std::string_view host;              // sent-by host; an IPv6 reference keeps its []
    std::string_view port_text;         // empty when absent
    uint16_t port = 0;                  // 0 when absent
    bool has_rport = false;             // rport present (as a flag or with a value)
    uint16_t rport = 0;                 // rport value, 0 for the flag form
    int16_t ttl = -1;                   // -1 when absent
    std::string_view params;            // everything after sent-by (";branch=..;rport")
    std::string_view branch;            // empty when absent
    std::string_view received;
    std::string_view maddr;
};

// Parses one via-parm (a single comma-separated value). Returns false when it is
// malformed; `out` is then unspecified.
bool parse_via(std::string_view value, Via& out) noexcept;

// Takes the next via-parm off the front of `rest`, a Via header value holding one or
// more comma-separated values (one scan, no separate split). Returns 1 when `out`
// holds the next value, 0 when nothing is left, -1 when the next value is malformed.
int next_via(std::string_view& rest, Via& out) noexcept;

}  // namespace sipwire::sip
