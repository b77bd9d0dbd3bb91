// libFuzzer target for the L2-L4 stage: process_frame() on the input as a received
// Ethernet frame, for a fixed interface (10.0.0.1/24, gateway 10.0.0.254) and a fixed
// configuration (SIP on 5060 and 5080, RTP on 10000-20000). Checks what the stage
// promises: a named drop reason; the frame untouched unless it is rewritten into a
// reply; a reply that is a well-formed ARP reply or ICMP echo reply from us, of the
// same length; for sip/rtp a UdpView that lies inside the frame and matches its
// headers. Built by scripts/fuzz with clang -fsanitize=fuzzer,address,undefined, and
// by meson with replay_main.cc as a corpus regression test.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "net/net.h"
#include "net/neighbour_table.h"

using namespace sipwire;
using namespace sipwire::net;

namespace {

constexpr uint16_t kEth = 14;
constexpr uint8_t kOurMac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

uint32_t ip(uint8_t a, uint8_t b, uint8_t c, uint8_t d) {
    const uint8_t bytes[4] = {a, b, c, d};
    uint32_t v;
    std::memcpy(&v, bytes, 4);
    return v;
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t raw32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
uint16_t raw16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}

// RFC 1071, the obvious way: the harness does not trust the code under test.
bool checksum_ok(const uint8_t* p, size_t n) {
    uint32_t sum = 0;
    for (size_t i = 0; i < n; i += 2) sum += static_cast<uint32_t>(p[i] << 8) + (i + 1 < n ? p[i + 1] : 0u);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return sum == 0xffff;
}

const Interface& iface() {
    static const Interface i = [] {
        Interface v{};
        std::memcpy(v.mac, kOurMac, 6);
        v.ipv4 = ip(10, 0, 0, 1);
        v.netmask = ip(255, 255, 255, 0);
        v.gateway = ip(10, 0, 0, 254);
        return v;
    }();
    return i;
}

const DataplaneConfig& config() {
    static const DataplaneConfig* c = [] {
        auto* cfg = new DataplaneConfig;
        std::memset(cfg, 0, sizeof *cfg);
        cfg->generation = 1;
        cfg->port_count = 1;
        cfg->ports[0].ipv4 = ip(10, 0, 0, 1);
        cfg->ports[0].prefix_len = 24;
        cfg->ports[0].gateway_ipv4 = ip(10, 0, 0, 254);
        cfg->sip_ports[0] = 5060;
        cfg->sip_ports[1] = 5080;
        cfg->rtp_port_min = 10000;
        cfg->rtp_port_max = 20000;
        return cfg;
    }();
    return *c;
}

bool is_sip_port(uint16_t host_port) {
    for (const uint16_t p : config().sip_ports)
        if (p != 0 && p == host_port) return true;
    return false;
}

void check_arp_reply(const uint8_t* in, const uint8_t* out) {
    const uint8_t* a_in = in + kEth;
    const uint8_t* a = out + kEth;
    if (std::memcmp(out, a_in + 8, 6) != 0) std::abort();        // to the requester's MAC
    if (std::memcmp(out + 6, kOurMac, 6) != 0) std::abort();     // from us
    if (be16(out + 12) != 0x0806 || be16(a + 6) != 2) std::abort();
    if (std::memcmp(a + 8, kOurMac, 6) != 0 || raw32(a + 14) != iface().ipv4) std::abort();
    if (std::memcmp(a + 18, a_in + 8, 6) != 0 || raw32(a + 24) != raw32(a_in + 14)) std::abort();
    if (raw32(a_in + 24) != iface().ipv4) std::abort();          // it was for us
}

void check_echo_reply(const uint8_t* in, const uint8_t* out, uint16_t length) {
    const uint8_t* ip_in = in + kEth;
    const uint8_t* iph = out + kEth;
    const uint16_t header_len = static_cast<uint16_t>((iph[0] & 0x0f) * 4);
    const uint16_t total_len = be16(iph + 2);
    if (be16(out + 12) != 0x0800 || (iph[0] >> 4) != 4 || iph[9] != 1) std::abort();
    if (header_len < 20 || total_len < header_len + 8 || kEth + total_len > length) std::abort();
    if (total_len != be16(ip_in + 2)) std::abort();                 // same packet length
    if (std::memcmp(out, in + 6, 6) != 0 || std::memcmp(out + 6, kOurMac, 6) != 0) std::abort();
    if (raw32(iph + 12) != iface().ipv4 || raw32(iph + 16) != raw32(ip_in + 12)) std::abort();
    if (!checksum_ok(iph, header_len)) std::abort();
    const uint8_t* icmp = iph + header_len;
    if (icmp[0] != 0 || !checksum_ok(icmp, total_len - header_len)) std::abort();
    // The payload behind the ICMP header is untouched.
    if (std::memcmp(icmp + 4, in + kEth + header_len + 4, total_len - header_len - 4) != 0) std::abort();
}

void check_udp(const Outcome& o, const uint8_t* frame, uint16_t length) {
    const UdpView& u = o.udp;
    // Inside the frame, in the order ip header, udp header, payload.
    if (u.ip_offset < kEth || u.ip_offset + 20 > length) std::abort();
    if (u.payload_offset < u.ip_offset + 20 + 8) std::abort();
    if (size_t{u.payload_offset} + u.payload_length > length) std::abort();
    const uint8_t* iph = frame + u.ip_offset;
    const uint16_t header_len = static_cast<uint16_t>((iph[0] & 0x0f) * 4);
    const uint16_t total_len = be16(iph + 2);
    if (u.payload_offset != u.ip_offset + header_len + 8) std::abort();
    // Inside the IP packet too, not in the Ethernet padding behind it.
    if (size_t{u.payload_offset} + u.payload_length > size_t{u.ip_offset} + total_len) std::abort();
    if (iph[9] != 17 || (be16(iph + 6) & 0x3fff) != 0) std::abort();
    if (u.src_ip != raw32(iph + 12) || u.dst_ip != raw32(iph + 16) || u.dst_ip != iface().ipv4) std::abort();
    const uint8_t* udp = iph + header_len;
    if (u.src_port != raw16(udp) || u.dst_port != raw16(udp + 2)) std::abort();
    if (be16(udp + 4) != u.payload_length + 8) std::abort();
    const uint16_t dst = be16(udp + 2);
    if (o.next == Next::sip && !is_sip_port(dst)) std::abort();
    if (o.next == Next::rtp && (is_sip_port(dst) || dst < config().rtp_port_min || dst > config().rtp_port_max))
        std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size > 9216) return 0;  // jumbo frame
    const auto length = static_cast<uint16_t>(size);

