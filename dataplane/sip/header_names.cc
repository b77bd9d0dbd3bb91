// Header name <-> HeaderId (tables in header_lookup.h).
#include "sip/header_lookup.h"
#include "sip/header_names.h"

namespace sipwire::sip {

HeaderId header_id(std::string_view name) noexcept { return detail::lookup_header(name); }

std::string_view header_name(HeaderId id) noexcept {
    const auto i = static_cast<uint8_t>(id);
    return i < detail::kEntries.size() ? detail::kEntries[i].name : std::string_view{};
}

}  // namespace sipwire::sip
