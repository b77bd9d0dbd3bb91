#include "metrics/exporter.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include "metrics/stats.h"
#include "test_segment.h"

namespace sipwire::metrics {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using sipwire::testing::TestSegment;

constexpr uint64_t kNow = 5'000'000'000ULL;

class ExporterTest : public ::testing::Test {
protected:
    void SetUp() override {
        seg.add_port(0, "net_tap0", "net_tap", true);
        seg.add_port(1, "0000:03:00.0", "net_ixgbe", false);
        seg.add_worker(0, 1, kNow - 500'000'000, 4);
        seg.add_worker(1, 2, kNow - 1'500'000'000, 3);
        seg.counters(0, 0).rx_packets.add(10);
        seg.counters(0, 0).rx_bytes.add(1500);
        seg.counters(1, 0).rx_packets.add(7);
        seg.counters(0, 1).tx_packets.add(3);
        seg.counters(0, 0).drops[unsigned(DropReason::not_for_us)].add(4);
        seg.counters(1, 1).drops[unsigned(DropReason::tx_queue_full)].add(2);
        seg.view().worker(0).loops.add(123456);
        seg.view().worker(1).busy_loops.add(99);
        ShmHeader& h = seg.header();
        h.worker_count.store(2);
        h.port_count.store(2);
        h.dataplane_pid.store(getpid());
        h.controlplane_started_unix_ns.store(1'700'000'000'000'000'000ULL);
        h.dataplane_started_unix_ns.store(1'700'000'012'500'000'000ULL);
        h.published.store(pack_published(4, 1));
    }

    std::string scrape() const {
        SegmentCollector collector(seg.view(), [] { return kNow; });
        std::ostringstream out;
        prometheus::TextSerializer().Serialize(out, collector.Collect());
        return out.str();
    }

    TestSegment seg;
};

TEST_F(ExporterTest, PortCountersPerPortAndLcore) {
    const std::string text = scrape();
    EXPECT_THAT(text, HasSubstr("\nsipwire_rx_packets_total{port=\"net_tap0\",lcore=\"1\"} 10\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_rx_packets_total{port=\"net_tap0\",lcore=\"2\"} 7\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_rx_bytes_total{port=\"net_tap0\",lcore=\"1\"} 1500\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_tx_packets_total{port=\"0000:03:00.0\",lcore=\"1\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_tx_packets_total{port=\"0000:03:00.0\",lcore=\"2\"} 0\n"));
}

TEST_F(ExporterTest, EveryXMacroCounterIsAFamilyWithItsHelp) {
    const std::string text = scrape();
    for (const PortCounterField& f : kPortCounterFields) {
        EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + f.prometheus_name + " " + f.help + "\n"));
        EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + f.prometheus_name + " counter\n"));
    }
}

TEST_F(ExporterTest, DropsByReasonIncludingZeros) {
    const std::string text = scrape();
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_drops_total counter\n"));
    EXPECT_THAT(text, HasSubstr(
        "\nsipwire_drops_total{port=\"net_tap0\",lcore=\"1\",reason=\"not_for_us\"} 4\n"));
    EXPECT_THAT(text, HasSubstr(
        "\nsipwire_drops_total{port=\"0000:03:00.0\",lcore=\"2\",reason=\"tx_queue_full\"} 2\n"));
    for (const char* reason : kDropReasonNames)
        EXPECT_THAT(text, HasSubstr("\nsipwire_drops_total{port=\"net_tap0\",lcore=\"2\",reason=\"" +
                                    std::string(reason) + "\"} 0\n"));
}

TEST_F(ExporterTest, WorkerAndDataplaneGauges) {
    const std::string text = scrape();
    EXPECT_THAT(text, HasSubstr("\nsipwire_dataplane_up 1\n"));
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_dataplane_up gauge\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_dataplane_heartbeat_age_seconds{lcore=\"1\"} 0.5\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_dataplane_heartbeat_age_seconds{lcore=\"2\"} 1.5\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_config_generation 4\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_config_generation_acked{lcore=\"1\"} 4\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_config_generation_acked{lcore=\"2\"} 3\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_port_link_up{port=\"net_tap0\"} 1\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_port_link_up{port=\"0000:03:00.0\"} 0\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_worker_loops_total{lcore=\"1\"} 123456\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_worker_busy_loops_total{lcore=\"2\"} 99\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_controlplane_start_time_seconds 1700000000\n"));
    EXPECT_THAT(text, HasSubstr("\nsipwire_dataplane_start_time_seconds 1700000012.5\n"));
}

