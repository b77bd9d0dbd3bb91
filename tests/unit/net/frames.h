// Test helpers: frames built byte by byte, and a deliberately naive checksum, so the
// tests do not trust the code under test to check itself.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

#include "net/net.h"

namespace sipwire::net::test {

using Bytes = std::vector<uint8_t>;
using Mac = std::array<uint8_t, 6>;

inline constexpr Mac kOurMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
inline constexpr Mac kPeerMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
inline constexpr Mac kRouterMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
inline constexpr Mac kOtherMac = {0x02, 0x00, 0x00, 0x00, 0x00, 0x99};
inline constexpr Mac kBroadcast = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

// An IPv4 address in network byte order, as Interface and UdpView hold it.
inline uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    const uint8_t bytes[4] = {a, b, c, d};
    uint32_t v;
    std::memcpy(&v, bytes, 4);
    return v;
}
// A port in network byte order.
inline uint16_t port(uint16_t host) { return static_cast<uint16_t>((host >> 8) | (host << 8)); }

inline const uint32_t kOurIp = ip(10, 0, 0, 1);
inline const uint32_t kPeerIp = ip(10, 0, 0, 2);
inline const uint32_t kGatewayIp = ip(10, 0, 0, 254);
inline const uint32_t kRemoteIp = ip(192, 0, 2, 7);  // off-link, behind the gateway
inline const uint32_t kNetmask24 = ip(255, 255, 255, 0);

inline constexpr uint16_t kSipPort = 5060;
inline constexpr uint16_t kRtpMin = 10000;
inline constexpr uint16_t kRtpMax = 20000;

inline constexpr uint16_t kEtherIpv4 = 0x0800;
inline constexpr uint16_t kEtherArp = 0x0806;

inline void put8(Bytes& b, uint8_t v) { b.push_back(v); }
inline void put16(Bytes& b, uint16_t v) {  // big-endian
    b.push_back(static_cast<uint8_t>(v >> 8));
    b.push_back(static_cast<uint8_t>(v));
}
inline void put_ip(Bytes& b, uint32_t network_order) {
    uint8_t bytes[4];
    std::memcpy(bytes, &network_order, 4);
    b.insert(b.end(), bytes, bytes + 4);
}
inline void put_mac(Bytes& b, const Mac& m) { b.insert(b.end(), m.begin(), m.end()); }
inline void put(Bytes& b, const Bytes& tail) { b.insert(b.end(), tail.begin(), tail.end()); }
inline uint16_t get16(const Bytes& b, size_t at) {
    return static_cast<uint16_t>(b.at(at) << 8 | b.at(at + 1));
}
inline void set16(Bytes& b, size_t at, uint16_t v) {
    b.at(at) = static_cast<uint8_t>(v >> 8);
    b.at(at + 1) = static_cast<uint8_t>(v);
}

// RFC 1071 the slow, obvious way: 16-bit big-endian words, carries folded at the end.
inline uint16_t naive_sum(const Bytes& b) {
    uint32_t sum = 0;
    for (size_t i = 0; i < b.size(); i += 2)
        sum += static_cast<uint32_t>(b[i] << 8) + (i + 1 < b.size() ? b[i + 1] : 0u);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}
inline uint16_t naive_checksum(const Bytes& b) { return static_cast<uint16_t>(~naive_sum(b)); }
inline bool naive_checksum_ok(const Bytes& b) { return naive_sum(b) == 0xffff; }

inline Bytes slice(const Bytes& b, size_t from, size_t length) {
    return Bytes(b.begin() + static_cast<long>(from), b.begin() + static_cast<long>(from + length));
}

inline Bytes ethernet(const Mac& dst, const Mac& src, uint16_t type) {
    Bytes b;
    put_mac(b, dst);
    put_mac(b, src);
    put16(b, type);
    return b;
}

inline Bytes arp_packet(uint16_t op, const Mac& sha, uint32_t spa, const Mac& tha, uint32_t tpa) {
    Bytes b;
    put16(b, 1);       // Ethernet
    put16(b, 0x0800);  // IPv4
    put8(b, 6);
    put8(b, 4);
    put16(b, op);
    put_mac(b, sha);
    put_ip(b, spa);
    put_mac(b, tha);
    put_ip(b, tpa);
    return b;
}

inline Bytes arp_frame(uint16_t op, const Mac& sha, uint32_t spa, const Mac& tha, uint32_t tpa,
                       const Mac& eth_dst = kBroadcast) {
    Bytes f = ethernet(eth_dst, sha, kEtherArp);
    put(f, arp_packet(op, sha, spa, tha, tpa));
    return f;
}

struct Ipv4Fields {
    uint32_t src = kPeerIp;
    uint32_t dst = kOurIp;
    uint8_t protocol = 17;
    uint8_t ttl = 57;
    uint16_t id = 0x1234;
    uint16_t flags_fragment = 0x4000;  // DF
    Bytes options;                     // a multiple of 4 bytes
};

