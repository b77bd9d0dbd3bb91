// The schema: which tables and keys exist, their defaults and limits. Keep
// docs/configuration.md in step with every change here.
#include "config/config.h"

#include <arpa/inet.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "config/address.h"
#include "config/reader.h"
#include "config/services.h"
#include "sipwire/limits.h"

namespace sipwire::config {

namespace {

using detail::fail;
using detail::index_key;
using detail::quote;
using detail::Section;
using detail::Value;
using detail::as_boolean;

constexpr int64_t kDefaultIdleSleepUs = 50;
constexpr int64_t kMaxIdleSleepUs = 100000;
constexpr int64_t kDefaultBurst = 32;
constexpr int64_t kDefaultDescriptors = 1024;
constexpr int64_t kMinDescriptors = 64;
constexpr int64_t kMaxDescriptors = 4096;
constexpr int64_t kDefaultMbufs = 8191;
constexpr int64_t kMinMbufs = 1023;
constexpr int64_t kMaxMbufs = 1048575;
constexpr uint16_t kDefaultSipPort = 5060;
constexpr int64_t kDefaultRtpMin = 20000;
constexpr int64_t kDefaultRtpMax = 29999;
constexpr int64_t kMinRtpPort = 1024;
constexpr size_t kMaxInstanceName = 32;
constexpr size_t kMaxSocketPath = sizeof(sockaddr_un::sun_path) - 1;

bool instance_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

bool port_name_char(char c) {
    return instance_char(c) || c == '.' || c == ':';
}

// Copies a string checked to fit into a NUL-terminated fixed buffer.
template <size_t N>
void copy_c_string(char (&dst)[N], const std::string& src) {
    std::memcpy(dst, src.data(), src.size());
    dst[src.size()] = '\0';
}

void load_instance(const Section& s, Config& c) {
    c.instance = "default";
    if (const Value* v = s.find("name")) {
        const std::string& name = detail::as_string(*v, s.key("name"));
        bool ok = !name.empty() && name.size() <= kMaxInstanceName;
        for (char ch : name) ok = ok && instance_char(ch);
        if (!ok)
            fail(*v, s.key("name"),
                 "must be 1 to 32 characters from [a-zA-Z0-9_-], got " + quote(name));
        c.instance = name;
    }
    c.state_dir = "/var/lib/sipwire";
    if (const Value* v = s.find("state_dir")) {
        const std::string& dir = detail::as_string(*v, s.key("state_dir"));
        if (dir.empty()) fail(*v, s.key("state_dir"), "must not be empty");
        if (dir.find('\0') != std::string::npos)
            fail(*v, s.key("state_dir"), "must not contain a NUL character");
        if (dir.size() > 1024)
            fail(*v, s.key("state_dir"),
                 "is " + std::to_string(dir.size()) + " bytes long, at most 1024 are allowed");
        c.state_dir = dir;
    }
    c.log_level = "info";
    if (const Value* v = s.find("log_level")) {
        const std::string& level = detail::as_string(*v, s.key("log_level"));
        if (level != "debug" && level != "info" && level != "warning" && level != "error")
            fail(*v, s.key("log_level"),
                 "must be one of \"debug\", \"info\", \"warning\", \"error\"; got " + quote(level));
        c.log_level = level;
    }
}

void load_dataplane(const Section& s, Config& c) {
    const std::string args_key = s.key("eal_args");
    const Value& args_value = s.require("eal_args");
    const auto& args = detail::as_array(args_value, args_key);
    // sipwire-dp reads an empty list as "no configuration published yet".
    if (args.empty())
        fail(args_value, args_key,
             "at least one EAL argument is required (e.g. \"--no-huge\" for a test set-up)");
    if (args.size() > kMaxEalArgs - 1)
        fail(args[kMaxEalArgs - 1], args_key,
             std::to_string(args.size()) + " arguments, at most " +
                 std::to_string(kMaxEalArgs - 1) + " are supported");
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string key = index_key(args_key, i);
        const std::string& arg = detail::as_string(args[i], key);
        if (arg.empty()) fail(args[i], key, "must not be empty");
        if (arg.find('\0') != std::string::npos)
            fail(args[i], key, "must not contain a NUL character");
        if (arg.size() > kEalArgLen - 1)
            fail(args[i], key,
                 "is " + std::to_string(arg.size()) + " characters long, at most " +
                     std::to_string(kEalArgLen - 1) + " are allowed");
        copy_c_string(c.boot.eal_args[i], arg);
    }
    c.boot.eal_arg_count = static_cast<uint32_t>(args.size());

    c.dataplane.idle_sleep_us = static_cast<uint32_t>(
        s.integer("idle_sleep_us", 0, kMaxIdleSleepUs).value_or(kDefaultIdleSleepUs));
    c.dataplane.burst_size =
        static_cast<uint32_t>(s.integer("burst_size", 1, kMaxBurst).value_or(kDefaultBurst));

