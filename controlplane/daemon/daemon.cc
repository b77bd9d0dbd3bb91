#include "daemon/daemon.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>

#include "dispatcher/dispatcher_api.h"
#include "limits/limits_api.h"
#include "sipwire/log.h"

namespace sipwire::daemon {

namespace {

std::string join_eal_args(const BootConfig& b) {
    std::string out;
    for (uint32_t i = 0; i < b.eal_arg_count && i < kMaxEalArgs; ++i) {
        if (!out.empty()) out += ' ';
        out.append(b.eal_args[i], strnlen(b.eal_args[i], kEalArgLen));
    }
    return out;
}

std::string join_port_names(const BootConfig& b) {
    std::string out;
    for (uint32_t i = 0; i < b.port_count && i < kMaxPorts; ++i) {
        if (!out.empty()) out += ", ";
        out.append(b.port_names[i], strnlen(b.port_names[i], kNameLen));
    }
    return out;
}

std::string changed(const std::string& what, const std::string& from, const std::string& to,
                    const std::string& effect) {
    return what + " changed from '" + from + "' to '" + to + "': " + effect;
}

}  // namespace

std::vector<std::string> restart_warnings(const config::Config& a, const config::Config& b,
                                          std::vector<std::string>* dataplane_only) {
    std::vector<std::string> dp;
    const std::string dp_effect = "takes effect when sipwire-dp restarts";
    if (join_eal_args(a.boot) != join_eal_args(b.boot))
        dp.push_back(changed("dataplane.eal_args", join_eal_args(a.boot), join_eal_args(b.boot),
                             dp_effect));
    if (join_port_names(a.boot) != join_port_names(b.boot))
        dp.push_back(changed("port names", join_port_names(a.boot), join_port_names(b.boot),
                             dp_effect));
    if (a.boot.rx_descriptors != b.boot.rx_descriptors)
        dp.push_back(changed("dataplane.rx_descriptors", std::to_string(a.boot.rx_descriptors),
                             std::to_string(b.boot.rx_descriptors), dp_effect));
    if (a.boot.tx_descriptors != b.boot.tx_descriptors)
        dp.push_back(changed("dataplane.tx_descriptors", std::to_string(a.boot.tx_descriptors),
                             std::to_string(b.boot.tx_descriptors), dp_effect));
    if (a.boot.mbufs_per_port != b.boot.mbufs_per_port)
        dp.push_back(changed("dataplane.mbufs_per_port", std::to_string(a.boot.mbufs_per_port),
                             std::to_string(b.boot.mbufs_per_port), dp_effect));

    std::vector<std::string> out = dp;
    const std::string cp_effect = "ignored until sipwired restarts";
    if (a.instance != b.instance)
        out.push_back(changed("instance.name", a.instance, b.instance, cp_effect));
    if (a.control_socket != b.control_socket)
        out.push_back(changed("control.socket", a.control_socket, b.control_socket, cp_effect));
    if (a.metrics_listen != b.metrics_listen)
        out.push_back(changed("metrics.listen", a.metrics_listen, b.metrics_listen, cp_effect));
    if (a.state_dir != b.state_dir)
        out.push_back(changed("instance.state_dir", a.state_dir, b.state_dir, cp_effect));
    if (dataplane_only) *dataplane_only = std::move(dp);
    return out;
}

Daemon::Daemon(DaemonOptions options) : options_(std::move(options)) {
    // Reloads must find the file whatever the working directory becomes.
    std::error_code ec;
    const auto absolute = std::filesystem::absolute(options_.config_path, ec);
    if (!ec) options_.config_path = absolute.lexically_normal().string();
}

Daemon::~Daemon() { stop(); }

void Daemon::apply_log_level(const config::Config& c) const {
    log::set_level(options_.log_level.empty() ? c.log_level : options_.log_level);
}

int Daemon::start() {
    config::LoadResult loaded = config::load_config_file(options_.config_path);
    if (!loaded.config) {
        std::fprintf(stderr, "sipwired: %s\n", loaded.error.c_str());
        return kExitConfig;
    }
    auto cfg = std::make_shared<const config::Config>(std::move(*loaded.config));
    apply_log_level(*cfg);

    std::string error;
    // Runtime limit overrides saved by an earlier sipwired. A file we cannot read
    // must not silently lift limits an operator lowered: refuse to start.
    {
        std::error_code ec;
        std::filesystem::create_directories(cfg->state_dir, ec);
        if (ec)
            SIPWIRE_LOG_WARNING("cannot create state directory %s: %s (limits.set will fail "
                                "until it exists)",
                                cfg->state_dir.c_str(), ec.message().c_str());
    }
    limit_store_ = std::make_unique<limits::FileOverrideStore>(
        limits::overrides_path(cfg->state_dir, cfg->instance));
    limits_ = std::make_unique<limits::LimitsService>(
        *limit_store_, [this](std::shared_ptr<const config::Config> c) {
            const dispatcher::SnapshotPublisher::Result r = publisher_->publish(std::move(c));
            return limits::PublishResult{r.generation, r.error};
        });
    if (!limits_->load(error)) {
        std::fprintf(stderr, "sipwired: runtime limit overrides: %s\n", error.c_str());
        return kExitConfig;
    }

    if (!segment_.open(cfg->instance, error, cfg->registrar.enabled() ? cfg->registrar.max_bindings : 0)) {
        std::fprintf(stderr, "sipwired: %s\n", error.c_str());
        return kExitRuntime;
    }
    segment_open_ = true;
    if (segment_.location_size_kept())
        SIPWIRE_LOG_WARNING("registrar.max_bindings changed: the location table keeps %u records until "
                            "sipwired and sipwire-dp are both restarted",
                            segment_.view().header().location_bindings);
    if (segment_.reused())
        SIPWIRE_LOG_INFO("reusing segment /dev/shm/sipwire-%s%s", cfg->instance.c_str(),
                         segment_.dataplane_alive() ? " (sipwire-dp attached)" : "");
    segment_.write_boot(cfg->boot);

    probe_sender_ = std::make_unique<dispatcher::RingSender>(segment_.view());
    prober_ = std::make_unique<dispatcher::OptionsProber>(
        clock_, *probe_sender_, [this] { return publisher_->republish(); });
    publisher_ = std::make_unique<dispatcher::SnapshotPublisher>(
        segment_.view().registry(), *prober_,
        [this](const DataplaneConfig& c) { return segment_.publish(c); });
    std::vector<std::string> limit_notes;
    const limits::PublishResult published = limits_->publish(cfg, &limit_notes);
    const uint64_t generation = published.generation;
    if (generation == 0) {
        std::fprintf(stderr, "sipwired: %s\n", published.error.c_str());
        stop();
        return kExitRuntime;
    }
    {
        std::lock_guard lock(mutex_);
        running_ = cfg;
    }
    for (const std::string& n : limit_notes) SIPWIRE_LOG_WARNING("limits: %s", n.c_str());
    if (!limits_->overrides().empty())
        SIPWIRE_LOG_INFO("runtime limit overrides from %s in force (sipwirectl limits show)",
                         limit_store_->location().c_str());

    // Responses to our probes come back through the punt rings.
    punt_ = std::make_unique<punt::PuntReader>(segment_.view());
    punt_->add_handler(punt::PuntHandler{
        .name = "prober",
        .accepts =
            [](const Datagram&, const std::optional<punt::SipPeek>& sip) {
                return sip && dispatcher::OptionsProber::is_probe_response(sip->response,
                                                                           sip->top_via_branch);
            },
        .handle =
            [this](const Datagram& d, const std::optional<punt::SipPeek>& sip) {
                prober_->on_response(d, sip->top_via_branch);
            },
    });
    punt_->start();
    prober_->start();

    api::register_core_commands(registry_, api::CoreCommandDeps{
                                               .segment = segment_.view(),
                                               .info = [this] { return info(); },
                                               .reload = [this] { return reload(); },
                                               .monotonic_now_ns = {},
                                           });
    dispatcher::register_dispatcher_commands(registry_, [this] { return dispatcher_status(); });
    limits::register_limits_commands(registry_, *limits_,
                                     [this] { return metrics::read_stats(segment_.view()); });
    server_ = api::make_unix_server(api::UnixServerOptions{.path = cfg->control_socket}, registry_);
    if (!server_->start(error)) {
        std::fprintf(stderr, "sipwired: control socket: %s\n", error.c_str());
        stop();
        return kExitRuntime;
    }

    std::string metrics_url = "disabled";
    if (!cfg->metrics_listen.empty()) {
        exporter_ = metrics::start_exporter(
            cfg->metrics_listen,
            {std::make_shared<metrics::SegmentCollector>(segment_.view()),
             std::make_shared<dispatcher::DispatcherCollector>(
                 [this] { return dispatcher_status(); }),
             std::make_shared<limits::LimitsCollector>([this] {
                 return limits::current_status(*limits_, metrics::read_stats(segment_.view()));
             })},
            error);
        if (!exporter_) {
            std::fprintf(stderr, "sipwired: %s\n", error.c_str());
            stop();
            return kExitRuntime;
        }
        metrics_url = exporter_->url();
    }
    SIPWIRE_LOG_INFO("sipwired ready: instance %s, segment /dev/shm/sipwire-%s, control socket %s, "
                     "metrics %s, config generation %llu",
                     cfg->instance.c_str(), cfg->instance.c_str(), cfg->control_socket.c_str(),
                     metrics_url.c_str(), static_cast<unsigned long long>(generation));
    return kExitOk;
}

api::ReloadResult Daemon::reload() {
    std::lock_guard lock(mutex_);
    api::ReloadResult r;
    if (!running_) {
        r.error = "sipwired is not running";
        return r;
    }
    config::LoadResult loaded = config::load_config_file(options_.config_path);
    if (!loaded.config) {
        r.error = loaded.error;
        SIPWIRE_LOG_WARNING("config reload failed, keeping generation %llu: %s",
                            static_cast<unsigned long long>(
                                published_generation(segment_.view().header().published.load())),
                            r.error.c_str());
        return r;
    }
    config::Config next = std::move(*loaded.config);
    std::vector<std::string> dataplane_changes;
    r.warnings = restart_warnings(*running_, next, &dataplane_changes);
    // Settings of sipwired itself keep their running values until it restarts.
    next.instance = running_->instance;
    next.control_socket = running_->control_socket;
    next.metrics_listen = running_->metrics_listen;
    next.state_dir = running_->state_dir;

    r.previous_generation = published_generation(segment_.view().header().published.load());
    auto next_ptr = std::make_shared<const config::Config>(std::move(next));
    const limits::PublishResult published = limits_->publish(next_ptr, &r.warnings);
    r.generation = published.generation;
    if (r.generation == 0) {
        r.error = published.error;
        SIPWIRE_LOG_WARNING("config reload failed: %s", r.error.c_str());
        return r;
    }
    const config::Config& applied = *next_ptr;
    segment_.write_boot(applied.boot);
    apply_log_level(applied);

    if (!dataplane_changes.empty() && segment_.dataplane_alive()) {
        const int32_t dp = segment_.view().header().dataplane_pid.load();
        if (dp != pending_restart_dp_pid_) pending_restart_.clear();
        pending_restart_dp_pid_ = dp;
        pending_restart_.insert(pending_restart_.end(), dataplane_changes.begin(),
                                dataplane_changes.end());
    }
    running_ = next_ptr;
    r.ok = true;
    SIPWIRE_LOG_INFO("config reloaded from %s: generation %llu",
                     options_.config_path.c_str(), static_cast<unsigned long long>(r.generation));
    for (const std::string& w : r.warnings) SIPWIRE_LOG_WARNING("config reload: %s", w.c_str());
    return r;
}

api::ControlplaneInfo Daemon::info() const {
    api::ControlplaneInfo out;
    std::lock_guard lock(mutex_);
    out.config_path = options_.config_path;
    if (running_) {
        out.instance = running_->instance;
        for (const config::PortSettings& p : running_->ports)
            out.ports.push_back({p.name, p.address, p.gateway});
    }
    // Pending boot changes matter only to the sipwire-dp that was running then.
    if (segment_open_ && segment_.dataplane_alive() &&
        segment_.view().header().dataplane_pid.load() == pending_restart_dp_pid_)
        out.dataplane_restart_required = pending_restart_;
    return out;
}

std::vector<dispatcher::SetStatus> Daemon::dispatcher_status() const {
    if (!publisher_) return {};
    std::vector<dispatcher::SetStatus> sets = publisher_->status();
    dispatcher::fill_calls(sets, metrics::read_stats(segment_.view()).sip_totals.destination_requests);
    return sets;
}

void Daemon::stop() {
    // The threads publish and use the segment: they go first.
    if (prober_) prober_->stop();
    if (punt_) punt_->stop();
    if (server_) server_->stop();
    server_.reset();
    exporter_.reset();
    punt_.reset();
    if (segment_open_) {
        segment_.release();
        segment_open_ = false;
    }
}

}  // namespace sipwire::daemon
