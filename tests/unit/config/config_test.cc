#include "config/config.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "sipwire/limits.h"

namespace sipwire::config {
namespace {

constexpr const char* kSource = "test.toml";

// Smallest valid file: the two required parts.
constexpr const char* kMinimal = R"(
[dataplane]
eal_args = ["--no-huge"]

[[port]]
name = "net_tap0"
address = "192.0.2.1/24"
)";

constexpr const char* kFull = R"(# full configuration
[instance]
name = "edge-1"
log_level = "debug"

[dataplane]
eal_args = ["--no-huge", "-m", "512", "--no-pci", "--file-prefix", "sipwire-edge-1",
            "--vdev=net_tap0,iface=sw0"]
idle_sleep_us = 0
burst_size = 64
rx_descriptors = 512
tx_descriptors = 2048
mbufs_per_port = 16383

[[port]]
name = "net_tap0"
address = "192.0.2.1/24"
gateway = "192.0.2.254"

[[port]]
name = "0000:03:00.0"
address = "10.1.2.3/31"

[sip]
ports = [5060, 5080]

[rtp]
port_min = 30000
port_max = 30999

[metrics]
listen = "0.0.0.0:9100"

[control]
socket = "/tmp/sipwire-edge-1.sock"
)";

Config parse_ok(const std::string& text) {
    LoadResult r = parse_config(text, kSource);
    EXPECT_TRUE(r.config.has_value()) << r.error;
    EXPECT_TRUE(r.error.empty()) << r.error;
    if (!r.config) return Config{};
    return *r.config;
}

// The error must be one line starting "test.toml:LINE: KEY: ".
::testing::AssertionResult fails_at(const std::string& text, int line, const std::string& key) {
    LoadResult r = parse_config(text, kSource);
    if (r.config) return ::testing::AssertionFailure() << "configuration was accepted";
    const std::string prefix =
        std::string(kSource) + ":" + std::to_string(line) + ": " + key + ": ";
    if (r.error.rfind(prefix, 0) != 0)
        return ::testing::AssertionFailure()
               << "error \"" << r.error << "\" does not start with \"" << prefix << "\"";
    if (r.error.find('\n') != std::string::npos)
        return ::testing::AssertionFailure() << "error has several lines: " << r.error;
    if (r.error.size() <= prefix.size())
        return ::testing::AssertionFailure() << "error has no message: " << r.error;
    return ::testing::AssertionSuccess() << r.error;
}

std::string error_of(const std::string& text) {
    return parse_config(text, kSource).error;
}

