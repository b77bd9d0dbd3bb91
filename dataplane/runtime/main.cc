// sipwire-dp: attaches to the segment sipwired created, starts DPDK with the boot
// configuration found there, and runs one poll loop per lcore until SIGINT/SIGTERM.
#include <rte_eal.h>
#include <rte_errno.h>
#include <pthread.h>
#include <rte_lcore.h>
#include <rte_thread.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "runtime/ports.h"
#include "runtime/preflight.h"
#include "runtime/worker.h"
#include "sipwire/log.h"
#include "sipwire/shm_mapping.h"

namespace {

std::atomic<bool> g_stop{false};  // set by the signal handler only

void on_signal(int) { g_stop.store(true); }

uint64_t unix_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

int fail(const std::string& message) {
    SIPWIRE_LOG_ERROR("%s", message.c_str());
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace sipwire;
    std::string instance = "default";
    std::string log_level = "info";
    CLI::App app{"sipwire-dp: the sipwire data plane (start sipwired first)"};
    app.add_option("--instance", instance, "Instance name: attaches /dev/shm/sipwire-<instance>")
        ->capture_default_str();
    app.add_option("--log-level", log_level, "debug, info, warning or error")
        ->check(CLI::IsMember({"debug", "info", "warning", "error"}))
        ->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    log::set_level(log_level);

    ShmMapping mapping;
    std::string error;
    if (!mapping.attach(instance, error)) return fail(error);
    const SegmentView& seg = mapping.view();
    ShmHeader& header = seg.header();
    if (const int32_t other = header.dataplane_pid.load(); other != getpid() && process_alive(other))
        return fail("sipwire-dp for instance '" + instance + "' is already running (pid " +
                    std::to_string(other) + ")");

    const BootConfig boot = seg.boot();
    if (std::string problem = dp::preflight(boot); !problem.empty()) return fail(problem);

    std::vector<char*> eal_argv{argv[0]};
    std::vector<std::string> eal_args(boot.eal_args, boot.eal_args + boot.eal_arg_count);
    for (std::string& a : eal_args) eal_argv.push_back(a.data());
    if (rte_eal_init(int(eal_argv.size()), eal_argv.data()) < 0)
        return fail(std::string("DPDK EAL initialisation failed: ") + rte_strerror(rte_errno) +
                    " (see the EAL lines above; arguments come from dataplane.eal_args)");

    const unsigned workers = rte_lcore_count();
    if (workers > kMaxWorkers)
        return fail("dataplane.eal_args enable " + std::to_string(workers) + " lcores; at most " +
                    std::to_string(kMaxWorkers) + " are supported");

    header.dataplane_pid.store(getpid());
    header.dataplane_started_unix_ns.store(unix_now_ns());
    for (unsigned w = 0; w < kMaxWorkers; ++w) {
        seg.worker(w).run_state.store(uint32_t(WorkerRunState::stopped));
        seg.worker(w).acked_generation.store(0);
    }

    dp::PortSetup ports{};
    if (!dp::start_ports(boot, uint16_t(workers), seg, ports, error)) {
        header.dataplane_pid.store(0);
        rte_eal_cleanup();
        return fail(error);
    }
    header.port_count.store(ports.count);
    header.worker_count.store(workers);

    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);

    // Link state needs ioctls: polled by a control thread, which DPDK keeps off the
    // lcores' CPUs.
    struct Housekeeping {
        const dp::PortSetup* ports;
        SegmentView segment;
    } housekeeping_state{&ports, seg};
    pthread_t housekeeping;
    auto housekeeping_loop = [](void* arg) -> void* {
        const auto* h = static_cast<Housekeeping*>(arg);
        while (!g_stop.load()) {
            dp::update_link_status(*h->ports, h->segment);
            for (int i = 0; i < 10 && !g_stop.load(); ++i)
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return nullptr;
    };
    if (rte_ctrl_thread_create(&housekeeping, "sw-housekeeping", nullptr, housekeeping_loop,
                               &housekeeping_state) != 0)
        return fail("cannot start the housekeeping thread");

    // Worker contexts are large (reassembly and output buffers): heap, at start-up.
    std::unique_ptr<dp::WorkerContext[]> contexts(new dp::WorkerContext[workers]{});
    for (unsigned w = 0; w < workers; ++w) {
        contexts[w].index = w;
        contexts[w].ports = &ports;
        contexts[w].segment = seg;
        contexts[w].stop = &g_stop;
        if (!dp::init_worker(contexts[w], int(rte_socket_id()))) {
            dp::stop_ports(ports);
            header.dataplane_pid.store(0);
            return fail("cannot allocate the IPv4 reassembly table: raise -m in dataplane.eal_args");
        }
    }
    SIPWIRE_LOG_INFO("sipwire-dp running: instance %s, %u worker(s), %u port(s)",
                     instance.c_str(), workers, ports.count);
    unsigned w = 1;
    unsigned lcore;
    RTE_LCORE_FOREACH_WORKER(lcore) rte_eal_remote_launch(dp::run_worker, &contexts[w++], lcore);
    dp::run_worker(&contexts[0]);
    rte_eal_mp_wait_lcore();

    g_stop.store(true);
    pthread_join(housekeeping, nullptr);
    dp::stop_ports(ports);
    header.worker_count.store(0);
    header.dataplane_pid.store(0);
    rte_eal_cleanup();
    SIPWIRE_LOG_INFO("sipwire-dp stopped");
    return 0;
}