    for (const char* name : {"rx_descriptors", "tx_descriptors"}) {
        int64_t n = kDefaultDescriptors;
        if (const Value* v = s.find(name)) {
            n = detail::as_integer(*v, s.key(name), INT64_MIN, INT64_MAX);
            if (n < kMinDescriptors || n > kMaxDescriptors || (n & (n - 1)) != 0)
                fail(*v, s.key(name),
                     "must be a power of two from " + std::to_string(kMinDescriptors) + " to " +
                         std::to_string(kMaxDescriptors) + ", got " + std::to_string(n));
        }
        (name[0] == 'r' ? c.boot.rx_descriptors : c.boot.tx_descriptors) = static_cast<uint16_t>(n);
    }
    c.boot.mbufs_per_port = static_cast<uint32_t>(
        s.integer("mbufs_per_port", kMinMbufs, kMaxMbufs).value_or(kDefaultMbufs));
}

// An array of tables at `key`, or empty when absent; errors on any other shape.
const Value::array_type* table_array(const Value* v, const std::string& key,
                                     const char* example) {
    if (!v) return nullptr;
    if (!v->is_array())
        fail(*v, key,
             std::string("expected an array of tables (") + example + "), got " +
                 detail::type_name(v->type()));
    const auto& entries = v->as_array();
    for (size_t i = 0; i < entries.size(); ++i)
        if (!entries[i].is_table())
            fail(entries[i], index_key(key, i),
                 std::string("expected a table, got ") + detail::type_name(entries[i].type()));
    return &entries;
}

void load_static_neighbours(const Section& port, const detail::Ipv4Interface& itf,
                            uint16_t port_index, PortSettings& settings, Config& c) {
    const std::string key = port.key("static_neighbours");
    const auto* entries = table_array(port.find("static_neighbours"), key,
                                      "[{ address = \"198.51.100.10\", mac = \"02:00:00:00:00:10\" }]");
    if (!entries) return;
    const uint32_t first = c.dataplane.static_neighbour_count;
    for (size_t i = 0; i < entries->size(); ++i) {
        const Section s(&(*entries)[i], index_key(key, i));
        s.reject_unknown({"address", "mac"});
        if (c.dataplane.static_neighbour_count >= kMaxStaticNeighbours)
            fail((*entries)[i], s.path(),
                 "more than " + std::to_string(kMaxStaticNeighbours) +
                     " static neighbours (all ports together)");
        StaticNeighbourSettings n;
        const Value& address_value = s.require("address");
        n.address = detail::as_string(address_value, s.key("address"));
        const auto address = detail::parse_ipv4(n.address);
        if (!address)
            fail(address_value, s.key("address"), quote(n.address) + " is not an IPv4 address");
        if (std::string why = detail::check_gateway(itf, *address); !why.empty())
            fail(address_value, s.key("address"), why);
        for (uint32_t j = first; j < c.dataplane.static_neighbour_count; ++j)
            if (c.dataplane.static_neighbours[j].ipv4 == htonl(*address))
                fail(address_value, s.key("address"),
                     "duplicate static neighbour " + detail::format_ipv4(*address));
        const Value& mac_value = s.require("mac");
        n.mac = detail::as_string(mac_value, s.key("mac"));
        StaticNeighbour& out = c.dataplane.static_neighbours[c.dataplane.static_neighbour_count];
        if (std::string why = detail::parse_mac(n.mac, out.mac); !why.empty())
            fail(mac_value, s.key("mac"), why);
        out.ipv4 = htonl(*address);
        out.port_index = port_index;
        ++c.dataplane.static_neighbour_count;
        settings.static_neighbours.push_back(std::move(n));
    }
}

void load_ports(const Section& root, Config& c) {
    const Value* v = root.find("port");
    if (!v) fail(1, "port", "missing required [[port]] table (at least one port)");
    if (!v->is_array())
        fail(*v, "port",
             std::string("expected an array of tables ([[port]]), got ") +
                 detail::type_name(v->type()));
    const auto& entries = v->as_array();
    if (entries.empty()) fail(*v, "port", "at least one [[port]] is required");
    if (entries.size() > kMaxPorts)
        fail(entries[kMaxPorts], "port",
             std::to_string(entries.size()) + " ports, at most " + std::to_string(kMaxPorts) +
                 " are supported");

    for (size_t i = 0; i < entries.size(); ++i) {
        const std::string path = index_key("port", i);
        if (!entries[i].is_table())
            fail(entries[i], path,
                 std::string("expected a table, got ") + detail::type_name(entries[i].type()));
        const Section s(&entries[i], path);
        s.reject_unknown({"name", "address", "gateway", "static_neighbours"});

        PortSettings settings;
        const Value& name_value = s.require("name");
        settings.name = detail::as_string(name_value, s.key("name"));
        bool ok = !settings.name.empty() && settings.name.size() < kNameLen;
        for (char ch : settings.name) ok = ok && port_name_char(ch);
        if (!ok)
            fail(name_value, s.key("name"),
                 "must be a DPDK device name or PCI address of 1 to " +
                     std::to_string(kNameLen - 1) + " characters from [a-zA-Z0-9_.:-], got " +
                     quote(settings.name));
        for (size_t j = 0; j < i; ++j)
            if (c.ports[j].name == settings.name)
                fail(name_value, s.key("name"),
                     "duplicate port name " + quote(settings.name) + " (also port[" +
                         std::to_string(j) + "])");

        const Value& address_value = s.require("address");
        settings.address = detail::as_string(address_value, s.key("address"));
        detail::Ipv4Interface itf{};
        if (std::string why = detail::parse_ipv4_interface(settings.address, itf); !why.empty())
            fail(address_value, s.key("address"), why);
        for (size_t j = 0; j < i; ++j)
            if (ntohl(c.dataplane.ports[j].ipv4) == itf.address)
                fail(address_value, s.key("address"),
                     detail::format_ipv4(itf.address) + " is already the address of port[" +
                         std::to_string(j) + "]");

        uint32_t gateway = 0;
        if (const Value* g = s.find("gateway")) {
            settings.gateway = detail::as_string(*g, s.key("gateway"));
            if (!settings.gateway.empty()) {
                const auto parsed = detail::parse_ipv4(settings.gateway);
                if (!parsed)
                    fail(*g, s.key("gateway"), quote(settings.gateway) + " is not an IPv4 address");
                if (std::string why = detail::check_gateway(itf, *parsed); !why.empty())
                    fail(*g, s.key("gateway"), why);
                gateway = *parsed;
            }
        }

        load_static_neighbours(s, itf, uint16_t(i), settings, c);

        copy_c_string(c.boot.port_names[i], settings.name);
        PortConfig& pc = c.dataplane.ports[i];
        pc.ipv4 = htonl(itf.address);
        pc.prefix_len = itf.prefix_len;
        pc.gateway_ipv4 = htonl(gateway);
        c.ports.push_back(std::move(settings));
    }
    c.boot.port_count = static_cast<uint32_t>(entries.size());
    c.dataplane.port_count = static_cast<uint32_t>(entries.size());
}

// Also returns where each SIP port was written, for the overlap check.
std::vector<const Value*> load_sip(const Section& s, Config& c) {
    c.dataplane.sip.record_route = 1;
    if (const Value* rr = s.find("record_route"))
        c.dataplane.sip.record_route = as_boolean(*rr, s.key("record_route")) ? 1 : 0;
    std::vector<const Value*> where;
    const Value* v = s.find("ports");
    if (!v) {
        c.dataplane.sip_ports[0] = kDefaultSipPort;
        where.push_back(nullptr);
        return where;
    }
    const std::string key = s.key("ports");
    const auto& ports = detail::as_array(*v, key);
    if (ports.empty()) fail(*v, key, "at least one SIP port is required");
    if (ports.size() > kMaxSipPorts)
        fail(ports[kMaxSipPorts], key,
             std::to_string(ports.size()) + " ports, at most " + std::to_string(kMaxSipPorts) +
                 " are supported");
    for (size_t i = 0; i < ports.size(); ++i) {
        const auto port =
            static_cast<uint16_t>(detail::as_integer(ports[i], index_key(key, i), 1, 65535));
        for (size_t j = 0; j < i; ++j)
            if (c.dataplane.sip_ports[j] == port)
                fail(ports[i], index_key(key, i),
                     "duplicate SIP port " + std::to_string(port) + " (also " + index_key(key, j) +
                         ")");
        c.dataplane.sip_ports[i] = port;
        where.push_back(&ports[i]);
    }
    return where;
}

void load_rtp(const Section& s, Config& c, const std::vector<const Value*>& sip_where) {
    const Value* min_v = s.find("port_min");
    const Value* max_v = s.find("port_max");
    if ((min_v == nullptr) != (max_v == nullptr))
        fail(min_v ? *min_v : *max_v, s.key(min_v ? "port_max" : "port_min"),
             "missing: rtp.port_min and rtp.port_max must be set together");
    int64_t lo = kDefaultRtpMin, hi = kDefaultRtpMax;
    if (min_v) {
        lo = detail::as_integer(*min_v, s.key("port_min"), kMinRtpPort, 65535);
        hi = detail::as_integer(*max_v, s.key("port_max"), kMinRtpPort, 65535);
        if (lo % 2 != 0)
            fail(*min_v, s.key("port_min"),
                 "must be even (RTP takes even ports, RTCP the odd port above), got " +
                     std::to_string(lo));
        if (hi <= lo)
            fail(*max_v, s.key("port_max"),
                 "must be greater than rtp.port_min (" + std::to_string(lo) + "), got " +
                     std::to_string(hi));
    }
    for (size_t i = 0; i < kMaxSipPorts; ++i) {
        const uint16_t p = c.dataplane.sip_ports[i];
        if (p == 0 || p < lo || p > hi) continue;
        const std::string range = std::to_string(lo) + "-" + std::to_string(hi);
        if (min_v)
            fail(*min_v, s.key("port_min"),
                 "RTP range " + range + " overlaps SIP port " + std::to_string(p));
        const Value* at = i < sip_where.size() ? sip_where[i] : nullptr;
        fail(at ? detail::line_of(*at) : 1, at ? index_key("sip.ports", i) : "sip.ports",
             "SIP port " + std::to_string(p) + " overlaps the default RTP range " + range +
                 " (set rtp.port_min and rtp.port_max)");
    }
    c.dataplane.rtp_port_min = static_cast<uint16_t>(lo);
    c.dataplane.rtp_port_max = static_cast<uint16_t>(hi);
}

std::string format_number(double x) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", x);
    return buf;
}

