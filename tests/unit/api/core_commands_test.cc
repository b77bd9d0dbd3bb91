#include "api/core_commands.h"

#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_segment.h"

namespace sipwire::api {
namespace {

using nlohmann::json;
using sipwire::testing::TestSegment;

constexpr uint64_t kNow = 10'000'000'000ULL;

class CoreCommandsTest : public ::testing::Test {
protected:
    void SetUp() override {
        seg.add_port(0, "net_tap0", "net_tap", true);
        seg.add_worker(0, 1, kNow - 100'000'000, 3);
        seg.add_worker(1, 2, kNow - 300'000'000, 3);
        seg.counters(0, 0).rx_packets.add(10);
        seg.counters(0, 0).rx_bytes.add(640);
        seg.counters(1, 0).rx_packets.add(5);
        seg.counters(1, 0).dropped_packets.add(2);
        seg.counters(1, 0).drops[unsigned(DropReason::not_for_us)].add(2);
        seg.view().worker(0).loops.add(1000);
        seg.view().worker(0).busy_loops.add(15);
        ShmHeader& h = seg.header();
        h.worker_count.store(2);
        h.port_count.store(1);
        h.controlplane_pid.store(4242);
        h.dataplane_pid.store(getpid());
        h.controlplane_started_unix_ns.store(1'700'000'000'000'000'000ULL);
        h.dataplane_started_unix_ns.store(1'700'000'001'000'000'000ULL);
        h.published.store(pack_published(3, 2));

        info.instance = "lab";
        info.config_path = "/etc/sipwire/lab.toml";
        info.ports = {{"net_tap0", "192.0.2.1/24", ""}, {"net_tap1", "198.51.100.1/24", "198.51.100.254"}};
        register_core_commands(registry, CoreCommandDeps{
                                             .segment = seg.view(),
                                             .info = [this] { return info; },
                                             .reload = [this] { return next_reload; },
                                             .monotonic_now_ns = [] { return kNow; },
                                         });
    }

    json run(const std::string& command) {
        return registry.dispatch(json{{"command", command}}.dump());
    }

