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

// Limits of one scope as written in the file (before node_share). The scope numbers
// and names are those of sipwire/call_limits.h: "server" (kServerScope),
// "set:<name>" (kFirstSetScope + set index), "source:<name>" (kFirstSourceScope +
// source index).
struct ScopeLimitSettings {
    std::string scope;        // "server", "set:switches", "source:customer-a"
    uint32_t index = 0;       // scope number in CallLimitsConfig::scopes
    uint64_t cps_milli = 0;   // new calls per second x 1000, before node_share; 0 = unlimited
    uint32_t burst = 0;       // 0 = default: max(1, this node's cps / 10)
    uint32_t channels = 0;    // concurrent calls; 0 = unlimited
};

// A [[source_limit]]: calls from an IPv4 prefix (a customer's trunk).
struct SourceLimitSettings {
    std::string name;
    std::string prefix;      // normalised "192.0.2.0/28"
    uint32_t ipv4 = 0;       // host byte order, host bits zero
    uint8_t prefix_len = 32;
};

inline constexpr uint64_t kMaxCpsMilli = 1'000'000'000;  // 1000000 calls per second
inline constexpr uint32_t kMaxLimitBurst = 1'000'000;
inline constexpr uint32_t kMaxChannels = 10'000'000;

// [limits], [capacity_failover], the limit keys of [[destination_set]] and the
// [[source_limit]] tables. `scopes` lists every active scope: the server first,
// then the sets in file order, then the sources in file order.
struct LimitsSettings {
    std::vector<ScopeLimitSettings> scopes;
    std::vector<SourceLimitSettings> sources;
    uint32_t retry_after_s = 5;
    uint32_t reservation_timeout_ms = 32000;
    uint32_t max_call_duration_s = 14400;
    double node_share = 1.0;     // 0 < share <= 1
    std::string failover;        // "192.0.2.50:5060"; "" = none (503 at capacity)
    uint32_t failover_ipv4 = 0;  // host byte order
    uint16_t failover_port = 0;  // host byte order

    // The scope called `scope` ("server", "set:x", "source:y"), or null.
    const ScopeLimitSettings* find(const std::string& scope) const;
    ScopeLimitSettings* find(const std::string& scope);
};

// This node's rate: round(cps_milli * node_share), at least 1 when limited.
uint32_t node_cps_milli(uint64_t cps_milli, double node_share);
// The burst a scope runs with: its own, else max(1, node cps / 10).
uint32_t effective_burst(const ScopeLimitSettings& s, double node_share);
// The snapshot part of `limits` (every field of CallLimitsConfig).
CallLimitsConfig build_call_limits(const LimitsSettings& limits);

// The rules of the file, shared with the runtime overrides of limits.set. Empty
// string when valid, else why not.
// `cps` calls per second (0 = unlimited, up to 1000000, fractions to 0.001) as
// cps_milli.
std::string parse_cps(double cps, uint64_t& cps_milli);
std::string check_node_share(double share);

// [registrar]: REGISTER for `domains` is answered by sipwired (digest auth, user
// store and bindings in the SQLite file `database`); requests to user@domain are
// routed by the data plane from the location table.
struct RegistrarSettings {
    std::vector<std::string> domains;   // lower case; empty = no registrar
    std::string realm;                  // digest realm; default: the first domain
    std::string database;               // default: <state_dir>/<instance>-registrar.sqlite
    uint32_t max_bindings = 1u << 20;   // location table records (rounded up to a power of two)
    uint32_t min_expires_s = 60;        // shorter: 423 Interval Too Brief
    uint32_t max_expires_s = 3600;      // longer: granted this much
    uint32_t default_expires_s = 3600;  // no Expires anywhere
    uint32_t max_contacts = 10;         // bindings per AOR
    uint32_t nonce_lifetime_s = 300;
    std::vector<std::string> algorithms{"SHA-256", "MD5"};  // challenges offered, in order
    bool enabled() const { return !domains.empty(); }
};

// [nat_keepalive]: pings to every registered UDP contact ("UAC ping").
struct KeepaliveSettings {
    bool enabled = true;                 // false = the guide's "Disable UAC Ping"
    std::string method = "options";      // "options" (answered: RTT, reachability) | "crlf"
    uint32_t interval_ms = 30000;        // each contact once per interval, spread evenly
    uint32_t unreachable_after = 3;      // unanswered OPTIONS in a row: contact unreachable
    uint32_t from_port = 0;              // [[port]] whose address sends the pings
};

// [rtp] beyond the port range: media anchoring and the RTP server list.
struct MediaSettings {
    bool relay = false;                  // rewrite SDP, relay media through our ports
    uint32_t inactivity_timeout_s = 60;  // no packet on an answered call's ports: released
    uint32_t offer_timeout_s = 60;       // an offer never answered: released
    uint32_t relatch_after_ms = 2000;    // a latched port silent this long may latch a new source; 0 = never
    std::string zone;                    // shown by `sipwirectl rtp-servers`
    std::vector<std::string> aliases;    // host names of the media addresses
};

struct Config {
    std::string source_path;   // file it was loaded from
    std::string instance;      // names the segment /dev/shm/sipwire-<instance>
    std::string log_level;     // "debug" | "info" | "warning" | "error"
    std::string metrics_listen;   // "127.0.0.1:9091"; "" disables the exporter
    std::string control_socket;   // unix socket path of the control API
    std::string state_dir;        // sipwired's state (runtime limit overrides)
    std::vector<PortSettings> ports;
    DispatcherSettings dispatcher;
    std::vector<DestinationSetSettings> destination_sets;  // in file order = set index
    LimitsSettings limits;        // dataplane.limits is built from it
    RegistrarSettings registrar;  // dataplane.location is built from it
    KeepaliveSettings keepalive;
    MediaSettings media;          // dataplane.media is built from it
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
