// Messages, a configuration and a driver shared by the proxy unit tests. Messages
// are written with "\n" line ends; crlf() turns them into wire format.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "limit/limiter.h"
#include "net/route.h"
#include "proxy/address.h"
#include "proxy/proxy.h"
#include "sip/sip.h"
#include "sipwire/dataplane_config.h"
#include "sipwire/sip_counters.h"

namespace sipwire::proxy {

inline void PrintTo(Action a, std::ostream* os) {
    constexpr const char* kNames[] = {"drop", "forward", "reply", "punt", "consumed"};
    *os << kNames[static_cast<unsigned>(a)];
}

}  // namespace sipwire::proxy

namespace sipwire {
inline void PrintTo(DropReason r, std::ostream* os) {
    *os << (r == DropReason::count ? "none" : kDropReasonNames[static_cast<unsigned>(r)]);
}
}  // namespace sipwire

namespace sipwire::sip {
inline void PrintTo(ParseError e, std::ostream* os) { *os << parse_error_name(e); }
}  // namespace sipwire::sip

namespace sipwire::proxy::test {

inline std::string crlf(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') out += '\r';
        out += c;
    }
    return out;
}

inline uint32_t ip(std::string_view dotted) {
    uint32_t v = 0;
    EXPECT_TRUE(parse_ipv4(dotted, v)) << dotted;
    return v;
}
inline uint16_t port(uint16_t host) { return to_net16(host); }

inline std::string ip_text(uint32_t ip_net) {
    char buf[16];
    return std::string(buf, format_ipv4(ip_net, buf));
}

// Our address and the usual client.
inline constexpr std::string_view kUs = "10.0.0.1";
inline constexpr uint16_t kUsPort = 5060;
inline constexpr std::string_view kClient = "192.0.2.10";
inline constexpr uint16_t kClientPort = 5062;

inline constexpr std::string_view kSdp =
    "v=0\n"
    "o=alice 2890844526 2890844526 IN IP4 192.0.2.10\n"
    "s=-\n"
    "c=IN IP4 192.0.2.10\n"
    "t=0 0\n"
    "m=audio 49172 RTP/AVP 0 8 101\n"
    "a=rtpmap:0 PCMU/8000\n"
    "a=rtpmap:8 PCMA/8000\n"
    "a=rtpmap:101 telephone-event/8000\n"
    "a=sendrecv\n";

