#include "dispatcher/dispatcher_api.h"

#include "metrics/family.h"

namespace sipwire::dispatcher {

namespace {

using metrics::add_sample;
using metrics::make_family;

using nlohmann::json;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

json unix_or_null(uint64_t ns) {
    if (ns == 0) return nullptr;
    return double(ns) / 1e9;
}

}  // namespace

json dispatcher_list_json(const std::vector<SetStatus>& sets) {
    json out = json::array();
    for (const SetStatus& set : sets) {
        json dests = json::array();
        for (const DestinationStatus& d : set.destinations) {
            const TargetStatus& h = d.health;
            dests.push_back({
                {"address", d.address},
                {"port", d.port},
                {"weight", d.weight},
                {"state", probe_state_name(h.state)},
                {"last_rtt_ms", h.last_rtt_ns ? json(double(*h.last_rtt_ns) / 1e6) : json(nullptr)},
                {"last_probe_unix", unix_or_null(h.last_probe_unix_ns)},
                {"last_answer_unix", unix_or_null(h.last_answer_unix_ns)},
                {"probes_sent", h.probes_sent},
                {"probes_answered", h.probes_answered},
                {"probes_ring_full", h.probes_ring_full},
                {"calls_sent", d.calls_sent},
                {"registry_slot", d.registry_slot},
            });
        }
        out.push_back({{"name", set.name}, {"dispatch", set.dispatch}, {"destinations", dests}});
    }
    return {{"sets", out}};
}

void register_dispatcher_commands(api::CommandRegistry& registry, StatusProvider status) {
    registry.add("dispatcher.list", [status = std::move(status)](const json&) {
        return dispatcher_list_json(status ? status() : std::vector<SetStatus>{});
    });
}

std::vector<MetricFamily> DispatcherCollector::Collect() const {
    const std::vector<SetStatus> sets = status_ ? status_() : std::vector<SetStatus>{};
    MetricFamily requests = make_family("sipwire_dispatcher_requests_total",
                                   "Requests the data plane dispatched to the destination",
                                   MetricType::Counter);
    MetricFamily up = make_family("sipwire_dispatcher_destination_up",
                             "1 when the destination takes new calls (answering probes, not yet "
                             "probed, or probing disabled)",
                             MetricType::Gauge);
    MetricFamily rtt = make_family("sipwire_dispatcher_probe_rtt_seconds",
                              "Round-trip time of the last answered OPTIONS probe",
                              MetricType::Gauge);
    MetricFamily probes = make_family("sipwire_dispatcher_probes_total",
                                 "OPTIONS health probes sent to the destination and answered",
                                 MetricType::Counter);
    for (const SetStatus& set : sets)
        for (const DestinationStatus& d : set.destinations) {
            const std::string dest = d.address + ":" + std::to_string(d.port);
            const std::vector<ClientMetric::Label> labels{{"set", set.name}, {"destination", dest}};
            add_sample(requests, labels, double(d.calls_sent));
            add_sample(up, labels, d.health.state == ProbeState::down ? 0.0 : 1.0);
            if (d.health.last_rtt_ns) add_sample(rtt, labels, double(*d.health.last_rtt_ns) / 1e9);
            auto with = [&](const char* result) {
                auto l = labels;
                l.push_back({"result", result});
                return l;
            };
            add_sample(probes, with("sent"), double(d.health.probes_sent));
            add_sample(probes, with("answered"), double(d.health.probes_answered));
        }
    std::vector<MetricFamily> out;
    for (MetricFamily* f : {&requests, &up, &rtt, &probes})
        if (!f->metric.empty()) out.push_back(std::move(*f));
    return out;
}

}  // namespace sipwire::dispatcher
