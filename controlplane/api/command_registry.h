// Commands of the control API: a name and a handler taking the request's "args"
// and returning the "result". Subsystems register their own commands; the server
// only looks names up. Thread-safe: handlers may be added while the server runs.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sipwire::api {

using Handler = std::function<nlohmann::json(const nlohmann::json& args)>;

// Thrown by a handler for an error the operator should read ("ok":false with this
// message). Any other exception becomes "internal error: ...".
class CommandError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class CommandRegistry {
public:
    // Replaces an existing handler of that name.
    void add(const std::string& name, Handler handler);
    std::optional<Handler> find(const std::string& name) const;
    std::vector<std::string> names() const;  // sorted

    // Runs one request line and returns one response object:
    // {"ok":true,"result":...} or {"ok":false,"error":"..."}. Never throws.
    nlohmann::json dispatch(std::string_view request_line) const;

private:
    mutable std::mutex mutex_;
    std::map<std::string, Handler> handlers_;
};

nlohmann::json ok_response(nlohmann::json result);
nlohmann::json error_response(const std::string& message);

}  // namespace sipwire::api
