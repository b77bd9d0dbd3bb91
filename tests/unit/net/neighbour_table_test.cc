#include "net/neighbour_table.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

#include "frames.h"
#include "net/bytes.h"

namespace sipwire::net::test {
namespace {

constexpr uint64_t kT0 = 5'000'000'000;

Mac mac_for(uint32_t n) {
    return {0x02, 0x42, static_cast<uint8_t>(n >> 24), static_cast<uint8_t>(n >> 16),
            static_cast<uint8_t>(n >> 8), static_cast<uint8_t>(n)};
}
uint32_t address(uint32_t n) { return to_network32(0x0a000000u + n); }  // 10.0.0.0 + n

bool has(const NeighbourTable& t, uint32_t a, const Mac& mac, uint64_t now) {
    const uint8_t* found = t.lookup(a, now);
    return found != nullptr && std::memcmp(found, mac.data(), 6) == 0;
}

class Neighbours : public ::testing::Test {
protected:
    // 24 KiB: on the heap, like the data plane's per-lcore tables.
    std::unique_ptr<NeighbourTable> owner = std::make_unique<NeighbourTable>();
    NeighbourTable& table = *owner;
};

TEST_F(Neighbours, LearnsAndLooksUp) {
    EXPECT_EQ(table.lookup(kPeerIp, kT0), nullptr);
    table.learn(kPeerIp, kPeerMac.data(), kT0);
    EXPECT_TRUE(has(table, kPeerIp, kPeerMac, kT0));
    EXPECT_EQ(table.lookup(kGatewayIp, kT0), nullptr);
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(Neighbours, RelearningUpdatesTheMacInPlace) {
    table.learn(kPeerIp, kPeerMac.data(), kT0);
    table.learn(kPeerIp, kOtherMac.data(), kT0 + 1);
    EXPECT_TRUE(has(table, kPeerIp, kOtherMac, kT0 + 1));
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(Neighbours, AddressZeroIsNeverAnEntry) {
    // 0 marks an empty slot: it must neither be stored nor match an empty slot.
    table.learn(0, kPeerMac.data(), kT0);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.lookup(0, kT0), nullptr);
    EXPECT_FALSE(table.refresh(0, kPeerMac.data(), kT0));
}

TEST_F(Neighbours, EntriesGoStaleAfterTheirLifetime) {
    table.learn(kPeerIp, kPeerMac.data(), kT0);
    EXPECT_TRUE(has(table, kPeerIp, kPeerMac, kT0 + NeighbourTable::kLifetimeNs - 1));
    EXPECT_EQ(table.lookup(kPeerIp, kT0 + NeighbourTable::kLifetimeNs), nullptr);
    // Hearing from the neighbour again makes it usable again.
    table.learn(kPeerIp, kPeerMac.data(), kT0 + NeighbourTable::kLifetimeNs);
    EXPECT_TRUE(has(table, kPeerIp, kPeerMac, kT0 + NeighbourTable::kLifetimeNs));
    EXPECT_EQ(table.size(), 1u);
}

TEST_F(Neighbours, RefreshOnlyTouchesExistingEntries) {
    EXPECT_FALSE(table.refresh(kPeerIp, kPeerMac.data(), kT0));
    EXPECT_EQ(table.lookup(kPeerIp, kT0), nullptr);
    EXPECT_EQ(table.size(), 0u);

    table.learn(kPeerIp, kPeerMac.data(), kT0);
    const uint64_t later = kT0 + NeighbourTable::kLifetimeNs - 1;
    EXPECT_TRUE(table.refresh(kPeerIp, kOtherMac.data(), later));
    EXPECT_TRUE(has(table, kPeerIp, kOtherMac, later + 10));  // new MAC, new age
}

TEST_F(Neighbours, ManyDistinctAddressesAllFound) {
    // Well below capacity every address fits in its probe window.
    for (uint32_t n = 1; n <= 256; ++n) table.learn(address(n), mac_for(n).data(), kT0);
    EXPECT_EQ(table.size(), 256u);
    for (uint32_t n = 1; n <= 256; ++n) EXPECT_TRUE(has(table, address(n), mac_for(n), kT0)) << n;
}

TEST_F(Neighbours, OverflowReplacesOldestAndStaysBounded) {
    constexpr uint32_t kLearned = 20 * NeighbourTable::kCapacity;
    for (uint32_t n = 1; n <= kLearned; ++n) {
        table.learn(address(n), mac_for(n).data(), kT0 + n);
        // What was just learned is always there.
        ASSERT_TRUE(has(table, address(n), mac_for(n), kT0 + n)) << n;
        ASSERT_LE(table.size(), NeighbourTable::kCapacity);
    }
    // An entry is evicted only when it is the oldest of a full window of 8, so the
    // 7 most recent entries cannot have been evicted yet.
    for (uint32_t n = kLearned - 6; n <= kLearned; ++n)
        EXPECT_TRUE(has(table, address(n), mac_for(n), kT0 + kLearned)) << n;

    uint32_t still_known = 0;
    for (uint32_t n = 1; n <= kLearned; ++n)
        if (table.lookup(address(n), kT0 + kLearned) != nullptr) ++still_known;
    EXPECT_EQ(still_known, table.size());
    EXPECT_GT(still_known, NeighbourTable::kCapacity / 2);  // the table is really used
}

TEST_F(Neighbours, ActiveNeighbourSurvivesAFlood) {
    // The gateway keeps talking while thousands of other hosts appear: it is never the
    // oldest entry of any window, so no newcomer evicts it.
    uint64_t now = kT0;
    table.learn(kGatewayIp, kRouterMac.data(), now);
    for (uint32_t n = 1; n <= 20 * NeighbourTable::kCapacity; ++n) {
        table.learn(address(1000 + n), mac_for(n).data(), ++now);
        ASSERT_TRUE(has(table, kGatewayIp, kRouterMac, now)) << n;
        table.learn(kGatewayIp, kRouterMac.data(), ++now);
    }
}

}  // namespace
}  // namespace sipwire::net::test

namespace sipwire::net {
namespace {

TEST(NeighbourTablePinned, StaticEntryNeverStalesAndArpDoesNotChangeIt) {
    auto table = std::make_unique<NeighbourTable>();
    const uint8_t configured[6] = {2, 0, 0, 0, 0, 0x10};
    const uint8_t spoofed[6] = {2, 0, 0, 0, 0, 0x66};
    const uint32_t ip = 0x0a6433c6;
    table->pin(ip, configured);
    table->learn(ip, spoofed, 5);
    EXPECT_TRUE(table->refresh(ip, spoofed, 6));
    const uint8_t* mac = table->lookup(ip, ~uint64_t(0) - 1);
    ASSERT_NE(mac, nullptr);
    EXPECT_EQ(std::memcmp(mac, configured, 6), 0);
}

}  // namespace
}  // namespace sipwire::net
