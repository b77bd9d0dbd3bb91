// Human-readable output of sipwirectl's subcommands, from the API's result JSON.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace sipwire::ctl {

void render_status(const nlohmann::json& result, std::ostream& out);
void render_stats(const nlohmann::json& result, std::ostream& out);
void render_reload(const nlohmann::json& result, std::ostream& out);
void render_dispatcher_list(const nlohmann::json& result, std::ostream& out);
void render_limits_show(const nlohmann::json& result, std::ostream& out);
void render_limits_set(const nlohmann::json& result, std::ostream& out);

}  // namespace sipwire::ctl
