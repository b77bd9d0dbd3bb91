#include "dispatcher/publisher.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>
#include <set>

namespace sipwire::dispatcher {
namespace {

std::shared_ptr<const config::Config> load(const std::string& tail) {
    const std::string text = R"(
[dataplane]
eal_args = ["--no-huge"]
[[port]]
name = "net_tap0"
address = "192.0.2.1/24"
[[port]]
name = "net_tap1"
address = "198.51.100.1/24"
[sip]
ports = [5070, 5060]
)" + tail;
    config::LoadResult r = config::parse_config(text, "test.toml");
    EXPECT_TRUE(r.config) << r.error;
    return std::make_shared<const config::Config>(r.config ? *r.config : config::Config{});
}

constexpr const char* kSets = R"(
[dispatcher]
set = "switches"
probe_from_port = 1
[[destination_set]]
name = "other"
destinations = [{ address = "10.0.0.9" }]
[[destination_set]]
name = "switches"
destinations = [{ address = "10.0.0.1" }, { address = "10.0.0.2", weight = 2 }, { address = "10.0.0.3" }]
)";

class FakeHealth : public HealthMonitor {
public:
    ProberSettings settings;
    std::vector<ProbeTarget> targets;
    std::vector<TargetStatus> states;  // by key
    int configures = 0;

    void configure(const ProberSettings& s, std::vector<ProbeTarget> t) override {
        settings = s;
        targets = std::move(t);
        ++configures;
    }
    std::vector<uint8_t> healthy() const override {
        std::vector<uint8_t> out;
        for (const ProbeTarget& t : targets) out.push_back(state_of(t.key) == ProbeState::down ? 0 : 1);
        return out;
    }
    std::vector<TargetStatus> status() const override { return states; }

    ProbeState state_of(const DestinationKey& k) const {
        for (const TargetStatus& s : states)
            if (s.key == k) return s.state;
        return ProbeState::unprobed;
    }
    void set(const DestinationKey& k, ProbeState st) {
        for (TargetStatus& s : states)
            if (s.key == k) {
                s.state = st;
                return;
            }
        TargetStatus s;
        s.key = k;
        s.state = st;
        states.push_back(s);
    }
};

class PublisherTest : public ::testing::Test {
protected:
    std::set<uint16_t> members_in_table(size_t set) const {
        std::set<uint16_t> out;
        for (uint16_t v : published.back().destination_sets[set].table) out.insert(v);
        return out;
    }

    std::unique_ptr<DestinationRegistry> registry = std::make_unique<DestinationRegistry>();
    FakeHealth health;
    std::vector<DataplaneConfig> published;
    bool fail = false;
    SnapshotPublisher publisher{*registry, health, [this](const DataplaneConfig& c) -> uint64_t {
                                    if (fail) return 0;
                                    published.push_back(c);
                                    return published.size();
                                }};
};

TEST_F(PublisherTest, PublishesSlotsHealthAndTables) {
    const auto r = publisher.publish(load(kSets));
    ASSERT_EQ(r.generation, 1u) << r.error;
    const DataplaneConfig& d = published.back();
    EXPECT_EQ(d.sip.dispatch_set, 1);
    EXPECT_EQ(d.destination_count, 4u);
    for (uint32_t i = 0; i < 4; ++i) {
        EXPECT_EQ(d.destinations[i].registry_slot, i);
        EXPECT_EQ(d.destinations[i].healthy, 1);
    }
    EXPECT_EQ(d.destination_sets[1].first, 1);
    EXPECT_EQ(d.destination_sets[1].healthy_count, 3);
    EXPECT_EQ(members_in_table(1), (std::set<uint16_t>{0, 1, 2}));  // relative to first
    EXPECT_EQ(members_in_table(0), (std::set<uint16_t>{0}));

    // The prober learns the targets and where to probe from.
    ASSERT_EQ(health.targets.size(), 4u);
    EXPECT_EQ(health.targets[2].key, (DestinationKey{"switches", 0x0a000002, 5060}));
    EXPECT_EQ(health.targets[2].registry_slot, 2);
    EXPECT_EQ(health.settings.port_index, 1);
    EXPECT_EQ(health.settings.src_ipv4, 0xc6336401u);  // 198.51.100.1
    EXPECT_EQ(health.settings.src_port, 5070);         // first SIP port
    EXPECT_EQ(health.settings.interval_ms, 1000u);
    EXPECT_EQ(health.settings.down_after_ms, 3000u);
}

