// SIP message view (RFC 3261): the first pass of the SIP stage.
//
// parse_message() splits one UDP datagram into start line, header lines and body
// without copying: every field is an offset into the caller's buffer, handed out as
// std::string_view. The buffer must outlive the SipMessage and stay unmodified.
//
// First pass (bounded: one scan of the header section, at most kMaxHeaders lines):
//   - start line (request: method, Request-URI, version; response: status, reason),
//   - header boundaries, folded lines joined (the value keeps the CRLF+WS inside),
//   - header names recognised case-insensitively, compact forms included, into a
//     per-HeaderId index (first line and count),
//   - the header section checked for NUL, control characters and invalid UTF-8,
//   - CSeq (number, method, matching the request method), Max-Forwards and
//     Content-Length parsed, the body bounded by Content-Length,
//   - the five mandatory headers (Via, From, To, Call-ID, CSeq) present.
// Everything else is parsed on demand: top_via() (bad_via), every Via (ViaIterator),
// URIs, From/To tags, Contact, Route... by the functions in via.h, iterate.h, uri.h,
// name_addr.h and params.h. A proxy typically calls parse_message() then top_via().
//
// No heap allocation, no exceptions; every function is noexcept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "sip/header_names.h"
#include "sip/methods.h"
#include "sip/via.h"
#include "sipwire/limits.h"
#include "sipwire/sip_counters.h"

namespace sipwire::sip {

inline constexpr uint32_t kMaxHeaders = 64;  // header lines (a folded line counts once)
inline constexpr uint32_t kMaxMessageLength = 65535;  // hard cap: offsets are 16 bit

// The reasons are listed once, in include/sipwire/sip_counters.h (metrics labels).
enum class ParseError : uint8_t {
#define SIPWIRE_X(name, phrase) name,
    SIPWIRE_SIP_PARSE_ERRORS(SIPWIRE_X)
#undef SIPWIRE_X
        count
};

// "missing_call_id": stable snake_case name for metrics labels.
std::string_view parse_error_name(ParseError e) noexcept;
// "Missing Call-ID header": short phrase for a 400 response's Reason / Warning.
std::string_view parse_error_phrase(ParseError e) noexcept;

struct ParseOptions {
    // Longer datagrams are rejected with `oversize` (capped at kMaxMessageLength).
    uint32_t max_length = kDatagramMax;
};

// One header line. Offsets from the start of the message.
struct HeaderField {
    uint16_t name_offset;
    uint16_t value_offset;
    uint16_t value_length;  // value trimmed of leading/trailing LWS
    uint8_t name_length;
    HeaderId id;
    uint8_t next_same;      // index of the next line with the same id, kNoHeader at the end
};

inline constexpr uint8_t kNoHeader = 0xff;

class SipMessage {
public:
    // --- start line --------------------------------------------------------------
    bool is_request() const noexcept { return status_code_ == 0; }
    bool is_response() const noexcept { return status_code_ != 0; }
    Method method() const noexcept { return method_; }  // Method::none for responses
    std::string_view method_name() const noexcept { return view(method_off_, method_len_); }
    std::string_view request_uri() const noexcept { return view(ruri_off_, ruri_len_); }
    uint16_t status_code() const noexcept { return status_code_; }  // 0 for requests
    std::string_view reason_phrase() const noexcept { return view(reason_off_, reason_len_); }

    // --- headers -----------------------------------------------------------------
    uint32_t header_count() const noexcept { return header_count_; }
    std::span<const HeaderField> headers() const noexcept { return {headers_, header_count_}; }
    std::string_view name(const HeaderField& h) const noexcept { return view(h.name_offset, h.name_length); }
    std::string_view value(const HeaderField& h) const noexcept { return view(h.value_offset, h.value_length); }

    // Number of lines of a known header; the value of its first line (empty if none).
    uint32_t count(HeaderId id) const noexcept { return count_[static_cast<uint8_t>(id)]; }
    bool has(HeaderId id) const noexcept { return count(id) != 0; }
    std::string_view header(HeaderId id) const noexcept;
    // Index in headers() of the first line with this id, kNoHeader if none; follow
    // HeaderField::next_same for the others.
    uint8_t first_index(HeaderId id) const noexcept { return first_[static_cast<uint8_t>(id)]; }
    // First line whose name matches case-insensitively (for headers without an id;
    // linear). Empty if none.
    std::string_view header(std::string_view name) const noexcept;

