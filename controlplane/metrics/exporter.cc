#include "metrics/exporter.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

#include <prometheus/exposer.h>

#include "metrics/stats.h"

#include "metrics/family.h"

namespace sipwire::metrics {

namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Splits "HOST:PORT" / "[V6]:PORT". False when it is not of that form.
bool split_host_port(const std::string& listen, std::string& host, std::string& port) {
    const auto colon = listen.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == listen.size()) return false;
    host = listen.substr(0, colon);
    port = listen.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    return port.find_first_not_of("0123456789") == std::string::npos && port.size() <= 5 &&
           std::stoul(port) <= 65535;
}

// civetweb reports a failed bind only as "null context"; binding once ourselves
// first gives the operator the real reason (EADDRINUSE, EACCES, EADDRNOTAVAIL).
bool probe_bind(const std::string& host, const std::string& port, std::string& error) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo* res = nullptr;
    const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &res);
    if (rc != 0) {
        error = "cannot resolve '" + host + "': " + gai_strerror(rc);
        return false;
    }
    int last_errno = 0;
    bool bound = false;
    for (addrinfo* ai = res; ai && !bound; ai = ai->ai_next) {
        const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        const int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0) bound = true;
        else last_errno = errno;
        close(fd);
    }
    freeaddrinfo(res);
    if (!bound) error = std::strerror(last_errno);
    return bound;
}

class HttpExporter final : public MetricsExporter {
public:
    HttpExporter(std::unique_ptr<prometheus::Exposer> exposer,
                 std::vector<std::shared_ptr<prometheus::Collectable>> collectables, std::string url)
        : exposer_(std::move(exposer)), collectables_(std::move(collectables)), url_(std::move(url)) {
        for (const auto& c : collectables_) exposer_->RegisterCollectable(c);
    }
    ~HttpExporter() override {
        for (const auto& c : collectables_) exposer_->RemoveCollectable(c);
        exposer_.reset();  // joins the HTTP threads before the collectables go
    }
    std::string url() const override { return url_; }

private:
    std::unique_ptr<prometheus::Exposer> exposer_;
    std::vector<std::shared_ptr<prometheus::Collectable>> collectables_;
    std::string url_;
};

}  // namespace

SegmentCollector::SegmentCollector(SegmentView segment, Clock monotonic_now)
    : segment_(segment), now_(monotonic_now ? std::move(monotonic_now) : Clock(&monotonic_now_ns)) {}

