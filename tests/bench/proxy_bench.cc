// Cost of the stateless proxy per message, parse included (target: < 500 ns to
// forward a ~900-byte INVITE with SDP): handle_sip() on an INVITE that is
// dispatched, a 200 OK forwarded to the next Via, an OPTIONS answered locally.
#include <benchmark/benchmark.h>

#include "bench_messages.h"

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "proxy/address.h"
#include "proxy/proxy.h"

namespace sipwire::proxy {
namespace {

using bench::kInvite;
using bench::kSdp;
using bench::with_body;

// Its 200 OK coming back through us.
const std::string kOk200 = with_body(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK0123456789abcdef0123456789abcdef\n"
    "Record-Route: <sip:10.0.0.1:5060;lr>\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport=5060;received=192.0.2.101\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
    "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:bob@10.1.0.1>\n"
    "Content-Type: application/sdp\n",
    kSdp);

const std::string kOptions = with_body(
    "OPTIONS sip:10.0.0.1:5060 SIP/2.0\n"
    "Via: SIP/2.0/UDP 192.0.2.50:5060;branch=z9hG4bKopt77;rport\n"
    "Max-Forwards: 70\n"
    "To: <sip:10.0.0.1:5060>\n"
    "From: <sip:monitor@192.0.2.50>;tag=mon1\n"
    "Call-ID: keepalive-77@192.0.2.50\n"
    "CSeq: 77 OPTIONS\n"
    "Accept: application/sdp\n",
    "");

uint32_t ip(std::string_view s) {
    uint32_t v = 0;
    parse_ipv4(s, v);
    return v;
}

std::unique_ptr<DataplaneConfig> make_config() {
    auto c = std::make_unique<DataplaneConfig>();
    std::memset(c.get(), 0, sizeof(DataplaneConfig));
    c->generation = 1;
    c->port_count = 1;
    c->ports[0].ipv4 = ip("10.0.0.1");
    c->sip_ports[0] = 5060;
    c->sip.record_route = 1;
    c->sip.dispatch_set = 0;
    c->destination_count = 2;
    c->destinations[0] = {ip("10.1.0.1"), to_net16(5060), 0, 1, 1, 0};
    c->destinations[1] = {ip("10.1.0.2"), to_net16(5060), 1, 1, 1, 0};
    c->destination_set_count = 1;
    c->destination_sets[0].count = 2;
    c->destination_sets[0].healthy_count = 2;
    for (unsigned i = 0; i < kDispatchTableSize; ++i) c->destination_sets[0].table[i] = static_cast<uint16_t>(i % 2);
    return c;
}

void run(benchmark::State& state, const std::string& wire, std::string_view src, Action expected) {
    const auto config = make_config();
    auto counters = std::make_unique<SipCounters>();
    alignas(64) static uint8_t out[kDatagramMax];
    const Inbound in{reinterpret_cast<const uint8_t*>(wire.data()), static_cast<uint16_t>(wire.size()), ip(src),
                     to_net16(5060), ip("10.0.0.1"), to_net16(5060)};
    Result r{};
    for (auto _ : state) {
        r = handle_sip(in, *config, out, sizeof out, *counters);
        benchmark::DoNotOptimize(r);
        benchmark::ClobberMemory();
    }
    if (r.action != expected) state.SkipWithError("unexpected action");
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
    state.counters["in_bytes"] = static_cast<double>(wire.size());
    state.counters["out_bytes"] = r.length;
}

void BM_ForwardInvite(benchmark::State& state) { run(state, kInvite, "192.0.2.101", Action::forward); }
void BM_ForwardResponse(benchmark::State& state) { run(state, kOk200, "10.1.0.1", Action::forward); }
void BM_ReplyOptions(benchmark::State& state) { run(state, kOptions, "192.0.2.50", Action::reply); }

BENCHMARK(BM_ForwardInvite);
BENCHMARK(BM_ForwardResponse);
BENCHMARK(BM_ReplyOptions);

}  // namespace
}  // namespace sipwire::proxy

BENCHMARK_MAIN();
