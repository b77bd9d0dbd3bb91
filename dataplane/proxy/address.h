// IPv4 literals and ports as text: strict parse into network byte order, format into
// a caller's char buffer. Internal to dataplane/proxy. No allocation, noexcept.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sipwire::proxy {

inline constexpr uint16_t kDefaultSipPort = 5060;  // host byte order (RFC 3261 19.1.2)

// Host <-> network byte order (the same swap both ways).
constexpr uint16_t byte_swap16_if_little(uint16_t v) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        return static_cast<uint16_t>((v >> 8) | (v << 8));
    } else {
        return v;
    }
}
constexpr uint16_t to_net16(uint16_t host) noexcept { return byte_swap16_if_little(host); }
constexpr uint16_t to_host16(uint16_t net) noexcept { return byte_swap16_if_little(net); }

// IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT, each <= 255
// (RFC 3261 25.1). Writes the address in network byte order; false for anything else
// (host names, IPv6 references, trailing characters).
inline bool parse_ipv4(std::string_view s, uint32_t& ip_net) noexcept {
    uint8_t bytes[4];
    size_t i = 0;
    for (int part = 0; part < 4; ++part) {
        if (part != 0) {
            if (i == s.size() || s[i] != '.') return false;
            ++i;
        }
        uint32_t v = 0;
        const size_t begin = i;
        while (i < s.size() && i - begin < 3 && s[i] >= '0' && s[i] <= '9')
            v = v * 10 + static_cast<uint32_t>(s[i++] - '0');
        if (i == begin || v > 255) return false;
        bytes[part] = static_cast<uint8_t>(v);
    }
    if (i != s.size()) return false;
    std::memcpy(&ip_net, bytes, 4);
    return true;
}

// Decimal digits of v at out (at most 10); returns the count.
inline size_t format_uint(uint32_t v, char* out) noexcept {
    char tmp[10];
    size_t n = 0;
    do {
        tmp[n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t k = 0; k < n; ++k) out[k] = tmp[n - 1 - k];
    return n;
}

inline constexpr size_t kIpv4TextMax = 15;      // "255.255.255.255" (format_ipv4 needs 16 bytes)
inline constexpr size_t kHostPortTextMax = 21;  // "255.255.255.255:65535"

namespace detail {
// Decimal text of 0..255: up to three digits and the count, one load per byte.
struct ByteText {
    char digits[3];
    uint8_t length;
};
constexpr auto make_byte_texts() {
    struct Table {
        ByteText t[256];
    } table{};
    for (int v = 0; v < 256; ++v) {
        ByteText& b = table.t[v];
        if (v >= 100) {
            b = {{char('0' + v / 100), char('0' + v / 10 % 10), char('0' + v % 10)}, 3};
        } else if (v >= 10) {
            b = {{char('0' + v / 10), char('0' + v % 10), 0}, 2};
        } else {
            b = {{char('0' + v), 0, 0}, 1};
        }
    }
    return table;
}
inline constexpr auto kByteTexts = make_byte_texts();
}  // namespace detail

// Dotted quad of an address in network byte order; returns the length (<= 15).
// Writes up to 16 bytes at `out` (whole 4-byte groups), so `out` needs 16.
inline size_t format_ipv4(uint32_t ip_net, char* out) noexcept {
    uint8_t bytes[4];
    std::memcpy(bytes, &ip_net, 4);
    size_t n = 0;
    for (int part = 0; part < 4; ++part) {
        const detail::ByteText& t = detail::kByteTexts.t[bytes[part]];
        std::memcpy(out + n, t.digits, 3);
        n += t.length;
        out[n++] = '.';
    }
    return n - 1;
}

// "a.b.c.d:port" of an address and port in network byte order, kept as text.
struct HostPort {
    char text[kHostPortTextMax + 3];
    uint8_t ip_length;  // text[0 .. ip_length) is the dotted quad
    uint8_t length;

    void set(uint32_t ip_net, uint16_t port_net) noexcept {
        size_t n = format_ipv4(ip_net, text);
        ip_length = static_cast<uint8_t>(n);
        text[n++] = ':';
        n += format_uint(to_host16(port_net), text + n);
        length = static_cast<uint8_t>(n);
    }
    std::string_view ip() const noexcept { return {text, ip_length}; }
    std::string_view port() const noexcept { return {text + ip_length + 1, size_t(length - ip_length - 1)}; }
    std::string_view host_port() const noexcept { return {text, length}; }
};

}  // namespace sipwire::proxy
