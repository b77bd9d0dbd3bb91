#include "api/core_commands.h"

#include <algorithm>

namespace sipwire::api {

namespace {

using nlohmann::json;

json unix_seconds_or_null(uint64_t unix_ns) {
    if (unix_ns == 0) return nullptr;
    return double(unix_ns) / 1e9;
}

json counters_json(const metrics::CounterValues& v) {
    json out = json::object();
    for (size_t i = 0; i < metrics::kPortCounterCount; ++i)
        out[kPortCounterFields[i].field] = v.values[i];
    return out;
}

// Only the reasons that happened: the full list is long and mostly zero.
json drops_json(const metrics::CounterValues& v) {
    json out = json::object();
    for (size_t r = 0; r < kDropReasonCount; ++r)
        if (v.drops[r] != 0) out[kDropReasonNames[r]] = v.drops[r];
    return out;
}

json sip_counters_json(const metrics::SipValues& v) {
    json out = json::object();
    for (size_t i = 0; i < metrics::kSipCounterCount; ++i)
        out[kSipCounterFields[i].field] = v.values[i];
    return out;
}

// By status code, every code (a short list).
json local_responses_json(const metrics::SipValues& v) {
    json out = json::object();
    for (size_t r = 0; r < kSipLocalResponseCount; ++r) {
        const std::string code = std::to_string(kSipLocalResponseCodes[r]);
        out[code] = out.value(code, uint64_t{0}) + v.local_responses[r];
    }
    return out;
}

// Only the reasons that happened, like drops.
json parse_errors_json(const metrics::SipValues& v) {
    json out = json::object();
    for (size_t e = 1; e < kSipParseErrorCount; ++e)
        if (v.parse_errors[e] != 0) out[metrics::kSipParseErrorNames[e]] = v.parse_errors[e];
    return out;
}

json sip_json(const metrics::StatsSnapshot& s) {
    json lcores = json::array();
    for (size_t w = 0; w < s.sip.size() && w < s.workers.size(); ++w)
        lcores.push_back({{"lcore", s.workers[w].lcore},
                          {"worker", w},
                          {"counters", sip_counters_json(s.sip[w])},
                          {"local_responses", local_responses_json(s.sip[w])},
                          {"parse_errors", parse_errors_json(s.sip[w])}});
    return {{"counters", sip_counters_json(s.sip_totals)},
            {"local_responses", local_responses_json(s.sip_totals)},
            {"parse_errors", parse_errors_json(s.sip_totals)},
            {"lcores", lcores}};
}

}  // namespace

json status_json(const metrics::StatsSnapshot& s, const ControlplaneInfo& info) {
    json cp = {
        {"pid", s.controlplane_pid},
        {"started_unix", unix_seconds_or_null(s.controlplane_started_unix_ns)},
        {"instance", info.instance},
        {"config_path", info.config_path},
        {"config_generation", s.config_generation},
    };

    json workers = json::array();
    json oldest = nullptr;
    for (const metrics::WorkerStats& w : s.workers) {
        json age = nullptr;
        if (w.heartbeat_age_seconds) {
            age = *w.heartbeat_age_seconds;
            if (w.running && (oldest.is_null() || oldest.get<double>() < *w.heartbeat_age_seconds))
                oldest = *w.heartbeat_age_seconds;
        }
        workers.push_back({
            {"index", w.index},
            {"lcore", w.lcore},
            {"running", w.running},
            {"acked_generation", w.acked_generation},
            {"heartbeat_age_seconds", age},
            {"loops", w.loops},
            {"busy_loops", w.busy_loops},
        });
    }
    json dp = {
        {"pid", s.dataplane_pid > 0 ? json(s.dataplane_pid) : json(nullptr)},
        {"alive", s.dataplane_alive},
        {"started_unix", unix_seconds_or_null(s.dataplane_started_unix_ns)},
        {"worker_count", s.workers.size()},
        {"port_count", s.ports.size()},
        {"oldest_heartbeat_age_seconds", oldest},
        {"restart_required", info.dataplane_restart_required},
        {"workers", workers},
    };

    // Ports the data plane started, then configured ones it has not (yet).
    json ports = json::array();
    auto configured = [&](const std::string& name) -> const ControlplaneInfo::Port* {
        for (const auto& p : info.ports)
            if (p.name == name) return &p;
        return nullptr;
    };
    auto address_of = [&](const std::string& name, const char* field) -> json {
        const ControlplaneInfo::Port* p = configured(name);
        if (!p) return nullptr;
        const std::string& v = std::string_view(field) == "address" ? p->address : p->gateway;
        return v.empty() ? json(nullptr) : json(v);
    };
    for (const metrics::PortState& p : s.ports) {
        ports.push_back({
            {"index", p.index},
            {"name", p.name},
            {"started", true},
            {"driver", p.driver},
            {"mac", p.mac},
            {"link_up", p.link_up},
            {"speed_mbps", p.speed_mbps},
            {"rx_queues", p.rx_queues},
            {"tx_queues", p.tx_queues},
            {"address", address_of(p.name, "address")},
            {"gateway", address_of(p.name, "gateway")},
        });
    }
    for (size_t i = 0; i < info.ports.size(); ++i) {
        const auto& c = info.ports[i];
        const bool started = std::any_of(s.ports.begin(), s.ports.end(),
                                         [&](const metrics::PortState& p) { return p.name == c.name; });
        if (started) continue;
        ports.push_back({
            {"index", i},
            {"name", c.name},
            {"started", false},
            {"driver", nullptr},
            {"mac", nullptr},
            {"link_up", false},
            {"speed_mbps", nullptr},
            {"rx_queues", nullptr},
            {"tx_queues", nullptr},
            {"address", c.address},
            {"gateway", c.gateway.empty() ? json(nullptr) : json(c.gateway)},
        });
    }
    return {{"controlplane", cp}, {"dataplane", dp}, {"ports", ports}};
}

json stats_json(const metrics::StatsSnapshot& s) {
    json rows = json::array();
    for (const metrics::PortWorkerStats& c : s.cells) {
        rows.push_back({
            {"port", s.ports[c.port].name},
            {"port_index", c.port},
            {"lcore", s.workers[c.worker].lcore},
            {"worker", c.worker},
            {"counters", counters_json(c.counters)},
            {"drops", drops_json(c.counters)},
        });
    }
    json ports = json::array();
    for (size_t p = 0; p < s.ports.size(); ++p)
        ports.push_back({
            {"port", s.ports[p].name},
            {"port_index", p},
            {"counters", counters_json(s.port_totals[p])},
            {"drops", drops_json(s.port_totals[p])},
        });
    json workers = json::array();
    for (const metrics::WorkerStats& w : s.workers)
        workers.push_back({{"index", w.index},
                           {"lcore", w.lcore},
                           {"loops", w.loops},
                           {"busy_loops", w.busy_loops}});
    return {
        {"config_generation", s.config_generation},
        {"dataplane_alive", s.dataplane_alive},
        {"port_lcore", rows},
        {"ports", ports},
        {"workers", workers},
        {"totals", {{"counters", counters_json(s.totals)}, {"drops", drops_json(s.totals)}}},
        {"sip", sip_json(s)},
    };
}

json reload_json(const ReloadResult& r) {
    if (!r.ok) throw CommandError(r.error);
    return {{"previous_generation", r.previous_generation},
            {"generation", r.generation},
            {"warnings", r.warnings}};
}

void register_core_commands(CommandRegistry& registry, CoreCommandDeps deps) {
    auto shared = std::make_shared<const CoreCommandDeps>(std::move(deps));
    auto snapshot = [shared] {
        return shared->monotonic_now_ns
                   ? metrics::read_stats(shared->segment, shared->monotonic_now_ns())
                   : metrics::read_stats(shared->segment);
    };
    registry.add("status", [shared, snapshot](const json&) {
        return status_json(snapshot(), shared->info ? shared->info() : ControlplaneInfo{});
    });
    registry.add("stats", [snapshot](const json&) { return stats_json(snapshot()); });
    registry.add("config.reload", [shared](const json&) {
        if (!shared->reload) throw CommandError("config.reload is not available");
        return reload_json(shared->reload());
    });
}

}  // namespace sipwire::api
