// First-pass parse cost of typical SIP messages (target: <= 150 ns for a ~900-byte
// INVITE with SDP), plus the lazy lookups a stateless proxy does on top.
#include <benchmark/benchmark.h>

#include "bench_messages.h"

#include <array>
#include <string>
#include <string_view>

#include "sip/sip.h"

namespace sipwire::sip {
namespace {

using bench::kInvite;
using bench::kSdp;
using bench::with_body;

const std::string kOk200 = with_body(
    "SIP/2.0 200 OK\n"
    "Via: SIP/2.0/UDP server10.biloxi.example.com;branch=z9hG4bKnashds8;received=192.0.2.3\n"
    "Via: SIP/2.0/UDP bigbox3.site3.atlanta.example.com;branch=z9hG4bK77ef4c2312983.1;received=192.0.2.2\n"
    "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds;received=192.0.2.1\n"
    "To: Bob <sip:bob@biloxi.example.com>;tag=a6c85cf\n"
    "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:bob@192.0.2.4>\n"
    "Content-Type: application/sdp\n",
    kSdp);

const std::string kRegister = with_body(
    "REGISTER sip:registrar.biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP bobspc.biloxi.example.com:5060;branch=z9hG4bKnashds7;rport\n"
    "Max-Forwards: 70\n"
    "To: Bob <sip:bob@biloxi.example.com>\n"
    "From: Bob <sip:bob@biloxi.example.com>;tag=456248\n"
    "Call-ID: 843817637684230@998sdasdh09\n"
    "CSeq: 1826 REGISTER\n"
    "Contact: <sip:bob@192.0.2.4>;expires=7200\n"
    "Authorization: Digest username=\"bob\", realm=\"biloxi.example.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
    "uri=\"sip:biloxi.example.com\", response=\"245f23415f11432b3434341c022\"\n"
    "User-Agent: sipwire-bench/1.0\n"
    "Expires: 7200\n",
    "");

void parse_loop(benchmark::State& state, const std::string& wire) {
    SipMessage m;
    for (auto _ : state) {
        const ParseError e = parse_message(wire.data(), static_cast<uint32_t>(wire.size()), m);
        benchmark::DoNotOptimize(e);
        benchmark::DoNotOptimize(m);
        if (e != ParseError::ok) state.SkipWithError("parse failed");
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * wire.size()));
    state.counters["bytes"] = static_cast<double>(wire.size());
    state.counters["headers"] = m.header_count();
}

void BM_ParseInvite(benchmark::State& state) { parse_loop(state, kInvite); }
void BM_Parse200Ok(benchmark::State& state) { parse_loop(state, kOk200); }
void BM_ParseRegister(benchmark::State& state) { parse_loop(state, kRegister); }

// The three in turn (defeats per-message branch-predictor training a little).
void BM_ParseMix(benchmark::State& state) {
    const std::array<const std::string*, 3> mix = {&kInvite, &kOk200, &kRegister};
    SipMessage m;
    size_t i = 0;
    for (auto _ : state) {
        const std::string& w = *mix[i];
        i = i == 2 ? 0 : i + 1;
        const ParseError e = parse_message(w.data(), static_cast<uint32_t>(w.size()), m);
        benchmark::DoNotOptimize(e);
        benchmark::DoNotOptimize(m);
    }
    state.SetItemsProcessed(state.iterations());
}

// Parse plus what a stateless proxy reads on demand: top Via, From/To tags, every
// Via, the Request-URI.
void BM_ParseInviteProxyFields(benchmark::State& state) {
    SipMessage m;
    for (auto _ : state) {
        parse_message(kInvite.data(), static_cast<uint32_t>(kInvite.size()), m);
        Via top;
        benchmark::DoNotOptimize(m.top_via(top));
        benchmark::DoNotOptimize(top.branch);
        benchmark::DoNotOptimize(m.from_tag());
        benchmark::DoNotOptimize(m.to_tag());
        int vias = 0;
        for_each_via(m, [&](const Via&) { ++vias; });
        benchmark::DoNotOptimize(vias);
        SipUri uri;
        benchmark::DoNotOptimize(parse_sip_uri(m.request_uri(), uri));
        benchmark::DoNotOptimize(uri.host);
    }
}

BENCHMARK(BM_ParseInvite);
BENCHMARK(BM_Parse200Ok);
BENCHMARK(BM_ParseRegister);
BENCHMARK(BM_ParseMix);
BENCHMARK(BM_ParseInviteProxyFields);

}  // namespace
}  // namespace sipwire::sip

BENCHMARK_MAIN();
