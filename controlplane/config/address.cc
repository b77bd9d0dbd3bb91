#include "config/address.h"

#include <charconv>

namespace sipwire::config::detail {

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_hex(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Decimal number without sign or leading zeros, at most max_digits digits.
std::optional<uint32_t> parse_decimal(std::string_view s, size_t max_digits) {
    if (s.empty() || s.size() > max_digits) return std::nullopt;
    if (s.size() > 1 && s[0] == '0') return std::nullopt;
    for (char c : s)
        if (!is_digit(c)) return std::nullopt;
    uint32_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
}

// Why `a` cannot be a unicast host address, or nullptr.
const char* special_address(uint32_t a) {
    const uint32_t first = a >> 24;
    if (first == 0) return "is in 0.0.0.0/8 (\"this network\")";
    if (first == 127) return "is a loopback address";
    if (first >= 224 && first <= 239) return "is a multicast address";
    if (first >= 240) return "is a reserved or broadcast address";
    return nullptr;
}

bool valid_dns_name(std::string_view host) {
    if (host.empty() || host.size() > 253) return false;
    size_t start = 0;
    while (start <= host.size()) {
        size_t dot = host.find('.', start);
        if (dot == std::string_view::npos) dot = host.size();
        const std::string_view label = host.substr(start, dot - start);
        if (label.empty() || label.size() > 63) return false;
        if (label.front() == '-' || label.back() == '-') return false;
        for (char c : label)
            if (!is_alnum(c) && c != '-') return false;
        start = dot + 1;
    }
    return true;
}

}  // namespace

std::optional<uint32_t> parse_ipv4(std::string_view text) {
    uint32_t result = 0;
    for (int i = 0; i < 4; ++i) {
        size_t end = text.find('.');
        if (i == 3) {
            if (end != std::string_view::npos) return std::nullopt;
            end = text.size();
        } else if (end == std::string_view::npos) {
            return std::nullopt;
        }
        const auto octet = parse_decimal(text.substr(0, end), 3);
        if (!octet || *octet > 255) return std::nullopt;
        result = (result << 8) | *octet;
        text.remove_prefix(i == 3 ? end : end + 1);
    }
    return result;
}

std::string format_ipv4(uint32_t a) {
    return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
           std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

uint32_t prefix_mask(unsigned prefix_len) {
    if (prefix_len == 0) return 0;
    if (prefix_len >= 32) return 0xffffffffu;
    return ~uint32_t{0} << (32 - prefix_len);
}

std::string parse_ipv4_interface(std::string_view text, Ipv4Interface& out) {
    const size_t slash = text.find('/');
    if (slash == std::string_view::npos)
        return "expected an IPv4 address with a prefix length, like \"192.0.2.1/24\"";
    const auto address = parse_ipv4(text.substr(0, slash));
    if (!address) return "\"" + std::string(text.substr(0, slash)) + "\" is not an IPv4 address";
    const auto prefix = parse_decimal(text.substr(slash + 1), 2);
    if (!prefix || *prefix < 1 || *prefix > 32)
        return "prefix length must be a number from 1 to 32, got \"" +
               std::string(text.substr(slash + 1)) + "\"";
    if (const char* why = special_address(*address))
        return format_ipv4(*address) + " " + why + ", not a host address";
    const uint32_t mask = prefix_mask(*prefix);
    if (*prefix < 31) {
        if ((*address & ~mask) == 0)
            return format_ipv4(*address) + " is the network address of its /" +
                   std::to_string(*prefix) + " subnet, not a host address";
        if ((*address & ~mask) == ~mask)
            return format_ipv4(*address) + " is the broadcast address of its /" +
                   std::to_string(*prefix) + " subnet, not a host address";
    }
    out.address = *address;
    out.prefix_len = static_cast<uint8_t>(*prefix);
    return {};
}

std::string check_gateway(const Ipv4Interface& itf, uint32_t gateway) {
    const uint32_t mask = prefix_mask(itf.prefix_len);
    const std::string subnet =
        format_ipv4(itf.address & mask) + "/" + std::to_string(itf.prefix_len);
    if ((gateway & mask) != (itf.address & mask))
        return format_ipv4(gateway) + " is outside the port's subnet " + subnet;
    if (gateway == itf.address) return format_ipv4(gateway) + " is the port's own address";
    if (const char* why = special_address(gateway))
        return format_ipv4(gateway) + " " + why + ", not a host address";
    if (itf.prefix_len < 31 && ((gateway & ~mask) == 0 || (gateway & ~mask) == ~mask))
        return format_ipv4(gateway) + " is the network or broadcast address of " + subnet;
    return {};
}

std::string check_listen_address(std::string_view text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return "expected host:port, like \"127.0.0.1:9091\" (\"\" disables)";
    const std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    const auto port = parse_decimal(port_text, 5);
    if (!port || *port < 1 || *port > 65535)
        return "port must be a number from 1 to 65535, got \"" + std::string(port_text) + "\"";
    if (host.empty()) return "host is missing; use 0.0.0.0 to listen on every address";
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']')
            return "unterminated IPv6 literal \"" + std::string(host) + "\"";
        for (char c : host.substr(1, host.size() - 2))
            if (!is_hex(c) && c != ':' && c != '.')
                return "\"" + std::string(host) + "\" is not an IPv6 literal";
        return {};
    }
    if (host.find(':') != std::string_view::npos)
        return "IPv6 addresses must be written in brackets, like \"[::1]:9091\"";
    bool numeric = true;
    for (char c : host)
        if (!is_digit(c) && c != '.') numeric = false;
    if (numeric) {
        if (!parse_ipv4(host)) return "\"" + std::string(host) + "\" is not an IPv4 address";
        return {};
    }
    if (!valid_dns_name(host)) return "\"" + std::string(host) + "\" is not a valid host name";
    return {};
}

