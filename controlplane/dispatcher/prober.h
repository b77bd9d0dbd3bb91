// Health probing of dispatcher destinations with SIP OPTIONS, sent through the data
// plane (worker 0's transmit ring) from one of our port addresses; the answers come
// back through the punt rings (PuntReader hands them to on_response()).
//
// Any SIP response, whatever its status (a 404 or 503 too), proves that the host and
// its SIP stack are alive: the destination is "up". A destination that has answered
// no probe for down_after_ms is "down" and leaves its set's dispatch table; the next
// answer brings it back. A new destination is "unprobed" (and healthy) until it
// answers or stays silent for down_after_ms counted from its first probe, so one
// probe lost to ARP resolution is harmless. While the data plane is not running
// nothing can carry the probes: probing pauses and states stay as they were; on
// resume every destination gets a fresh down_after_ms.
#pragma once

#include <array>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dispatcher/health.h"
#include "sipwire/datagram.h"
#include "sipwire/layout.h"

namespace sipwire::dispatcher {

// Every probe's Via branch starts with this (RFC 3261 magic cookie first).
inline constexpr std::string_view kProbeBranchPrefix = "z9hG4bK-swprobe-";

class ProberClock {
public:
    virtual ~ProberClock() = default;
    virtual uint64_t monotonic_ns() const = 0;  // CLOCK_MONOTONIC, as Datagram.timestamp_ns
    virtual uint64_t unix_ns() const = 0;       // CLOCK_REALTIME, for display
};

class ProbeSender {
public:
    enum class Result { sent, ring_full };
    virtual ~ProbeSender() = default;
    // False when nothing would carry a probe (the data plane is not running).
    virtual bool ready() const = 0;
    virtual Result send(const Datagram& d) = 0;
};

// The real ones: the system clocks, and worker 0's transmit ring of a segment.
// sipwired is that ring's only producer: every sender in sipwired (prober,
// registrar, keepalive pinger) shares one RingSender, which serializes them.
class SystemClock final : public ProberClock {
public:
    uint64_t monotonic_ns() const override;
    uint64_t unix_ns() const override;
};

class RingSender final : public ProbeSender {
public:
    explicit RingSender(SegmentView segment) : segment_(segment) {}
    bool ready() const override;
    Result send(const Datagram& d) override;

private:
    SegmentView segment_;
    std::mutex mutex_;  // the ring is single-producer
};

// Builds the OPTIONS request of probe `seq` to `target` (payload only).
std::string build_options(const ProberSettings& settings, const ProbeTarget& target, uint64_t seq,
                          std::string_view call_id_nonce);

class OptionsProber final : public HealthMonitor {
public:
    // Called, without the prober's lock held, after a destination changed between
    // healthy and down. Returns false when the change could not be published: the
    // prober calls it again at its next tick.
    using ChangeCallback = std::function<bool()>;

    OptionsProber(const ProberClock& clock, ProbeSender& sender, ChangeCallback on_change);
    ~OptionsProber() override;

    void configure(const ProberSettings& settings, std::vector<ProbeTarget> targets) override;
    std::vector<uint8_t> healthy() const override;
    std::vector<TargetStatus> status() const override;

    // Sends the probes that are due and applies time-outs. Returns the monotonic
    // time at which it next has something to do. Called by the thread; public for tests.
    uint64_t tick();

    // True for a SIP response whose top Via branch is one of ours.
    static bool is_probe_response(bool response, std::string_view top_via_branch);
    // Takes a response to a probe (a datagram from the punt ring).
    void on_response(const Datagram& d, std::string_view top_via_branch);

    // A thread calling tick() when due (at least every 50 ms).
    void start();
    void stop();

private:
    struct Outstanding {
        uint64_t seq = 0;
        uint64_t sent_ns = 0;
    };
    struct Target {
        ProbeTarget target;
        TargetStatus status;
        uint64_t next_send_ns = 0;
        std::optional<uint64_t> silent_since_ns;  // first probe since (re)start, or last answer
        std::array<Outstanding, 8> outstanding{};  // recent probes by seq, for RTTs
        size_t outstanding_next = 0;
    };

    void spread_locked(uint64_t now);
    std::string label(const Target& t) const;

    const ProberClock& clock_;
    ProbeSender& sender_;
    ChangeCallback on_change_;
    std::string nonce_;

    mutable std::mutex mutex_;
    ProberSettings settings_;
    std::vector<Target> targets_;
    uint64_t seq_ = 0;
    bool paused_ = true;
    bool publish_pending_ = false;

    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sipwire::dispatcher
