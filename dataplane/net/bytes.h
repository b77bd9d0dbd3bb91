// Loads and stores of wire fields at any alignment. Frames carry no alignment
// guarantee (the IPv4 header follows a 14-byte Ethernet header), so every access
// goes through memcpy, which compiles to a plain move.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace sipwire::net {

inline uint16_t to_host16(uint16_t network) noexcept {
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap16(network);
    return network;
}
inline uint32_t to_host32(uint32_t network) noexcept {
    if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(network);
    return network;
}
inline uint16_t to_network16(uint16_t host) noexcept { return to_host16(host); }
inline uint32_t to_network32(uint32_t host) noexcept { return to_host32(host); }

// Raw loads/stores: the value keeps the wire's (network) byte order. Used for
// addresses and ports, which this code keeps in network order end to end.
inline uint16_t load16(const uint8_t* p) noexcept {
    uint16_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline uint32_t load32(const uint8_t* p) noexcept {
    uint32_t v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
inline void store16(uint8_t* p, uint16_t v) noexcept { std::memcpy(p, &v, sizeof v); }
inline void store32(uint8_t* p, uint32_t v) noexcept { std::memcpy(p, &v, sizeof v); }

// Big-endian loads/stores: the value is in host order. Used for lengths, types,
// flags and checksums.
inline uint16_t load_be16(const uint8_t* p) noexcept { return to_host16(load16(p)); }
inline uint32_t load_be32(const uint8_t* p) noexcept { return to_host32(load32(p)); }
inline void store_be16(uint8_t* p, uint16_t v) noexcept { store16(p, to_network16(v)); }
inline void store_be32(uint8_t* p, uint32_t v) noexcept { store32(p, to_network32(v)); }

}  // namespace sipwire::net