std::string parse_host_port(std::string_view text, uint16_t default_port, uint32_t& ipv4,
                            uint16_t& port) {
    const size_t colon = text.find(':');
    const std::string_view host = text.substr(0, colon);
    const auto address = parse_ipv4(host);
    if (!address)
        return "\"" + std::string(host) +
               "\" is not an IPv4 address (expected \"A.B.C.D\" or \"A.B.C.D:PORT\")";
    if (const char* why = special_address(*address))
        return format_ipv4(*address) + " " + why + ", not a host address";
    uint32_t p = default_port;
    if (colon != std::string_view::npos) {
        const auto parsed = parse_decimal(text.substr(colon + 1), 5);
        if (!parsed || *parsed < 1 || *parsed > 65535)
            return "port must be a number from 1 to 65535, got \"" +
                   std::string(text.substr(colon + 1)) + "\"";
        p = *parsed;
    }
    ipv4 = *address;
    port = static_cast<uint16_t>(p);
    return {};
}

std::string parse_mac(std::string_view text, uint8_t (&mac)[6]) {
    const std::string bad =
        "\"" + std::string(text) + "\" is not a MAC address (expected \"aa:bb:cc:dd:ee:ff\")";
    if (text.size() != 17) return bad;
    uint8_t out[6];
    for (size_t i = 0; i < 6; ++i) {
        const char hi = text[i * 3], lo = text[i * 3 + 1];
        if (!is_hex(hi) || !is_hex(lo) || (i < 5 && text[i * 3 + 2] != ':')) return bad;
        auto nibble = [](char c) {
            return uint8_t(is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        };
        out[i] = uint8_t(nibble(hi) << 4 | nibble(lo));
    }
    if (out[0] & 1) return std::string(text) + " is a multicast or broadcast MAC address";
    bool zero = true;
    for (uint8_t b : out) zero = zero && b == 0;
    if (zero) return "00:00:00:00:00:00 is not a station address";
    for (size_t i = 0; i < 6; ++i) mac[i] = out[i];
    return {};
}

}  // namespace sipwire::config::detail