// kMinimal with `extra` appended (line numbers: kMinimal is 7 lines, extra starts on 8).
std::string minimal_plus(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

// A valid file with one [dataplane] key replaced; `key_line` lands on line 4.
std::string with_dataplane(const std::string& key_line) {
    return "[dataplane]\n"
           "eal_args = [\"--no-huge\"]\n"
           "# the key under test is on line 4\n" +
           key_line +
           "\n"
           "[[port]]\n"
           "name = \"net_tap0\"\n"
           "address = \"192.0.2.1/24\"\n";
}

// A valid file whose single port has these lines (first one on line 5).
std::string with_port(const std::string& port_lines) {
    return "[dataplane]\n"
           "eal_args = [\"--no-huge\"]\n"
           "\n"
           "[[port]]\n" +
           port_lines + "\n";
}

TEST(ConfigMinimal, DefaultsApplied) {
    const Config c = parse_ok(kMinimal);
    EXPECT_EQ(c.source_path, kSource);
    EXPECT_EQ(c.instance, "default");
    EXPECT_EQ(c.log_level, "info");
    EXPECT_EQ(c.metrics_listen, "127.0.0.1:9091");
    EXPECT_EQ(c.control_socket, "/run/sipwire/default.sock");

    ASSERT_EQ(c.boot.eal_arg_count, 1u);
    EXPECT_STREQ(c.boot.eal_args[0], "--no-huge");
    EXPECT_EQ(c.boot.eal_args[1][0], '\0');
    ASSERT_EQ(c.boot.port_count, 1u);
    EXPECT_STREQ(c.boot.port_names[0], "net_tap0");
    EXPECT_EQ(c.boot.rx_descriptors, 1024);
    EXPECT_EQ(c.boot.tx_descriptors, 1024);
    EXPECT_EQ(c.boot.mbufs_per_port, 8191u);

    EXPECT_EQ(c.dataplane.generation, 0u);
    ASSERT_EQ(c.dataplane.port_count, 1u);
    EXPECT_EQ(c.dataplane.ports[0].ipv4, htonl(0xC0000201));  // 192.0.2.1
    EXPECT_EQ(c.dataplane.ports[0].prefix_len, 24);
    EXPECT_EQ(c.dataplane.ports[0].gateway_ipv4, 0u);
    EXPECT_EQ(c.dataplane.sip_ports[0], 5060);
    for (unsigned i = 1; i < kMaxSipPorts; ++i) EXPECT_EQ(c.dataplane.sip_ports[i], 0);
    EXPECT_EQ(c.dataplane.rtp_port_min, 20000);
    EXPECT_EQ(c.dataplane.rtp_port_max, 29999);
    EXPECT_EQ(c.dataplane.idle_sleep_us, 50u);
    EXPECT_EQ(c.dataplane.burst_size, 32u);

    ASSERT_EQ(c.ports.size(), 1u);
    EXPECT_EQ(c.ports[0].name, "net_tap0");
    EXPECT_EQ(c.ports[0].address, "192.0.2.1/24");
    EXPECT_EQ(c.ports[0].gateway, "");
}

TEST(ConfigFull, EveryKey) {
    const Config c = parse_ok(kFull);
    EXPECT_EQ(c.instance, "edge-1");
    EXPECT_EQ(c.log_level, "debug");
    EXPECT_EQ(c.metrics_listen, "0.0.0.0:9100");
    EXPECT_EQ(c.control_socket, "/tmp/sipwire-edge-1.sock");

    ASSERT_EQ(c.boot.eal_arg_count, 7u);
    EXPECT_STREQ(c.boot.eal_args[0], "--no-huge");
    EXPECT_STREQ(c.boot.eal_args[2], "512");
    EXPECT_STREQ(c.boot.eal_args[5], "sipwire-edge-1");
    EXPECT_STREQ(c.boot.eal_args[6], "--vdev=net_tap0,iface=sw0");
    ASSERT_EQ(c.boot.port_count, 2u);
    EXPECT_STREQ(c.boot.port_names[0], "net_tap0");
    EXPECT_STREQ(c.boot.port_names[1], "0000:03:00.0");
    EXPECT_EQ(c.boot.rx_descriptors, 512);
    EXPECT_EQ(c.boot.tx_descriptors, 2048);
    EXPECT_EQ(c.boot.mbufs_per_port, 16383u);

    ASSERT_EQ(c.dataplane.port_count, 2u);
    // Network byte order: the first byte in memory is the first octet.
    const auto* a0 = reinterpret_cast<const uint8_t*>(&c.dataplane.ports[0].ipv4);
    EXPECT_EQ(a0[0], 192);
    EXPECT_EQ(a0[1], 0);
    EXPECT_EQ(a0[2], 2);
    EXPECT_EQ(a0[3], 1);
    const auto* g0 = reinterpret_cast<const uint8_t*>(&c.dataplane.ports[0].gateway_ipv4);
    EXPECT_EQ(g0[0], 192);
    EXPECT_EQ(g0[3], 254);
    EXPECT_EQ(c.dataplane.ports[0].ipv4, htonl(0xC0000201));
    EXPECT_EQ(c.dataplane.ports[0].gateway_ipv4, htonl(0xC00002FE));
    EXPECT_EQ(c.dataplane.ports[0].prefix_len, 24);
    EXPECT_EQ(c.dataplane.ports[1].ipv4, htonl(0x0A010203));  // 10.1.2.3
    EXPECT_EQ(c.dataplane.ports[1].prefix_len, 31);
    EXPECT_EQ(c.dataplane.ports[1].gateway_ipv4, 0u);
    EXPECT_EQ(c.dataplane.ports[2].ipv4, 0u);  // unused slots stay zero

    EXPECT_EQ(c.dataplane.sip_ports[0], 5060);  // host byte order
    EXPECT_EQ(c.dataplane.sip_ports[1], 5080);
    EXPECT_EQ(c.dataplane.sip_ports[2], 0);
    EXPECT_EQ(c.dataplane.sip_ports[3], 0);
    EXPECT_EQ(c.dataplane.rtp_port_min, 30000);
    EXPECT_EQ(c.dataplane.rtp_port_max, 30999);
    EXPECT_EQ(c.dataplane.idle_sleep_us, 0u);
    EXPECT_EQ(c.dataplane.burst_size, 64u);
    EXPECT_EQ(c.dataplane.generation, 0u);

    ASSERT_EQ(c.ports.size(), 2u);
    EXPECT_EQ(c.ports[0].gateway, "192.0.2.254");
    EXPECT_EQ(c.ports[1].name, "0000:03:00.0");
    EXPECT_EQ(c.ports[1].address, "10.1.2.3/31");
}

TEST(ConfigValid, ControlSocketFollowsInstanceName) {
    const Config c = parse_ok(minimal_plus("[instance]\nname = \"b_2\"\n"));
    EXPECT_EQ(c.control_socket, "/run/sipwire/b_2.sock");
}

TEST(ConfigValid, EmptyListenDisablesMetrics) {
    EXPECT_EQ(parse_ok(minimal_plus("[metrics]\nlisten = \"\"\n")).metrics_listen, "");
    EXPECT_EQ(parse_ok(minimal_plus("[metrics]\nlisten = \"[::1]:9091\"\n")).metrics_listen,
              "[::1]:9091");
    EXPECT_EQ(parse_ok(minimal_plus("[metrics]\nlisten = \"localhost:9091\"\n")).metrics_listen,
              "localhost:9091");
}

TEST(ConfigValid, LimitsAccepted) {
    EXPECT_EQ(parse_ok(with_dataplane("burst_size = 64")).dataplane.burst_size, kMaxBurst);
    EXPECT_EQ(parse_ok(with_dataplane("burst_size = 1")).dataplane.burst_size, 1u);
    EXPECT_EQ(parse_ok(with_dataplane("idle_sleep_us = 100000")).dataplane.idle_sleep_us, 100000u);
    EXPECT_EQ(parse_ok(with_dataplane("rx_descriptors = 64")).boot.rx_descriptors, 64);
    EXPECT_EQ(parse_ok(with_dataplane("tx_descriptors = 4096")).boot.tx_descriptors, 4096);
    EXPECT_EQ(parse_ok(with_dataplane("mbufs_per_port = 1023")).boot.mbufs_per_port, 1023u);
    EXPECT_EQ(parse_ok(with_dataplane("mbufs_per_port = 1048575")).boot.mbufs_per_port, 1048575u);
}

TEST(ConfigValid, MaximumCounts) {
    std::string args = "eal_args = [";
    for (unsigned i = 0; i < kMaxEalArgs - 1; ++i) args += "\"a\",";
    args += "]";
    const std::string long_arg(kEalArgLen - 1, 'x');
    std::string text = "[dataplane]\n" + args + "\n[sip]\nports = [1, 2, 3, 65535]\n";
    for (unsigned i = 0; i < kMaxPorts; ++i)
        text += "[[port]]\nname = \"p" + std::to_string(i) + "\"\naddress = \"10.0." +
                std::to_string(i) + ".1/24\"\n";
    const Config c = parse_ok(text);
    EXPECT_EQ(c.boot.eal_arg_count, kMaxEalArgs - 1);
    EXPECT_EQ(c.boot.port_count, kMaxPorts);
    EXPECT_EQ(c.dataplane.sip_ports[3], 65535);

    const Config c2 = parse_ok(with_dataplane("# nothing") + "");
    EXPECT_EQ(c2.boot.eal_arg_count, 1u);
    const Config c3 =
        parse_ok("[dataplane]\neal_args = [\"" + long_arg + "\"]\n[[port]]\nname = \"" +
                 std::string(kNameLen - 1, 'n') + "\"\naddress = \"192.0.2.1/24\"\n");
    EXPECT_EQ(std::strlen(c3.boot.eal_args[0]), kEalArgLen - 1);
    EXPECT_EQ(std::strlen(c3.boot.port_names[0]), kNameLen - 1);
}

TEST(ConfigValid, AlternativeTomlSpellings) {
    // Dotted keys and inline tables are the same TOML document.
    const Config c = parse_ok(
        "dataplane.eal_args = [\"--no-huge\"]\n"
        "dataplane.burst_size = 16\n"
        "port = [{name = \"net_tap0\", address = \"192.0.2.1/24\", gateway = \"\"}]\n");
    EXPECT_EQ(c.dataplane.burst_size, 16u);
    EXPECT_EQ(c.dataplane.ports[0].gateway_ipv4, 0u);
}

TEST(ConfigValid, Slash32AndSlash31) {
    EXPECT_EQ(parse_ok(with_port("name = \"a\"\naddress = \"203.0.113.7/32\""))
                  .dataplane.ports[0]
                  .prefix_len,
              32);
    // /31 (RFC 3021): both addresses are hosts.
    const Config c =
        parse_ok(with_port("name = \"a\"\naddress = \"10.0.0.0/31\"\ngateway = \"10.0.0.1\""));
    EXPECT_EQ(c.dataplane.ports[0].ipv4, htonl(0x0A000000));
    EXPECT_EQ(c.dataplane.ports[0].gateway_ipv4, htonl(0x0A000001));
}

TEST(ConfigValid, RtpRangeNextToSipPort) {
    const Config c =
        parse_ok(minimal_plus("[sip]\nports = [5060]\n[rtp]\nport_min = 5062\nport_max = 5063\n"));
    EXPECT_EQ(c.dataplane.rtp_port_min, 5062);
    EXPECT_EQ(c.dataplane.rtp_port_max, 5063);
}

// ---------------------------------------------------------------- errors

TEST(ConfigErrors, BadType) {
    EXPECT_TRUE(fails_at(with_dataplane("burst_size = \"32\""), 4, "dataplane.burst_size"));
    EXPECT_TRUE(fails_at(with_dataplane("idle_sleep_us = 1.5"), 4, "dataplane.idle_sleep_us"));
    EXPECT_TRUE(fails_at(with_dataplane("burst_size = true"), 4, "dataplane.burst_size"));
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nname = 5\n"), 9, "instance.name"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = 5060\n"), 9, "sip.ports"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [5060,\n \"5080\"]\n"), 10, "sip.ports[1]"));
    EXPECT_TRUE(fails_at("metrics = 1\n" + std::string(kMinimal), 1, "metrics"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = \"--no-huge\"\n", 2, "dataplane.eal_args"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"a\", 2]\n", 2, "dataplane.eal_args[1]"));
    EXPECT_TRUE(
        fails_at("[dataplane]\neal_args = [\"--no-huge\"]\n[port]\nname = \"x\"\n", 3, "port"));
    EXPECT_TRUE(fails_at(with_port("name = \"a\"\naddress = 3232235777"), 6, "port[0].address"));
    EXPECT_NE(
        error_of(with_dataplane("burst_size = \"32\"")).find("expected an integer, got a string"),
        std::string::npos);
}

