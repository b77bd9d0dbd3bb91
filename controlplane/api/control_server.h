// The control API server: JSON lines over a unix stream socket.
//
//   request : {"command":"status","args":{...}}\n      ("args" optional)
//   response: {"ok":true,"result":{...}}\n  or  {"ok":false,"error":"..."}\n
//
// A connection may send any number of requests; each gets one response, in order.
// Commands come from a CommandRegistry, so the server never changes when a
// subsystem adds one.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <memory>
#include <string>

#include "api/command_registry.h"

namespace sipwire::api {

class ControlServer {
public:
    virtual ~ControlServer() = default;
    // Binds and starts serving. False with `error` set for the operator.
    virtual bool start(std::string& error) = 0;
    // Stops serving, closes every connection, removes the socket. Idempotent.
    virtual void stop() = 0;
    virtual const std::string& path() const = 0;
};

struct UnixServerOptions {
    std::string path;                        // socket file; its parent is created (0755)
    mode_t mode = 0660;                      // of the socket file
    size_t max_request_bytes = 64 * 1024;    // longer request lines get an error and a close
    size_t max_clients = 64;                 // further connections wait in the backlog
};

// `registry` must outlive the server.
std::unique_ptr<ControlServer> make_unix_server(UnixServerOptions options,
                                                const CommandRegistry& registry);

}  // namespace sipwire::api
