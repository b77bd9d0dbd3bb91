#include "api/command_registry.h"

namespace sipwire::api {

nlohmann::json ok_response(nlohmann::json result) {
    return {{"ok", true}, {"result", std::move(result)}};
}

nlohmann::json error_response(const std::string& message) {
    return {{"ok", false}, {"error", message}};
}

void CommandRegistry::add(const std::string& name, Handler handler) {
    std::lock_guard lock(mutex_);
    handlers_[name] = std::move(handler);
}

std::optional<Handler> CommandRegistry::find(const std::string& name) const {
    std::lock_guard lock(mutex_);
    const auto it = handlers_.find(name);
    if (it == handlers_.end()) return std::nullopt;
    return it->second;
}

std::vector<std::string> CommandRegistry::names() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [name, handler] : handlers_) out.push_back(name);
    return out;
}

nlohmann::json CommandRegistry::dispatch(std::string_view line) const {
    const nlohmann::json request = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (request.is_discarded()) return error_response("malformed request: not a JSON object");
    if (!request.is_object()) return error_response("malformed request: not a JSON object");
    const auto command = request.find("command");
    if (command == request.end() || !command->is_string())
        return error_response("malformed request: \"command\" (a string) is missing");
    const std::string name = command->get<std::string>();
    nlohmann::json args = nlohmann::json::object();
    if (const auto a = request.find("args"); a != request.end() && !a->is_null()) {
        if (!a->is_object()) return error_response("malformed request: \"args\" is not an object");
        args = *a;
    }
    const std::optional<Handler> handler = find(name);
    if (!handler) {
        std::string known;
        for (const std::string& n : names()) known += (known.empty() ? "" : ", ") + n;
        return error_response("unknown command '" + name + "' (known: " + known + ")");
    }
    try {
        return ok_response((*handler)(args));
    } catch (const CommandError& e) {
        return error_response(e.what());
    } catch (const std::exception& e) {
        return error_response(std::string("internal error in '") + name + "': " + e.what());
    } catch (...) {
        return error_response("internal error in '" + name + "'");
    }
}

}  // namespace sipwire::api
