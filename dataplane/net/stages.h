// The per-protocol steps behind process_frame(), and the address tests they share.
// Internal to dataplane/net.
#pragma once

#include <cstdint>

#include "net/bytes.h"
#include "net/net.h"

namespace sipwire::net {

// Outcome::reason of outcomes that are not drops.
inline constexpr DropReason kNotDropped = DropReason::count;

inline Outcome drop(DropReason reason) noexcept { return {Next::drop, reason, {}}; }

inline bool is_multicast_mac(const uint8_t* mac) noexcept { return (mac[0] & 1) != 0; }

// Whether `ip` is in the subnet of `iface` (both in network byte order: the mask
// test is bitwise, so byte order does not matter).
inline bool on_link(const Interface& iface, uint32_t ip) noexcept {
    return iface.ipv4 != 0 && ((ip ^ iface.ipv4) & iface.netmask) == 0;
}

// Whether `ip` can be the address of another host: not "this network" (0/8),
// loopback, multicast, reserved or limited broadcast, not our own address (a loop or
// a spoof), and not the broadcast address of our subnet.
inline bool is_host_address(const Interface& iface, uint32_t ip) noexcept {
    const uint32_t host_order = to_host32(ip);
    const uint32_t first_octet = host_order >> 24;
    if (first_octet == 0 || first_octet == 127 || first_octet >= 224) return false;
    if (ip == iface.ipv4) return false;
    // /31 and /32 subnets have no broadcast address (RFC 3021).
    const uint32_t mask = to_host32(iface.netmask);
    if (mask < 0xfffffffeu && on_link(iface, ip) && (host_order | mask) == 0xffffffffu)
        return false;
    return true;
}

// `frame` holds a complete Ethernet header to our MAC (or broadcast) of the given type.
Outcome process_arp(uint8_t* frame, uint16_t length, const Interface& iface,
                    NeighbourTable& neighbours, uint64_t now_ns,
                    PortCounters& counters) noexcept;

Outcome process_ipv4(uint8_t* frame, uint16_t length, const Interface& iface,
                     const DataplaneConfig& config, NeighbourTable& neighbours,
                     uint64_t now_ns, PortCounters& counters) noexcept;

}  // namespace sipwire::net
