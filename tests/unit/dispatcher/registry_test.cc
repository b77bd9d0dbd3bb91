#include "dispatcher/registry.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>

#include "config/config.h"

namespace sipwire::dispatcher {
namespace {

config::Config load(const std::string& sets) {
    const std::string text = R"(
[dataplane]
eal_args = ["--no-huge"]
[[port]]
name = "net_tap0"
address = "192.0.2.1/24"
)" + sets;
    config::LoadResult r = config::parse_config(text, "test.toml");
    EXPECT_TRUE(r.config) << r.error;
    return r.config ? *r.config : config::Config{};
}

constexpr const char* kTwo = R"(
[[destination_set]]
name = "a"
destinations = [{ address = "10.0.0.1" }, { address = "10.0.0.2:5080" }]
)";

TEST(Registry, NewDestinationsTakeFreeSlots) {
    auto reg = std::make_unique<DestinationRegistry>();
    const SlotPlan p = assign_registry_slots(load(kTwo), *reg);
    ASSERT_EQ(p.slots.size(), 2u);
    EXPECT_EQ(p.slots[0], 0);
    EXPECT_EQ(p.slots[1], 1);
    EXPECT_EQ(p.added.size(), 2u);
    EXPECT_TRUE(p.stale.empty());
    EXPECT_EQ(reg->entries[1].ipv4, htonl(0x0a000002));
    EXPECT_EQ(reg->entries[1].port, htons(5080));
    EXPECT_STREQ(reg->entries[1].set_name, "a");
    EXPECT_EQ(reg->entries[1].in_use, 1);
}

TEST(Registry, SameIdentityKeepsSlotAcrossReorderAndReload) {
    auto reg = std::make_unique<DestinationRegistry>();
    assign_registry_slots(load(kTwo), *reg);
    // Reordered, one removed, one added, one in a new set with the same address.
    const SlotPlan p = assign_registry_slots(load(R"(
[[destination_set]]
name = "b"
destinations = [{ address = "10.0.0.1" }]
[[destination_set]]
name = "a"
destinations = [{ address = "10.0.0.3" }, { address = "10.0.0.1:5060" }]
)"),
                                             *reg);
    ASSERT_EQ(p.slots.size(), 3u);
    EXPECT_EQ(p.slots[2], 0);  // a/10.0.0.1:5060 kept its slot
    EXPECT_EQ(p.slots[0], 2);  // b/10.0.0.1 is another destination
    EXPECT_EQ(p.slots[1], 3);
    ASSERT_EQ(p.stale.size(), 1u);  // a/10.0.0.2:5080
    EXPECT_EQ(p.stale[0], 1);
    EXPECT_EQ(reg->entries[1].in_use, 1);  // freed only after publication
    release_registry_slots(*reg, p.stale);
    EXPECT_EQ(reg->entries[1].in_use, 0);
}

TEST(Registry, FullRegistryReusesStaleSlots) {
    auto reg = std::make_unique<DestinationRegistry>();
    for (uint16_t s = 0; s < kMaxDestinations; ++s) {
        reg->entries[s].ipv4 = htonl(0x0b000000u + s);
        reg->entries[s].port = htons(5060);
        reg->entries[s].in_use = 1;
    }
    const SlotPlan p = assign_registry_slots(load(kTwo), *reg);
    EXPECT_NE(p.slots[0], kNoDestination);
    EXPECT_NE(p.slots[1], kNoDestination);
    EXPECT_NE(p.slots[0], p.slots[1]);
    EXPECT_EQ(p.stale.size(), kMaxDestinations - 2);
}

}  // namespace
}  // namespace sipwire::dispatcher
