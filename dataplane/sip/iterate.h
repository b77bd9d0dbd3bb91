// Walking list-valued headers across lines and commas: every Via, Route,
// Record-Route, Contact... value in message order.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

#include "sip/message.h"
#include "sip/params.h"
#include "sip/via.h"

namespace sipwire::sip {

// The comma-separated values of every line with one HeaderId, first line first.
class HeaderValues {
public:
    HeaderValues(const SipMessage& msg, HeaderId id) noexcept
        : msg_(&msg), index_(msg.first_index(id)) {}

    // Next value (trimmed); false at the end.
    bool next(std::string_view& value) noexcept {
        for (;;) {
            if (next_value(rest_, value)) return true;
            if (index_ == kNoHeader) return false;
            const HeaderField& h = msg_->headers()[index_];
            rest_ = msg_->value(h);
            index_ = h.next_same;
        }
    }

private:
    const SipMessage* msg_;
    uint8_t index_;
    std::string_view rest_;
};

// Every Via value, top first, parsed.
class ViaIterator {
public:
    explicit ViaIterator(const SipMessage& msg) noexcept
        : msg_(&msg), index_(msg.first_index(HeaderId::via)) {}

    // Next Via; false at the end or at a malformed value (then malformed() is true).
    bool next(Via& via) noexcept {
        while (!malformed_) {
            const int r = next_via(rest_, via);
            if (r > 0) return true;
            malformed_ = r < 0;
            if (malformed_ || index_ == kNoHeader) break;
            const HeaderField& h = msg_->headers()[index_];
            rest_ = msg_->value(h);
            index_ = h.next_same;
        }
        return false;
    }
    bool malformed() const noexcept { return malformed_; }

private:
    const SipMessage* msg_;
    uint8_t index_;
    std::string_view rest_;
    bool malformed_ = false;
};

// Calls fn(const Via&) for every Via value, top first; fn may return bool (false
// stops early). Returns false if a malformed value was met.
template <class Fn>
bool for_each_via(const SipMessage& msg, Fn&& fn) noexcept(noexcept(fn(std::declval<const Via&>()))) {
    ViaIterator it(msg);
    Via via;
    while (it.next(via)) {
        if constexpr (std::is_same_v<std::invoke_result_t<Fn&, const Via&>, bool>) {
            if (!fn(static_cast<const Via&>(via))) return true;
        } else {
            fn(static_cast<const Via&>(via));
        }
    }
    return !it.malformed();
}

}  // namespace sipwire::sip
