// Edits of a received SIP message, collected while deciding and applied once while
// copying it into the transmit buffer (Kamailio's lumps, without the allocation):
// each edit removes `remove` bytes at `offset` of the input and writes `insert` in
// their place. The inserted text lives in the caller's scratch buffers or in
// string literals. Internal to dataplane/proxy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "sip/message.h"
#include "sip/via.h"

namespace sipwire::proxy {

// Bounded output: put() stops writing, and ok() turns false, when `out` is full.
class Writer {
public:
    Writer(char* out, size_t capacity) noexcept : begin_(out), p_(out), end_(out + capacity) {}

    void put(std::string_view s) noexcept {
        if (static_cast<size_t>(end_ - p_) < s.size()) {
            ok_ = false;
            p_ = end_;
            return;
        }
        if (!s.empty()) std::memcpy(p_, s.data(), s.size());
        p_ += s.size();
    }
    bool ok() const noexcept { return ok_; }
    size_t length() const noexcept { return static_cast<size_t>(p_ - begin_); }

private:
    char* begin_;
    char* p_;
    char* end_;
    bool ok_ = true;
};

struct Edit {
    uint32_t offset;  // into the input message
    uint32_t remove;
    std::string_view insert;
};

class EditList {
public:
    static constexpr uint32_t kMaxEdits = 10;

    // Adds an edit, kept sorted by offset; edits at the same offset stay in the
    // order they were added. False when full (never with the proxy's edits).
    bool add(uint32_t offset, uint32_t remove, std::string_view insert) noexcept {
        if (count_ == kMaxEdits) return false;
        uint32_t i = count_++;
        while (i > 0 && edits_[i - 1].offset > offset) {
            edits_[i] = edits_[i - 1];
            --i;
        }
        edits_[i] = Edit{offset, remove, insert};
        growth_ += static_cast<int32_t>(insert.size()) - static_cast<int32_t>(remove);
        return true;
    }
    bool insert(uint32_t offset, std::string_view text) noexcept { return add(offset, 0, text); }
    bool remove(uint32_t offset, uint32_t length) noexcept { return add(offset, length, {}); }

    uint32_t size() const noexcept { return count_; }
    const Edit& operator[](uint32_t i) const noexcept { return edits_[i]; }
    // Output length minus input length once every edit is applied.
    int32_t growth() const noexcept { return growth_; }

private:
    Edit edits_[kMaxEdits];
    uint32_t count_ = 0;
    int32_t growth_ = 0;
};

// Copies input[begin, end) to `w`, applying the edits whose offset lies in
// [begin, end] (an insert at `end` is applied, a removal never reaches past `end`).
// False when the edits overlap or leave the range (then `w` holds garbage).
bool apply_edits(const char* input, uint32_t begin, uint32_t end, const EditList& edits, Writer& w) noexcept;

// --- edits the proxy makes ---------------------------------------------------------

// Offset just past the end of the header line `h` (its CRLF or LF, folding included).
uint32_t line_end(const sip::SipMessage& msg, const sip::HeaderField& h) noexcept;

// Edits that remove the first value of the header line `h`: the whole line when it
// holds only that value, else the value up to the start of the next one
// ("Route: <a>, <b>" -> "Route: <b>"). `first_value` starts where the first value
// starts (only its start is used); `after_first` is what follows the first value in
// the line's value (its ',' and the rest, possibly empty or white space only).
bool remove_first_value(const sip::SipMessage& msg, const sip::HeaderField& h, std::string_view first_value,
                        std::string_view after_first, EditList& edits) noexcept;

// The received / rport parameters of the top Via of a request received from
// src_ip:src_port (RFC 3261 18.2.1, RFC 3581 4):
//   - `;received=<src ip>` when the sent-by host is not that address (a host name,
//     or another IPv4 address) or when rport is present; an existing received
//     parameter gets its value replaced, never a second one;
//   - `rport` without a value gets `=<src port>`.
// `scratch` holds the inserted text and must outlive the edits.
struct TopViaScratch {
    char received[10 + 16];  // ";received=a.b.c.d" (format_ipv4 writes 16)
    char rport[1 + 5];       // "=65535"
};
bool add_top_via_edits(const sip::SipMessage& msg, const sip::Via& top, uint32_t src_ip, uint16_t src_port,
                       TopViaScratch& scratch, EditList& edits) noexcept;

}  // namespace sipwire::proxy
