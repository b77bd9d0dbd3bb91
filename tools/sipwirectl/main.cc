// sipwirectl: the command-line client of sipwired's control API.
//
//   sipwirectl [--socket PATH | --instance NAME] [--json] status|stats|config reload|dispatcher list
//   sipwirectl limits show
//   sipwirectl limits set --scope server|set:NAME|source:NAME [--cps N] [--burst N]
//                         [--channels N] [--reset] [--node-share X]
//
// Exit codes: 0 ok, 1 sipwired answered an error, 2 usage error, 3 sipwired unreachable.
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "api/control_client.h"
#include "render.h"

namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnreachable = 3;

// One subcommand: where it sits on the command line, the API command it sends and
// how its result reads to a human. Adding a command is adding an entry.
struct Command {
    std::vector<std::string> path;  // {"config", "reload"}
    std::string api_command;        // "config.reload"
    std::string description;
    void (*render)(const json& result, std::ostream& out);
    // Adds the subcommand's options; returns a function building "args" after parsing.
    std::function<std::function<json()>(CLI::App&)> options = {};
};

// Options of `limits set`; the values are checked by sipwired (the same rules as
// the configuration file), so a refused value exits 1 with its reason.
std::function<json()> limits_set_options(CLI::App& sub) {
    struct Values {
        std::string scope;
        std::string cps, burst, channels, node_share;
        bool reset = false;
    };
    auto v = std::make_shared<Values>();
    sub.add_option("--scope", v->scope, "server, set:NAME or source:NAME");
    sub.add_option("--cps", v->cps, "New calls per second (0 = unlimited, fractions allowed)");
    sub.add_option("--burst", v->burst, "Calls allowed above the rate at once");
    sub.add_option("--channels", v->channels, "Concurrent calls (0 = unlimited)");
    sub.add_flag("--reset", v->reset, "Drop the scope's runtime overrides (back to the file)");
    sub.add_option("--node-share", v->node_share,
                   "This node's share of every CPS limit, 0 < X <= 1 (scope not needed)");
    return [v] {
        json args = json::object();
        // A number as JSON ("default" or "file" clears the override of that field).
        auto number = [](const std::string& name, const std::string& text) -> json {
            if (text == "file" || text == "default") return nullptr;
            json n = json::parse(text, nullptr, false);
            if (n.is_discarded() || !n.is_number())
                throw CLI::ValidationError("--" + name, "'" + text + "' is not a number");
            return n;
        };
        if (!v->scope.empty()) args["scope"] = v->scope;
        if (!v->cps.empty()) args["cps"] = number("cps", v->cps);
        if (!v->burst.empty()) args["burst"] = number("burst", v->burst);
        if (!v->channels.empty()) args["channels"] = number("channels", v->channels);
        if (!v->node_share.empty()) args["node_share"] = number("node-share", v->node_share);
        if (v->reset) args["reset"] = true;
        const bool scoped = args.contains("cps") || args.contains("burst") ||
                            args.contains("channels") || v->reset;
        if (!scoped && !args.contains("node_share"))
            throw CLI::ValidationError(
                "limits set", "give at least one of --cps, --burst, --channels, --reset, --node-share");
        if (scoped && v->scope.empty())
            throw CLI::ValidationError("--scope", "required with --cps, --burst, --channels or --reset");
        return args;
    };
}

const std::vector<Command>& commands() {
    static const std::vector<Command> list{
        {{"status"}, "status", "Show sipwired, sipwire-dp, workers and ports",
         sipwire::ctl::render_status},
        {{"stats"}, "stats", "Show traffic counters per port and lcore, and drops by reason",
         sipwire::ctl::render_stats},
        {{"config", "reload"}, "config.reload",
         "Re-read the configuration file sipwired was started with and apply it",
         sipwire::ctl::render_reload},
        {{"dispatcher", "list"}, "dispatcher.list",
         "Show destination sets: destinations, weights, health, probe RTT, calls",
         sipwire::ctl::render_dispatcher_list},
        {{"limits", "show"}, "limits.show",
         "Show call limits per scope: CPS, burst, channels in use, admitted and rejected calls",
         sipwire::ctl::render_limits_show},
        {{"limits", "set"}, "limits.set",
         "Change a scope's limits at run time (applied within a second, kept across restarts)",
         sipwire::ctl::render_limits_set, limits_set_options},
    };
    return list;
}

