#include "dispatcher/maglev.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <vector>

namespace sipwire::dispatcher {
namespace {

std::vector<MaglevMember> members(size_t n, std::vector<uint16_t> weights = {}) {
    std::vector<MaglevMember> out;
    for (size_t i = 0; i < n; ++i)
        out.push_back({htonl(0xc0000200u + 10 + uint32_t(i)), htons(5060),
                       weights.empty() ? uint16_t(1) : weights[i], uint16_t(i)});
    return out;
}

std::map<uint16_t, size_t> counts(const DispatchTable& t) {
    std::map<uint16_t, size_t> c;
    for (uint16_t v : t) ++c[v];
    return c;
}

void expect_balanced(const std::vector<MaglevMember>& m) {
    DispatchTable t;
    build_maglev_table(m, t);
    const auto c = counts(t);
    ASSERT_EQ(c.count(kNoDestination), 0u);
    const double total_weight =
        std::accumulate(m.begin(), m.end(), 0.0, [](double s, const MaglevMember& x) { return s + x.weight; });
    for (const MaglevMember& x : m) {
        const double share = kDispatchTableSize * x.weight / total_weight;
        const double got = double(c.count(x.value) ? c.at(x.value) : 0);
        EXPECT_NEAR(got, share, share * 0.05)
            << "member " << x.value << " of " << m.size() << " weight " << x.weight;
    }
}

TEST(Maglev, EqualWeightsBalanced) {
    for (size_t n = 2; n <= 10; ++n) expect_balanced(members(n));
}

TEST(Maglev, WeightedBalanced) {
    expect_balanced(members(2, {1, 2}));
    expect_balanced(members(3, {1, 2, 3}));
    expect_balanced(members(4, {5, 1, 1, 3}));
    expect_balanced(members(5, {10, 10, 20, 30, 30}));
    expect_balanced(members(10, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}));
    expect_balanced(members(10, {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}));
}

TEST(Maglev, Deterministic) {
    DispatchTable a, b;
    build_maglev_table(members(7, {1, 2, 3, 1, 2, 3, 1}), a);
    build_maglev_table(members(7, {1, 2, 3, 1, 2, 3, 1}), b);
    EXPECT_TRUE(std::equal(std::begin(a), std::end(a), std::begin(b)));
}

TEST(Maglev, EmptyIsAllNoDestination) {
    DispatchTable t;
    build_maglev_table({}, t);
    for (uint16_t v : t) EXPECT_EQ(v, kNoDestination);
}

// When one member of N leaves, entries of the others stay where they were.
TEST(Maglev, MinimalDisruption) {
    for (size_t n = 2; n <= 10; ++n) {
        const auto all = members(n);
        DispatchTable before;
        build_maglev_table(all, before);
        for (size_t gone = 0; gone < n; ++gone) {
            std::vector<MaglevMember> rest;
            for (size_t i = 0; i < n; ++i)
                if (i != gone) rest.push_back(all[i]);
            DispatchTable after;
            build_maglev_table(rest, after);
            size_t survivors = 0, kept = 0, moved_total = 0;
            for (size_t e = 0; e < kDispatchTableSize; ++e) {
                EXPECT_NE(after[e], all[gone].value);
                if (before[e] != after[e]) ++moved_total;
                if (before[e] == all[gone].value) continue;
                ++survivors;
                if (before[e] == after[e]) ++kept;
            }
            EXPECT_GE(double(kept), 0.95 * double(survivors)) << n << " members, " << gone << " gone";
            // Roughly 1/N of the table moves (the entries of the one that left).
            EXPECT_LE(double(moved_total), 1.3 * double(kDispatchTableSize) / double(n) + 10)
                << n << " members, " << gone << " gone";
        }
    }
}

TEST(Maglev, SetTableUsesHealthyMembersRelativeToFirst) {
    DataplaneConfig c{};
    c.destination_count = 5;
    c.destination_set_count = 2;
    for (uint32_t i = 0; i < 5; ++i) c.destinations[i] = {htonl(0x0a000001u + i), htons(5060), 0, 1, 1, 0};
    c.destination_sets[0].first = 0;
    c.destination_sets[0].count = 2;
    c.destination_sets[1].first = 2;
    c.destination_sets[1].count = 3;
    c.destinations[3].healthy = 0;
    build_set_table(c, 0);
    build_set_table(c, 1);
    EXPECT_EQ(c.destination_sets[0].healthy_count, 2);
    EXPECT_EQ(c.destination_sets[1].healthy_count, 2);
    auto c1 = counts(c.destination_sets[1].table);
    EXPECT_EQ(c1.size(), 2u);
    EXPECT_TRUE(c1.count(0) && c1.count(2));  // destinations 2 and 4 = first + 0, first + 2
    auto c0 = counts(c.destination_sets[0].table);
    EXPECT_TRUE(c0.count(0) && c0.count(1));

    c.destinations[2].healthy = 0;
    c.destinations[4].healthy = 0;
    build_set_table(c, 1);
    EXPECT_EQ(c.destination_sets[1].healthy_count, 0);
    for (uint16_t v : c.destination_sets[1].table) EXPECT_EQ(v, kNoDestination);
}

}  // namespace
}  // namespace sipwire::dispatcher
