// sipwired's configuration: a TOML file parsed and validated into an immutable
// Config. Errors name the file, line and key. See docs/configuration.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sipwire/dataplane_config.h"

namespace sipwire::config {

struct StaticNeighbourSettings {
    std::string address;  // "198.51.100.10" as written
    std::string mac;      // "02:00:00:00:00:10" as written
};

struct PortSettings {
    std::string name;     // DPDK device name ("net_tap0") or PCI address
    std::string address;  // "192.0.2.1/24" as written
    std::string gateway;  // "" = none
    std::vector<StaticNeighbourSettings> static_neighbours;
};

// One member of a [[destination_set]]. Its index in DataplaneConfig::destinations
// is `DestinationSetSettings::first + position in the set`.
struct DestinationSettings {
    std::string address;  // "192.0.2.10:5060", normalised (port always written)
    uint32_t ipv4 = 0;    // host byte order
    uint16_t port = 0;    // host byte order
    uint16_t weight = 1;
};

struct DestinationSetSettings {
    std::string name;
    uint16_t first = 0;  // index of the first member in DataplaneConfig::destinations
    std::vector<DestinationSettings> destinations;
};

// [dispatcher]: settings of sipwired's health prober and the default set.
struct DispatcherSettings {
    std::string set;                 // "" = none (sip.dispatch_set = kNoDestination)
    uint32_t probe_interval_ms = 1000;  // 0 = probing disabled, every destination healthy
    uint32_t down_after_ms = 3000;
    uint32_t probe_from_port = 0;    // index of the [[port]] whose address sends probes
};

struct Config {
    std::string source_path;   // file it was loaded from
    std::string instance;      // names the segment /dev/shm/sipwire-<instance>
    std::string log_level;     // "debug" | "info" | "warning" | "error"
    std::string metrics_listen;   // "127.0.0.1:9091"; "" disables the exporter
    std::string control_socket;   // unix socket path of the control API
    std::vector<PortSettings> ports;
    DispatcherSettings dispatcher;
    std::vector<DestinationSetSettings> destination_sets;  // in file order = set index
    BootConfig boot;              // EAL arguments and port names for sipwire-dp
    // generation left 0: set when published. destinations[].registry_slot and
    // healthy, and destination_sets[].table and healthy_count, are filled by the
    // dispatcher when it publishes (the loader leaves slots kNoDestination, every
    // destination healthy and the tables empty).
    DataplaneConfig dataplane;
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
