// [sip] record_route, [dispatcher], [[destination_set]] and [[port]].static_neighbours.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config.h"
#include "sipwire/limits.h"

namespace sipwire::config {
namespace {

constexpr const char* kSource = "test.toml";

// 7 lines; what is appended starts on line 8.
constexpr const char* kBase = R"(
[dataplane]
eal_args = ["--no-huge"]

[[port]]
name = "net_tap0"
address = "192.0.2.1/24"
)";

Config ok(const std::string& extra) {
    LoadResult r = parse_config(std::string(kBase) + extra, kSource);
    EXPECT_TRUE(r.config) << r.error;
    return r.config ? *r.config : Config{};
}

::testing::AssertionResult fails_at(const std::string& extra, int line, const std::string& key,
                                    const std::string& words = "") {
    LoadResult r = parse_config(std::string(kBase) + extra, kSource);
    if (r.config) return ::testing::AssertionFailure() << "configuration was accepted";
    const std::string prefix = std::string(kSource) + ":" + std::to_string(line) + ": " + key + ": ";
    if (r.error.rfind(prefix, 0) != 0)
        return ::testing::AssertionFailure() << "\"" << r.error << "\" does not start with \"" << prefix << "\"";
    if (!words.empty() && r.error.find(words) == std::string::npos)
        return ::testing::AssertionFailure() << "\"" << r.error << "\" does not say \"" << words << "\"";
    return ::testing::AssertionSuccess() << r.error;
}

TEST(DispatcherConfig, Defaults) {
    const Config c = ok("");
    EXPECT_EQ(c.dataplane.sip.record_route, 1);
    EXPECT_EQ(c.dataplane.sip.dispatch_set, kNoDestination);
    EXPECT_EQ(c.dataplane.destination_count, 0u);
    EXPECT_EQ(c.dataplane.destination_set_count, 0u);
    EXPECT_EQ(c.dataplane.static_neighbour_count, 0u);
    EXPECT_EQ(c.dispatcher.set, "");
    EXPECT_EQ(c.dispatcher.probe_interval_ms, 1000u);
    EXPECT_EQ(c.dispatcher.down_after_ms, 3000u);
    EXPECT_EQ(c.dispatcher.probe_from_port, 0u);
}

TEST(DispatcherConfig, EveryKey) {
    const Config c = ok(R"(
[[port]]
name = "net_tap1"
address = "198.51.100.1/24"
static_neighbours = [ { address = "198.51.100.10", mac = "02:00:00:00:00:10" },
                      { address = "198.51.100.11", mac = "02:AB:cd:00:00:11" } ]

[sip]
ports = [5080]
record_route = false

[dispatcher]
set = "switches"
probe_interval_ms = 500
down_after_ms = 2000
probe_from_port = 1

[[destination_set]]
name = "backup"
destinations = [ { address = "203.0.113.5" } ]

[[destination_set]]
name = "switches"
destinations = [ { address = "192.0.2.10:5060", weight = 1 }, { address = "192.0.2.11:5070", weight = 2 } ]
)");
    EXPECT_EQ(c.dataplane.sip.record_route, 0);
    EXPECT_EQ(c.dataplane.sip.dispatch_set, 1);
    EXPECT_EQ(c.dispatcher.set, "switches");
    EXPECT_EQ(c.dispatcher.probe_interval_ms, 500u);
    EXPECT_EQ(c.dispatcher.down_after_ms, 2000u);
    EXPECT_EQ(c.dispatcher.probe_from_port, 1u);

    ASSERT_EQ(c.dataplane.static_neighbour_count, 2u);
    EXPECT_EQ(c.dataplane.static_neighbours[0].ipv4, htonl(0xc633640a));
    EXPECT_EQ(c.dataplane.static_neighbours[0].port_index, 1);
    EXPECT_EQ(c.dataplane.static_neighbours[1].mac[1], 0xab);
    EXPECT_EQ(c.dataplane.static_neighbours[1].mac[2], 0xcd);
    ASSERT_EQ(c.ports[1].static_neighbours.size(), 2u);
    EXPECT_EQ(c.ports[1].static_neighbours[1].mac, "02:AB:cd:00:00:11");

    ASSERT_EQ(c.dataplane.destination_set_count, 2u);
    ASSERT_EQ(c.dataplane.destination_count, 3u);
    EXPECT_EQ(c.dataplane.destination_sets[0].first, 0);
    EXPECT_EQ(c.dataplane.destination_sets[0].count, 1);
    EXPECT_EQ(c.dataplane.destination_sets[1].first, 1);
    EXPECT_EQ(c.dataplane.destination_sets[1].count, 2);
    const DestinationConfig& d = c.dataplane.destinations[2];
    EXPECT_EQ(d.ipv4, htonl(0xc000020b));
    EXPECT_EQ(d.port, htons(5070));
    EXPECT_EQ(d.weight, 2);
    EXPECT_EQ(d.healthy, 1);
    EXPECT_EQ(d.registry_slot, kNoDestination);  // assigned when published
    EXPECT_EQ(c.dataplane.destinations[0].port, htons(5060));  // default port
    ASSERT_EQ(c.destination_sets.size(), 2u);
    EXPECT_EQ(c.destination_sets[1].name, "switches");
    EXPECT_EQ(c.destination_sets[1].first, 1);
    EXPECT_EQ(c.destination_sets[1].destinations[1].address, "192.0.2.11:5070");
    EXPECT_EQ(c.destination_sets[0].destinations[0].address, "203.0.113.5:5060");
}

TEST(DispatcherConfig, DownAfterDefaultFollowsLongInterval) {
    EXPECT_EQ(ok("[dispatcher]\nprobe_interval_ms = 5000\n").dispatcher.down_after_ms, 15000u);
    EXPECT_EQ(ok("[dispatcher]\nprobe_interval_ms = 0\n").dispatcher.probe_interval_ms, 0u);
}

TEST(DispatcherConfig, MaximumCounts) {
    std::string sets;
    unsigned n = 0;
    for (unsigned s = 0; s < kMaxDestinationSets; ++s) {
        sets += "[[destination_set]]\nname = \"s" + std::to_string(s) + "\"\ndestinations = [";
        for (unsigned i = 0; i < kMaxDestinations / kMaxDestinationSets; ++i, ++n)
            sets += std::string(i ? ", " : "") + "{ address = \"10.0." + std::to_string(n / 200) + "." +
                    std::to_string(n % 200 + 1) + "\" }";
        sets += "]\n";
    }
    const Config c = ok(sets);
    EXPECT_EQ(c.dataplane.destination_count, kMaxDestinations);
    EXPECT_EQ(c.dataplane.destination_set_count, kMaxDestinationSets);
    EXPECT_TRUE(fails_at(sets + "[[destination_set]]\nname = \"x\"\ndestinations = [{ address = \"10.9.9.9\" }]\n",
                         8 + 3 * int(kMaxDestinationSets), "destination_set[" + std::to_string(kMaxDestinationSets) + "]",
                         "at most"));
}

TEST(DispatcherConfig, Errors) {
    EXPECT_TRUE(fails_at("[sip]\nrecord_route = 1\n", 9, "sip.record_route", "expected a boolean"));
    EXPECT_TRUE(fails_at("[dispatcher]\nset = \"nope\"\n", 9, "dispatcher.set", "none is configured"));
    EXPECT_TRUE(fails_at("[dispatcher]\nset = \"nope\"\n[[destination_set]]\nname = \"a\"\n"
                         "destinations = [{ address = \"10.0.0.1\" }]\n",
                         9, "dispatcher.set", "configured: \"a\""));
    EXPECT_TRUE(fails_at("[dispatcher]\nprobe_interval_ms = 50\n", 9, "dispatcher.probe_interval_ms", "0 (probing disabled)"));
    EXPECT_TRUE(fails_at("[dispatcher]\nprobe_interval_ms = 60001\n", 9, "dispatcher.probe_interval_ms"));
    EXPECT_TRUE(fails_at("[dispatcher]\nprobe_interval_ms = 2000\ndown_after_ms = 1000\n", 10,
                         "dispatcher.down_after_ms", "at least dispatcher.probe_interval_ms (2000)"));
    EXPECT_TRUE(fails_at("[dispatcher]\nprobe_from_port = 1\n", 9, "dispatcher.probe_from_port", "no port[1]"));
    EXPECT_TRUE(fails_at("[dispatcher]\nprobe_intervall_ms = 1\n", 9, "dispatcher.probe_intervall_ms", "did you mean"));

    const std::string set = "[[destination_set]]\n";  // line 8
    EXPECT_TRUE(fails_at(set + "name = \"a b\"\ndestinations = [{ address = \"10.0.0.1\" }]\n", 9,
                         "destination_set[0].name", "[A-Za-z0-9_-]"));
    EXPECT_TRUE(fails_at(set + "name = \"" + std::string(33, 'a') + "\"\ndestinations = [{ address = \"10.0.0.1\" }]\n", 9,
                         "destination_set[0].name"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\n", 8, "destination_set[0].destinations", "missing required key"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = []\n", 10, "destination_set[0].destinations", "at least one"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [\"10.0.0.1\"]\n", 10,
                         "destination_set[0].destinations[0]", "expected a table"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.256\" }]\n", 10,
                         "destination_set[0].destinations[0].address", "not an IPv4 address"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"127.0.0.1\" }]\n", 10,
                         "destination_set[0].destinations[0].address", "loopback"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1:0\" }]\n", 10,
                         "destination_set[0].destinations[0].address", "port must be"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\", weight = 0 }]\n", 10,
                         "destination_set[0].destinations[0].weight", "from 1 to 100"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\", weight = 101 }]\n", 10,
                         "destination_set[0].destinations[0].weight"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\", wieght = 1 }]\n", 10,
                         "destination_set[0].destinations[0].wieght", "did you mean \"weight\""));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\" },\n"
                               "  { address = \"10.0.0.1:5060\" }]\n",
                         11, "destination_set[0].destinations[1].address",
                         "duplicate destination 10.0.0.1:5060"));
    EXPECT_TRUE(fails_at(set + "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\" }]\n" + set +
                             "name = \"a\"\ndestinations = [{ address = \"10.0.0.1\" }]\n",
                         12, "destination_set[1].name", "duplicate destination set name"));
    const LoadResult not_tables = parse_config("destination_set = 3\n" + std::string(kBase), kSource);
    EXPECT_EQ(not_tables.error.rfind("test.toml:1: destination_set: expected an array of tables", 0), 0u)
        << not_tables.error;
}

