// Egress choice for datagrams the data plane originates or forwards.
#pragma once

#include <cstdint>

#include "net/net.h"

namespace sipwire::net {

struct Route {
    int port;           // index into the interfaces; -1 = no route
    uint32_t next_hop;  // address whose MAC the frame is sent to (network byte order)
};

// The first port whose subnet holds `dst_ip` (on-link), else the first port with a
// gateway. Bounded by `count` (at most kMaxPorts).
Route route(const Interface* interfaces, uint32_t count, uint32_t dst_ip) noexcept;

}  // namespace sipwire::net
