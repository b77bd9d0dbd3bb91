#include "limits/limits_api.h"

#include "metrics/family.h"

namespace sipwire::limits {

namespace {

using metrics::add_sample;
using metrics::make_family;

using nlohmann::json;
using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

json cps_json(uint64_t milli) {
    if (milli % 1000 == 0) return milli / 1000;
    return double(milli) / 1000.0;
}

json scope_json(const ScopeStatus& s) {
    json out = {
        {"name", s.name},
        {"index", s.index},
        {"cps", cps_json(s.cps_milli)},
        {"cps_configured", cps_json(s.configured_cps_milli)},
        {"burst", s.burst},
        {"channels", s.channels},
        {"in_use", s.in_use},
        {"admitted", s.admitted},
        {"rejected_cps", s.rejected_cps},
        {"rejected_channels", s.rejected_channels},
        {"overridden", s.overridden},
    };
    if (!s.prefix.empty()) out["prefix"] = s.prefix;
    return out;
}

}  // namespace

LimitsStatus limits_status(const config::Config& c, const LimitOverrides& overrides,
                           const metrics::StatsSnapshot& stats) {
    LimitsStatus out;
    const config::LimitsSettings& l = c.limits;
    out.generation = stats.config_generation;
    out.node_share = l.node_share;
    out.node_share_overridden = overrides.node_share.has_value();
    out.failover = l.failover;
    out.retry_after_s = l.retry_after_s;
    out.reservation_timeout_ms = l.reservation_timeout_ms;
    out.max_call_duration_s = l.max_call_duration_s;
    out.totals = stats.limit_totals;
    for (const config::ScopeLimitSettings& s : l.scopes) {
        if (s.index >= kLimitScopes) continue;
        ScopeStatus st;
        st.name = s.scope;
        st.index = s.index;
        if (s.index >= kFirstSourceScope && s.index - kFirstSourceScope < l.sources.size())
            st.prefix = l.sources[s.index - kFirstSourceScope].prefix;
        st.configured_cps_milli = s.cps_milli;
        st.cps_milli = config::node_cps_milli(s.cps_milli, l.node_share);
        st.burst = config::effective_burst(s, l.node_share);
        st.channels = s.channels;
        st.in_use = stats.channels_in_use[s.index];
        st.admitted = stats.limit_totals.admitted[s.index];
        st.rejected_cps = stats.limit_totals.rejected_cps[s.index];
        st.rejected_channels = stats.limit_totals.rejected_channels[s.index];
        if (const auto it = overrides.scopes.find(s.scope); it != overrides.scopes.end()) {
            if (it->second.cps_milli) st.overridden.push_back("cps");
            if (it->second.burst) st.overridden.push_back("burst");
            if (it->second.channels) st.overridden.push_back("channels");
        }
        out.scopes.push_back(std::move(st));
    }
    return out;
}

json limits_show_json(const LimitsStatus& s) {
    json scopes = json::array();
    for (const ScopeStatus& sc : s.scopes) scopes.push_back(scope_json(sc));
    json released = json::object();
    for (size_t r = 0; r < kChannelReleaseCount; ++r)
        released[metrics::kChannelReleaseNames[r]] = s.totals.released[r];
    json out = {
        {"generation", s.generation},
        {"node_share", s.node_share},
        {"node_share_overridden", s.node_share_overridden},
        {"failover", s.failover.empty() ? json(nullptr) : json(s.failover)},
        {"retry_after_s", s.retry_after_s},
        {"reservation_timeout_ms", s.reservation_timeout_ms},
        {"max_call_duration_s", s.max_call_duration_s},
        {"state_file", s.state_file},
        {"scopes", scopes},
        {"released", released},
    };
    for (size_t i = 0; i < metrics::kCallLimitCounterCount; ++i)
        out[metrics::kCallLimitCounterFields[i].field] = s.totals.values[i];
    return out;
}

json limits_set_json(uint64_t generation, const LimitsStatus& s, const std::string& scope) {
    json out = {{"generation", generation}, {"node_share", s.node_share}};
    for (const ScopeStatus& sc : s.scopes)
        if (sc.name == scope) out["scope"] = scope_json(sc);
    return out;
}

std::optional<LimitsStatus> current_status(const LimitsService& service,
                                           const metrics::StatsSnapshot& stats) {
    const auto effective = service.effective();
    if (!effective) return std::nullopt;
    LimitsStatus s = limits_status(*effective, service.overrides(), stats);
    s.state_file = service.store_location();
    return s;
}

void register_limits_commands(api::CommandRegistry& registry, LimitsService& service,
                              StatsProvider stats) {
    auto snapshot = [stats] { return stats ? stats() : metrics::StatsSnapshot{}; };
    registry.add("limits.show", [&service, snapshot](const json&) {
        const auto status = current_status(service, snapshot());
        if (!status) throw api::CommandError("no configuration is running yet");
        return limits_show_json(*status);
    });
    registry.add("limits.set", [&service, snapshot](const json& args) {
        LimitsChange change;
        if (std::string why = parse_change(args.is_null() ? json::object() : args, change);
            !why.empty())
            throw api::CommandError(why);
        const PublishResult r = service.set(change);
        if (r.generation == 0) throw api::CommandError(r.error);
        auto status = current_status(service, snapshot());
        if (!status) throw api::CommandError("no configuration is running yet");
        return limits_set_json(r.generation, *status,
                               change.reset || change.cps_milli.present || change.burst.present ||
                                       change.channels.present
                                   ? change.scope
                                   : std::string());
    });
}

std::vector<MetricFamily> limits_metric_families(const LimitsStatus& s) {
    MetricFamily admitted = make_family("sipwire_calls_admitted_total",
                                   "New calls admitted by the scope's limits", MetricType::Counter);
    MetricFamily rejected = make_family("sipwire_calls_rejected_total",
                                   "New calls over the scope's limit (answered 503 or failed over), "
                                   "by the limit reached",
                                   MetricType::Counter);
    MetricFamily in_use = make_family("sipwire_channels_in_use", "Calls holding a channel in the scope",
                                 MetricType::Gauge);
    MetricFamily capacity = make_family("sipwire_channels_capacity",
                                   "Channel capacity of the scope (absent: unlimited)",
                                   MetricType::Gauge);
    MetricFamily cps = make_family("sipwire_cps_limit",
                              "New calls per second this node admits in the scope, node share "
                              "applied (absent: unlimited)",
                              MetricType::Gauge);
    MetricFamily share = make_family("sipwire_limits_node_share",
                                "This node's share of every calls-per-second limit",
                                MetricType::Gauge);
    for (const ScopeStatus& sc : s.scopes) {
        const std::vector<ClientMetric::Label> scope{{"scope", sc.name}};
        add_sample(admitted, scope, double(sc.admitted));
        add_sample(rejected, {{"scope", sc.name}, {"reason", "cps"}}, double(sc.rejected_cps));
        add_sample(rejected, {{"scope", sc.name}, {"reason", "channels"}}, double(sc.rejected_channels));
        add_sample(in_use, scope, double(sc.in_use));
        if (sc.channels != 0) add_sample(capacity, scope, double(sc.channels));
        if (sc.cps_milli != 0) add_sample(cps, scope, double(sc.cps_milli) / 1000.0);
    }
    add_sample(share, {}, s.node_share);
    std::vector<MetricFamily> out;
    for (MetricFamily* f : {&admitted, &rejected, &in_use, &capacity, &cps, &share})
        if (!f->metric.empty()) out.push_back(std::move(*f));
    return out;
}

std::vector<MetricFamily> LimitsCollector::Collect() const {
    const std::optional<LimitsStatus> s = status_ ? status_() : std::nullopt;
    if (!s) return {};
    return limits_metric_families(*s);
}

}  // namespace sipwire::limits
