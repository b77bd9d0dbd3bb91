#include "render.h"

#include <time.h>

#include <cstdio>
#include <string>
#include <string_view>

#include "sipwire/counters.h"
#include "sipwire/sip_counters.h"
#include "table.h"

namespace sipwire::ctl {

namespace {

using nlohmann::json;
using Align = Table::Align;

// A field as text: "-" when absent or null.
std::string text(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return "-";
    if (it->is_string()) return it->get<std::string>();
    if (it->is_boolean()) return it->get<bool>() ? "yes" : "no";
    if (it->is_number_float()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", it->get<double>());
        return buf;
    }
    return it->dump();
}

uint64_t number(const json& j, const char* key) {
    const auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

std::string duration(double seconds) {
    if (seconds < 0) seconds = 0;
    const auto s = static_cast<uint64_t>(seconds);
    char buf[64];
    if (s >= 86400) std::snprintf(buf, sizeof buf, "%llud%lluh", (unsigned long long)(s / 86400), (unsigned long long)(s % 86400 / 3600));
    else if (s >= 3600) std::snprintf(buf, sizeof buf, "%lluh%llum", (unsigned long long)(s / 3600), (unsigned long long)(s % 3600 / 60));
    else if (s >= 60) std::snprintf(buf, sizeof buf, "%llum%llus", (unsigned long long)(s / 60), (unsigned long long)(s % 60));
    else std::snprintf(buf, sizeof buf, "%llus", (unsigned long long)s);
    return buf;
}

std::string uptime(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return "-";
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);
    return duration(double(now.tv_sec) + double(now.tv_nsec) / 1e9 - it->get<double>());
}

std::string age(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return "-";
    const double s = it->get<double>();
    char buf[32];
    if (s < 1) std::snprintf(buf, sizeof buf, "%.0fms", s * 1000);
    else std::snprintf(buf, sizeof buf, "%.1fs", s);
    return buf;
}

// The counters of the stats table, by X-macro field name. Checked at compile time
// against counters.h, so a renamed counter breaks the build, not the table.
constexpr bool is_port_counter(std::string_view field) {
    for (const PortCounterField& f : kPortCounterFields)
        if (field == f.field) return true;
    return false;
}

struct StatsColumn {
    const char* title;
    const char* field;
};
constexpr StatsColumn kStatsColumns[] = {
    {"RX PKTS", "rx_packets"},   {"RX BYTES", "rx_bytes"},     {"TX PKTS", "tx_packets"},
    {"TX BYTES", "tx_bytes"},    {"DROPPED", "dropped_packets"}, {"ARP", "arp_replies"},
    {"ICMP", "icmp_echo_replies"}, {"SIP", "sip_packets"},     {"RTP", "rtp_packets"},
};
constexpr bool all_columns_are_counters() {
    for (const StatsColumn& c : kStatsColumns)
        if (!is_port_counter(c.field)) return false;
    return true;
}
static_assert(all_columns_are_counters(), "kStatsColumns names a field missing from counters.h");

// The SIP table's columns, by SipCounters field (checked against sip_counters.h).
constexpr bool is_sip_counter(std::string_view field) {
    for (const SipCounterField& f : kSipCounterFields)
        if (field == f.field) return true;
    return false;
}
constexpr StatsColumn kSipColumns[] = {
    {"REQ IN", "requests_received"},     {"RESP IN", "responses_received"},
    {"REQ FWD", "requests_forwarded"},   {"RESP FWD", "responses_forwarded"},
    {"DISPATCHED", "requests_dispatched"}, {"PUNTED", "responses_punted"},
    {"KEEPALIVES", "keepalives"},
};
constexpr bool all_sip_columns_are_counters() {
    for (const StatsColumn& c : kSipColumns)
        if (!is_sip_counter(c.field)) return false;
    return true;
}
static_assert(all_sip_columns_are_counters(), "kSipColumns names a field missing from sip_counters.h");

std::string rtt_text(const json& d) {
    const auto it = d.find("last_rtt_ms");
    if (it == d.end() || !it->is_number()) return "-";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1fms", it->get<double>());
    return buf;
}

void render_sip(const json& sip, std::ostream& out) {
    const json lcores = sip.value("lcores", json::array());
    if (lcores.empty()) return;
    std::vector<Table::Column> columns{{"SIP LCORE", Align::right}};
    for (const StatsColumn& c : kSipColumns) columns.push_back({c.title, Align::right});
    Table t(columns);
    auto row = [](std::string first, const json& counters) {
        std::vector<std::string> cells{std::move(first)};
        for (const StatsColumn& c : kSipColumns) cells.push_back(std::to_string(number(counters, c.field)));
        return cells;
    };
    for (const json& l : lcores) t.add_row(row(text(l, "lcore"), l.value("counters", json::object())));
    t.add_row(row("total", sip.value("counters", json::object())));
    out << "\n";
    t.print(out);

    std::string local;
    const json local_responses = sip.value("local_responses", json::object());
    for (const auto& [code, count] : local_responses.items())
        local += (local.empty() ? "" : ", ") + code + ": " + count.dump();
    out << "\nlocal responses  " << (local.empty() ? "none" : local) << "\n";
    const json errors = sip.value("parse_errors", json::object());
    if (errors.empty()) {
        out << "parse errors     none\n";
    } else {
        Table e({{"PARSE ERROR"}, {"COUNT", Align::right}});
        for (const auto& [reason, count] : errors.items()) e.add_row({reason, count.dump()});
        out << "\n";
        e.print(out);
    }
}

const char* drop_help(std::string_view reason) {
    for (unsigned r = 0; r < kDropReasonCount; ++r)
        if (reason == kDropReasonNames[r]) return kDropReasonHelp[r];
    return "";
}

}  // namespace

void render_status(const json& r, std::ostream& out) {
    const json cp = r.value("controlplane", json::object());
    const json dp = r.value("dataplane", json::object());
    out << "sipwired    pid " << text(cp, "pid") << ", up " << uptime(cp, "started_unix")
        << ", instance " << text(cp, "instance") << ", config generation "
        << text(cp, "config_generation") << "\n"
        << "            config " << text(cp, "config_path") << "\n";
    if (dp.value("alive", false)) {
        out << "sipwire-dp  pid " << text(dp, "pid") << ", up " << uptime(dp, "started_unix")
            << ", " << text(dp, "worker_count") << " worker(s), " << text(dp, "port_count")
            << " port(s)\n";
    } else {
        out << "sipwire-dp  not running";
        if (dp.contains("pid") && !dp["pid"].is_null()) out << " (last pid " << text(dp, "pid") << ")";
        out << "\n";
    }
    for (const json& w : dp.value("restart_required", json::array()))
        if (w.is_string()) out << "pending:    " << w.get<std::string>() << "\n";

    const json workers = dp.value("workers", json::array());
    if (!workers.empty()) {
        out << "\n";
        Table t({{"WORKER", Align::right},
                 {"LCORE", Align::right},
                 {"STATE"},
                 {"GENERATION", Align::right},
                 {"HEARTBEAT", Align::right},
                 {"LOOPS", Align::right},
                 {"BUSY LOOPS", Align::right}});
        for (const json& w : workers)
            t.add_row({text(w, "index"), text(w, "lcore"),
                       w.value("running", false) ? "running" : "stopped",
                       text(w, "acked_generation"), age(w, "heartbeat_age_seconds"),
                       text(w, "loops"), text(w, "busy_loops")});
        t.print(out);
    }

    const json ports = r.value("ports", json::array());
    if (!ports.empty()) {
        out << "\n";
        Table t({{"PORT", Align::right},
                 {"NAME"},
                 {"DRIVER"},
                 {"MAC"},
                 {"LINK"},
                 {"SPEED", Align::right},
                 {"QUEUES", Align::right},
                 {"ADDRESS"},
                 {"GATEWAY"}});
        for (const json& p : ports) {
            std::string link = !p.value("started", false) ? "not started"
                               : p.value("link_up", false) ? "up"
                                                           : "down";
            std::string speed = text(p, "speed_mbps");
            if (speed != "-") speed += " Mb/s";
            t.add_row({text(p, "index"), text(p, "name"), text(p, "driver"), text(p, "mac"), link,
                       speed, text(p, "rx_queues") + "/" + text(p, "tx_queues"),
                       text(p, "address"), text(p, "gateway")});
        }
        t.print(out);
    }
}

void render_stats(const json& r, std::ostream& out) {
    std::vector<Table::Column> columns{{"PORT"}, {"LCORE", Align::right}};
    for (const StatsColumn& c : kStatsColumns) columns.push_back({c.title, Align::right});
    Table traffic(columns);
    auto counter_cells = [](const json& counters) {
        std::vector<std::string> cells;
        for (const StatsColumn& c : kStatsColumns) cells.push_back(std::to_string(number(counters, c.field)));
        return cells;
    };
    Table drops({{"PORT"}, {"LCORE", Align::right}, {"REASON"}, {"COUNT", Align::right}, {"MEANING"}});

    const json rows = r.value("port_lcore", json::array());
    for (const json& row : rows) {
        std::vector<std::string> cells{text(row, "port"), text(row, "lcore")};
        for (std::string& c : counter_cells(row.value("counters", json::object())))
            cells.push_back(std::move(c));
        traffic.add_row(std::move(cells));
        const json row_drops = row.value("drops", json::object());
        for (const auto& [reason, count] : row_drops.items())
            drops.add_row({text(row, "port"), text(row, "lcore"), reason, count.dump(),
                           drop_help(reason)});
    }
    if (rows.empty()) {
        out << "no counters: sipwire-dp has not started any port\n";
        return;
    }
    const json totals = r.value("totals", json::object());
    std::vector<std::string> total{"total", ""};
    for (std::string& c : counter_cells(totals.value("counters", json::object())))
        total.push_back(std::move(c));
    traffic.add_row(std::move(total));
    traffic.print(out);

    out << "\n";
    if (drops.empty()) out << "no drops\n";
    else drops.print(out);
    render_sip(r.value("sip", json::object()), out);
}

void render_dispatcher_list(const json& r, std::ostream& out) {
    const json sets = r.value("sets", json::array());
    if (sets.empty()) {
        out << "no destination sets configured\n";
        return;
    }
    Table t({{"SET"},
             {"DESTINATION"},
             {"WEIGHT", Align::right},
             {"STATE"},
             {"RTT", Align::right},
             {"CALLS", Align::right},
             {"PROBES", Align::right}});
    for (const json& set : sets) {
        std::string name = text(set, "name");
        if (set.value("dispatch", false)) name += " (dispatch)";
        for (const json& d : set.value("destinations", json::array()))
            t.add_row({name, text(d, "address") + ":" + text(d, "port"), text(d, "weight"),
                       text(d, "state"), rtt_text(d), text(d, "calls_sent"),
                       text(d, "probes_answered") + "/" + text(d, "probes_sent")});
    }
    t.print(out);
}

namespace {

// A limit as text: "-" for 0 (unlimited) or absent.
std::string limit_text(const json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number() || it->get<double>() == 0) return "-";
    if (it->is_number_float()) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.3f", it->get<double>());
        std::string s = buf;
        while (s.back() == '0') s.pop_back();
        if (s.back() == '.') s.pop_back();
        return s;
    }
    return it->dump();
}