// cps: an integer or a float (the one key where 12.5 is meaningful), stored x1000.
uint64_t cps_value(const Value& v, const std::string& key) {
    double x = 0;
    if (v.is_integer()) x = double(v.as_integer());
    else if (v.is_floating()) x = v.as_floating();
    else
        fail(v, key, std::string("expected a number, got ") + detail::type_name(v.type()));
    uint64_t milli = 0;
    if (std::string why = parse_cps(x, milli); !why.empty()) fail(v, key, why);
    return milli;
}

// The cps, burst and channels keys of a [limits], [[destination_set]] or
// [[source_limit]] table.
void load_scope_limit(const Section& s, ScopeLimitSettings& out) {
    if (const Value* v = s.find("cps")) out.cps_milli = cps_value(*v, s.key("cps"));
    out.burst = static_cast<uint32_t>(s.integer("burst", 1, kMaxLimitBurst).value_or(0));
    out.channels = static_cast<uint32_t>(s.integer("channels", 0, kMaxChannels).value_or(0));
}

void load_limits(const Section& s, Config& c) {
    LimitsSettings& l = c.limits;
    ScopeLimitSettings server;
    server.scope = "server";
    server.index = kServerScope;
    load_scope_limit(s, server);
    l.scopes.push_back(std::move(server));
    l.retry_after_s =
        static_cast<uint32_t>(s.integer("retry_after_s", 0, 3600).value_or(l.retry_after_s));
    l.reservation_timeout_ms = static_cast<uint32_t>(
        s.integer("reservation_timeout_ms", 1000, 3600000).value_or(l.reservation_timeout_ms));
    l.max_call_duration_s = static_cast<uint32_t>(
        s.integer("max_call_duration_s", 60, 604800).value_or(l.max_call_duration_s));
    if (const Value* v = s.find("node_share")) {
        double x = 0;
        if (v->is_integer()) x = double(v->as_integer());
        else if (v->is_floating()) x = v->as_floating();
        else
            fail(*v, s.key("node_share"),
                 std::string("expected a number, got ") + detail::type_name(v->type()));
        if (std::string why = check_node_share(x); !why.empty()) fail(*v, s.key("node_share"), why);
        l.node_share = x;
    }
}

