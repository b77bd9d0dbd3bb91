// SIP methods as bit flags, so a set of methods is one mask test.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipwire::sip {

enum class Method : uint16_t {
    none = 0,
    invite = 1u << 0,
    ack = 1u << 1,
    bye = 1u << 2,
    cancel = 1u << 3,
    options = 1u << 4,
    register_ = 1u << 5,
    prack = 1u << 6,
    update = 1u << 7,
    info = 1u << 8,
    subscribe = 1u << 9,
    notify = 1u << 10,
    refer = 1u << 11,
    message = 1u << 12,
    publish = 1u << 13,
    other = 1u << 14,  // any other token: see SipMessage::method_name()
};

constexpr Method operator|(Method a, Method b) noexcept {
    return static_cast<Method>(static_cast<uint16_t>(a) | static_cast<uint16_t>(b));
}
constexpr Method operator&(Method a, Method b) noexcept {
    return static_cast<Method>(static_cast<uint16_t>(a) & static_cast<uint16_t>(b));
}
// True when `m` is one of the methods in `set`.
constexpr bool any_of(Method m, Method set) noexcept { return (m & set) != Method::none; }

// Method of a token (case-sensitive, RFC 3261 7.1). Method::other for an unknown
// token, Method::none for an empty string or one that is not a token.
Method method_from_token(std::string_view token) noexcept;

// "INVITE"; "" for none / other.
std::string_view method_name(Method m) noexcept;

}  // namespace sipwire::sip
