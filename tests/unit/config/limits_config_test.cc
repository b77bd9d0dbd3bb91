// [limits], [capacity_failover], the limit keys of [[destination_set]],
// [[source_limit]] and instance.state_dir.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"

namespace sipwire::config {
namespace {

constexpr const char* kSource = "test.toml";

// Lines 1-6; what is appended starts on line 7.
constexpr const char* kBase =
    "[dataplane]\n"
    "eal_args = [\"--no-huge\"]\n"
    "[[port]]\n"
    "name = \"net_tap0\"\n"
    "address = \"192.0.2.1/24\"\n"
    "# SIP port: the default 5060\n";

constexpr const char* kSet =
    "[[destination_set]]\n"
    "name = \"switches\"\n"
    "destinations = [{ address = \"192.0.2.10\" }]\n";

Config parse_ok(const std::string& extra) {
    LoadResult r = parse_config(std::string(kBase) + extra, kSource);
    EXPECT_TRUE(r.config.has_value()) << r.error;
    return r.config ? *r.config : Config{};
}

std::string error_of(const std::string& extra) {
    return parse_config(std::string(kBase) + extra, kSource).error;
}

TEST(LimitsConfig, DefaultsAreUnlimited) {
    const Config c = parse_ok("");
    EXPECT_EQ(c.state_dir, "/var/lib/sipwire");
    ASSERT_EQ(c.limits.scopes.size(), 1u);
    EXPECT_EQ(c.limits.scopes[0].scope, "server");
    const CallLimitsConfig& l = c.dataplane.limits;
    EXPECT_EQ(l.scopes[kServerScope].active, 1u);
    EXPECT_EQ(l.scopes[kServerScope].cps_milli, 0u);
    EXPECT_EQ(l.scopes[kServerScope].channels, 0u);
    EXPECT_EQ(l.scopes[kFirstSetScope].active, 0u);
    EXPECT_EQ(l.source_count, 0u);
    EXPECT_EQ(l.retry_after_s, 5u);
    EXPECT_EQ(l.reservation_timeout_ms, 32000u);
    EXPECT_EQ(l.max_call_duration_s, 14400u);
    EXPECT_EQ(l.failover_ipv4, 0u);
    EXPECT_EQ(l.failover_port, 0u);
    EXPECT_EQ(c.limits.node_share, 1.0);
}

TEST(LimitsConfig, EveryKey) {
    const Config c = parse_ok(std::string(
        "[instance]\nstate_dir = \"/tmp/sw-state\"\n"
        "[limits]\ncps = 100\nburst = 20\nchannels = 1000\nretry_after_s = 0\n"
        "reservation_timeout_ms = 1000\nmax_call_duration_s = 60\nnode_share = 0.5\n"
        "[capacity_failover]\naddress = \"192.0.2.50\"\n") + kSet +
        "cps = 12.5\nchannels = 500\n"
        "[[destination_set]]\nname = \"spare\"\ndestinations = [{ address = \"192.0.2.11\" }]\n"
        "[[source_limit]]\nname = \"customer-a\"\nprefix = \"198.51.100.0/28\"\ncps = 10\n"
        "burst = 5\nchannels = 100\n"
        "[[source_limit]]\nname = \"one-host\"\nprefix = \"203.0.113.7\"\n");
    EXPECT_EQ(c.state_dir, "/tmp/sw-state");
    const CallLimitsConfig& l = c.dataplane.limits;
    EXPECT_EQ(l.scopes[kServerScope].cps_milli, 50000u);  // 100 x 1000 x 0.5
    EXPECT_EQ(l.scopes[kServerScope].burst, 20u);
    EXPECT_EQ(l.scopes[kServerScope].channels, 1000u);
    EXPECT_EQ(l.scopes[kFirstSetScope].active, 1u);
    EXPECT_EQ(l.scopes[kFirstSetScope].cps_milli, 6250u);
    EXPECT_EQ(l.scopes[kFirstSetScope].burst, 1u);  // default max(1, 6.25 / 10)
    EXPECT_EQ(l.scopes[kFirstSetScope].channels, 500u);
    EXPECT_EQ(l.scopes[kFirstSetScope + 1].active, 1u);  // a set without limits still counts
    EXPECT_EQ(l.scopes[kFirstSetScope + 1].cps_milli, 0u);
    EXPECT_EQ(l.scopes[kFirstSetScope + 2].active, 0u);
    EXPECT_EQ(l.source_count, 2u);
    EXPECT_EQ(l.sources[0].ipv4, htonl(0xc6336400));     // 198.51.100.0
    EXPECT_EQ(l.sources[0].netmask, htonl(0xfffffff0));  // /28
    EXPECT_EQ(l.sources[1].netmask, htonl(0xffffffff));  // bare address: /32
    EXPECT_EQ(l.scopes[kFirstSourceScope].active, 1u);
    EXPECT_EQ(l.scopes[kFirstSourceScope].cps_milli, 5000u);
    EXPECT_EQ(l.scopes[kFirstSourceScope].burst, 5u);
    EXPECT_EQ(l.scopes[kFirstSourceScope].channels, 100u);
    EXPECT_EQ(l.scopes[kFirstSourceScope + 1].active, 1u);
    EXPECT_EQ(l.retry_after_s, 0u);
    EXPECT_EQ(l.reservation_timeout_ms, 1000u);
    EXPECT_EQ(l.max_call_duration_s, 60u);
    EXPECT_EQ(l.failover_ipv4, htonl(0xc0000232));  // 192.0.2.50
    EXPECT_EQ(l.failover_port, htons(5060));
    EXPECT_EQ(c.limits.failover, "192.0.2.50:5060");
    ASSERT_EQ(c.limits.scopes.size(), 5u);
    EXPECT_EQ(c.limits.scopes[1].scope, "set:switches");
    EXPECT_EQ(c.limits.scopes[3].scope, "source:customer-a");
    EXPECT_EQ(c.limits.scopes[3].index, kFirstSourceScope);
    EXPECT_EQ(c.limits.sources[1].prefix, "203.0.113.7/32");
}

TEST(LimitsConfig, DefaultBurstIsATenthOfTheRate) {
    EXPECT_EQ(parse_ok("[limits]\ncps = 100\n").dataplane.limits.scopes[0].burst, 10u);
    EXPECT_EQ(parse_ok("[limits]\ncps = 5\n").dataplane.limits.scopes[0].burst, 1u);
    EXPECT_EQ(parse_ok("[limits]\ncps = 1000000\n").dataplane.limits.scopes[0].cps_milli,
              1'000'000'000u);
    EXPECT_EQ(parse_ok("[limits]\ncps = 0.001\nnode_share = 0.1\n").dataplane.limits.scopes[0].cps_milli,
              1u);  // never rounded down to unlimited
    EXPECT_EQ(parse_ok("[limits]\nnode_share = 1\n").limits.node_share, 1.0);
}

TEST(LimitsConfig, Errors) {
    EXPECT_EQ(error_of("[limits]\ncps = -1\n"),
              "test.toml:8: limits.cps: must be from 0 (unlimited) to 1000000, got -1");
    EXPECT_EQ(error_of("[limits]\ncps = 1000001\n"),
              "test.toml:8: limits.cps: must be from 0 (unlimited) to 1000000, got 1000001");
    EXPECT_EQ(error_of("[limits]\ncps = 0.0001\n"),
              "test.toml:8: limits.cps: must be 0 (unlimited) or at least 0.001, got 0.0001");
    EXPECT_EQ(error_of("[limits]\ncps = \"100\"\n"),
              "test.toml:8: limits.cps: expected a number, got a string");
    EXPECT_EQ(error_of("[limits]\nburst = 0\n"),
              "test.toml:8: limits.burst: must be from 1 to 1000000, got 0");
    EXPECT_EQ(error_of("[limits]\nchannels = 10000001\n"),
              "test.toml:8: limits.channels: must be from 0 to 10000000, got 10000001");
    EXPECT_EQ(error_of("[limits]\nretry_after_s = 3601\n"),
              "test.toml:8: limits.retry_after_s: must be from 0 to 3600, got 3601");
    EXPECT_EQ(error_of("[limits]\nreservation_timeout_ms = 999\n"),
              "test.toml:8: limits.reservation_timeout_ms: must be from 1000 to 3600000, got 999");
    EXPECT_EQ(error_of("[limits]\nmax_call_duration_s = 59\n"),
              "test.toml:8: limits.max_call_duration_s: must be from 60 to 604800, got 59");
    EXPECT_EQ(error_of("[limits]\nmax_call_duration_s = 604801\n"),
              "test.toml:8: limits.max_call_duration_s: must be from 60 to 604800, got 604801");
    EXPECT_EQ(error_of("[limits]\nnode_share = 0\n"),
              "test.toml:8: limits.node_share: must be greater than 0 and at most 1, got 0");
    EXPECT_EQ(error_of("[limits]\nnode_share = 1.01\n"),
              "test.toml:8: limits.node_share: must be greater than 0 and at most 1, got 1.01");
    EXPECT_EQ(error_of("[limits]\nchanels = 5\n"),
              "test.toml:8: limits.chanels: unknown key (did you mean \"channels\"?)");
    EXPECT_EQ(error_of("[instance]\nstate_dir = \"\"\n"),
              "test.toml:8: instance.state_dir: must not be empty");
}

TEST(LimitsConfig, FailoverErrors) {
    EXPECT_EQ(error_of("[capacity_failover]\naddress = \"192.0.2.1:5060\"\n"),
              "test.toml:8: capacity_failover.address: 192.0.2.1:5060 is this node's own SIP "
              "address (port[0]): calls would loop");
    EXPECT_NE(error_of("[capacity_failover]\naddress = \"not-an-ip\"\n"), "");
    EXPECT_EQ(error_of("[capacity_failover]\nadress = \"192.0.2.50\"\n"),
              "test.toml:8: capacity_failover.adress: unknown key (did you mean \"address\"?)");
    // Our own address on another port is another service: allowed.
    EXPECT_EQ(parse_ok("[capacity_failover]\naddress = \"192.0.2.1:5080\"\n").limits.failover,
              "192.0.2.1:5080");
}

TEST(LimitsConfig, DestinationSetLimitErrors) {
    EXPECT_EQ(error_of(std::string(kSet) + "channels = -1\n"),
              "test.toml:10: destination_set[0].channels: must be from 0 to 10000000, got -1");
    EXPECT_EQ(error_of(std::string(kSet) + "cps = true\n"),
              "test.toml:10: destination_set[0].cps: expected a number, got a boolean");
}

TEST(LimitsConfig, SourceLimitErrors) {
    const std::string head = "[[source_limit]]\nname = \"a\"\n";  // lines 7-8
    EXPECT_EQ(error_of("[[source_limit]]\nprefix = \"192.0.2.0/28\"\n"),
              "test.toml:7: source_limit[0].name: missing required key");
    EXPECT_EQ(error_of(head), "test.toml:7: source_limit[0].prefix: missing required key");
    EXPECT_EQ(error_of("[[source_limit]]\nname = \"a b\"\nprefix = \"192.0.2.0/28\"\n"),
              "test.toml:8: source_limit[0].name: must be 1 to 32 characters from [A-Za-z0-9_-], "
              "got \"a b\"");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.5/28\"\n"),
              "test.toml:9: source_limit[0].prefix: \"192.0.2.5/28\" has host bits set; did you "
              "mean 192.0.2.0/28?");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/33\"\n"),
              "test.toml:9: source_limit[0].prefix: prefix length of \"192.0.2.0/33\" must be from "
              "1 to 32");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/0\"\n"),
              "test.toml:9: source_limit[0].prefix: prefix length of \"192.0.2.0/0\" must be from "
              "1 to 32");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2\"\n"),
              "test.toml:9: source_limit[0].prefix: \"192.0.2\" is not an IPv4 prefix "
              "(\"192.0.2.0/28\" or \"192.0.2.7\")");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/28\"\nburst = 0\n"),
              "test.toml:10: source_limit[0].burst: must be from 1 to 1000000, got 0");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/28\"\nport = 1\n"),
              "test.toml:10: source_limit[0].port: unknown key");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/28\"\n" + head + "prefix = \"192.0.2.16/28\"\n"),
              "test.toml:11: source_limit[1].name: duplicate source limit name \"a\" (also "
              "source_limit[0])");
    EXPECT_EQ(error_of(head + "prefix = \"192.0.2.0/28\"\n[[source_limit]]\nname = \"b\"\n"
                                "prefix = \"192.0.2.0/28\"\n"),
              "test.toml:12: source_limit[1].prefix: duplicate prefix 192.0.2.0/28 (also "
              "source_limit[0])");
    std::string many;
    for (int i = 0; i <= 32; ++i)
        many += "[[source_limit]]\nname = \"s" + std::to_string(i) + "\"\nprefix = \"10.0." +
                std::to_string(i) + ".0/24\"\n";
    EXPECT_EQ(error_of(many),
              "test.toml:103: source_limit[32]: 33 source limits, at most 32 are supported");
}

}  // namespace
}  // namespace sipwire::config