    // Exact-size heap copies: ASan catches any access past the frame's length.
    std::unique_ptr<uint8_t[]> frame(new uint8_t[size == 0 ? 1 : size]);
    if (size != 0) std::memcpy(frame.get(), data, size);

    // One table across inputs, as on a worker: learning and eviction get exercised.
    static NeighbourTable* neighbours = new NeighbourTable;
    static uint64_t now_ns = 0;
    now_ns += 1'000'000'000ULL;
    PortCounters counters{};

    const Outcome o = process_frame(frame.get(), length, iface(), config(), *neighbours, now_ns, counters);
    if (neighbours->size() > NeighbourTable::kCapacity) std::abort();

    switch (o.next) {
        case Next::drop:
            if (o.reason >= DropReason::count) std::abort();
            break;
        case Next::transmit_back:
            // Rewritten in place: same length (the caller transmits `length` bytes),
            // and a reply from us.
            if (size < kEth + 28) std::abort();
            if (be16(data + 12) == 0x0806)
                check_arp_reply(data, frame.get());
            else if (be16(data + 12) == 0x0800)
                check_echo_reply(data, frame.get(), length);
            else
                std::abort();
            return 0;
        case Next::sip:
        case Next::rtp:
            check_udp(o, frame.get(), length);
            break;
        case Next::fragment: {
            if (size < kEth + 20) std::abort();
            const uint8_t* iph = frame.get() + kEth;
            if (be16(frame.get() + 12) != 0x0800 || (be16(iph + 6) & 0x3fff) == 0) std::abort();
            if (raw32(iph + 16) != iface().ipv4) std::abort();
            break;
        }
        case Next::consumed:
            if (size < kEth + 28 || be16(data + 12) != 0x0806) std::abort();
            break;
        default:
            std::abort();
    }
    // Not a reply: the frame is left as received.
    if (size != 0 && std::memcmp(frame.get(), data, size) != 0) std::abort();
    return 0;
}
