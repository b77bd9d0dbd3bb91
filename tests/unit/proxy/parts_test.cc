// The proxy's building blocks: IPv4 text, hashes, the edit list.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "proxy/address.h"
#include "proxy/branch.h"
#include "proxy/rewrite.h"
#include "sip/name_addr.h"
#include "sip/params.h"

namespace sipwire::proxy {
namespace {

TEST(Address, ParsesStrictDottedQuads) {
    uint32_t v = 0;
    ASSERT_TRUE(parse_ipv4("192.0.2.10", v));
    const auto* b = reinterpret_cast<const uint8_t*>(&v);
    EXPECT_EQ(b[0], 192);
    EXPECT_EQ(b[1], 0);
    EXPECT_EQ(b[2], 2);
    EXPECT_EQ(b[3], 10);
    EXPECT_TRUE(parse_ipv4("0.0.0.0", v));
    EXPECT_TRUE(parse_ipv4("255.255.255.255", v));
    for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4 ", "a.b.c.d", "1..2.3", "1.2.3.",
                            "1234.1.1.1", "example.com", "[::1]", "1.2.3.-4"}) {
        EXPECT_FALSE(parse_ipv4(bad, v)) << bad;
    }
}

TEST(Address, FormatsRoundTrip) {
    for (const char* text : {"0.0.0.0", "10.0.0.1", "192.0.2.255", "255.255.255.255"}) {
        uint32_t v = 0;
        ASSERT_TRUE(parse_ipv4(text, v));
        char buf[kIpv4TextMax + 1];
        EXPECT_EQ(std::string(buf, format_ipv4(v, buf)), text);
    }
    HostPort hp;
    uint32_t v = 0;
    ASSERT_TRUE(parse_ipv4("255.255.255.255", v));
    hp.set(v, to_net16(65535));
    EXPECT_EQ(hp.host_port(), "255.255.255.255:65535");
    EXPECT_EQ(hp.ip(), "255.255.255.255");
    EXPECT_EQ(hp.port(), "65535");
    EXPECT_EQ(to_host16(to_net16(5060)), 5060);
}

TEST(Hash, DependsOnEveryByteAndTheLength) {
    const std::string base = "a84b4c76e66710@pc33.atlanta.example.com";
    std::set<uint64_t> seen;
    seen.insert(hash_bytes(base, 1));
    for (size_t i = 0; i < base.size(); ++i) {
        std::string s = base;
        s[i] ^= 1;
        EXPECT_TRUE(seen.insert(hash_bytes(s, 1)).second) << i;
    }
    for (size_t n = 0; n < base.size(); ++n) EXPECT_TRUE(seen.insert(hash_bytes(base.substr(0, n), 1)).second) << n;
    EXPECT_NE(hash_bytes(base, 1), hash_bytes(base, 2));
    // Field boundaries count.
    EXPECT_NE(Hasher(0).add("ab").add("c").value(), Hasher(0).add("a").add("bc").value());
    // Deterministic (every lcore, every run).
    EXPECT_EQ(call_id_hash(base), call_id_hash(std::string(base)));
}

TEST(Hash, LocalTagsAreRecognised) {
    LocalTag t;
    make_local_tag("call-1@host", 42, t);
    EXPECT_EQ(t.view().substr(0, 2), "sw");
    EXPECT_TRUE(is_local_tag(t.view(), "call-1@host", 42));
    EXPECT_FALSE(is_local_tag(t.view(), "call-1@host", 43));
    EXPECT_FALSE(is_local_tag(t.view(), "call-2@host", 42));
    EXPECT_FALSE(is_local_tag("1928301774", "call-1@host", 42));
    EXPECT_FALSE(is_local_tag("", "call-1@host", 42));
}

TEST(Hash, TagForHashMatchesTheParsedTag) {
    for (const char* from : {"\"Alice\" <sip:alice@atlanta.example.com>;tag=1928301774",
                             "<sip:alice@atlanta.example.com;tag=uri-param>;TAG=abc ;x=1",
                             "sip:alice@atlanta.example.com;tag=88a", "Alice <sip:a@b> ; tag=x1,",
                             "<sip:alice@atlanta.example.com>", "<sip:a@b>;tagx=1;tag=2"}) {
        sip::NameAddr na;
        ASSERT_TRUE(sip::parse_name_addr(from, na)) << from;
        EXPECT_EQ(tag_for_hash(from), sip::header_param(na.params, "tag").value_or("")) << from;
    }
    EXPECT_EQ(tag_for_hash(""), "");
    EXPECT_EQ(tag_for_hash(";tag="), "");
}

TEST(Hash, CseqLeadingNumber) {
    EXPECT_EQ(cseq_leading_number("314159 INVITE"), 314159u);
    EXPECT_EQ(cseq_leading_number("7"), 7u);
    EXPECT_EQ(cseq_leading_number("x 7"), 0u);
    EXPECT_EQ(cseq_leading_number(""), 0u);
    EXPECT_EQ(cseq_leading_number("99999999999999999999"), static_cast<uint32_t>(9999999999ull));
}

TEST(EditList, AppliesSortedEditsOnce) {
    const std::string in = "0123456789";
    EditList e;
    ASSERT_TRUE(e.insert(10, "<end>"));
    ASSERT_TRUE(e.remove(2, 3));         // "234"
    ASSERT_TRUE(e.insert(0, "<a>"));
    ASSERT_TRUE(e.add(7, 1, "<7>"));
    ASSERT_TRUE(e.insert(0, "<b>"));     // same offset: after <a>
    EXPECT_EQ(e.growth(), 3 + 3 + 5 - 3 + 3 - 1);
    char buf[64];
    Writer w(buf, sizeof buf);
    ASSERT_TRUE(apply_edits(in.data(), 0, 10, e, w));
    EXPECT_EQ(std::string(buf, w.length()), "<a><b>0156<7>89<end>");
    EXPECT_EQ(static_cast<int>(w.length()), 10 + e.growth());

    // A sub-range applies only its edits.
    Writer w2(buf, sizeof buf);
    ASSERT_TRUE(apply_edits(in.data(), 5, 9, e, w2));
    EXPECT_EQ(std::string(buf, w2.length()), "56<7>8");
}

TEST(EditList, RejectsOverlapAndOverflow) {
    const std::string in = "0123456789";
    EditList e;
    e.remove(2, 4);
    e.remove(3, 1);
    char buf[64];
    Writer w(buf, sizeof buf);
    EXPECT_FALSE(apply_edits(in.data(), 0, 10, e, w));

    EditList ok;
    ok.insert(5, "xxxxxxxxxx");
    Writer small(buf, 12);
    EXPECT_FALSE(apply_edits(in.data(), 0, 10, ok, small));

    EditList full;
    for (uint32_t i = 0; i < EditList::kMaxEdits; ++i) EXPECT_TRUE(full.insert(i, "x"));
    EXPECT_FALSE(full.insert(0, "x"));
}

}  // namespace
}  // namespace sipwire::proxy
