// Address syntax used by the configuration: IPv4 addresses, interface addresses
// with a prefix length ("192.0.2.1/24") and listen addresses ("127.0.0.1:9091").
// Every function returns host byte order; the caller converts for the data plane.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sipwire::config::detail {

// Strict dotted quad: exactly four decimal octets 0..255, no leading zeros (which
// inet_aton would read as octal), no spaces, nothing after the fourth octet.
std::optional<uint32_t> parse_ipv4(std::string_view text);

std::string format_ipv4(uint32_t host_order);

// Netmask of a prefix length 0..32, host byte order.
uint32_t prefix_mask(unsigned prefix_len);

struct Ipv4Interface {
    uint32_t address;    // host byte order
    uint8_t prefix_len;  // 1..32
};

// Parses "A.B.C.D/N". Empty string when valid, else why not (one line).
// Rejects prefix lengths outside 1..32, addresses that cannot be a unicast host
// (0.0.0.0/8, 127.0.0.0/8, 224.0.0.0/4 multicast, 240.0.0.0/4 incl. broadcast) and,
// for prefixes shorter than /31, the subnet's network and broadcast addresses.
std::string parse_ipv4_interface(std::string_view text, Ipv4Interface& out);

// Checks a gateway for `itf`: a unicast host inside its subnet, not the interface
// address itself, not the network or broadcast address. Empty string when valid.
std::string check_gateway(const Ipv4Interface& itf, uint32_t gateway);

// Checks a "host:port" listen address: host an IPv4 literal, a bracketed IPv6
// literal or a DNS name; port 1..65535. Empty string when valid.
std::string check_listen_address(std::string_view text);

// Parses a dispatcher destination "A.B.C.D" or "A.B.C.D:PORT" (port 1..65535,
// default `default_port`). The address must be a unicast host address. Empty string
// when valid, else why not.
std::string parse_host_port(std::string_view text, uint16_t default_port, uint32_t& ipv4,
                            uint16_t& port);

// Parses a MAC address "aa:bb:cc:dd:ee:ff" (hex digits, either case); rejects
// multicast/broadcast and all-zero addresses. Empty string when valid.
std::string parse_mac(std::string_view text, uint8_t (&mac)[6]);

}  // namespace sipwire::config::detail
