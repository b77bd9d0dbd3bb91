// From / To tag: parsed on demand from the first From / To line.
#include "sip/message.h"
#include "sip/name_addr.h"
#include "sip/params.h"

namespace sipwire::sip {
namespace {

std::string_view tag_of(std::string_view value) noexcept {
    NameAddr na;
    if (!parse_name_addr(value, na)) return {};
    return header_param(na.params, "tag").value_or(std::string_view{});
}

}  // namespace

std::string_view SipMessage::from_tag() const noexcept { return tag_of(header(HeaderId::from)); }
std::string_view SipMessage::to_tag() const noexcept { return tag_of(header(HeaderId::to)); }

}  // namespace sipwire::sip
