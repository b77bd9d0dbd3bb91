// Health of dispatcher destinations as the snapshot publisher and the control API
// see it. The OPTIONS prober (prober.h) implements HealthMonitor; tests may fake it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sipwire::dispatcher {

// A destination's identity: the same (set, address, port) in two configurations is
// the same destination (its health and registry slot carry over).
struct DestinationKey {
    std::string set;
    uint32_t ipv4 = 0;  // host byte order
    uint16_t port = 0;  // host byte order
    bool operator==(const DestinationKey&) const = default;
};

struct ProbeTarget {
    DestinationKey key;
    uint16_t registry_slot = 0;  // names the probe (Via branch) and the counters
};

enum class ProbeState : uint8_t {
    unprobed,  // no answer yet and not silent for down_after_ms: healthy
    up,        // answered within down_after_ms: healthy
    down,      // no answer for down_after_ms: not dispatched to
};
const char* probe_state_name(ProbeState s);

struct TargetStatus {
    DestinationKey key;
    uint16_t registry_slot = 0;
    ProbeState state = ProbeState::unprobed;
    std::optional<uint64_t> last_rtt_ns;
    uint64_t last_probe_unix_ns = 0;   // 0 = never
    uint64_t last_answer_unix_ns = 0;  // 0 = never
    uint64_t probes_sent = 0;
    uint64_t probes_answered = 0;
    uint64_t probes_ring_full = 0;  // not sent: the transmit ring was full
};

struct ProberSettings {
    uint32_t interval_ms = 1000;  // 0 = probing disabled, every destination healthy
    uint32_t down_after_ms = 3000;
    uint16_t port_index = 0;  // data-plane port the probes leave by
    uint32_t src_ipv4 = 0;    // host byte order: that port's address
    uint16_t src_port = 5060; // host byte order: our first SIP port
};

class HealthMonitor {
public:
    virtual ~HealthMonitor() = default;
    // Replaces the targets. A target whose key was already there keeps its state
    // and counters; new ones start unprobed.
    virtual void configure(const ProberSettings& settings, std::vector<ProbeTarget> targets) = 0;
    // healthy()[i] belongs to the i-th target of the last configure().
    virtual std::vector<uint8_t> healthy() const = 0;
    virtual std::vector<TargetStatus> status() const = 0;
};

}  // namespace sipwire::dispatcher
