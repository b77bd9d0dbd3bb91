// name-addr / addr-spec with header parameters: the value of From, To, Contact,
// Route, Record-Route, Refer-To, Referred-By, P-Asserted-Identity... (RFC 3261 20.10).
#pragma once

#include <string_view>

namespace sipwire::sip {

struct NameAddr {
    std::string_view display_name;  // without the quotes, escapes not resolved (see unquote())
    bool quoted = false;             // display name was a quoted-string
    bool star = false;               // the Contact value "*"
    bool angle = false;              // URI was enclosed in <>
    std::string_view uri;            // without the <>
    std::string_view params;         // header parameters after the URI ("tag=1;expires=60"),
                                     // without the leading ';'
};

// Parses one value (a single comma-separated value, see next_value()). Without <>,
// the URI ends at the first ';' and what follows are header parameters (20.10).
// Returns false when malformed; `out` is then unspecified.
bool parse_name_addr(std::string_view value, NameAddr& out) noexcept;

}  // namespace sipwire::sip
