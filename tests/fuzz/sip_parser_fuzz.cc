// libFuzzer target for the SIP parser: parse, then on success run every lazy parser
// over every header so that they see fuzzed input too. Built by scripts/fuzz with
// clang -fsanitize=fuzzer,address,undefined, and by meson with replay_main.cc as a
// corpus regression test.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/sip.h"

using namespace sipwire::sip;

namespace {

// Touch every byte of a view so ASan checks its bounds.
volatile uint32_t g_sink;
void touch(std::string_view v) {
    uint32_t h = static_cast<uint32_t>(v.size());
    for (char c : v) h = h * 31 + static_cast<uint8_t>(c);
    g_sink = h;
}

void check_within(const SipMessage& m, std::string_view v) {
    if (v.empty()) return;
    if (v.data() < m.data() || v.data() + v.size() > m.data() + m.length()) std::abort();
    touch(v);
}

void exercise_uri(std::string_view text) {
    SipUri u;
    if (!parse_sip_uri(text, u)) return;
    touch(u.user);
    touch(u.password);
    touch(u.host);
    touch(u.params);
    touch(u.headers);
    std::string_view params = u.params;
    Param p;
    while (next_param(params, p)) touch(p.value);
    (void)header_param(u.params, "transport");
}

void exercise_name_addr(std::string_view value) {
    NameAddr na;
    if (!parse_name_addr(value, na)) return;
    touch(na.display_name);
    char buf[64];
    touch({buf, unquote(na.display_name, buf, sizeof buf)});
    exercise_uri(na.uri);
    std::string_view params = na.params;
    Param p;
    while (next_param(params, p)) touch(p.value);
    if (auto tag = header_param(na.params, "tag")) touch(*tag);
}

void exercise(const SipMessage& m) {
    check_within(m, m.method_name());
    check_within(m, m.request_uri());
    check_within(m, m.reason_phrase());
    check_within(m, m.call_id());
    check_within(m, m.cseq_method_name());
    check_within(m, m.content_type());
    check_within(m, m.body());
    check_within(m, m.from_tag());
    check_within(m, m.to_tag());
    (void)m.is_request();
    (void)m.status_code();
    (void)m.cseq_number();
    (void)m.max_forwards();
    (void)m.content_length();
    (void)m.trailing_bytes();
    if (m.body_offset() + m.body().size() > m.length()) std::abort();
    Via top;
    if (m.top_via(top) == ParseError::ok) {
        check_within(m, top.host);
        check_within(m, top.branch);
        check_within(m, top.params);
    }
    exercise_uri(m.request_uri());

    uint32_t counted = 0;
    for (const HeaderField& h : m.headers()) {
        check_within(m, m.name(h));
        check_within(m, m.value(h));
        if (header_id(m.name(h)) != h.id) std::abort();
        (void)header_name(h.id);
        ++counted;
    }
    if (counted != m.header_count() || counted > kMaxHeaders) std::abort();
    check_within(m, m.header("X-Fuzz"));

    for (uint8_t i = 0; i < kHeaderIdCount; ++i) {
        const auto id = static_cast<HeaderId>(i);
        uint32_t lines = 0;
        for (uint8_t k = m.first_index(id); k != kNoHeader; k = m.headers()[k].next_same) ++lines;
        if (lines != m.count(id)) std::abort();
        check_within(m, m.header(id));
        HeaderValues values(m, id);
        std::string_view v;
        while (values.next(v)) {
            check_within(m, v);
            switch (id) {
                case HeaderId::from:
                case HeaderId::to:
                case HeaderId::contact:
                case HeaderId::route:
                case HeaderId::record_route:
                case HeaderId::refer_to:
                case HeaderId::referred_by:
                case HeaderId::p_asserted_identity:
                    exercise_name_addr(v);
                    break;
                default: {
                    std::string_view params = v;
                    Param p;
                    while (next_param(params, p)) touch(p.value);
                    break;
                }
            }
        }
    }
    for_each_via(m, [](const Via& v) {
        touch(v.protocol_name);
        touch(v.transport);
        touch(v.host);
        touch(v.params);
        touch(v.received);
        touch(v.maddr);
        touch(v.branch);
    });
    (void)parse_error_name(ParseError::ok);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 70000) return 0;
    SipMessage m;
    ParseOptions options;
    options.max_length = kMaxMessageLength;
    const ParseError e = parse_message(reinterpret_cast<const char*>(data), static_cast<uint32_t>(size), m, options);
    if (parse_error_name(e).empty() || parse_error_phrase(e).empty()) std::abort();
    if (e == ParseError::ok) exercise(m);
    // The lazy parsers take any text, not only what the first pass accepted.
    const std::string_view raw(reinterpret_cast<const char*>(data), size);
    exercise_name_addr(raw);
    exercise_uri(raw);
    Via via;
    (void)parse_via(raw, via);
    return 0;
}
