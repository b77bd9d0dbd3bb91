#include "segment/segment_owner.h"

#include <time.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "sipwire/snapshot.h"

namespace sipwire::segment {

namespace {

uint64_t unix_now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

}  // namespace

bool SegmentOwner::open(const std::string& instance, std::string& error, uint32_t location_bindings) {
    std::string attach_error;
    location_size_kept_ = false;
    bool attached = mapping_.attach(instance, attach_error);
    if (attached && mapping_.view().header().location_bindings != location_bindings) {
        if (process_alive(mapping_.view().header().dataplane_pid.load())) {
            location_size_kept_ = true;
        } else {
            attached = false;  // resized: a new segment (bindings are reloaded from the store)
            attach_error = "location table size changed";
        }
    }
    if (attached) {
        const ShmHeader& h = mapping_.view().header();
        const int32_t other = h.controlplane_pid.load();
        if (other != getpid() && process_alive(other)) {
            error = "sipwired for instance '" + instance + "' is already running (pid " +
                    std::to_string(other) + ")";
            return false;
        }
        reused_ = true;
    } else {
        // A segment of another layout may be replaced only when no data plane maps it.
        // (A failed attach keeps the mapping so that the old header can be read.)
        const SegmentView& old = mapping_.view();
        if (old.base && mapping_.size() >= sizeof(ShmHeader) &&
            old.header().magic == kShmMagic &&
            process_alive(old.header().dataplane_pid.load())) {
            error = attach_error + "; sipwire-dp (pid " +
                    std::to_string(old.header().dataplane_pid.load()) +
                    ") still uses it: stop it first";
            return false;
        }
        if (!mapping_.create(instance, error, location_bindings)) return false;
        reused_ = false;
    }
    ShmHeader& h = mapping_.view().header();
    h.controlplane_pid.store(getpid());
    h.controlplane_started_unix_ns.store(unix_now_ns());
    return true;
}

bool SegmentOwner::dataplane_alive() const {
    return process_alive(mapping_.view().header().dataplane_pid.load());
}

void SegmentOwner::write_boot(const BootConfig& boot) { mapping_.view().boot() = boot; }

uint64_t SegmentOwner::publish(const DataplaneConfig& config, unsigned timeout_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        const uint64_t generation = publish_config(mapping_.view(), config, dataplane_alive());
        if (generation != 0 || std::chrono::steady_clock::now() >= deadline) return generation;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void SegmentOwner::release() {
    if (!mapping_.view().base) return;
    mapping_.view().header().controlplane_pid.store(0);
    if (!dataplane_alive()) mapping_.unlink();
}

}  // namespace sipwire::segment
