// A quick look at a punted SIP datagram, enough to choose its handler in sipwired:
// request or response, status code, top Via branch, Call-ID. Not a validating
// parser (the data plane validated the message before punting it).
#pragma once

#include <optional>
#include <string_view>

namespace sipwire::punt {

struct SipPeek {
    bool response = false;
    int status = 0;                 // responses: 100..699
    std::string_view method;        // requests: "OPTIONS", ...
    std::string_view top_via_branch;  // "" when absent
    std::string_view call_id;       // "" when absent
    unsigned via_count = 0;         // Via values (comma-separated ones counted)
};

// Empty when `text` does not start like a SIP message.
std::optional<SipPeek> peek_sip(std::string_view text);

}  // namespace sipwire::punt