void load_capacity_failover(const Section& s, Config& c) {
    const Value* v = s.find("address");
    if (!v) return;
    const std::string key = s.key("address");
    const std::string& text = detail::as_string(*v, key);
    LimitsSettings& l = c.limits;
    if (std::string why = detail::parse_host_port(text, kDefaultSipPort, l.failover_ipv4,
                                                  l.failover_port);
        !why.empty())
        fail(*v, key, why);
    for (uint32_t p = 0; p < c.dataplane.port_count; ++p)
        for (uint16_t sip : c.dataplane.sip_ports)
            if (sip != 0 && c.dataplane.ports[p].ipv4 == htonl(l.failover_ipv4) &&
                sip == l.failover_port)
                fail(*v, key,
                     detail::format_ipv4(l.failover_ipv4) + ":" + std::to_string(sip) +
                         " is this node's own SIP address (port[" + std::to_string(p) +
                         "]): calls would loop");
    l.failover = detail::format_ipv4(l.failover_ipv4) + ":" + std::to_string(l.failover_port);
}

// "A.B.C.D/N" (N 1..32) or "A.B.C.D" (/32), host bits zero.
void parse_prefix(const Value& v, const std::string& key, SourceLimitSettings& out) {
    const std::string& text = detail::as_string(v, key);
    const size_t slash = text.find('/');
    const auto address = detail::parse_ipv4(std::string_view(text).substr(0, slash));
    if (!address)
        fail(v, key, quote(text) + " is not an IPv4 prefix (\"192.0.2.0/28\" or \"192.0.2.7\")");
    uint32_t len = 32;
    if (slash != std::string::npos) {
        const std::string digits = text.substr(slash + 1);
        const bool ok = !digits.empty() && digits.size() <= 2 &&
                        digits.find_first_not_of("0123456789") == std::string::npos &&
                        !(digits.size() > 1 && digits[0] == '0');
        len = ok ? uint32_t(std::stoul(digits)) : 0;
        if (!ok || len < 1 || len > 32)
            fail(v, key, "prefix length of " + quote(text) + " must be from 1 to 32");
    }
    const uint32_t mask = detail::prefix_mask(len);
    if ((*address & ~mask) != 0)
        fail(v, key,
             quote(text) + " has host bits set; did you mean " +
                 detail::format_ipv4(*address & mask) + "/" + std::to_string(len) + "?");
    out.ipv4 = *address;
    out.prefix_len = static_cast<uint8_t>(len);
    out.prefix = detail::format_ipv4(*address) + "/" + std::to_string(len);
}