TEST(ConfigErrors, OutOfRange) {
    EXPECT_TRUE(fails_at(with_dataplane("burst_size = 0"), 4, "dataplane.burst_size"));
    EXPECT_TRUE(fails_at(with_dataplane("burst_size = 65"), 4, "dataplane.burst_size"));
    EXPECT_TRUE(fails_at(with_dataplane("idle_sleep_us = -1"), 4, "dataplane.idle_sleep_us"));
    EXPECT_TRUE(fails_at(with_dataplane("idle_sleep_us = 100001"), 4, "dataplane.idle_sleep_us"));
    EXPECT_TRUE(fails_at(with_dataplane("rx_descriptors = 1000"), 4, "dataplane.rx_descriptors"));
    EXPECT_TRUE(fails_at(with_dataplane("rx_descriptors = 32"), 4, "dataplane.rx_descriptors"));
    EXPECT_TRUE(fails_at(with_dataplane("tx_descriptors = 8192"), 4, "dataplane.tx_descriptors"));
    EXPECT_TRUE(fails_at(with_dataplane("tx_descriptors = 0"), 4, "dataplane.tx_descriptors"));
    EXPECT_TRUE(fails_at(with_dataplane("mbufs_per_port = 1022"), 4, "dataplane.mbufs_per_port"));
    EXPECT_TRUE(
        fails_at(with_dataplane("mbufs_per_port = 1048576"), 4, "dataplane.mbufs_per_port"));
    // toml11 saturates integers that overflow int64; they still fail the range check.
    EXPECT_TRUE(
        fails_at(with_dataplane("burst_size = 99999999999999999999"), 4, "dataplane.burst_size"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [0]\n"), 9, "sip.ports[0]"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [65536]\n"), 9, "sip.ports[0]"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = []\n"), 9, "sip.ports"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [1, 2, 3, 4,\n 5]\n"), 10, "sip.ports"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [5060, 5061, 5060]\n"), 9, "sip.ports[2]"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[rtp]\nport_min = 1022\nport_max = 2000\n"), 9, "rtp.port_min"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[rtp]\nport_min = 2000\nport_max = 65536\n"), 10, "rtp.port_max"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[rtp]\nport_min = 20001\nport_max = 29999\n"), 9, "rtp.port_min"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[rtp]\nport_min = 20000\nport_max = 20000\n"), 10, "rtp.port_max"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[rtp]\nport_min = 20000\nport_max = 10000\n"), 10, "rtp.port_max"));
}

