// Client side of the control API (see control_server.h): one connection, one
// request line, one response line. Used by sipwirectl and by tests.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace sipwire::api {

struct CallResult {
    enum class Status {
        ok,           // the daemon answered {"ok":true}: see `result`
        failed,       // the daemon answered {"ok":false}: see `error`
        unreachable,  // no connection: `error` is strerror of the connect
        broken,       // connected, but no valid answer (closed, timeout, not JSON)
    };
    Status status = Status::broken;
    nlohmann::json result;
    std::string error;
};

// Sends {"command":command,"args":args} to the socket at `socket_path` and waits
// up to `timeout_ms` for the answer.
CallResult call(const std::string& socket_path, const std::string& command,
                const nlohmann::json& args = nlohmann::json::object(), int timeout_ms = 10000);

}  // namespace sipwire::api