void load_source_limits(const Section& root, Config& c) {
    const auto* entries = table_array(root.find("source_limit"), "source_limit", "[[source_limit]]");
    if (!entries) return;
    if (entries->size() > kMaxSourceLimits)
        fail((*entries)[kMaxSourceLimits], index_key("source_limit", kMaxSourceLimits),
             std::to_string(entries->size()) + " source limits, at most " +
                 std::to_string(kMaxSourceLimits) + " are supported");
    for (size_t i = 0; i < entries->size(); ++i) {
        const Section s(&(*entries)[i], index_key("source_limit", i));
        s.reject_unknown({"name", "prefix", "cps", "burst", "channels"});
        SourceLimitSettings src;
        const Value& name_value = s.require("name");
        src.name = detail::as_string(name_value, s.key("name"));
        bool ok = !src.name.empty() && src.name.size() <= 32;
        for (char ch : src.name) ok = ok && instance_char(ch);
        if (!ok)
            fail(name_value, s.key("name"),
                 "must be 1 to 32 characters from [A-Za-z0-9_-], got " + quote(src.name));
        for (size_t j = 0; j < c.limits.sources.size(); ++j)
            if (c.limits.sources[j].name == src.name)
                fail(name_value, s.key("name"),
                     "duplicate source limit name " + quote(src.name) + " (also " +
                         index_key("source_limit", j) + ")");
        const Value& prefix_value = s.require("prefix");
        parse_prefix(prefix_value, s.key("prefix"), src);
        for (size_t j = 0; j < c.limits.sources.size(); ++j)
            if (c.limits.sources[j].ipv4 == src.ipv4 &&
                c.limits.sources[j].prefix_len == src.prefix_len)
                fail(prefix_value, s.key("prefix"),
                     "duplicate prefix " + src.prefix + " (also " + index_key("source_limit", j) +
                         ")");
        ScopeLimitSettings scope;
        scope.scope = "source:" + src.name;
        scope.index = kFirstSourceScope + uint32_t(i);
        load_scope_limit(s, scope);
        c.limits.scopes.push_back(std::move(scope));
        c.limits.sources.push_back(std::move(src));
    }
}

bool set_name_char(char c) { return instance_char(c); }

void load_destination_sets(const Section& root, Config& c) {
    c.dataplane.sip.dispatch_set = kNoDestination;
    const auto* sets = table_array(root.find("destination_set"), "destination_set",
                                   "[[destination_set]]");
    if (!sets) return;
    if (sets->size() > kMaxDestinationSets)
        fail((*sets)[kMaxDestinationSets], index_key("destination_set", kMaxDestinationSets),
             std::to_string(sets->size()) + " destination sets, at most " +
                 std::to_string(kMaxDestinationSets) + " are supported");
    uint32_t total = 0;
    for (size_t i = 0; i < sets->size(); ++i) {
        const Section s(&(*sets)[i], index_key("destination_set", i));
        s.reject_unknown({"name", "destinations", "cps", "burst", "channels"});
        DestinationSetSettings set;
        const Value& name_value = s.require("name");
        set.name = detail::as_string(name_value, s.key("name"));
        bool ok = !set.name.empty() && set.name.size() <= 32;
        for (char ch : set.name) ok = ok && set_name_char(ch);
        if (!ok)
            fail(name_value, s.key("name"),
                 "must be 1 to 32 characters from [A-Za-z0-9_-], got " + quote(set.name));
        for (size_t j = 0; j < i; ++j)
            if (c.destination_sets[j].name == set.name)
                fail(name_value, s.key("name"),
                     "duplicate destination set name " + quote(set.name) + " (also " +
                         index_key("destination_set", j) + ")");

        const std::string dkey = s.key("destinations");
        const Value& list_value = s.require("destinations");
        const auto* list = table_array(&list_value, dkey,
                                       "[{ address = \"192.0.2.10:5060\", weight = 1 }]");
        if (list->empty()) fail(list_value, dkey, "at least one destination is required");
        set.first = static_cast<uint16_t>(total);
        for (size_t j = 0; j < list->size(); ++j) {
            const Section d(&(*list)[j], index_key(dkey, j));
            d.reject_unknown({"address", "weight"});
            if (total >= kMaxDestinations)
                fail((*list)[j], d.path(),
                     "more than " + std::to_string(kMaxDestinations) +
                         " destinations (all sets together)");
            DestinationSettings dest;
            const Value& address_value = d.require("address");
            const std::string& text = detail::as_string(address_value, d.key("address"));
            if (std::string why =
                    detail::parse_host_port(text, kDefaultSipPort, dest.ipv4, dest.port);
                !why.empty())
                fail(address_value, d.key("address"), why);
            dest.address = detail::format_ipv4(dest.ipv4) + ":" + std::to_string(dest.port);
            for (size_t k = 0; k < set.destinations.size(); ++k)
                if (set.destinations[k].ipv4 == dest.ipv4 && set.destinations[k].port == dest.port)
                    fail(address_value, d.key("address"),
                         "duplicate destination " + dest.address + " (also " +
                             index_key(dkey, k) + ")");
            dest.weight = static_cast<uint16_t>(d.integer("weight", 1, 100).value_or(1));

            DestinationConfig& out = c.dataplane.destinations[total];
            out.ipv4 = htonl(dest.ipv4);
            out.port = htons(dest.port);
            out.registry_slot = kNoDestination;  // assigned when published
            out.weight = dest.weight;
            out.healthy = 1;
            set.destinations.push_back(std::move(dest));
            ++total;
        }
        ScopeLimitSettings scope;
        scope.scope = "set:" + set.name;
        scope.index = kFirstSetScope + uint32_t(i);
        load_scope_limit(s, scope);
        c.limits.scopes.push_back(std::move(scope));

        DestinationSetConfig& out = c.dataplane.destination_sets[i];
        out.first = set.first;
        out.count = static_cast<uint16_t>(set.destinations.size());
        out.healthy_count = out.count;
        for (uint16_t& e : out.table) e = kNoDestination;  // built when published
        c.destination_sets.push_back(std::move(set));
    }
    c.dataplane.destination_count = total;
    c.dataplane.destination_set_count = static_cast<uint32_t>(sets->size());
}

