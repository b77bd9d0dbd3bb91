// On-demand parsers: URI, name-addr, parameters, Via, value splitting; the scanner.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sip/lex.h"
#include "sip/sip.h"

namespace sipwire::sip {
namespace {

TEST(SipUri, Forms) {
    SipUri u;
    ASSERT_TRUE(parse_sip_uri("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr?subject=project%20x&priority=urgent", u));
    EXPECT_EQ(u.scheme, UriScheme::sip);
    EXPECT_EQ(u.user, "alice");
    EXPECT_EQ(u.password, "secret");
    EXPECT_EQ(u.host, "atlanta.example.com");
    EXPECT_EQ(u.port_text, "5070");
    EXPECT_EQ(u.port, 5070);
    EXPECT_EQ(u.params, "transport=tcp;lr");
    EXPECT_EQ(u.headers, "subject=project%20x&priority=urgent");
    EXPECT_EQ(header_param(u.params, "transport"), "tcp");
    EXPECT_EQ(header_param(u.params, "LR"), "");
    EXPECT_EQ(header_param(u.params, "maddr"), std::nullopt);

    ASSERT_TRUE(parse_sip_uri("SIPS:example.com", u));
    EXPECT_EQ(u.scheme, UriScheme::sips);
    EXPECT_EQ(u.user, "");
    EXPECT_EQ(u.host, "example.com");
    EXPECT_EQ(u.port, 0);

    ASSERT_TRUE(parse_sip_uri("sip:+1-212-555-1212;phone-context=example.com@gw.example.com;user=phone", u));
    EXPECT_EQ(u.user, "+1-212-555-1212;phone-context=example.com");
    EXPECT_EQ(u.host, "gw.example.com");
    EXPECT_EQ(u.params, "user=phone");

    ASSERT_TRUE(parse_sip_uri("sip:[2001:db8::1]:5060", u));
    EXPECT_EQ(u.host, "[2001:db8::1]");
    EXPECT_EQ(u.port, 5060);
    ASSERT_TRUE(parse_sip_uri("sip:192.0.2.1", u));
    EXPECT_EQ(u.host, "192.0.2.1");
    ASSERT_TRUE(parse_sip_uri("sip:host?x=y", u));
    EXPECT_EQ(u.host, "host");
    EXPECT_EQ(u.headers, "x=y");

    for (std::string_view bad : {"", "sip:", "sips:", "tel:+12125551212", "http://example.com", "sip:@host",
                                 "sip:user@", "sip:host:", "sip:host:99999", "sip:host:12a", "sip:[::1",
                                 "sip:[xyz]", "sip:ho st", "sip:a@b@c", "sip:<x>", "sip:host:5060x;lr",
                                 "sip:h;a\"b"})
        EXPECT_FALSE(parse_sip_uri(bad, u)) << bad;
}

TEST(NameAddr, Forms) {
    NameAddr na;
    ASSERT_TRUE(parse_name_addr("\"Bob\" <sip:bob@biloxi.example.com>;tag=a6c85cf", na));
    EXPECT_EQ(na.display_name, "Bob");
    EXPECT_TRUE(na.quoted);
    EXPECT_TRUE(na.angle);
    EXPECT_EQ(na.uri, "sip:bob@biloxi.example.com");
    EXPECT_EQ(na.params, "tag=a6c85cf");

    ASSERT_TRUE(parse_name_addr("Anonymous Caller <sip:c8oqz84zk7z@privacy.org>", na));
    EXPECT_EQ(na.display_name, "Anonymous Caller");
    EXPECT_FALSE(na.quoted);
    EXPECT_EQ(na.params, "");

    ASSERT_TRUE(parse_name_addr("<sip:a@b;lr>;x=1 ; tag = 5", na));
    EXPECT_EQ(na.display_name, "");
    EXPECT_EQ(na.uri, "sip:a@b;lr");
    EXPECT_EQ(header_param(na.params, "tag"), "5");
    EXPECT_EQ(header_param(na.params, "x"), "1");

    // addr-spec: the parameters belong to the header, not the URI (RFC 3261 20.10).
    ASSERT_TRUE(parse_name_addr("sip:user1@domain.com;tag=49583", na));
    EXPECT_FALSE(na.angle);
    EXPECT_EQ(na.uri, "sip:user1@domain.com");
    EXPECT_EQ(na.params, "tag=49583");

    ASSERT_TRUE(parse_name_addr("  *  ", na));
    EXPECT_TRUE(na.star);

    ASSERT_TRUE(parse_name_addr("\"\" <tel:+12125551212>", na));
    EXPECT_EQ(na.display_name, "");
    EXPECT_EQ(na.uri, "tel:+12125551212");

    ASSERT_TRUE(parse_name_addr("\"a\\\\\"<sip:x@y>", na));
    EXPECT_EQ(na.display_name, "a\\\\");

    for (std::string_view bad : {"", "   ", "\"unterminated <sip:a@b>", "\"name\" sip:a@b", "<sip:a@b",
                                 "<>", "<nocolon>", "Bob <sip:a@b> junk", "*;x", "sip:a@b junk", "\"a\\\"",
                                 "<sip:a b@c>", "<:x>"})
        EXPECT_FALSE(parse_name_addr(bad, na)) << bad;
}

TEST(Params, IterationAndLookup) {
    std::string_view rest = ";a=1; b ;c=\"x;y\\\"z\";D=[2001:db8::1];e=";
    Param p;
    std::vector<std::pair<std::string_view, std::string_view>> got;
    while (next_param(rest, p)) got.emplace_back(p.name, p.has_value ? p.value : "<flag>");
    ASSERT_EQ(got.size(), 5u);
    EXPECT_EQ(got[0].second, "1");
    EXPECT_EQ(got[1].first, "b");
    EXPECT_EQ(got[1].second, "<flag>");
    EXPECT_EQ(got[2].second, "\"x;y\\\"z\"");
    EXPECT_EQ(got[3].first, "D");
    EXPECT_EQ(got[3].second, "[2001:db8::1]");
    EXPECT_EQ(got[4].second, "");

    EXPECT_EQ(header_param("tag=1;tag=2", "tag"), "1");
    EXPECT_EQ(header_param("TAG=x", "tag"), "x");
    EXPECT_EQ(header_param("", "tag"), std::nullopt);
    EXPECT_EQ(header_param("notag=1", "tag"), std::nullopt);
    EXPECT_EQ(header_param("a=1 junk;tag=2", "tag"), std::nullopt);
    EXPECT_EQ(header_param(";;lr;;", "lr"), "");

    char buf[8];
    EXPECT_EQ(std::string_view(buf, unquote("\"a\\\"b\"", buf, sizeof buf)), "a\"b");
    EXPECT_EQ(std::string_view(buf, unquote("plain", buf, sizeof buf)), "plain");
    EXPECT_EQ(unquote("\"0123456789\"", buf, sizeof buf), sizeof buf);
}

TEST(Values, CommaSplitting) {
    std::string_view rest = " <sip:a@b;x=\"1,2\">;q=1 ,, \"Doe, J\" <sip:c@d>, sip:e@f ,";
    std::string_view v;
    std::vector<std::string_view> got;
    while (next_value(rest, v)) got.push_back(v);
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[0], "<sip:a@b;x=\"1,2\">;q=1");
    EXPECT_EQ(got[1], "\"Doe, J\" <sip:c@d>");
    EXPECT_EQ(got[2], "sip:e@f");
    rest = "<sip:a,b@c>, x";
    ASSERT_TRUE(next_value(rest, v));
    EXPECT_EQ(v, "<sip:a,b@c>");
    rest = "\"unterminated, quote";
    ASSERT_TRUE(next_value(rest, v));
    EXPECT_EQ(v, "\"unterminated, quote");
    EXPECT_FALSE(next_value(rest, v));
}

TEST(ViaParse, Direct) {
    Via v;
    ASSERT_TRUE(parse_via("SIP/2.0/UDP 192.0.2.1:5060;received=10.0.0.1;rport=34567;branch=z9hG4bKabc;ttl=0", v));
    EXPECT_EQ(v.host, "192.0.2.1");
    EXPECT_EQ(v.port_text, "5060");
    EXPECT_EQ(v.rport, 34567);
    EXPECT_EQ(v.ttl, 0);
    ASSERT_TRUE(parse_via("sip/2.0/udp host_name.example", v));
    EXPECT_EQ(v.transport, "udp");
    EXPECT_EQ(v.host, "host_name.example");
    ASSERT_TRUE(parse_via("SIP/2.0/UDP h;BRANCH=z9hG4bK1;RPORT", v));
    EXPECT_EQ(v.branch, "z9hG4bK1");
    EXPECT_TRUE(v.has_rport);
    for (std::string_view bad : {"", "SIP", "SIP/2.0", "SIP/2.0/", "SIP/2.0/UDP", "SIP/2.0/UDP ", "SIP//UDP h",
                                 "SIP/2.0/UDP h;received", "SIP/2.0/UDP h;maddr", "SIP/2.0/UDP h;ttl", "SIP/2.0/UDP h:",
                                 "SIP/2.0/UDP :5060", "SIP/2.0/UDP h;branch=1 x", "SIP/2.0/UDP h, SIP/2.0/UDP i"})
        EXPECT_FALSE(parse_via(bad, v)) << bad;
}

// The 16-byte scanner against a byte-by-byte reference, every alignment and length.
TEST(Lex, FindSpecialMatchesReference) {
    std::mt19937 rng(42);
    std::vector<char> buf(96);
    for (int round = 0; round < 2000; ++round) {
        for (char& c : buf) c = static_cast<char>(0x20 + rng() % 0x5f);  // printable
        const int specials = static_cast<int>(rng() % 3);
        for (int k = 0; k < specials; ++k) buf[rng() % buf.size()] = static_cast<char>(rng() % 256);
        const size_t b = rng() % 40;
        const size_t e = b + rng() % (buf.size() - b);
        const char* ref = buf.data() + e;
        for (const char* q = buf.data() + b; q < buf.data() + e; ++q) {
            const auto c = static_cast<uint8_t>(*q);
            if (c < 0x20 || c >= 0x7f) {
                ref = q;
                break;
            }
        }
        ASSERT_EQ(lex::find_special(buf.data() + b, buf.data() + e), ref) << round;
    }
}

TEST(Lex, Utf8) {
    const auto seq = [](std::string_view s) { return lex::utf8_sequence(s.data(), s.data() + s.size()); };
    EXPECT_EQ(seq("\xc3\xa9"), 2);
    EXPECT_EQ(seq("\xe2\x82\xac"), 3);
    EXPECT_EQ(seq("\xf0\x9f\x98\x80"), 4);
    EXPECT_EQ(seq("\xf4\x8f\xbf\xbf"), 4);
    EXPECT_EQ(seq("\xc3"), -1);
    EXPECT_EQ(seq("\xf0\x9f\x98"), -1);
    EXPECT_EQ(seq("\xc1\xbf"), 0);
    EXPECT_EQ(seq("\xe0\x80\x80"), 0);
    EXPECT_EQ(seq("\xf0\x80\x80\x80"), 0);
    EXPECT_EQ(seq("\xf5\x80\x80\x80"), 0);
    EXPECT_EQ(seq("\xed\xbf\xbf"), 0);
    EXPECT_EQ(seq("\xbf"), 0);
}

}  // namespace
}  // namespace sipwire::sip
