#include "dispatcher/dispatcher_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <sstream>

namespace sipwire::dispatcher {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

std::vector<SetStatus> sample() {
    SetStatus s;
    s.name = "switches";
    s.dispatch = true;
    DestinationStatus a;
    a.address = "192.0.2.10";
    a.ipv4 = 0xc000020a;
    a.port = 5060;
    a.weight = 2;
    a.registry_slot = 4;
    a.calls_sent = 17;
    a.health.state = ProbeState::up;
    a.health.last_rtt_ns = 1'500'000;
    a.health.last_probe_unix_ns = 1'700'000'000'500'000'000ULL;
    a.health.last_answer_unix_ns = 1'700'000'000'501'500'000ULL;
    a.health.probes_sent = 10;
    a.health.probes_answered = 9;
    DestinationStatus b = a;
    b.address = "192.0.2.11";
    b.registry_slot = 5;
    b.calls_sent = 0;
    b.health = TargetStatus{};
    b.health.state = ProbeState::down;
    b.health.probes_sent = 3;
    s.destinations = {a, b};
    SetStatus other;
    other.name = "empty";
    return {s, other};
}

TEST(DispatcherList, JsonShape) {
    const nlohmann::json j = dispatcher_list_json(sample());
    ASSERT_EQ(j["sets"].size(), 2u);
    const auto& s = j["sets"][0];
    EXPECT_EQ(s["name"], "switches");
    EXPECT_EQ(s["dispatch"], true);
    EXPECT_EQ(j["sets"][1]["dispatch"], false);
    const auto& a = s["destinations"][0];
    EXPECT_EQ(a["address"], "192.0.2.10");
    EXPECT_EQ(a["port"], 5060);
    EXPECT_EQ(a["weight"], 2);
    EXPECT_EQ(a["state"], "up");
    EXPECT_DOUBLE_EQ(a["last_rtt_ms"].get<double>(), 1.5);
    EXPECT_DOUBLE_EQ(a["last_probe_unix"].get<double>(), 1'700'000'000.5);
    EXPECT_EQ(a["probes_sent"], 10);
    EXPECT_EQ(a["probes_answered"], 9);
    EXPECT_EQ(a["calls_sent"], 17);
    EXPECT_EQ(a["registry_slot"], 4);
    const auto& b = s["destinations"][1];
    EXPECT_EQ(b["state"], "down");
    EXPECT_TRUE(b["last_rtt_ms"].is_null());
    EXPECT_TRUE(b["last_answer_unix"].is_null());
}

TEST(DispatcherList, RegisteredCommand) {
    api::CommandRegistry registry;
    register_dispatcher_commands(registry, [] { return sample(); });
    const nlohmann::json r = registry.dispatch(R"({"command":"dispatcher.list"})");
    ASSERT_EQ(r["ok"], true) << r.dump();
    EXPECT_EQ(r["result"]["sets"][0]["destinations"][1]["state"], "down");
}

TEST(DispatcherMetrics, Families) {
    DispatcherCollector collector([] { return sample(); });
    std::ostringstream out;
    prometheus::TextSerializer().Serialize(out, collector.Collect());
    const std::string text = out.str();
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_dispatcher_requests_total counter"));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_requests_total{set="switches",destination="192.0.2.10:5060"} 17)"));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_destination_up{set="switches",destination="192.0.2.10:5060"} 1)"));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_destination_up{set="switches",destination="192.0.2.11:5060"} 0)"));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_probe_rtt_seconds{set="switches",destination="192.0.2.10:5060"} 0.0015)"));
    EXPECT_THAT(text, Not(HasSubstr(
        R"(sipwire_dispatcher_probe_rtt_seconds{set="switches",destination="192.0.2.11:5060"})")));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_probes_total{set="switches",destination="192.0.2.10:5060",result="sent"} 10)"));
    EXPECT_THAT(text, HasSubstr(
        R"(sipwire_dispatcher_probes_total{set="switches",destination="192.0.2.10:5060",result="answered"} 9)"));
}

}  // namespace
}  // namespace sipwire::dispatcher