void load_dispatcher(const Section& s, Config& c) {
    DispatcherSettings& d = c.dispatcher;
    if (const Value* v = s.find("set")) {
        d.set = detail::as_string(*v, s.key("set"));
        size_t index = c.destination_sets.size();
        for (size_t i = 0; i < c.destination_sets.size(); ++i)
            if (c.destination_sets[i].name == d.set) index = i;
        if (index == c.destination_sets.size()) {
            std::string known;
            for (const auto& set : c.destination_sets)
                known += (known.empty() ? "" : ", ") + quote(set.name);
            fail(*v, s.key("set"),
                 "no [[destination_set]] is named " + quote(d.set) +
                     (known.empty() ? std::string(" (none is configured)")
                                    : " (configured: " + known + ")"));
        }
        c.dataplane.sip.dispatch_set = static_cast<uint16_t>(index);
    }
    if (const Value* v = s.find("probe_interval_ms")) {
        const int64_t n = detail::as_integer(*v, s.key("probe_interval_ms"), 0, 60000);
        if (n != 0 && n < 100)
            fail(*v, s.key("probe_interval_ms"),
                 "must be 0 (probing disabled) or from 100 to 60000, got " + std::to_string(n));
        d.probe_interval_ms = static_cast<uint32_t>(n);
    }
    if (const Value* v = s.find("down_after_ms")) {
        d.down_after_ms =
            static_cast<uint32_t>(detail::as_integer(*v, s.key("down_after_ms"), 100, 3600000));
        if (d.probe_interval_ms != 0 && d.down_after_ms < d.probe_interval_ms)
            fail(*v, s.key("down_after_ms"),
                 "must be at least dispatcher.probe_interval_ms (" +
                     std::to_string(d.probe_interval_ms) + "), got " +
                     std::to_string(d.down_after_ms));
    } else if (d.probe_interval_ms != 0 && d.down_after_ms < d.probe_interval_ms) {
        d.down_after_ms = 3 * d.probe_interval_ms;  // default: three probes
    }
    if (const Value* v = s.find("probe_from_port")) {
        const int64_t n = detail::as_integer(*v, s.key("probe_from_port"), 0, kMaxPorts - 1);
        if (n >= int64_t(c.ports.size()))
            fail(*v, s.key("probe_from_port"),
                 "there is no port[" + std::to_string(n) + "]: " + std::to_string(c.ports.size()) +
                     " [[port]] table(s) configured");
        d.probe_from_port = static_cast<uint32_t>(n);
    }
}

void load_metrics(const Section& s, Config& c) {
    c.metrics_listen = "127.0.0.1:9091";
    if (const Value* v = s.find("listen")) {
        const std::string& listen = detail::as_string(*v, s.key("listen"));
        if (!listen.empty())
            if (std::string why = detail::check_listen_address(listen); !why.empty())
                fail(*v, s.key("listen"), why);
        c.metrics_listen = listen;
    }
}