TEST(ConfigErrors, RtpBothOrNeither) {
    EXPECT_TRUE(fails_at(minimal_plus("[rtp]\nport_min = 20000\n"), 9, "rtp.port_max"));
    EXPECT_TRUE(fails_at(minimal_plus("[rtp]\n\nport_max = 20000\n"), 10, "rtp.port_min"));
}

TEST(ConfigErrors, RtpOverlapsSip) {
    EXPECT_TRUE(fails_at(
        minimal_plus("[sip]\nports = [5060, 20010]\n[rtp]\nport_min = 20000\nport_max = 20100\n"),
        11, "rtp.port_min"));
    // Range edges are inclusive.
    EXPECT_TRUE(fails_at(
        minimal_plus("[sip]\nports = [20100]\n[rtp]\nport_min = 20000\nport_max = 20100\n"), 11,
        "rtp.port_min"));
    // Against the default range the SIP port is the offending value.
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nports = [5060,\n 25000]\n"), 10, "sip.ports[1]"));
    EXPECT_NE(error_of(minimal_plus("[sip]\nports = [25000]\n")).find("20000-29999"),
              std::string::npos);
}

TEST(ConfigErrors, UnknownKeysAndTables) {
    EXPECT_TRUE(fails_at(with_dataplane("burst = 32"), 4, "dataplane.burst"));
    EXPECT_NE(error_of(with_dataplane("burst_sise = 32")).find("did you mean \"burst_size\""),
              std::string::npos);
    EXPECT_TRUE(fails_at(minimal_plus("[dataplan]\nx = 1\n"), 8, "dataplan"));
    EXPECT_NE(error_of(minimal_plus("[dataplan]\nx = 1\n")).find("unknown table"),
              std::string::npos);
    EXPECT_TRUE(fails_at("\nname = \"x\"\n" + std::string(kMinimal), 2, "name"));
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nname = \"a\"\nlevel = \"info\"\n"), 10,
                         "instance.level"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[[port]]\nname = \"b\"\naddress = \"10.0.0.1/8\"\nmac = \"x\"\n"),
                 11, "port[1].mac"));
    EXPECT_TRUE(fails_at(minimal_plus("[dataplane.extra]\nx = 1\n"), 8, "dataplane.extra"));
    EXPECT_TRUE(fails_at(minimal_plus("[rtp]\nport_min = 20000\nport_max = 29999\nport_mx = 1\n"),
                         11, "rtp.port_mx"));
    EXPECT_TRUE(fails_at(minimal_plus("[metrics]\nlisten = \"\"\nport = 1\n"), 10, "metrics.port"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[control]\nsocket_path = \"/x\"\n"), 9, "control.socket_path"));
    EXPECT_TRUE(fails_at(minimal_plus("[sip]\nport = [5060]\n"), 9, "sip.port"));
    // The first unknown key in file order is reported.
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nzzz = 1\naaa = 2\n"), 9, "instance.zzz"));
}

