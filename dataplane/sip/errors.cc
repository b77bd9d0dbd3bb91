// ParseError -> stable name / human phrase, from the X-macro list in message.h.
#include <array>

#include "sip/message.h"

namespace sipwire::sip {
namespace {

constexpr std::array<std::string_view, static_cast<size_t>(ParseError::count)> kNames = {
#define SIPWIRE_X(name, phrase) #name,
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
};

constexpr std::array<std::string_view, static_cast<size_t>(ParseError::count)> kPhrases = {
#define SIPWIRE_X(name, phrase) phrase,
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
};

}  // namespace

std::string_view parse_error_name(ParseError e) noexcept {
    const auto i = static_cast<size_t>(e);
    return i < kNames.size() ? kNames[i] : std::string_view{"unknown"};
}

std::string_view parse_error_phrase(ParseError e) noexcept {
    const auto i = static_cast<size_t>(e);
    return i < kPhrases.size() ? kPhrases[i] : std::string_view{"Unknown error"};
}

}  // namespace sipwire::sip
