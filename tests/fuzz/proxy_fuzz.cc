// libFuzzer target for the stateless proxy: handle_sip() on the input as sent by a
// client and as sent by a destination, with a roomy and a tight output buffer, under
// a fixed configuration (two destinations, record-route on). Checks what the stage
// promises: lengths within the buffer, a named drop reason, and that what it sends
// parses (our 400s excepted: they copy the bad line they complain about). Built by
// scripts/fuzz with clang -fsanitize=fuzzer,address,undefined, and by meson with
// replay_main.cc as a corpus regression test.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string_view>

#include "proxy/address.h"
#include "proxy/proxy.h"
#include "sip/sip.h"

using namespace sipwire;
using namespace sipwire::proxy;

namespace {

uint32_t ip(std::string_view s) {
    uint32_t v = 0;
    if (!parse_ipv4(s, v)) std::abort();
    return v;
}

const DataplaneConfig& config() {
    static const DataplaneConfig* c = [] {
        auto* cfg = new DataplaneConfig;
        std::memset(cfg, 0, sizeof *cfg);
        cfg->generation = 1;
        cfg->port_count = 1;
        cfg->ports[0].ipv4 = ip("10.0.0.1");
        cfg->sip_ports[0] = 5060;
        cfg->sip.record_route = 1;
        cfg->sip.dispatch_set = 0;
        cfg->destination_count = 2;
        cfg->destinations[0] = {ip("10.1.0.1"), to_net16(5060), 0, 1, 1, 0};
        cfg->destinations[1] = {ip("10.1.0.2"), to_net16(5080), 1, 1, 1, 0};
        cfg->destination_set_count = 1;
        cfg->destination_sets[0].count = 2;
        cfg->destination_sets[0].healthy_count = 2;
        // Every third slot has no destination: 503s as well as forwards.
        for (unsigned i = 0; i < kDispatchTableSize; ++i)
            cfg->destination_sets[0].table[i] = i % 3 == 2 ? kNoDestination : static_cast<uint16_t>(i % 3);
        return cfg;
    }();
    return *c;
}

void check(const Inbound& in, uint16_t capacity, size_t input_headers) {
    static SipCounters counters;
    // Exact-size heap buffer: ASan catches a write past out_capacity.
    std::unique_ptr<uint8_t[]> out(new uint8_t[capacity == 0 ? 1 : capacity]);
    const Result r = handle_sip(in, config(), out.get(), capacity, counters);
    switch (r.action) {
        case Action::drop:
            if (r.drop_reason >= DropReason::count) std::abort();
            return;
        case Action::punt:
        case Action::consumed:
            return;
        case Action::forward:
        case Action::reply:
            break;
        default:
            std::abort();
    }
    if (r.length > capacity || r.length == 0) std::abort();
    const std::string_view sent(reinterpret_cast<const char*>(out.get()), r.length);
    if (r.action == Action::reply && (r.dst_ip != in.src_ip || r.dst_port != in.src_port)) std::abort();
    if (sent.substr(0, 11) == "SIP/2.0 400") return;
    sip::SipMessage m;
    sip::ParseOptions options;
    options.max_length = capacity;
    const sip::ParseError e = sip::parse_message(sent.data(), r.length, m, options);
    // A forwarded request gains up to three header lines (our Via, Record-Route,
    // Max-Forwards when it had none): past kMaxHeaders our own parser says no.
    if (e == sip::ParseError::too_many_headers && input_headers + 3 > sip::kMaxHeaders) return;
    if (e != sip::ParseError::ok) std::abort();
    if (r.action == Action::forward && m.is_request()) {
        sip::Via top;
        if (m.top_via(top) != sip::ParseError::ok || top.host != "10.0.0.1" || top.port != 5060) std::abort();
        if (m.content_length() != 0 && m.body().size() != m.content_length()) std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 8192) return 0;
    const auto length = static_cast<uint16_t>(size);

    size_t input_headers = 0;
    {
        // With the proxy's own limit: it accepts messages past kDatagramMax, and an
        // uncounted input would lose the too_many_headers allowance below.
        sip::SipMessage m;
        if (sip::parse_message(reinterpret_cast<const char*>(data), length, m,
                               sip::ParseOptions{sip::kMaxMessageLength}) == sip::ParseError::ok)
            input_headers = m.header_count();
    }

    // From a client, from a destination (whose responses carry our Via on top).
    const Inbound from_client{data, length, ip("192.0.2.10"), to_net16(5062), ip("10.0.0.1"), to_net16(5060)};
    const Inbound from_destination{data, length, ip("10.1.0.1"), to_net16(5060), ip("10.0.0.1"), to_net16(5060)};
    check(from_client, kDatagramMax, input_headers);
    check(from_destination, kDatagramMax, input_headers);
    // A tight buffer: sip_too_large instead of an overflow.
    check(from_client, static_cast<uint16_t>(size / 2 + 16), input_headers);
    return 0;
}