TEST(ConfigErrors, TypoReportedInsteadOfMissingKey) {
    EXPECT_TRUE(
        fails_at("[dataplane]\neal_arg = []\n[[port]]\nname = \"a\"\naddress = \"10.0.0.1/8\"\n", 2,
                 "dataplane.eal_arg"));
    EXPECT_TRUE(
        fails_at("[dataplane]\neal_args = [\"--no-huge\"]\n[[port]]\nname = \"a\"\nadress = "
                 "\"10.0.0.1/8\"\n",
                 5, "port[0].adress"));
}

TEST(ConfigErrors, MissingRequired) {
    EXPECT_TRUE(fails_at("", 1, "dataplane.eal_args"));
    EXPECT_TRUE(fails_at("[instance]\nname = \"a\"\n\n[dataplane]\nburst_size = 8\n", 4,
                         "dataplane.eal_args"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"--no-huge\"]\n", 1, "port"));
    EXPECT_TRUE(fails_at("port = []\n[dataplane]\neal_args = [\"--no-huge\"]\n", 1, "port"));
    EXPECT_TRUE(fails_at(with_port("address = \"10.0.0.1/8\""), 4, "port[0].name"));
    EXPECT_TRUE(fails_at(with_port("name = \"a\""), 4, "port[0].address"));
    EXPECT_TRUE(fails_at(minimal_plus("\n[[port]]\nname = \"b\"\n"), 9, "port[1].address"));
    EXPECT_NE(error_of("").find("missing required key"), std::string::npos);
}

