#include "limits/limits_api.h"

#include <unistd.h>

#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "limits/override_store.h"
#include "limits_fixture.h"
#include "test_segment.h"

namespace sipwire::limits {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;
using sipwire::testing::TestSegment;
using testing::limits_config;
using testing::TempDir;

class LimitsApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        seg.add_worker(0, 3, 1, 1);
        seg.add_worker(1, 4, 1, 1);
        seg.header().worker_count.store(2);
        seg.header().published.store(pack_published(9, 1));
        CallLimitCounters& w0 = seg.view().worker(0).limits;
        CallLimitCounters& w1 = seg.view().worker(1).limits;
        w0.admitted[kServerScope].add(70);
        w1.admitted[kServerScope].add(30);
        w0.admitted[kFirstSetScope].add(60);
        w1.rejected_cps[kFirstSetScope].add(4);
        w0.rejected_channels[kFirstSourceScope].add(2);
        w1.rejected_channels[kFirstSourceScope].add(1);
        w0.failed_over.add(3);
        w1.released[unsigned(ChannelRelease::bye)].add(40);
        w0.released[unsigned(ChannelRelease::reservation_timeout)].add(2);
        seg.view().call_limits().scopes[kServerScope].channels.store(58);
        seg.view().call_limits().scopes[kFirstSetScope].channels.store(50);
        seg.view().call_limits().scopes[kFirstSourceScope].channels.store(8);

        service.publish(std::make_shared<const config::Config>(limits_config()));
        register_limits_commands(registry, service,
                                 [this] { return metrics::read_stats(seg.view()); });
    }

    json call(const json& request) const { return registry.dispatch(request.dump()); }

    TestSegment seg;
    TempDir dir;
    FileOverrideStore store{overrides_path(dir.path(), "edge")};
    uint64_t generation = 9;
    LimitsService service{store, [this](std::shared_ptr<const config::Config>) {
                              return PublishResult{++generation, ""};
                          }};
    api::CommandRegistry registry;
};

TEST_F(LimitsApiTest, ShowReportsLimitsAndSegmentCounters) {
    const json r = call({{"command", "limits.show"}});
    ASSERT_TRUE(r["ok"]) << r.dump();
    const json& res = r["result"];
    EXPECT_EQ(res["generation"], 9);
    EXPECT_EQ(res["failover"], "192.0.2.50:5080");
    EXPECT_EQ(res["retry_after_s"], 7);
    EXPECT_EQ(res["reservation_timeout_ms"], 32000);
    EXPECT_EQ(res["max_call_duration_s"], 14400);
    EXPECT_EQ(res["node_share"], 1.0);
    EXPECT_EQ(res["failed_over"], 3);
    EXPECT_EQ(res["released"]["bye"], 40);
    EXPECT_EQ(res["released"]["reservation_timeout"], 2);
    EXPECT_EQ(res["state_file"], store.location());
    ASSERT_EQ(res["scopes"].size(), 4u);

    const json& server = res["scopes"][0];
    EXPECT_EQ(server["name"], "server");
    EXPECT_EQ(server["cps"], 100);
    EXPECT_EQ(server["burst"], 10);  // default max(1, cps / 10)
    EXPECT_EQ(server["channels"], 1000);
    EXPECT_EQ(server["in_use"], 58);
    EXPECT_EQ(server["admitted"], 100);
    EXPECT_EQ(server["overridden"], json::array());

    const json& set = res["scopes"][1];
    EXPECT_EQ(set["name"], "set:switches");
    EXPECT_EQ(set["cps"], 50);
    EXPECT_EQ(set["burst"], 10);
    EXPECT_EQ(set["channels"], 500);
    EXPECT_EQ(set["in_use"], 50);
    EXPECT_EQ(set["admitted"], 60);
    EXPECT_EQ(set["rejected_cps"], 4);

    const json& spare = res["scopes"][2];
    EXPECT_EQ(spare["name"], "set:spare");
    EXPECT_EQ(spare["cps"], 0);
    EXPECT_EQ(spare["channels"], 0);

    const json& source = res["scopes"][3];
    EXPECT_EQ(source["name"], "source:customer-a");
    EXPECT_EQ(source["prefix"], "198.51.100.0/28");
    EXPECT_EQ(source["index"], kFirstSourceScope);
    EXPECT_EQ(source["rejected_channels"], 3);
    EXPECT_EQ(source["in_use"], 8);
}