    // --- what the first pass already parsed ---------------------------------------
    std::string_view call_id() const noexcept { return header(HeaderId::call_id); }
    uint32_t cseq_number() const noexcept { return cseq_number_; }
    Method cseq_method() const noexcept { return cseq_method_; }
    std::string_view cseq_method_name() const noexcept { return view(cseq_method_off_, cseq_method_len_); }
    bool has_max_forwards() const noexcept { return has(HeaderId::max_forwards); }
    uint32_t max_forwards() const noexcept { return max_forwards_; }  // 70 when absent
    bool has_content_length() const noexcept { return has(HeaderId::content_length); }
    uint32_t content_length() const noexcept { return content_length_; }  // header value, 0 if absent
    std::string_view content_type() const noexcept { return header(HeaderId::content_type); }

    // --- body: Content-Length bytes after the blank line, or all of them without it
    std::string_view body() const noexcept { return view(body_off_, body_len_); }
    uint32_t body_offset() const noexcept { return body_off_; }
    // Bytes after Content-Length ignored (RFC 3261 18.3: UDP may carry extra bytes).
    uint32_t trailing_bytes() const noexcept { return length_ - body_off_ - body_len_; }

    // --- on demand (parsed on each call) ----------------------------------------------
    // The first value of the first Via line: ParseError::ok, or bad_via (the reason to
    // count / answer with when it is malformed).
    ParseError top_via(Via& out) const noexcept;
    // From / To tag; empty when absent or malformed.
    std::string_view from_tag() const noexcept;
    std::string_view to_tag() const noexcept;

    const char* data() const noexcept { return data_; }
    uint32_t length() const noexcept { return length_; }

private:
    friend struct Parser;

    std::string_view view(uint32_t off, uint32_t len) const noexcept { return {data_ + off, len}; }

    const char* data_ = nullptr;
    uint32_t length_ = 0;
    uint32_t header_count_ = 0;
    Method method_ = Method::none;
    Method cseq_method_ = Method::none;
    uint16_t status_code_ = 0;
    uint16_t method_off_ = 0, method_len_ = 0;
    uint16_t ruri_off_ = 0, ruri_len_ = 0;
    uint16_t reason_off_ = 0, reason_len_ = 0;
    uint16_t cseq_method_off_ = 0, cseq_method_len_ = 0;
    uint16_t body_off_ = 0, body_len_ = 0;
    uint32_t cseq_number_ = 0;
    uint32_t max_forwards_ = 70;
    uint32_t content_length_ = 0;
    uint8_t first_[kHeaderIdCount] = {};
    uint8_t last_[kHeaderIdCount] = {};
    uint8_t count_[kHeaderIdCount] = {};
    HeaderField headers_[kMaxHeaders] = {};
};

// Parses `length` bytes at `data` into `out`. On anything but ParseError::ok the
// contents of `out` are unspecified (but safe to destroy or reuse), except as
// headers_indexed() says.
ParseError parse_message(const char* data, uint32_t length, SipMessage& out,
                         const ParseOptions& options = {}) noexcept;

// True for the errors found after the whole header section was split (a missing or
// malformed mandatory header, Content-Length): the start line, every header line
// and the per-HeaderId index of `out` are then valid (the CSeq, Max-Forwards,
// Content-Length and body fields are not), so a proxy can still answer the request
// with a 400 built from its Via, From, To, Call-ID and CSeq lines.
constexpr bool headers_indexed(ParseError e) noexcept {
    switch (e) {
        case ParseError::missing_via:
        case ParseError::missing_from:
        case ParseError::missing_to:
        case ParseError::missing_call_id:
        case ParseError::missing_cseq:
        case ParseError::bad_cseq:
        case ParseError::bad_max_forwards:
        case ParseError::bad_content_length:
        case ParseError::content_length_mismatch:
            return true;
        default:
            return false;
    }
}

}  // namespace sipwire::sip