TEST_F(ExporterTest, DataplaneDownBeforeItStarts) {
    ShmHeader& h = seg.header();
    h.dataplane_pid.store(0);
    h.dataplane_started_unix_ns.store(0);
    h.worker_count.store(0);
    h.port_count.store(0);
    const std::string text = scrape();
    EXPECT_THAT(text, HasSubstr("\nsipwire_dataplane_up 0\n"));
    EXPECT_THAT(text, Not(HasSubstr("sipwire_rx_packets_total{")));
    EXPECT_THAT(text, Not(HasSubstr("sipwire_dataplane_start_time_seconds")));
    EXPECT_THAT(text, HasSubstr("\nsipwire_controlplane_start_time_seconds 1700000000\n"));
}

// Binds a TCP listener on 127.0.0.1 and returns its port (the fd stays open).
int listen_on_loopback(int& fd) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(fd, 1), 0);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
}

std::string http_get(int port, const std::string& path) {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(uint16_t(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        close(fd);
        return {};
    }
    const std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
    EXPECT_EQ(write(fd, req.data(), req.size()), ssize_t(req.size()));
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, size_t(n));
    close(fd);
    return out;
}

TEST_F(ExporterTest, ServesMetricsOverHttp) {
    std::string error;
    auto exporter =
        start_exporter("127.0.0.1:0", std::make_shared<SegmentCollector>(seg.view()), error);
    ASSERT_TRUE(exporter) << error;
    const std::string url = exporter->url();
    ASSERT_THAT(url, ::testing::StartsWith("http://127.0.0.1:"));
    const int port = std::stoi(url.substr(url.rfind(':') + 1));
    ASSERT_GT(port, 0);
    const std::string body = http_get(port, "/metrics");
    EXPECT_THAT(body, HasSubstr("200 OK"));
    EXPECT_THAT(body, HasSubstr("sipwire_rx_packets_total{port=\"net_tap0\",lcore=\"1\"} 10\n"));
}

TEST_F(ExporterTest, BusyPortIsAClearError) {
    int fd = -1;
    const int port = listen_on_loopback(fd);
    std::string error;
    auto exporter = start_exporter("127.0.0.1:" + std::to_string(port),
                                   std::make_shared<SegmentCollector>(seg.view()), error);
    close(fd);
    EXPECT_FALSE(exporter);
    EXPECT_EQ(error, "cannot listen for metrics on 127.0.0.1:" + std::to_string(port) +
                         ": Address already in use");
}

TEST_F(ExporterTest, MalformedListenAddressIsAnError) {
    std::string error;
    EXPECT_FALSE(start_exporter("localhost", std::make_shared<SegmentCollector>(seg.view()), error));
    EXPECT_THAT(error, HasSubstr("is not HOST:PORT"));
    EXPECT_FALSE(start_exporter("127.0.0.1:99999", std::make_shared<SegmentCollector>(seg.view()), error));
}

}  // namespace
}  // namespace sipwire::metrics

