// Prometheus exposition of the shared-memory counters. SegmentCollector reads the
// segment on every scrape (no update thread, no copies kept); MetricsExporter
// serves it over HTTP with prometheus-cpp's Exposer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include "sipwire/layout.h"

namespace prometheus {
class Exposer;
}

namespace sipwire::metrics {

// Builds every sipwire_* family from one read_stats() per Collect().
class SegmentCollector : public prometheus::Collectable {
public:
    using Clock = std::function<uint64_t()>;  // CLOCK_MONOTONIC nanoseconds

    // `segment` must stay mapped while the collector is registered.
    explicit SegmentCollector(SegmentView segment, Clock monotonic_now_ns = {});

    std::vector<prometheus::MetricFamily> Collect() const override;

private:
    SegmentView segment_;
    Clock now_;
};

class MetricsExporter {
public:
    virtual ~MetricsExporter() = default;
    // "http://127.0.0.1:9091/metrics"
    virtual std::string url() const = 0;
};

// Listens on `listen` ("HOST:PORT"; PORT 0 picks a free port) and serves
// `collectable` at /metrics. Returns null with `error` set when the address is
// malformed or cannot be bound.
std::unique_ptr<MetricsExporter> start_exporter(const std::string& listen,
                                                std::shared_ptr<prometheus::Collectable> collectable,
                                                std::string& error);
// The same with several collectables (the segment's, the dispatcher's, ...).
std::unique_ptr<MetricsExporter> start_exporter(
    const std::string& listen, std::vector<std::shared_ptr<prometheus::Collectable>> collectables,
    std::string& error);

}  // namespace sipwire::metrics
