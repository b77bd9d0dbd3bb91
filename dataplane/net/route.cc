#include "net/route.h"

#include "net/stages.h"

namespace sipwire::net {

Route route(const Interface* interfaces, uint32_t count, uint32_t dst_ip) noexcept {
    for (uint32_t p = 0; p < count; ++p)
        if (on_link(interfaces[p], dst_ip)) return {int(p), dst_ip};
    for (uint32_t p = 0; p < count; ++p)
        if (interfaces[p].ipv4 != 0 && interfaces[p].gateway != 0)
            return {int(p), interfaces[p].gateway};
    return {-1, 0};
}

Interface interface_of(const PortConfig& port) noexcept {
    Interface iface{};
    iface.ipv4 = port.ipv4;
    const uint32_t prefix = port.prefix_len > 32 ? 32 : port.prefix_len;
    iface.netmask = prefix == 0 ? 0 : to_network32(~uint32_t(0) << (32 - prefix));
    iface.gateway = port.gateway_ipv4;
    return iface;
}

}  // namespace sipwire::net