void load_control(const Section& s, Config& c) {
    c.control_socket = "/run/sipwire/" + c.instance + ".sock";
    if (const Value* v = s.find("socket")) {
        const std::string& path = detail::as_string(*v, s.key("socket"));
        if (path.empty()) fail(*v, s.key("socket"), "must not be empty");
        if (path.find('\0') != std::string::npos)
            fail(*v, s.key("socket"), "must not contain a NUL character");
        if (path.size() > kMaxSocketPath)
            fail(*v, s.key("socket"),
                 "is " + std::to_string(path.size()) + " bytes long, a unix socket path allows " +
                     std::to_string(kMaxSocketPath));
        if (path.back() == '/') fail(*v, s.key("socket"), "must name a file, not a directory");
        c.control_socket = path;
    }
}

Config build(const Value& root, const std::string& source_name) {
    Config c{};
    c.source_path = source_name;
    c.boot = BootConfig{};
    c.dataplane = DataplaneConfig{};

    // Unknown keys first, everywhere: a misspelt key must be reported as such,
    // not as the "missing required key" it causes.
    const Section top(&root, "");
    top.reject_unknown({"instance", "dataplane", "port", "sip", "rtp", "metrics", "control",
                        "dispatcher", "destination_set", "limits", "capacity_failover",
                        "source_limit", "registrar", "nat_keepalive"});
    const Section instance = top.table("instance");
    const Section dataplane = top.table("dataplane");
    const Section sip = top.table("sip");
    const Section rtp = top.table("rtp");
    const Section metrics = top.table("metrics");
    const Section control = top.table("control");
    const Section dispatcher = top.table("dispatcher");
    const Section limits = top.table("limits");
    const Section failover = top.table("capacity_failover");
    instance.reject_unknown({"name", "log_level", "state_dir"});
    limits.reject_unknown({"cps", "burst", "channels", "retry_after_s", "reservation_timeout_ms",
                           "max_call_duration_s", "node_share"});
    failover.reject_unknown({"address"});
    dataplane.reject_unknown({"eal_args", "idle_sleep_us", "burst_size", "rx_descriptors",
                              "tx_descriptors", "mbufs_per_port"});
    sip.reject_unknown({"ports", "record_route"});
    dispatcher.reject_unknown({"set", "probe_interval_ms", "down_after_ms", "probe_from_port"});
    rtp.reject_unknown({"port_min", "port_max", "relay", "inactivity_timeout_s", "offer_timeout_s",
                        "relatch_after_ms", "zone", "aliases"});
    metrics.reject_unknown({"listen"});
    control.reject_unknown({"socket"});

    load_instance(instance, c);
    load_dataplane(dataplane, c);
    load_ports(top, c);
    const auto sip_where = load_sip(sip, c);
    load_rtp(rtp, c, sip_where);
    load_metrics(metrics, c);
    load_control(control, c);
    load_limits(limits, c);  // the server scope comes first
    load_destination_sets(top, c);
    load_dispatcher(dispatcher, c);
    load_source_limits(top, c);
    load_capacity_failover(failover, c);
    c.dataplane.limits = build_call_limits(c.limits);
    load_registrar(top.table("registrar"), c);
    load_keepalive(top.table("nat_keepalive"), c);
    load_media(rtp, c);
    return c;
}

// toml11 reports syntax errors as a multi-line drawing:
//   [error] toml::parse_key_value_pair: missing value after key-value separator '='
//    --> file
//      |
//    3 | y =
//      |     ^--- expected value, but got nothing
// Keep the message, the annotation of the offending line and its number.
std::string format_syntax_error(const std::string& source_name, const toml::exception& e) {
    std::istringstream in(e.what());
    std::string line;
    std::string message;
    std::getline(in, message);
    if (message.rfind("[error] ", 0) == 0) message.erase(0, 8);
    // Drop the name of the toml11 function that failed ("toml::parse_date: ").
    const size_t colon = message.find(": ");
    if (colon != std::string::npos) {
        const std::string head = message.substr(0, colon);
        const bool identifier =
            head.find_first_not_of("abcdefghijklmnopqrstuvwxyz_:") == std::string::npos;
        if (identifier &&
            (head.find('_') != std::string::npos || head.find("::") != std::string::npos))
            message.erase(0, colon + 2);
    }
    while (!message.empty() && message.back() == ' ') message.pop_back();

    const uint32_t reported = e.location().line();
    uint32_t chosen = 0;
    std::string chosen_note;
    uint32_t current = 0;
    while (std::getline(in, line)) {
        const size_t bar = line.find(" | ");
        if (bar == std::string::npos && line.find(" |") == std::string::npos) continue;
        const std::string head = line.substr(0, line.find('|'));
        const size_t digits = head.find_first_of("0123456789");
        if (digits != std::string::npos) {
            current = static_cast<uint32_t>(std::strtoul(head.c_str() + digits, nullptr, 10));
            continue;
        }
        // An annotation under line `current`: markers (^, ~, -) then the note.
        if (current == 0) continue;
        std::string note = line.substr(line.find('|') + 1);
        const size_t start = note.find_first_not_of(" ^~-");
        note = start == std::string::npos ? "" : note.substr(start);
        if (chosen != reported) {
            chosen = current;
            chosen_note = note;
        }
        current = 0;
    }
    if (chosen == 0) chosen = reported == 0 ? 1 : reported;
    if (!chosen_note.empty() && chosen_note != "here") message += " (" + chosen_note + ")";
    return source_name + ":" + std::to_string(chosen) + ": syntax: " + message;
}

}  // namespace