// Finds or creates the CLI11 subcommand at `path` (groups such as "config" are shared).
CLI::App* subcommand_at(CLI::App& app, const Command& c) {
    CLI::App* parent = &app;
    for (size_t i = 0; i < c.path.size(); ++i) {
        CLI::App* existing = nullptr;
        for (CLI::App* s : parent->get_subcommands([](CLI::App*) { return true; }))
            if (s->get_name() == c.path[i]) existing = s;
        if (!existing) {
            const bool leaf = i + 1 == c.path.size();
            existing = parent->add_subcommand(c.path[i], leaf ? c.description : "");
            existing->fallthrough();  // global options also after the subcommand
            if (!leaf) existing->require_subcommand(1);
        }
        if (i + 1 < c.path.size()) {
            // A group lists its subcommands in --help.
            std::string d = existing->get_description();
            d += (d.empty() ? "Subcommands: " : ", ") + c.path[i + 1];
            existing->description(d);
        }
        parent = existing;
    }
    return parent;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"sipwirectl: control sipwired (sipwire's control-plane daemon)"};
    std::string socket_path;
    std::string instance;
    bool as_json = false;
    auto* socket_opt = app.add_option("--socket", socket_path,
                                      "Control socket of sipwired (default /run/sipwire/default.sock)");
    app.add_option("--instance", instance, "Instance name: the socket is /run/sipwire/NAME.sock")
        ->excludes(socket_opt);
    app.add_flag("--json", as_json, "Print the API's result as JSON");
    app.require_subcommand(1);
    app.fallthrough();

    const Command* chosen = nullptr;
    std::vector<std::function<json()>> args_of(commands().size());
    for (size_t i = 0; i < commands().size(); ++i) {
        const Command& c = commands()[i];
        CLI::App* sub = subcommand_at(app, c);
        if (c.options) args_of[i] = c.options(*sub);
        sub->callback([&chosen, &c] { chosen = &c; });
    }

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? kExitOk : kExitUsage;
    }
    if (!chosen) {
        std::cerr << app.help();
        return kExitUsage;
    }

    if (socket_path.empty())
        socket_path = "/run/sipwire/" + (instance.empty() ? std::string("default") : instance) + ".sock";
    const size_t index = size_t(chosen - commands().data());
    json args = json::object();
    try {
        if (args_of[index]) args = args_of[index]();
    } catch (const CLI::Error& e) {
        std::cerr << "sipwirectl: " << e.what() << "\n";
        return kExitUsage;
    }

    const sipwire::api::CallResult r = sipwire::api::call(socket_path, chosen->api_command, args);
    switch (r.status) {
    case sipwire::api::CallResult::Status::ok:
        if (as_json) std::cout << r.result.dump(2) << "\n";
        else chosen->render(r.result, std::cout);
        return kExitOk;
    case sipwire::api::CallResult::Status::failed:
        std::cerr << "sipwirectl: " << r.error << "\n";
        return kExitFailed;
    case sipwire::api::CallResult::Status::unreachable:
        std::cerr << "sipwirectl: cannot reach sipwired at " << socket_path << ": " << r.error
                  << " (is sipwired running?)\n";
        return kExitUnreachable;
    case sipwire::api::CallResult::Status::broken:
        std::cerr << "sipwirectl: no valid answer from sipwired at " << socket_path << ": "
                  << r.error << "\n";
        return kExitUnreachable;
    }
    return kExitUnreachable;
}