// An IPv4 header with a correct checksum, followed by `payload`.
inline Bytes ipv4_packet(const Ipv4Fields& f, const Bytes& payload) {
    Bytes h;
    put8(h, static_cast<uint8_t>(0x40 | (20 + f.options.size()) / 4));
    put8(h, 0);
    put16(h, static_cast<uint16_t>(20 + f.options.size() + payload.size()));
    put16(h, f.id);
    put16(h, f.flags_fragment);
    put8(h, f.ttl);
    put8(h, f.protocol);
    put16(h, 0);
    put_ip(h, f.src);
    put_ip(h, f.dst);
    put(h, f.options);
    set16(h, 10, naive_checksum(h));
    put(h, payload);
    return h;
}

// A UDP datagram with a correct checksum for src -> dst.
inline Bytes udp_datagram(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                          const Bytes& payload) {
    Bytes u;
    put16(u, sport);
    put16(u, dport);
    put16(u, static_cast<uint16_t>(8 + payload.size()));
    put16(u, 0);
    put(u, payload);
    Bytes pseudo;
    put_ip(pseudo, src);
    put_ip(pseudo, dst);
    put8(pseudo, 0);
    put8(pseudo, 17);
    put16(pseudo, static_cast<uint16_t>(u.size()));
    put(pseudo, u);
    uint16_t checksum = naive_checksum(pseudo);
    set16(u, 6, checksum == 0 ? 0xffff : checksum);
    return u;
}

inline bool udp_checksum_valid(uint32_t src, uint32_t dst, const Bytes& udp) {
    Bytes pseudo;
    put_ip(pseudo, src);
    put_ip(pseudo, dst);
    put8(pseudo, 0);
    put8(pseudo, 17);
    put16(pseudo, static_cast<uint16_t>(udp.size()));
    put(pseudo, udp);
    return naive_checksum_ok(pseudo);
}

inline Bytes icmp_message(uint8_t type, uint8_t code, uint16_t id, uint16_t seq,
                          const Bytes& data) {
    Bytes m;
    put8(m, type);
    put8(m, code);
    put16(m, 0);
    put16(m, id);
    put16(m, seq);
    put(m, data);
    set16(m, 2, naive_checksum(m));
    return m;
}

inline Bytes ipv4_frame(const Ipv4Fields& f, const Bytes& payload, const Mac& src_mac = kPeerMac,
                        const Mac& dst_mac = kOurMac) {
    Bytes frame = ethernet(dst_mac, src_mac, kEtherIpv4);
    put(frame, ipv4_packet(f, payload));
    return frame;
}

inline Bytes udp_frame(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                       const Bytes& payload, const Mac& src_mac = kPeerMac) {
    Ipv4Fields f;
    f.src = src;
    f.dst = dst;
    return ipv4_frame(f, udp_datagram(src, dst, sport, dport, payload), src_mac);
}

inline const char* reason_name(DropReason r) {
    const auto i = static_cast<unsigned>(r);
    return i < kDropReasonCount ? kDropReasonNames[i] : "(not a drop)";
}

inline Bytes text(const char* s) { return Bytes(s, s + std::strlen(s)); }

// The stage with one interface 10.0.0.1/24 via 10.0.0.254, SIP on 5060 and 5080,
// RTP on 10000-20000.
class NetStage : public ::testing::Test {
protected:
    NetStage() {
        std::memcpy(iface.mac, kOurMac.data(), 6);
        iface.ipv4 = kOurIp;
        iface.netmask = kNetmask24;
        iface.gateway = kGatewayIp;
        config.sip_ports[0] = kSipPort;
        config.sip_ports[2] = 5080;
        config.rtp_port_min = kRtpMin;
        config.rtp_port_max = kRtpMax;
    }

    Outcome process(Bytes& frame) {
        return process_frame(frame.data(), static_cast<uint16_t>(frame.size()), iface, config,
                             neighbours, now_ns, counters);
    }

    // Processes a copy and expects a drop for `reason`.
    void expect_drop(const Bytes& frame, DropReason reason) {
        Bytes copy = frame;
        const Outcome out = process(copy);
        EXPECT_EQ(out.next, Next::drop);
        EXPECT_STREQ(reason_name(out.reason), reason_name(reason));
    }

    bool knows(uint32_t address, const Mac& mac) const {
        const uint8_t* found = neighbours.lookup(address, now_ns);
        return found != nullptr && std::memcmp(found, mac.data(), 6) == 0;
    }

    Interface iface{};
    DataplaneConfig config{};
    NeighbourTable neighbours;
    PortCounters counters;
    uint64_t now_ns = 1'000'000'000;
};

}  // namespace sipwire::net::test
