// sipwired: the sipwire control-plane daemon.
//
//   sipwired --config /etc/sipwire/sipwire.toml [--log-level debug]
//
// SIGHUP reloads the configuration file; SIGINT and SIGTERM stop cleanly.
#include <signal.h>

#include <CLI/CLI.hpp>

#include "daemon/daemon.h"
#include "daemon/signals.h"
#include "sipwire/log.h"

int main(int argc, char** argv) {
    using namespace sipwire;

    CLI::App app{"sipwired: control-plane daemon of sipwire (SIP/RTP data plane)"};
    daemon::DaemonOptions options;
    app.add_option("-c,--config", options.config_path, "Configuration file (TOML)")
        ->required();
    app.add_option("--log-level", options.log_level,
                   "Log level, overrides instance.log_level of the configuration")
        ->check(CLI::IsMember({"debug", "info", "warning", "error"}));
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int rc = app.exit(e);
        return rc == 0 ? 0 : daemon::kExitConfig;
    }

    // Before any thread exists, so that every thread inherits the blocked mask and
    // only the wait below takes these signals.
    const daemon::SignalSet signals{SIGINT, SIGTERM, SIGHUP};

    daemon::Daemon d(options);
    if (const int rc = d.start(); rc != daemon::kExitOk) return rc;

    for (;;) {
        const int s = signals.wait();
        if (s == SIGHUP) {
            SIPWIRE_LOG_INFO("SIGHUP: reloading %s", options.config_path.c_str());
            d.reload();  // logs its outcome
            continue;
        }
        SIPWIRE_LOG_INFO("%s: shutting down", s == SIGINT ? "SIGINT" : "SIGTERM");
        break;
    }
    d.stop();
    SIPWIRE_LOG_INFO("sipwired stopped");
    return daemon::kExitOk;
}
