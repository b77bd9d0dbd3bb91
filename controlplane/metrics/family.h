// Building Prometheus metric families by hand, for collectors that read their values
// at scrape time (the segment, the prober, the limits).
#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <utility>
#include <vector>

namespace sipwire::metrics {

inline prometheus::MetricFamily make_family(std::string name, std::string help,
                                            prometheus::MetricType type) {
    prometheus::MetricFamily f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    return f;
}

// One sample: a counter's or a gauge's value, as the family's type says.
inline void add_sample(prometheus::MetricFamily& f,
                       std::vector<prometheus::ClientMetric::Label> labels, double value) {
    prometheus::ClientMetric m;
    m.label = std::move(labels);
    if (f.type == prometheus::MetricType::Counter) m.counter.value = value;
    else m.gauge.value = value;
    f.metric.push_back(std::move(m));
}

}  // namespace sipwire::metrics