TEST(ConfigErrors, BadIpv4) {
    const char* bad[] = {
        "192.0.2.1",       // no prefix
        "192.0.2/24",      // three octets
        "192.0.2.1.5/24",  // five octets
        "192.0.2.256/24",  // octet > 255
        "192.0.02.1/24",   // leading zero
        " 192.0.2.1/24",   // space
        "192.0.2.1/0",     // prefix 0
        "192.0.2.1/33",    // prefix > 32
        "192.0.2.1/",      // empty prefix
        "192.0.2.1/24x",   // junk
        "192.0.2.0/24",    // network address
        "192.0.2.255/24",  // broadcast address
        "0.1.2.3/8",       // this network
        "127.0.0.1/8",     // loopback
        "224.0.0.5/4",     // multicast
        "255.255.255.255/32", "example.com/24", "",
    };
    for (const char* a : bad)
        EXPECT_TRUE(fails_at(with_port(std::string("name = \"a\"\naddress = \"") + a + "\""), 6,
                             "port[0].address"))
            << a;
}

TEST(ConfigErrors, BadGateway) {
    const char* bad[] = {
        "192.0.3.1",    // other subnet
        "192.0.2.1",    // the port itself
        "192.0.2.0",    // network
        "192.0.2.255",  // broadcast
        "192.0.2",      // not an address
        "gw",
    };
    for (const char* g : bad)
        EXPECT_TRUE(fails_at(
            with_port(std::string("name = \"a\"\naddress = \"192.0.2.1/24\"\n\ngateway = \"") + g +
                      "\""),
            8, "port[0].gateway"))
            << g;
    EXPECT_TRUE(
        fails_at(with_port("name = \"a\"\naddress = \"192.0.2.1/32\"\ngateway = \"192.0.2.2\""), 7,
                 "port[0].gateway"));
    EXPECT_TRUE(fails_at(with_port("name = \"a\"\naddress = \"192.0.2.1/24\"\ngateway = 1"), 7,
                         "port[0].gateway"));
}

