#include "config/address.h"

#include <gtest/gtest.h>

namespace sipwire::config::detail {
namespace {

TEST(Ipv4, ParsesDottedQuad) {
    EXPECT_EQ(parse_ipv4("0.0.0.0"), 0u);
    EXPECT_EQ(parse_ipv4("192.0.2.1"), 0xC0000201u);
    EXPECT_EQ(parse_ipv4("255.255.255.255"), 0xFFFFFFFFu);
    EXPECT_EQ(parse_ipv4("10.0.0.10"), 0x0A00000Au);
}

TEST(Ipv4, RejectsEverythingElse) {
    for (const char* s : {"", "1", "1.2.3", "1.2.3.4.", ".1.2.3.4", "1.2.3.4.5", "1..3.4",
                          "256.1.1.1", "01.2.3.4", "1.2.3.004", "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4",
                          "-1.2.3.4", "1.2.3.4/24", "0x1.2.3.4", "1.2.3.1000", "a.b.c.d"})
        EXPECT_FALSE(parse_ipv4(s).has_value()) << s;
}

TEST(Ipv4, FormatRoundTrips) {
    EXPECT_EQ(format_ipv4(0xC0000201u), "192.0.2.1");
    EXPECT_EQ(format_ipv4(0), "0.0.0.0");
    EXPECT_EQ(format_ipv4(0xFFFFFFFFu), "255.255.255.255");
}

TEST(Ipv4, PrefixMask) {
    EXPECT_EQ(prefix_mask(0), 0u);
    EXPECT_EQ(prefix_mask(1), 0x80000000u);
    EXPECT_EQ(prefix_mask(24), 0xFFFFFF00u);
    EXPECT_EQ(prefix_mask(31), 0xFFFFFFFEu);
    EXPECT_EQ(prefix_mask(32), 0xFFFFFFFFu);
}

TEST(Ipv4Interface, AcceptsHosts) {
    Ipv4Interface itf{};
    EXPECT_EQ(parse_ipv4_interface("192.0.2.1/24", itf), "");
    EXPECT_EQ(itf.address, 0xC0000201u);
    EXPECT_EQ(itf.prefix_len, 24);
    EXPECT_EQ(parse_ipv4_interface("10.0.0.0/31", itf), "");
    EXPECT_EQ(parse_ipv4_interface("10.0.0.1/31", itf), "");
    EXPECT_EQ(parse_ipv4_interface("10.0.0.0/32", itf), "");
    EXPECT_EQ(parse_ipv4_interface("10.255.255.254/8", itf), "");
    EXPECT_EQ(parse_ipv4_interface("1.0.0.1/1", itf), "");
}

TEST(Ipv4Interface, ExplainsRejections) {
    Ipv4Interface itf{};
    EXPECT_NE(parse_ipv4_interface("192.0.2.0/24", itf).find("network address"), std::string::npos);
    EXPECT_NE(parse_ipv4_interface("192.0.2.255/24", itf).find("broadcast address"),
              std::string::npos);
    EXPECT_NE(parse_ipv4_interface("127.0.0.1/8", itf).find("loopback"), std::string::npos);
    EXPECT_NE(parse_ipv4_interface("239.1.1.1/24", itf).find("multicast"), std::string::npos);
    EXPECT_NE(parse_ipv4_interface("192.0.2.1/33", itf).find("prefix length"), std::string::npos);
    EXPECT_NE(parse_ipv4_interface("192.0.2.1/024", itf).find("prefix length"), std::string::npos);
    EXPECT_NE(parse_ipv4_interface("192.0.2.1", itf).find("prefix length"), std::string::npos);
}

TEST(Gateway, InsideSubnetOnly) {
    const Ipv4Interface itf{0xC0000201u, 24};  // 192.0.2.1/24
    EXPECT_EQ(check_gateway(itf, 0xC00002FEu), "");
    EXPECT_NE(check_gateway(itf, 0xC0000301u), "");  // 192.0.3.1
    EXPECT_NE(check_gateway(itf, 0xC0000201u), "");  // itself
    EXPECT_NE(check_gateway(itf, 0xC0000200u), "");  // network
    EXPECT_NE(check_gateway(itf, 0xC00002FFu), "");  // broadcast
    const Ipv4Interface p2p{0x0A000000u, 31};
    EXPECT_EQ(check_gateway(p2p, 0x0A000001u), "");
}

TEST(Listen, HostPort) {
    for (const char* ok : {"127.0.0.1:9091", "0.0.0.0:1", "localhost:65535",
                           "metrics.example.net:9091", "[::1]:9091", "[::]:9091", "[fe80::1]:80"})
        EXPECT_EQ(check_listen_address(ok), "") << ok;
    for (const char* bad : {"9091", ":9091", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                            "127.0.0.1:09091", "127.0.0.1:x", "::1:9091", "[::1:9091", "[]:9091",
                            "1.2.3:9091", "-bad-:80", "a..b:80", "has space:80", "[zz]:80"})
        EXPECT_NE(check_listen_address(bad), "") << bad;
}

}  // namespace
}  // namespace sipwire::config::detail
