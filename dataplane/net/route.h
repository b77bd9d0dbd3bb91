// Egress choice for datagrams the data plane originates or forwards.
#pragma once

#include <cstdint>

#include "net/net.h"
#include "sipwire/dataplane_config.h"

namespace sipwire::net {

struct Route {
    int port;           // index into the interfaces; -1 = no route
    uint32_t next_hop;  // address whose MAC the frame is sent to (network byte order)
};

// The first port whose subnet holds `dst_ip` (on-link), else the first port with a
// gateway. Bounded by `count` (at most kMaxPorts).
// The proxy (dataplane/proxy) asks the same question to pick the address it advertises
// and sends from, so a datagram leaves with the address of the port it leaves by.
Route route(const Interface* interfaces, uint32_t count, uint32_t dst_ip) noexcept;

// The addresses of a configured port as route() sees them (MAC left zero): netmask
// from the prefix length (above 32 counts as 32), network byte order throughout.
Interface interface_of(const PortConfig& port) noexcept;

}  // namespace sipwire::net