const ScopeLimitSettings* LimitsSettings::find(const std::string& scope) const {
    for (const ScopeLimitSettings& s : scopes)
        if (s.scope == scope) return &s;
    return nullptr;
}

ScopeLimitSettings* LimitsSettings::find(const std::string& scope) {
    for (ScopeLimitSettings& s : scopes)
        if (s.scope == scope) return &s;
    return nullptr;
}

std::string parse_cps(double cps, uint64_t& cps_milli) {
    if (!std::isfinite(cps) || cps < 0 || cps > double(kMaxCpsMilli) / 1000)
        return "must be from 0 (unlimited) to " + std::to_string(kMaxCpsMilli / 1000) + ", got " +
               format_number(cps);
    const auto milli = static_cast<uint64_t>(std::llround(cps * 1000));
    if (cps > 0 && milli == 0)
        return "must be 0 (unlimited) or at least 0.001, got " + format_number(cps);
    cps_milli = milli;
    return {};
}

std::string check_node_share(double share) {
    if (!std::isfinite(share) || share <= 0 || share > 1)
        return "must be greater than 0 and at most 1, got " + format_number(share);
    return {};
}

uint32_t node_cps_milli(uint64_t cps_milli, double node_share) {
    if (cps_milli == 0) return 0;
    const double x = std::round(double(cps_milli) * node_share);
    if (x < 1) return 1;  // still limited, never "unlimited" by rounding
    return x > double(kMaxCpsMilli) ? uint32_t(kMaxCpsMilli) : static_cast<uint32_t>(x);
}

uint32_t effective_burst(const ScopeLimitSettings& s, double node_share) {
    if (s.burst != 0) return s.burst;
    return std::max<uint32_t>(1, node_cps_milli(s.cps_milli, node_share) / 10000);
}

CallLimitsConfig build_call_limits(const LimitsSettings& l) {
    CallLimitsConfig out{};
    for (const ScopeLimitSettings& s : l.scopes) {
        if (s.index >= kLimitScopes) continue;
        ScopeLimit& o = out.scopes[s.index];
        o.cps_milli = node_cps_milli(s.cps_milli, l.node_share);
        o.burst = effective_burst(s, l.node_share);
        o.channels = s.channels;
        o.active = 1;
    }
    out.source_count = static_cast<uint32_t>(std::min<size_t>(l.sources.size(), kMaxSourceLimits));
    for (uint32_t i = 0; i < out.source_count; ++i) {
        out.sources[i].ipv4 = htonl(l.sources[i].ipv4);
        out.sources[i].netmask = htonl(detail::prefix_mask(l.sources[i].prefix_len));
    }
    out.retry_after_s = l.retry_after_s;
    out.failover_ipv4 = l.failover.empty() ? 0 : htonl(l.failover_ipv4);
    out.failover_port = l.failover.empty() ? 0 : htons(l.failover_port);
    out.reservation_timeout_ms = l.reservation_timeout_ms;
    out.max_call_duration_s = l.max_call_duration_s;
    return out;
}

LoadResult parse_config(std::string_view toml_text, const std::string& source_name) {
    LoadResult result;
    try {
        Value root;
        try {
            std::istringstream in{std::string(toml_text)};
            root = toml::parse<toml::discard_comments, std::map, std::vector>(in, source_name);
        } catch (const toml::exception& e) {
            result.error = detail::one_line(format_syntax_error(source_name, e));
            return result;
        }
        result.config = build(root, source_name);
    } catch (const detail::ConfigError& e) {
        result.config.reset();
        result.error = detail::one_line(source_name + ":" + std::to_string(e.line) + ": " + e.key +
                                        ": " + e.message);
    } catch (const std::exception& e) {
        result.config.reset();
        result.error = detail::one_line(source_name + ":1: config: internal error: " + e.what());
    } catch (...) {
        result.config.reset();
        result.error = source_name + ":1: config: internal error";
    }
    return result;
}

LoadResult load_config_file(const std::string& path) {
    LoadResult result;
    try {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (!f) {
            result.error = path + ": cannot read: " + std::strerror(errno);
            return result;
        }
        std::string text;
        char buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
        const bool failed = std::ferror(f) != 0;
        const int err = errno;
        std::fclose(f);
        if (failed) {
            result.error = path + ": cannot read: " + std::strerror(err);
            return result;
        }
        return parse_config(text, path);
    } catch (const std::exception& e) {
        result.config.reset();
        result.error = path + ": cannot read: " + e.what();
        return result;
    }
}

}  // namespace sipwire::config