    TestSegment seg;
    ControlplaneInfo info;
    ReloadResult next_reload;
    CommandRegistry registry;
};

TEST_F(CoreCommandsTest, Status) {
    const json r = run("status");
    ASSERT_EQ(r["ok"], true) << r.dump();
    const json& s = r["result"];
    EXPECT_EQ(s["controlplane"], (json{{"pid", 4242},
                                       {"started_unix", 1700000000.0},
                                       {"instance", "lab"},
                                       {"config_path", "/etc/sipwire/lab.toml"},
                                       {"config_generation", 3}}));
    const json& dp = s["dataplane"];
    EXPECT_EQ(dp["pid"], getpid());
    EXPECT_EQ(dp["alive"], true);
    EXPECT_EQ(dp["started_unix"], 1700000001.0);
    EXPECT_EQ(dp["worker_count"], 2);
    EXPECT_EQ(dp["port_count"], 1);
    EXPECT_DOUBLE_EQ(dp["oldest_heartbeat_age_seconds"].get<double>(), 0.3);
    EXPECT_EQ(dp["restart_required"], json::array());
    ASSERT_EQ(dp["workers"].size(), 2u);
    const json& w0 = dp["workers"][0];
    EXPECT_EQ(w0["index"], 0);
    EXPECT_EQ(w0["lcore"], 1);
    EXPECT_EQ(w0["running"], true);
    EXPECT_EQ(w0["acked_generation"], 3);
    EXPECT_DOUBLE_EQ(w0["heartbeat_age_seconds"].get<double>(), 0.1);
    EXPECT_EQ(w0["loops"], 1000);
    EXPECT_EQ(w0["busy_loops"], 15);

    // The started port with its status and configured address, then the
    // configured port sipwire-dp has not started.
    ASSERT_EQ(s["ports"].size(), 2u);
    EXPECT_EQ(s["ports"][0], (json{{"index", 0},
                                   {"name", "net_tap0"},
                                   {"started", true},
                                   {"driver", "net_tap"},
                                   {"mac", "02:00:00:00:00:01"},
                                   {"link_up", true},
                                   {"speed_mbps", 10000},
                                   {"rx_queues", 1},
                                   {"tx_queues", 2},
                                   {"address", "192.0.2.1/24"},
                                   {"gateway", nullptr}}));
    EXPECT_EQ(s["ports"][1]["name"], "net_tap1");
    EXPECT_EQ(s["ports"][1]["started"], false);
    EXPECT_EQ(s["ports"][1]["address"], "198.51.100.1/24");
    EXPECT_EQ(s["ports"][1]["gateway"], "198.51.100.254");
}

TEST_F(CoreCommandsTest, StatusWithoutDataplane) {
    seg.header().dataplane_pid.store(0);
    seg.header().dataplane_started_unix_ns.store(0);
    seg.header().worker_count.store(0);
    seg.header().port_count.store(0);
    const json r = run("status")["result"];
    EXPECT_EQ(r["dataplane"]["pid"], nullptr);
    EXPECT_EQ(r["dataplane"]["alive"], false);
    EXPECT_EQ(r["dataplane"]["started_unix"], nullptr);
    EXPECT_EQ(r["dataplane"]["oldest_heartbeat_age_seconds"], nullptr);
    EXPECT_EQ(r["dataplane"]["workers"], json::array());
    ASSERT_EQ(r["ports"].size(), 2u);
    EXPECT_EQ(r["ports"][0]["started"], false);
}

TEST_F(CoreCommandsTest, Stats) {
    const json r = run("stats");
    ASSERT_EQ(r["ok"], true) << r.dump();
    const json& s = r["result"];
    EXPECT_EQ(s["config_generation"], 3);
    ASSERT_EQ(s["port_lcore"].size(), 2u);
    const json& row0 = s["port_lcore"][0];
    EXPECT_EQ(row0["port"], "net_tap0");
    EXPECT_EQ(row0["port_index"], 0);
    EXPECT_EQ(row0["lcore"], 1);
    EXPECT_EQ(row0["worker"], 0);
    EXPECT_EQ(row0["counters"].size(), std::size(kPortCounterFields));  // every X-macro field
    EXPECT_EQ(row0["counters"]["rx_packets"], 10);
    EXPECT_EQ(row0["counters"]["rx_bytes"], 640);
    EXPECT_EQ(row0["drops"], json::object());  // only non-zero reasons
    const json& row1 = s["port_lcore"][1];
    EXPECT_EQ(row1["lcore"], 2);
    EXPECT_EQ(row1["drops"], (json{{"not_for_us", 2}}));
    EXPECT_EQ(s["ports"][0]["counters"]["rx_packets"], 15);
    EXPECT_EQ(s["totals"]["counters"]["rx_packets"], 15);
    EXPECT_EQ(s["totals"]["counters"]["dropped_packets"], 2);
    EXPECT_EQ(s["totals"]["drops"], (json{{"not_for_us", 2}}));
    EXPECT_EQ(s["workers"][0], (json{{"index", 0}, {"lcore", 1}, {"loops", 1000}, {"busy_loops", 15}}));
}

TEST_F(CoreCommandsTest, StatsSipSection) {
    seg.view().worker(0).sip.requests_received.add(7);
    seg.view().worker(1).sip.requests_received.add(1);
    seg.view().worker(1).sip.local_responses[unsigned(SipLocalResponse::no_destination)].add(3);
    seg.view().worker(0).sip.parse_errors[1].add(2);  // empty
    const json r = run("stats");
    ASSERT_EQ(r["ok"], true) << r.dump();
    const json& sip = r["result"]["sip"];
    EXPECT_EQ(sip["counters"].size(), std::size(kSipCounterFields));
    EXPECT_EQ(sip["counters"]["requests_received"], 8);
    EXPECT_EQ(sip["local_responses"]["503"], 3);
    EXPECT_EQ(sip["local_responses"]["200"], 0);
    EXPECT_EQ(sip["parse_errors"], (json{{"empty", 2}}));
    ASSERT_EQ(sip["lcores"].size(), 2u);
    EXPECT_EQ(sip["lcores"][1]["lcore"], 2);
    EXPECT_EQ(sip["lcores"][1]["counters"]["requests_received"], 1);
    EXPECT_EQ(sip["lcores"][0]["parse_errors"], (json{{"empty", 2}}));
}

TEST_F(CoreCommandsTest, ReloadSuccess) {
    next_reload = {.ok = true,
                   .error = "",
                   .previous_generation = 3,
                   .generation = 4,
                   .warnings = {"dataplane.eal_args changed"}};
    const json r = run("config.reload");
    EXPECT_EQ(r, (json{{"ok", true},
                       {"result",
                        {{"previous_generation", 3},
                         {"generation", 4},
                         {"warnings", {"dataplane.eal_args changed"}}}}}));
}

TEST_F(CoreCommandsTest, ReloadErrorCarriesTheLoaderMessage) {
    next_reload.ok = false;
    next_reload.error = "/etc/sipwire/lab.toml:12: sip.ports: duplicate SIP port 5060";
    EXPECT_EQ(run("config.reload"),
              (json{{"ok", false}, {"error", "/etc/sipwire/lab.toml:12: sip.ports: duplicate SIP port 5060"}}));
}

}  // namespace
}  // namespace sipwire::api