TEST_F(PublisherTest, HealthChangeRepublishes) {
    publisher.publish(load(kSets));
    health.set({"switches", 0x0a000002, 5060}, ProbeState::down);
    ASSERT_TRUE(publisher.republish());
    ASSERT_EQ(published.size(), 2u);
    EXPECT_EQ(published.back().destinations[2].healthy, 0);
    EXPECT_EQ(published.back().destination_sets[1].healthy_count, 2);
    EXPECT_EQ(members_in_table(1), (std::set<uint16_t>{0, 2}));

    for (uint32_t ip : {0x0a000001u, 0x0a000003u}) health.set({"switches", ip, 5060}, ProbeState::down);
    ASSERT_TRUE(publisher.republish());
    EXPECT_EQ(members_in_table(1), (std::set<uint16_t>{kNoDestination}));
    EXPECT_EQ(members_in_table(0), (std::set<uint16_t>{0}));

    fail = true;
    EXPECT_FALSE(publisher.republish());
}

TEST_F(PublisherTest, ReloadKeepsHealthAndSlotsOfDestinationsThatStay) {
    publisher.publish(load(kSets));
    health.set({"switches", 0x0a000002, 5060}, ProbeState::down);
    publisher.republish();
    // "other" is gone, 10.0.0.4 is new, 10.0.0.2 moved to the front.
    const auto r = publisher.publish(load(R"(
[dispatcher]
set = "switches"
[[destination_set]]
name = "switches"
destinations = [{ address = "10.0.0.2" }, { address = "10.0.0.4" }, { address = "10.0.0.1" }]
)"));
    ASSERT_NE(r.generation, 0u);
    const DataplaneConfig& d = published.back();
    EXPECT_EQ(d.sip.dispatch_set, 0);
    EXPECT_EQ(d.destinations[0].healthy, 0);  // still down
    EXPECT_EQ(d.destinations[0].registry_slot, 2);
    EXPECT_EQ(d.destinations[1].healthy, 1);  // new: unprobed
    EXPECT_EQ(d.destinations[2].registry_slot, 1);
    EXPECT_EQ(d.destinations[1].registry_slot, 4);  // 0 (other) was still held
    EXPECT_EQ(members_in_table(0), (std::set<uint16_t>{1, 2}));  // set 0 now starts at 0
    // Slots of removed destinations are freed once published.
    EXPECT_EQ(registry->entries[0].in_use, 0);  // other/10.0.0.9
    EXPECT_EQ(registry->entries[3].in_use, 0);  // switches/10.0.0.3
    EXPECT_EQ(registry->entries[4].in_use, 1);
}

TEST_F(PublisherTest, FailedPublicationKeepsEverything) {
    publisher.publish(load(kSets));
    const int configures = health.configures;
    fail = true;
    const auto r = publisher.publish(load(R"(
[[destination_set]]
name = "x"
destinations = [{ address = "10.0.0.7" }]
)"));
    EXPECT_EQ(r.generation, 0u);
    EXPECT_FALSE(r.error.empty());
    EXPECT_EQ(health.configures, configures);
    EXPECT_EQ(registry->entries[4].in_use, 0);  // the new destination's slot given back
    for (uint16_t s = 0; s < 4; ++s) EXPECT_EQ(registry->entries[s].in_use, 1);
    EXPECT_EQ(publisher.current()->destination_sets.size(), 2u);
}

TEST_F(PublisherTest, StatusMergesHealthAndCalls) {
    publisher.publish(load(kSets));
    health.set({"switches", 0x0a000003, 5060}, ProbeState::up);
    std::vector<SetStatus> sets = publisher.status();
    ASSERT_EQ(sets.size(), 2u);
    EXPECT_FALSE(sets[0].dispatch);
    EXPECT_TRUE(sets[1].dispatch);
    ASSERT_EQ(sets[1].destinations.size(), 3u);
    EXPECT_EQ(sets[1].destinations[2].health.state, ProbeState::up);
    EXPECT_EQ(sets[1].destinations[1].weight, 2);
    EXPECT_EQ(sets[1].destinations[1].address, "10.0.0.2");
    std::array<uint64_t, kMaxDestinations> calls{};
    calls[3] = 42;
    fill_calls(sets, calls);
    EXPECT_EQ(sets[1].destinations[2].calls_sent, 42u);
    EXPECT_EQ(sets[1].destinations[0].calls_sent, 0u);
}

}  // namespace
}  // namespace sipwire::dispatcher