std::vector<MetricFamily> SegmentCollector::Collect() const {
    const StatsSnapshot s = read_stats(segment_, now_());

    auto lcore_of = [&](uint32_t worker) { return std::to_string(s.workers[worker].lcore); };

    std::vector<MetricFamily> out;
    out.reserve(kPortCounterCount + 12);

    // Traffic counters: one family per X-macro entry, {port, lcore}.
    for (size_t i = 0; i < kPortCounterCount; ++i) {
        MetricFamily f = make_family(kPortCounterFields[i].prometheus_name, kPortCounterFields[i].help,
                                MetricType::Counter);
        for (const PortWorkerStats& c : s.cells)
            add_sample(f, {{"port", s.ports[c.port].name}, {"lcore", lcore_of(c.worker)}},
                        c.counters.values[i]);
        out.push_back(std::move(f));
    }

    // Drops: one family, {port, lcore, reason}; every reason, zeros included, so
    // rate() works from the first drop on.
    MetricFamily drops =
        make_family("sipwire_drops_total", "Frames dropped, by reason", MetricType::Counter);
    for (const PortWorkerStats& c : s.cells)
        for (size_t r = 0; r < kDropReasonCount; ++r)
            add_sample(drops,
                        {{"port", s.ports[c.port].name},
                         {"lcore", lcore_of(c.worker)},
                         {"reason", kDropReasonNames[r]}},
                        c.counters.drops[r]);
    out.push_back(std::move(drops));

    // SIP stage: one family per X-macro counter, {lcore}.
    for (size_t i = 0; i < kSipCounterCount; ++i) {
        MetricFamily f = make_family(kSipCounterFields[i].prometheus_name, kSipCounterFields[i].help,
                                MetricType::Counter);
        for (size_t w = 0; w < s.sip.size(); ++w)
            add_sample(f, {{"lcore", lcore_of(uint32_t(w))}}, s.sip[w].values[i]);
        out.push_back(std::move(f));
    }
    MetricFamily local = make_family("sipwire_sip_local_responses_total",
                                "SIP responses sipwire-dp answered by itself, by status code and "
                                "reason",
                                MetricType::Counter);
    MetricFamily parse = make_family("sipwire_sip_parse_errors_total",
                                "Datagrams on a SIP port that are not a valid SIP message, by reason",
                                MetricType::Counter);
    for (size_t w = 0; w < s.sip.size(); ++w) {
        for (size_t r = 0; r < kSipLocalResponseCount; ++r)
            add_sample(local,
                        {{"lcore", lcore_of(uint32_t(w))},
                         {"code", std::to_string(kSipLocalResponseCodes[r])},
                         {"reason", kSipLocalResponseNames[r]}},
                        s.sip[w].local_responses[r]);
        for (size_t e = 1; e < kSipParseErrorCount; ++e)  // [0] is "ok"
            add_sample(parse, {{"lcore", lcore_of(uint32_t(w))}, {"reason", kSipParseErrorNames[e]}},
                        s.sip[w].parse_errors[e]);
    }
    out.push_back(std::move(local));
    out.push_back(std::move(parse));

    // Call limits: one family per X-macro counter, {lcore}; channel releases by
    // reason, summed over workers. The per-scope families (names of sets and
    // sources) come from the limits collector, which knows the configuration.
    for (size_t i = 0; i < kCallLimitCounterCount; ++i) {
        MetricFamily f = make_family(kCallLimitCounterFields[i].prometheus_name,
                                kCallLimitCounterFields[i].help, MetricType::Counter);
        for (size_t w = 0; w < s.limits.size(); ++w)
            add_sample(f, {{"lcore", lcore_of(uint32_t(w))}}, s.limits[w].values[i]);
        out.push_back(std::move(f));
    }
    MetricFamily released = make_family("sipwire_channels_released_total",
                                   "Channels given back, by reason", MetricType::Counter);
    if (!s.workers.empty())
        for (size_t r = 0; r < kChannelReleaseCount; ++r)
            add_sample(released, {{"reason", kChannelReleaseNames[r]}},
                        s.limit_totals.released[r]);
    out.push_back(std::move(released));

    MetricFamily loops = make_family("sipwire_worker_loops_total", "Data-plane poll-loop iterations",
                                MetricType::Counter);
    MetricFamily busy = make_family("sipwire_worker_busy_loops_total",
                               "Poll-loop iterations that received at least one frame",
                               MetricType::Counter);
    MetricFamily age = make_family("sipwire_dataplane_heartbeat_age_seconds",
                              "Seconds since the worker's last heartbeat", MetricType::Gauge);
    MetricFamily acked = make_family("sipwire_config_generation_acked",
                                "Configuration generation the worker runs", MetricType::Gauge);
    for (const WorkerStats& w : s.workers) {
        const std::vector<ClientMetric::Label> lcore{{"lcore", std::to_string(w.lcore)}};
        add_sample(loops, lcore, w.loops);
        add_sample(busy, lcore, w.busy_loops);
        if (w.heartbeat_age_seconds) add_sample(age, lcore, *w.heartbeat_age_seconds);
        add_sample(acked, lcore, double(w.acked_generation));
    }
    out.push_back(std::move(loops));
    out.push_back(std::move(busy));
    out.push_back(std::move(age));
    out.push_back(std::move(acked));

    MetricFamily up = make_family("sipwire_dataplane_up", "1 when sipwire-dp is attached and running",
                             MetricType::Gauge);
    add_sample(up, {}, s.dataplane_alive ? 1.0 : 0.0);
    out.push_back(std::move(up));

    MetricFamily generation = make_family("sipwire_config_generation",
                                     "Newest configuration generation published by sipwired",
                                     MetricType::Gauge);
    add_sample(generation, {}, double(s.config_generation));
    out.push_back(std::move(generation));

    MetricFamily link = make_family("sipwire_port_link_up", "1 when the port's link is up",
                               MetricType::Gauge);
    for (const PortState& p : s.ports) add_sample(link, {{"port", p.name}}, p.link_up ? 1.0 : 0.0);
    out.push_back(std::move(link));

    MetricFamily cp_start = make_family("sipwire_controlplane_start_time_seconds",
                                   "Start time of sipwired since the Unix epoch",
                                   MetricType::Gauge);
    add_sample(cp_start, {}, double(s.controlplane_started_unix_ns) / 1e9);
    out.push_back(std::move(cp_start));

    MetricFamily dp_start = make_family("sipwire_dataplane_start_time_seconds",
                                   "Start time of sipwire-dp since the Unix epoch",
                                   MetricType::Gauge);
    if (s.dataplane_started_unix_ns != 0)
        add_sample(dp_start, {}, double(s.dataplane_started_unix_ns) / 1e9);
    out.push_back(std::move(dp_start));

    // A family with no sample (no data plane yet) says nothing: leave it out.
    std::erase_if(out, [](const MetricFamily& f) { return f.metric.empty(); });
    return out;
}

std::unique_ptr<MetricsExporter> start_exporter(const std::string& listen,
                                                std::shared_ptr<prometheus::Collectable> collectable,
                                                std::string& error) {
    return start_exporter(listen, std::vector{std::move(collectable)}, error);
}

std::unique_ptr<MetricsExporter> start_exporter(
    const std::string& listen, std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
    std::string& error) {
    std::string host, port;
    if (!split_host_port(listen, host, port)) {
        error = "metrics listen address '" + listen + "' is not HOST:PORT";
        return nullptr;
    }
    std::string why;
    if (!probe_bind(host, port, why)) {
        error = "cannot listen for metrics on " + listen + ": " + why;
        return nullptr;
    }
    std::unique_ptr<prometheus::Exposer> exposer;
    try {
        exposer = std::make_unique<prometheus::Exposer>(listen, 2);
    } catch (const std::exception& e) {
        error = "cannot listen for metrics on " + listen + ": " + e.what();
        return nullptr;
    }
    const std::vector<int> ports = exposer->GetListeningPorts();
    const std::string url_host = listen.substr(0, listen.rfind(':'));
    const std::string url = "http://" + url_host + ":" +
                            (ports.empty() ? port : std::to_string(ports.front())) + "/metrics";
    return std::make_unique<HttpExporter>(std::move(exposer), std::move(collectables), url);
}

}  // namespace sipwire::metrics
