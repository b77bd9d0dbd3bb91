// IPv4 to our address: header checks, ICMP echo, UDP demultiplexing.
#include <cstring>

#include "net/checksum.h"
#include "net/stages.h"
#include "net/wire.h"

namespace sipwire::net {

using namespace wire;

namespace {

// Turns the echo request into our echo reply, in place. IP options are reflected as
// received; the payload is untouched.
void rewrite_into_echo_reply(uint8_t* frame, uint16_t ip_header_len,
                             const Interface& iface) noexcept {
    // Back to the MAC that handed us the request: the sender, or its router.
    std::memcpy(frame + kEthDst, frame + kEthSrc, 6);
    std::memcpy(frame + kEthSrc, iface.mac, 6);

    uint8_t* ip = frame + kEthHeaderLen;
    const uint32_t requester_ip = load32(ip + kIpSrc);
    store32(ip + kIpSrc, iface.ipv4);
    store32(ip + kIpDst, requester_ip);
    ip[kIpTtl] = kIpDefaultTtl;
    store_be16(ip + kIpChecksum, ipv4_header_checksum(ip, ip_header_len));

    // Only the type changes, so adjust the checksum instead of summing the payload.
    uint8_t* icmp = ip + ip_header_len;
    const uint16_t old_word = load_be16(icmp + kIcmpType);
    icmp[kIcmpType] = kIcmpEchoReply;
    const uint16_t new_word = load_be16(icmp + kIcmpType);
    const uint16_t checksum =
        checksum_adjust16(load_be16(icmp + kIcmpChecksum), old_word, new_word);
    // The update cannot tell +0 from -0: for a reply whose other words are all zero it
    // yields 0x0000, which fails verification. 0xffff verifies whenever 0x0000 does.
    store_be16(icmp + kIcmpChecksum, checksum == 0 ? 0xffff : checksum);
}

Outcome process_icmp(uint8_t* frame, uint16_t ip_header_len, uint16_t icmp_len,
                     const Interface& iface, PortCounters& counters) noexcept {
    const uint8_t* icmp = frame + kEthHeaderLen + ip_header_len;
    if (icmp_len < kIcmpHeaderLen || ones_complement_sum(icmp, icmp_len) != 0xffff)
        return drop(DropReason::bad_icmp);
    if (icmp[kIcmpType] != kIcmpEchoRequest) return drop(DropReason::icmp_not_echo);
    rewrite_into_echo_reply(frame, ip_header_len, iface);
    counters.icmp_echo_replies.add(1);
    return {Next::transmit_back, kNotDropped, {}};
}

bool is_sip_port(const DataplaneConfig& config, uint16_t port) noexcept {
    for (const uint16_t sip_port : config.sip_ports)
        if (sip_port != 0 && sip_port == port) return true;
    return false;
}

bool is_rtp_port(const DataplaneConfig& config, uint16_t port) noexcept {
    return config.rtp_port_min != 0 && port >= config.rtp_port_min &&
           port <= config.rtp_port_max;
}

Outcome process_udp(const uint8_t* frame, uint16_t ip_header_len, uint16_t ip_payload_len,
                    const DataplaneConfig& config, PortCounters& counters) noexcept {
    const uint8_t* ip = frame + kEthHeaderLen;
    const uint8_t* udp = ip + ip_header_len;
    if (ip_payload_len < kUdpHeaderLen) return drop(DropReason::bad_udp);
    // A UDP length shorter than the IP payload is legal: the rest is ignored.
    const uint16_t udp_len = load_be16(udp + kUdpLen);
    if (udp_len < kUdpHeaderLen || udp_len > ip_payload_len) return drop(DropReason::bad_udp);

    const uint32_t src_ip = load32(ip + kIpSrc);
    const uint32_t dst_ip = load32(ip + kIpDst);
    if (load16(udp + kUdpChecksum) != 0 && !udp_checksum_ok(src_ip, dst_ip, udp, udp_len))
        return drop(DropReason::bad_udp);

    const UdpView view{
        .src_ip = src_ip,
        .dst_ip = dst_ip,
        .src_port = load16(udp + kUdpSrcPort),
        .dst_port = load16(udp + kUdpDstPort),
        .ip_offset = kEthHeaderLen,
        .payload_offset = static_cast<uint16_t>(kEthHeaderLen + ip_header_len + kUdpHeaderLen),
        .payload_length = static_cast<uint16_t>(udp_len - kUdpHeaderLen),
    };
    const uint16_t dst_port = to_host16(view.dst_port);
    if (is_sip_port(config, dst_port)) {
        counters.sip_packets.add(1);
        return {Next::sip, kNotDropped, view};
    }
    if (is_rtp_port(config, dst_port)) {
        counters.rtp_packets.add(1);
        return {Next::rtp, kNotDropped, view};
    }
    return drop(DropReason::udp_no_service);
}

}  // namespace

Outcome process_ipv4(uint8_t* frame, uint16_t length, const Interface& iface,
                     const DataplaneConfig& config, NeighbourTable& neighbours,
                     uint64_t now_ns, PortCounters& counters) noexcept {
    const uint16_t l3_len = length - kEthHeaderLen;
    if (l3_len < kIpMinHeaderLen) return drop(DropReason::bad_ipv4_header);
    const uint8_t* ip = frame + kEthHeaderLen;
    const uint8_t version = ip[kIpVersionIhl] >> 4;
    const auto header_len = static_cast<uint16_t>((ip[kIpVersionIhl] & 0x0f) * 4);
    // Total length, not the frame, bounds the packet: short frames arrive padded.
    const uint16_t total_len = load_be16(ip + kIpTotalLen);
    if (version != 4 || header_len < kIpMinHeaderLen || header_len > l3_len ||
        total_len < header_len || total_len > l3_len)
        return drop(DropReason::bad_ipv4_header);
    if (!ipv4_header_checksum_ok(ip, header_len)) return drop(DropReason::bad_ipv4_header);

    if (iface.ipv4 == 0 || load32(ip + kIpDst) != iface.ipv4) return drop(DropReason::not_for_us);
    const uint32_t src_ip = load32(ip + kIpSrc);
    if (!is_host_address(iface, src_ip)) return drop(DropReason::martian_source);
    // An on-link sender's MAC is the frame's source: saves an ARP round trip when we answer.
    if (on_link(iface, src_ip)) neighbours.learn(src_ip, frame + kEthSrc, now_ns);

    if ((load_be16(ip + kIpFlagsFragment) & (kIpMoreFragments | kIpFragmentOffsetMask)) != 0)
        return {Next::fragment, kNotDropped, {}};  // the caller reassembles, then classifies again

    const auto payload_len = static_cast<uint16_t>(total_len - header_len);
    switch (ip[kIpProtocol]) {
        case kIpProtocolIcmp: return process_icmp(frame, header_len, payload_len, iface, counters);
        case kIpProtocolUdp: return process_udp(frame, header_len, payload_len, config, counters);
        default: return drop(DropReason::ip_protocol);
    }
}

}  // namespace sipwire::net