TEST(DispatcherConfig, StaticNeighbourErrors) {
    const std::string port = "[[port]]\nname = \"p1\"\naddress = \"198.51.100.1/24\"\n";  // 8..10
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"203.0.113.1\", mac = \"02:00:00:00:00:01\" }]\n",
                         11, "port[1].static_neighbours[0].address", "outside the port's subnet"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.1\", mac = \"02:00:00:00:00:01\" }]\n",
                         11, "port[1].static_neighbours[0].address", "port's own address"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.2\", mac = \"01:00:5e:00:00:01\" }]\n",
                         11, "port[1].static_neighbours[0].mac", "multicast"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.2\", mac = \"02:00:00:00:00\" }]\n",
                         11, "port[1].static_neighbours[0].mac", "not a MAC address"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.2\", mac = \"00:00:00:00:00:00\" }]\n",
                         11, "port[1].static_neighbours[0].mac"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.2\" }]\n", 11,
                         "port[1].static_neighbours[0].mac", "missing required key"));
    EXPECT_TRUE(fails_at(port + "static_neighbours = [{ address = \"198.51.100.2\", mac = \"02:00:00:00:00:01\" },\n"
                                "  { address = \"198.51.100.2\", mac = \"02:00:00:00:00:02\" }]\n",
                         12, "port[1].static_neighbours[1].address", "duplicate"));
    std::string many = port + "static_neighbours = [";
    for (unsigned i = 0; i <= kMaxStaticNeighbours; ++i)
        many += std::string(i ? ",\n" : "") + "{ address = \"198.51.100." + std::to_string(i + 2) +
                "\", mac = \"02:00:00:00:00:01\" }";
    many += "]\n";
    EXPECT_TRUE(fails_at(many, 11 + int(kMaxStaticNeighbours), "port[1].static_neighbours[32]", "more than 32"));
}

}  // namespace
}  // namespace sipwire::config