TEST_F(LimitsApiTest, SetAppliesAndShowsOverrides) {
    json r = call({{"command", "limits.set"},
                   {"args", {{"scope", "set:switches"}, {"cps", 12.5}, {"channels", 40}}}});
    ASSERT_TRUE(r["ok"]) << r.dump();
    EXPECT_EQ(r["result"]["generation"], 11);
    EXPECT_EQ(r["result"]["scope"]["cps"], 12.5);
    EXPECT_EQ(r["result"]["scope"]["cps_configured"], 12.5);
    EXPECT_EQ(r["result"]["scope"]["channels"], 40);
    EXPECT_EQ(r["result"]["scope"]["overridden"], json({"cps", "channels"}));

    r = call({{"command", "limits.set"}, {"args", {{"node_share", 0.5}}}});
    ASSERT_TRUE(r["ok"]) << r.dump();
    EXPECT_FALSE(r["result"].contains("scope"));
    EXPECT_EQ(r["result"]["node_share"], 0.5);

    const json show = call({{"command", "limits.show"}})["result"];
    EXPECT_EQ(show["node_share_overridden"], true);
    EXPECT_EQ(show["scopes"][1]["cps"], 6.25);
    EXPECT_EQ(show["scopes"][1]["cps_configured"], 12.5);
    EXPECT_EQ(show["scopes"][0]["cps"], 50);
}

TEST_F(LimitsApiTest, SetRefusalsAreErrors) {
    json r = call({{"command", "limits.set"}, {"args", {{"scope", "server"}, {"channels", -1}}}});
    EXPECT_FALSE(r["ok"]);
    EXPECT_EQ(r["error"], "channels: must be from 0 to 10000000, got -1");
    r = call({{"command", "limits.set"}});
    EXPECT_FALSE(r["ok"]);
    EXPECT_EQ(r["error"], "nothing to change: give cps, burst, channels, node_share or reset");
    r = call({{"command", "limits.set"}, {"args", {{"scope", "source:b"}, {"cps", 1}}}});
    EXPECT_FALSE(r["ok"]);
    EXPECT_THAT(r["error"].get<std::string>(), HasSubstr("no scope \"source:b\""));
}

TEST_F(LimitsApiTest, MetricFamilies) {
    ASSERT_EQ(call({{"command", "limits.set"},
                    {"args", {{"scope", "server"}, {"channels", 0}, {"node_share", 0.5}}}})["ok"],
              true);
    LimitsCollector collector(
        [this] { return current_status(service, metrics::read_stats(seg.view())); });
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collector.Collect());
    const std::string text = out.str();
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_calls_admitted_total counter"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_admitted_total{scope=\"server\"} 100"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_admitted_total{scope=\"set:switches\"} 60"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_admitted_total{scope=\"set:spare\"} 0"));
    EXPECT_THAT(text,
                HasSubstr("sipwire_calls_rejected_total{scope=\"set:switches\",reason=\"cps\"} 4"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_rejected_total{scope=\"source:customer-a\","
                                "reason=\"channels\"} 3"));
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_channels_in_use gauge"));
    EXPECT_THAT(text, HasSubstr("sipwire_channels_in_use{scope=\"server\"} 58"));
    EXPECT_THAT(text, HasSubstr("sipwire_channels_capacity{scope=\"set:switches\"} 500"));
    // Unlimited scopes have no capacity or cps series.
    EXPECT_THAT(text, Not(HasSubstr("sipwire_channels_capacity{scope=\"server\"}")));
    EXPECT_THAT(text, Not(HasSubstr("sipwire_cps_limit{scope=\"set:spare\"}")));
    EXPECT_THAT(text, HasSubstr("sipwire_cps_limit{scope=\"server\"} 50"));
    EXPECT_THAT(text, HasSubstr("sipwire_cps_limit{scope=\"source:customer-a\"} 5"));
    EXPECT_THAT(text, HasSubstr("sipwire_limits_node_share 0.5"));
}

TEST(LimitsCollectorEmpty, NothingBeforeStart) {
    LimitsCollector collector([] { return std::optional<LimitsStatus>{}; });
    EXPECT_TRUE(collector.Collect().empty());
}

}  // namespace
}  // namespace sipwire::limits
