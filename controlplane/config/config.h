// sipwired's configuration: a TOML file parsed and validated into an immutable
// Config. Errors name the file, line and key. See docs/configuration.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipwire/dataplane_config.h"

namespace sipwire::config {

struct PortSettings {
    std::string name;     // DPDK device name ("net_tap0") or PCI address
    std::string address;  // "192.0.2.1/24" as written
    std::string gateway;  // "" = none
};

struct Config {
    std::string source_path;   // file it was loaded from
    std::string instance;      // names the segment /dev/shm/sipwire-<instance>
    std::string log_level;     // "debug" | "info" | "warning" | "error"
    std::string metrics_listen;   // "127.0.0.1:9091"; "" disables the exporter
    std::string control_socket;   // unix socket path of the control API
    std::vector<PortSettings> ports;
    BootConfig boot;              // EAL arguments and port names for sipwire-dp
    DataplaneConfig dataplane;    // generation left 0: set when published
};

struct LoadResult {
    std::optional<Config> config;
    std::string error;  // "FILE:LINE: KEY: what is wrong" when config is empty
};

// Parses and validates TOML text; `source_name` is used in error messages.
LoadResult parse_config(std::string_view toml_text, const std::string& source_name);

// Reads and parses a file. A missing or unreadable file is an error naming it.
LoadResult load_config_file(const std::string& path);

}  // namespace sipwire::config