// Head (start line + headers, "\n" line ends, no Content-Length) + body: wire format
// with a matching Content-Length.
inline std::string message(std::string_view head, std::string_view body_text = {}) {
    const std::string body = crlf(body_text);
    return crlf(head) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

inline std::string invite_head(std::string_view call_id = "a84b4c76e66710@pc33.atlanta.example.com",
                               std::string_view branch = "z9hG4bK776asdhds") {
    return "INVITE sip:bob@biloxi.example.com SIP/2.0\n"
           "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=" +
           std::string(branch) +
           ";rport\n"
           "Max-Forwards: 70\n"
           "To: Bob <sip:bob@biloxi.example.com>\n"
           "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
           "Call-ID: " +
           std::string(call_id) +
           "\n"
           "CSeq: 314159 INVITE\n"
           "Contact: <sip:alice@192.0.2.10:5062>\n"
           "Content-Type: application/sdp\n";
}

inline std::string invite(std::string_view call_id = "a84b4c76e66710@pc33.atlanta.example.com",
                          std::string_view branch = "z9hG4bK776asdhds") {
    return message(invite_head(call_id, branch), kSdp);
}

// CANCEL of invite(): same top Via, Request-URI, Call-ID, From, To, CSeq number.
inline std::string cancel() {
    return message(
        "CANCEL sip:bob@biloxi.example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport\n"
        "Max-Forwards: 70\n"
        "To: Bob <sip:bob@biloxi.example.com>\n"
        "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
        "CSeq: 314159 CANCEL\n");
}

// ACK of a non-2xx final response to invite(), whose To tag was `to_tag`.
inline std::string ack_non2xx(std::string_view to_tag) {
    return message(
        "ACK sip:bob@biloxi.example.com SIP/2.0\n"
        "Via: SIP/2.0/UDP pc33.atlanta.example.com:5062;branch=z9hG4bK776asdhds;rport\n"
        "Max-Forwards: 70\n"
        "To: Bob <sip:bob@biloxi.example.com>;tag=" +
        std::string(to_tag) +
        "\n"
        "From: \"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774\n"
        "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\n"
        "CSeq: 314159 ACK\n");
}

// One handle_sip() call: its result and the bytes it wrote.
struct Out {
    Result result{};
    std::string bytes;  // what handle_sip wrote (forward / reply)

    // `bytes` parsed again (views into `bytes`: reparse after a copy).
    const sip::SipMessage& parsed() {
        parse = sip::parse_message(bytes.data(), static_cast<uint32_t>(bytes.size()), msg);
        return msg;
    }
    std::vector<sip::Via> vias() {
        std::vector<sip::Via> v;
        sip::for_each_via(parsed(), [&](const sip::Via& via) { v.push_back(via); });
        return v;
    }
    std::string header(sip::HeaderId id) { return std::string(parsed().header(id)); }

    sip::SipMessage msg;
    sip::ParseError parse = sip::ParseError::empty;
};

// A driver around handle_sip with a configuration of three destinations:
//   set 0 = {10.1.0.1:5060 (slot 7), 10.1.0.2:5080 (slot 9)}, table alternating 0, 1;
//   set 1 = {10.1.0.3:5060 (slot 11)}.
class ProxyTest : public ::testing::Test {
protected:
    using Out = test::Out;

    ProxyTest() : cfg_(std::make_unique<DataplaneConfig>()) {
        std::memset(cfg_.get(), 0, sizeof(DataplaneConfig));
        DataplaneConfig& c = *cfg_;
        c.generation = 1;
        c.port_count = 1;
        c.ports[0].ipv4 = ip(kUs);
        c.ports[0].prefix_len = 24;
        c.sip_ports[0] = kUsPort;
        c.sip.record_route = 1;
        c.sip.dispatch_set = 0;
        c.destination_count = 3;
        c.destinations[0] = {ip("10.1.0.1"), port(5060), 7, 1, 1, 0};
        c.destinations[1] = {ip("10.1.0.2"), port(5080), 9, 1, 1, 0};
        c.destinations[2] = {ip("10.1.0.3"), port(5060), 11, 1, 1, 0};
        c.destination_set_count = 2;
        c.destination_sets[0].first = 0;
        c.destination_sets[0].count = 2;
        c.destination_sets[0].healthy_count = 2;
        for (unsigned i = 0; i < kDispatchTableSize; ++i) c.destination_sets[0].table[i] = static_cast<uint16_t>(i % 2);
        c.destination_sets[1].first = 2;
        c.destination_sets[1].count = 1;
        c.destination_sets[1].healthy_count = 1;
        for (unsigned i = 0; i < kDispatchTableSize; ++i) c.destination_sets[1].table[i] = 0;
        counters_ = std::make_unique<SipCounters>();
    }

    DataplaneConfig& config() { return *cfg_; }
    SipCounters& counters() { return *counters_; }

    Out handle(std::string_view wire, std::string_view src = kClient, uint16_t src_port = kClientPort,
               uint16_t capacity = kDatagramMax) {
        Out o;
        // Exact-size heap copy so ASan sees reads past the end.
        std::vector<uint8_t> in(wire.begin(), wire.end());
        std::vector<uint8_t> out(capacity);
        const Inbound inbound{in.empty() ? nullptr : in.data(), static_cast<uint16_t>(in.size()), ip(src),
                              port(src_port), ip(us_), port(kUsPort)};
        // The ports as the worker hands them over: built from the configuration.
        net::Interface ports[kMaxPorts];
        const uint32_t count = cfg_->port_count < kMaxPorts ? cfg_->port_count : kMaxPorts;
        for (uint32_t p = 0; p < count; ++p) ports[p] = net::interface_of(cfg_->ports[p]);
        o.result = handle_sip(inbound, *cfg_, out.data(), capacity, *counters_, limiter_, Interfaces{ports, count});
        if (o.result.action == Action::forward || o.result.action == Action::reply) {
            EXPECT_LE(o.result.length, capacity);
            o.bytes.assign(reinterpret_cast<const char*>(out.data()), o.result.length);
        }
        return o;
    }

    // The limit stage handle() passes to the proxy (none by default).
    void use_limiter(limit::Limiter* limiter) { limiter_ = limiter; }
    // The address of ours the datagrams handle() passes arrive on (kUs by default).
    void arrive_on(std::string_view address) { us_ = std::string(address); }

    uint64_t local(SipLocalResponse r) { return counters_->local_responses[static_cast<unsigned>(r)].get(); }
    uint64_t parse_errors(sip::ParseError e) { return counters_->parse_errors[static_cast<unsigned>(e)].get(); }

private:
    std::unique_ptr<DataplaneConfig> cfg_;
    std::unique_ptr<SipCounters> counters_;
    limit::Limiter* limiter_ = nullptr;
    std::string us_{kUs};
};

}  // namespace sipwire::proxy::test