TEST(ConfigErrors, PortNames) {
    EXPECT_TRUE(
        fails_at(minimal_plus("\n[[port]]\nname = \"net_tap0\"\naddress = \"10.0.0.1/8\"\n"), 10,
                 "port[1].name"));
    EXPECT_NE(error_of(minimal_plus("[[port]]\nname = \"net_tap0\"\naddress = \"10.0.0.1/8\"\n"))
                  .find("duplicate"),
              std::string::npos);
    EXPECT_TRUE(
        fails_at(minimal_plus("[[port]]\nname = \"net_tap1\"\naddress = \"192.0.2.1/16\"\n"), 10,
                 "port[1].address"));
    EXPECT_TRUE(fails_at(with_port("name = \"\"\naddress = \"10.0.0.1/8\""), 5, "port[0].name"));
    EXPECT_TRUE(fails_at(
        with_port("name = \"" + std::string(kNameLen, 'n') + "\"\naddress = \"10.0.0.1/8\""), 5,
        "port[0].name"));
    EXPECT_TRUE(fails_at(with_port("name = \"net_tap0,iface=x\"\naddress = \"10.0.0.1/8\""), 5,
                         "port[0].name"));
    std::string five;
    for (int i = 0; i < 5; ++i)
        five += "[[port]]\nname = \"p" + std::to_string(i) + "\"\naddress = \"10.0." +
                std::to_string(i) + ".1/24\"\n";
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"--no-huge\"]\n" + five, 15, "port"));
}

TEST(ConfigErrors, EalArgs) {
    std::string args = "[dataplane]\neal_args = [\n";
    for (unsigned i = 0; i < kMaxEalArgs; ++i) args += "  \"a\",\n";  // element i on line 3 + i
    args += "]\n[[port]]\nname = \"a\"\naddress = \"10.0.0.1/8\"\n";
    EXPECT_TRUE(fails_at(args, 3 + int(kMaxEalArgs) - 1, "dataplane.eal_args"));
    EXPECT_NE(error_of(args).find("at most 31"), std::string::npos);

    const std::string too_long(kEalArgLen, 'x');
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"ok\",\n\"" + too_long + "\"]\n", 3,
                         "dataplane.eal_args[1]"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"\"]\n", 2, "dataplane.eal_args[0]"));
    // sipwire-dp takes an empty list for "nothing published yet".
    EXPECT_TRUE(fails_at("[dataplane]\n\neal_args = []\n", 3, "dataplane.eal_args"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"a\\u0000b\"]\n", 2, "dataplane.eal_args[0]"));
}

TEST(ConfigErrors, InstanceAndStrings) {
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nname = \"\"\n"), 9, "instance.name"));
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nname = \"a/b\"\n"), 9, "instance.name"));
    EXPECT_TRUE(fails_at(minimal_plus("[instance]\nname = \"" + std::string(33, 'a') + "\"\n"), 9,
                         "instance.name"));
    EXPECT_TRUE(
        parse_config(minimal_plus("[instance]\nname = \"" + std::string(32, 'a') + "\"\n"), kSource)
            .config);
    EXPECT_TRUE(
        fails_at(minimal_plus("[instance]\nlog_level = \"verbose\"\n"), 9, "instance.log_level"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[instance]\nlog_level = \"INFO\"\n"), 9, "instance.log_level"));
    EXPECT_TRUE(fails_at(minimal_plus("[metrics]\nlisten = \"9091\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[metrics]\nlisten = \"127.0.0.1:0\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[metrics]\nlisten = \"127.0.0.1:65536\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(fails_at(minimal_plus("[metrics]\nlisten = \":9091\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(fails_at(minimal_plus("[metrics]\nlisten = \"::1:9091\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[metrics]\nlisten = \"300.0.0.1:9091\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[metrics]\nlisten = \"bad host:9091\"\n"), 9, "metrics.listen"));
    EXPECT_TRUE(fails_at(minimal_plus("[control]\nsocket = \"\"\n"), 9, "control.socket"));
    EXPECT_TRUE(fails_at(minimal_plus("[control]\nsocket = \"/" + std::string(200, 's') + "\"\n"),
                         9, "control.socket"));
}