namespace sipwire::metrics {
namespace {

TEST_F(ExporterTest, SipCountersPerLcore) {
    SipCounters& w0 = seg.view().worker(0).sip;
    SipCounters& w1 = seg.view().worker(1).sip;
    w0.requests_received.add(12);
    w1.requests_received.add(3);
    w0.requests_dispatched.add(9);
    w0.local_responses[unsigned(SipLocalResponse::no_destination)].add(4);
    w0.local_responses[unsigned(SipLocalResponse::at_capacity)].add(7);
    w1.local_responses[unsigned(SipLocalResponse::options_ok)].add(2);
    w1.parse_errors[5].add(6);  // unsupported_version
    const std::string text = scrape();
    EXPECT_THAT(text, HasSubstr("# TYPE sipwire_sip_requests_received_total counter"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_requests_received_total{lcore=\"1\"} 12"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_requests_received_total{lcore=\"2\"} 3"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_requests_dispatched_total{lcore=\"1\"} 9"));
    for (const SipCounterField& f : kSipCounterFields) {
        EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + f.prometheus_name + " " + f.help));
        EXPECT_THAT(text, HasSubstr(std::string(f.prometheus_name) + "{lcore=\"2\"}"));
    }
    // Two local responses share 503: the reason label keeps their series apart.
    EXPECT_THAT(text, HasSubstr("sipwire_sip_local_responses_total{lcore=\"1\",code=\"503\","
                                "reason=\"no_destination\"} 4"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_local_responses_total{lcore=\"1\",code=\"503\","
                                "reason=\"at_capacity\"} 7"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_local_responses_total{lcore=\"2\",code=\"200\","
                                "reason=\"options_ok\"} 2"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_local_responses_total{lcore=\"2\",code=\"483\","
                                "reason=\"too_many_hops\"} 0"));
    EXPECT_THAT(text,
                HasSubstr("sipwire_sip_parse_errors_total{lcore=\"2\",reason=\"unsupported_version\"} 6"));
    EXPECT_THAT(text, HasSubstr("sipwire_sip_parse_errors_total{lcore=\"1\",reason=\"bad_via\"} 0"));
    EXPECT_THAT(text, Not(HasSubstr("reason=\"ok\"")));
}

TEST_F(ExporterTest, SipTotalsAndDestinationRequestsSummed) {
    seg.view().worker(0).sip.destination_requests[3].add(5);
    seg.view().worker(1).sip.destination_requests[3].add(6);
    seg.view().worker(1).sip.keepalives.add(1);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    ASSERT_EQ(s.sip.size(), 2u);
    EXPECT_EQ(s.sip_totals.destination_requests[3], 11u);
    EXPECT_EQ(s.sip_totals.get("keepalives"), 1u);
    EXPECT_EQ(s.sip[0].destination_requests[3], 5u);
}

}  // namespace
}  // namespace sipwire::metrics

namespace sipwire::metrics {
namespace {

TEST_F(ExporterTest, LocalResponseSeriesAreUnique) {
    const std::string text = scrape();
    std::istringstream in(text);
    std::set<std::string> series;
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("sipwire_sip_local_responses_total{", 0) != 0) continue;
        const std::string labels = line.substr(0, line.rfind(' '));
        EXPECT_TRUE(series.insert(labels).second) << "duplicate series " << labels;
    }
    EXPECT_EQ(series.size(), 2u * kSipLocalResponseCount);
}

TEST_F(ExporterTest, CallLimitCountersPerLcoreAndReleasesByReason) {
    CallLimitCounters& w0 = seg.view().worker(0).limits;
    CallLimitCounters& w1 = seg.view().worker(1).limits;
    w0.failed_over.add(5);
    w1.retransmissions.add(2);
    w1.dialog_table_full.add(1);
    w0.released[unsigned(ChannelRelease::bye)].add(10);
    w1.released[unsigned(ChannelRelease::bye)].add(4);
    w1.released[unsigned(ChannelRelease::max_duration)].add(1);
    const std::string text = scrape();
    for (const CallLimitCounterField& f : kCallLimitCounterFields) {
        EXPECT_THAT(text, HasSubstr(std::string("# HELP ") + f.prometheus_name + " " + f.help));
        EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + f.prometheus_name + " counter"));
    }
    EXPECT_THAT(text, HasSubstr("sipwire_calls_failed_over_total{lcore=\"1\"} 5"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_failed_over_total{lcore=\"2\"} 0"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_retransmitted_total{lcore=\"2\"} 2"));
    EXPECT_THAT(text, HasSubstr("sipwire_calls_untracked_total{lcore=\"2\"} 1"));
    EXPECT_THAT(text, HasSubstr("sipwire_channels_released_total{reason=\"bye\"} 14"));
    EXPECT_THAT(text, HasSubstr("sipwire_channels_released_total{reason=\"max_duration\"} 1"));
    EXPECT_THAT(text, HasSubstr("sipwire_channels_released_total{reason=\"cancel\"} 0"));
}

TEST_F(ExporterTest, LimitValuesAndChannelsReadFromSegment) {
    seg.view().worker(0).limits.admitted[kServerScope].add(7);
    seg.view().worker(1).limits.admitted[kServerScope].add(3);
    seg.view().worker(1).limits.rejected_channels[kFirstSetScope + 1].add(2);
    seg.view().call_limits().scopes[kFirstSourceScope].channels.store(42);
    const StatsSnapshot s = read_stats(seg.view(), kNow);
    ASSERT_EQ(s.limits.size(), 2u);
    EXPECT_EQ(s.limit_totals.admitted[kServerScope], 10u);
    EXPECT_EQ(s.limits[1].rejected_channels[kFirstSetScope + 1], 2u);
    EXPECT_EQ(s.channels_in_use[kFirstSourceScope], 42);
    EXPECT_EQ(s.channels_in_use[kServerScope], 0);
}

}  // namespace
}  // namespace sipwire::metrics