std::string scope_title(const json& s) {
    std::string name = text(s, "name");
    if (s.contains("prefix")) name += " (" + text(s, "prefix") + ")";
    const json overridden = s.value("overridden", json::array());
    if (!overridden.empty()) name += " *";
    return name;
}

}  // namespace

void render_limits_show(const json& r, std::ostream& out) {
    Table t({{"SCOPE"},
             {"CPS", Align::right},
             {"BURST", Align::right},
             {"CHANNELS", Align::right},
             {"IN-USE", Align::right},
             {"ADMITTED", Align::right},
             {"REJ-CPS", Align::right},
             {"REJ-CHAN", Align::right}});
    bool any_override = false;
    for (const json& s : r.value("scopes", json::array())) {
        any_override = any_override || !s.value("overridden", json::array()).empty();
        const std::string cps = limit_text(s, "cps");
        t.add_row({scope_title(s), cps, cps == "-" ? "-" : text(s, "burst"),
                   limit_text(s, "channels"), text(s, "in_use"), text(s, "admitted"),
                   text(s, "rejected_cps"), text(s, "rejected_channels")});
    }
    t.print(out);
    out << "\n- = unlimited";
    if (any_override) out << "; * = changed at run time (sipwirectl limits set)";
    out << "\n";
    const double share = r.value("node_share", 1.0);
    if (share != 1.0 || r.value("node_share_overridden", false)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", share);
        out << "node share:        " << buf << " of every CPS limit"
            << (r.value("node_share_overridden", false) ? " (set at run time)" : "") << "\n";
    }
    const auto failover = r.find("failover");
    if (failover != r.end() && failover->is_string())
        out << "capacity failover: " << failover->get<std::string>() << " (" << text(r, "failed_over")
            << " calls sent)\n";
    else
        out << "capacity failover: none (503, Retry-After: " << text(r, "retry_after_s") << ")\n";
    std::string released;
    const json released_by = r.value("released", json::object());
    for (const auto& [reason, n] : released_by.items())
        released += (released.empty() ? "" : ", ") + reason + " " + n.dump();
    if (!released.empty()) out << "channels released: " << released << "\n";
}

void render_limits_set(const json& r, std::ostream& out) {
    out << "limits applied: generation " << text(r, "generation") << "\n";
    const auto scope = r.find("scope");
    if (scope != r.end() && scope->is_object())
        out << text(*scope, "name") << ": cps " << limit_text(*scope, "cps") << ", burst "
            << text(*scope, "burst") << ", channels " << limit_text(*scope, "channels") << "\n";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", r.value("node_share", 1.0));
    out << "node share: " << buf << "\n";
}

void render_reload(const json& r, std::ostream& out) {
    out << "configuration reloaded: generation " << text(r, "previous_generation") << " -> "
        << text(r, "generation") << "\n";
    for (const json& w : r.value("warnings", json::array()))
        if (w.is_string()) out << "warning: " << w.get<std::string>() << "\n";
}

}  // namespace sipwire::ctl