TEST(ConfigErrors, ValuesWithNewlinesStayOnOneLine) {
    EXPECT_TRUE(
        fails_at(minimal_plus("[instance]\nlog_level = \"a\\nb\"\n"), 9, "instance.log_level"));
    EXPECT_TRUE(
        fails_at(minimal_plus("[instance]\nname = \"\"\"\nx\ny\"\"\"\n"), 9, "instance.name"));
}

TEST(ConfigErrors, Syntax) {
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\"a\"]\nburst_size = \n", 3, "syntax"));
    EXPECT_TRUE(fails_at("[dataplane]\neal_args = [\n\"a\"\n\"b\"]\n", 4, "syntax"));
    EXPECT_TRUE(fails_at("[dataplane]\nburst_size = 1\n\nburst_size = 2\n", 4, "syntax"));
    EXPECT_TRUE(fails_at("[dataplane]\n[dataplane]\n", 2, "syntax"));
    EXPECT_TRUE(fails_at("\n\n[dataplane\n", 3, "syntax"));
    EXPECT_TRUE(fails_at("x = \"unterminated\n", 1, "syntax"));
    EXPECT_TRUE(fails_at("[dataplane]\nburst_size = 1 2\n", 2, "syntax"));
    const std::string e = error_of("[dataplane]\neal_args = [\"a\"]\nburst_size = \n");
    EXPECT_NE(e.find("missing value"), std::string::npos) << e;
    EXPECT_EQ(e.find("[error]"), std::string::npos) << e;
    EXPECT_EQ(e.find("toml::"), std::string::npos) << e;
}

// ---------------------------------------------------------------- files

class ConfigFile : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/sipwire-config-test-XXXXXX";
        ASSERT_NE(mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::remove((dir_ + "/sipwire.toml").c_str());
        rmdir(dir_.c_str());
    }
    std::string write(const std::string& text) {
        const std::string path = dir_ + "/sipwire.toml";
        std::ofstream(path) << text;
        return path;
    }
    std::string dir_;
};

TEST_F(ConfigFile, LoadsAndNamesTheFileInErrors) {
    const std::string path = write(kFull);
    LoadResult ok = load_config_file(path);
    ASSERT_TRUE(ok.config) << ok.error;
    EXPECT_EQ(ok.config->source_path, path);
    EXPECT_EQ(ok.config->boot.port_count, 2u);

    write(with_dataplane("burst_size = 0"));
    LoadResult bad = load_config_file(path);
    EXPECT_FALSE(bad.config);
    EXPECT_EQ(bad.error.rfind(path + ":4: dataplane.burst_size: ", 0), 0u) << bad.error;
}

TEST_F(ConfigFile, MissingFile) {
    const std::string path = dir_ + "/absent.toml";
    LoadResult r = load_config_file(path);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.error, path + ": cannot read: " + std::strerror(ENOENT));
}

TEST_F(ConfigFile, DirectoryIsNotAFile) {
    LoadResult r = load_config_file(dir_);
    EXPECT_FALSE(r.config);
    EXPECT_EQ(r.error.rfind(dir_ + ": cannot read: ", 0), 0u) << r.error;
}

TEST(ConfigExample, ShippedExampleIsValid) {
#ifdef SIPWIRE_SOURCE_ROOT
    LoadResult r =
        load_config_file(std::string(SIPWIRE_SOURCE_ROOT) + "/docs/examples/sipwire.toml");
    ASSERT_TRUE(r.config) << r.error;
    EXPECT_EQ(r.config->instance, "default");
    EXPECT_EQ(r.config->boot.eal_arg_count, 7u);
    EXPECT_EQ(r.config->boot.port_count, 1u);
    EXPECT_EQ(r.config->dataplane.ports[0].gateway_ipv4, htonl(0xC00002FE));
#else
    GTEST_SKIP() << "SIPWIRE_SOURCE_ROOT not defined";
#endif
}

}  // namespace
}  // namespace sipwire::config
