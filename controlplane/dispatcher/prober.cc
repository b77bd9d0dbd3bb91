#include "dispatcher/prober.h"

#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstring>

#include "config/address.h"
#include "sipwire/log.h"
#include "sipwire/shm_mapping.h"

namespace sipwire::dispatcher {

namespace {

constexpr uint64_t kMs = 1'000'000;
constexpr uint64_t kMaxSleepNs = 50 * kMs;

uint64_t read_clock(clockid_t id) {
    timespec ts{};
    clock_gettime(id, &ts);
    return uint64_t(ts.tv_sec) * 1'000'000'000ULL + uint64_t(ts.tv_nsec);
}

std::string host_port(uint32_t ipv4, uint16_t port) {
    return config::detail::format_ipv4(ipv4) + ":" + std::to_string(port);
}

// "<slot>-<seq>" after the prefix.
bool parse_branch(std::string_view branch, uint64_t& slot, uint64_t& seq) {
    if (branch.substr(0, kProbeBranchPrefix.size()) != kProbeBranchPrefix) return false;
    branch.remove_prefix(kProbeBranchPrefix.size());
    const char* end = branch.data() + branch.size();
    auto [p, ec] = std::from_chars(branch.data(), end, slot);
    if (ec != std::errc() || p == end || *p != '-') return false;
    auto [q, ec2] = std::from_chars(p + 1, end, seq);
    return ec2 == std::errc() && q == end;
}

}  // namespace

const char* probe_state_name(ProbeState s) {
    switch (s) {
        case ProbeState::unprobed:
            return "unprobed";
        case ProbeState::up:
            return "up";
        case ProbeState::down:
            return "down";
    }
    return "unprobed";
}

uint64_t SystemClock::monotonic_ns() const { return read_clock(CLOCK_MONOTONIC); }
uint64_t SystemClock::unix_ns() const { return read_clock(CLOCK_REALTIME); }

bool RingSender::ready() const {
    const ShmHeader& h = segment_.header();
    return process_alive(h.dataplane_pid.load()) && h.worker_count.load() >= 1 &&
           segment_.worker(0).run_state.load() == uint32_t(WorkerRunState::running);
}

ProbeSender::Result RingSender::send(const Datagram& d) {
    std::lock_guard lock(mutex_);
    DatagramRing& ring = segment_.rings(0).transmit;
    Datagram* slot = ring.producer_slot();
    if (!slot) return Result::ring_full;
    std::memcpy(slot, &d, offsetof(Datagram, payload) + std::min<size_t>(d.length, kDatagramMax));
    ring.push();
    return Result::sent;
}

std::string build_options(const ProberSettings& s, const ProbeTarget& t, uint64_t seq,
                          std::string_view nonce) {
    const std::string dst = host_port(t.key.ipv4, t.key.port);
    const std::string src = host_port(s.src_ipv4, s.src_port);
    const std::string id = std::to_string(t.registry_slot) + "-" + std::to_string(seq);
    const uint64_t cseq = (seq & 0x7fffffffULL) == 0 ? 1 : (seq & 0x7fffffffULL);
    std::string m;
    m.reserve(400);
    m += "OPTIONS sip:" + dst + " SIP/2.0\r\n";
    m += "Via: SIP/2.0/UDP " + src + ";branch=" + std::string(kProbeBranchPrefix) + id + "\r\n";
    m += "Max-Forwards: 70\r\n";
    m += "From: <sip:sipwire@" + src + ">;tag=swprobe-" + std::to_string(seq) + "\r\n";
    m += "To: <sip:" + dst + ">\r\n";
    m += "Call-ID: swprobe-" + id + "-" + std::string(nonce) + "@" +
         config::detail::format_ipv4(s.src_ipv4) + "\r\n";
    m += "CSeq: " + std::to_string(cseq) + " OPTIONS\r\n";
    m += "User-Agent: sipwire\r\n";
    m += "Content-Length: 0\r\n\r\n";
    return m;
}

OptionsProber::OptionsProber(const ProberClock& clock, ProbeSender& sender, ChangeCallback on_change)
    : clock_(clock), sender_(sender), on_change_(std::move(on_change)) {
    // Call-IDs stay unique across restarts of sipwired.
    nonce_ = std::to_string(getpid()) + "." + std::to_string(clock_.unix_ns() / kMs % 1'000'000'000);
}

OptionsProber::~OptionsProber() { stop(); }

std::string OptionsProber::label(const Target& t) const {
    return t.target.key.set + "/" + host_port(t.target.key.ipv4, t.target.key.port);
}

void OptionsProber::spread_locked(uint64_t now) {
    const uint64_t interval = uint64_t(settings_.interval_ms) * kMs;
    const uint64_t n = targets_.size();
    for (uint64_t i = 0; i < n; ++i) targets_[i].next_send_ns = now + interval * i / n;
}

void OptionsProber::configure(const ProberSettings& settings, std::vector<ProbeTarget> targets) {
    {
        std::lock_guard lock(mutex_);
        std::vector<Target> next;
        next.reserve(targets.size());
        for (ProbeTarget& pt : targets) {
            Target t;
            const auto old = std::find_if(targets_.begin(), targets_.end(), [&](const Target& o) {
                return o.target.key == pt.key;
            });
            if (old != targets_.end()) t = *old;
            else t.status = TargetStatus{};
            t.status.key = pt.key;
            t.status.registry_slot = pt.registry_slot;
            t.target = std::move(pt);
            if (settings.interval_ms == 0) {
                t.status.state = ProbeState::unprobed;
                t.silent_since_ns.reset();
            }
            next.push_back(std::move(t));
        }
        settings_ = settings;
        targets_ = std::move(next);
        spread_locked(clock_.monotonic_ns());
    }
    wake_.notify_all();
}

std::vector<uint8_t> OptionsProber::healthy() const {
    std::lock_guard lock(mutex_);
    std::vector<uint8_t> out;
    out.reserve(targets_.size());
    for (const Target& t : targets_)
        out.push_back(settings_.interval_ms == 0 || t.status.state != ProbeState::down ? 1 : 0);
    return out;
}

std::vector<TargetStatus> OptionsProber::status() const {
    std::lock_guard lock(mutex_);
    std::vector<TargetStatus> out;
    out.reserve(targets_.size());
    for (const Target& t : targets_) out.push_back(t.status);
    return out;
}

uint64_t OptionsProber::tick() {
    bool publish = false;
    uint64_t next_due;
    {
        std::lock_guard lock(mutex_);
        const uint64_t now = clock_.monotonic_ns();
        next_due = now + kMaxSleepNs;
        publish = publish_pending_;
        publish_pending_ = false;
        if (settings_.interval_ms == 0 || targets_.empty()) {
            // nothing to probe
        } else if (!sender_.ready()) {
            if (!paused_) SIPWIRE_LOG_INFO("dispatcher: data plane not running, probing paused");
            paused_ = true;
        } else {
            if (paused_) {
                // A fresh down_after_ms for everyone: nothing was probed meanwhile.
                for (Target& t : targets_) t.silent_since_ns.reset();
                spread_locked(now);
                paused_ = false;
            }
            const uint64_t interval = uint64_t(settings_.interval_ms) * kMs;
            const uint64_t down_after = uint64_t(settings_.down_after_ms) * kMs;
            for (Target& t : targets_) {
                if (now >= t.next_send_ns) {
                    const uint64_t seq = ++seq_;
                    Datagram d{};
                    d.kind = DatagramKind::transmit;
                    d.port_index = settings_.port_index;
                    d.src_ipv4 = htonl(settings_.src_ipv4);
                    d.src_port = htons(settings_.src_port);
                    d.dst_ipv4 = htonl(t.target.key.ipv4);
                    d.dst_port = htons(t.target.key.port);
                    d.timestamp_ns = now;
                    const std::string text = build_options(settings_, t.target, seq, nonce_);
                    d.length = uint16_t(std::min<size_t>(text.size(), kDatagramMax));
                    std::memcpy(d.payload, text.data(), d.length);
                    if (sender_.send(d) == ProbeSender::Result::sent) {
                        ++t.status.probes_sent;
                        t.status.last_probe_unix_ns = clock_.unix_ns();
                        t.outstanding[t.outstanding_next++ % t.outstanding.size()] = {seq, now};
                        if (!t.silent_since_ns) t.silent_since_ns = now;
                    } else {
                        ++t.status.probes_ring_full;
                    }
                    t.next_send_ns += interval;
                    if (t.next_send_ns <= now) t.next_send_ns = now + interval;
                }
                if (t.status.state != ProbeState::down && t.silent_since_ns &&
                    now - *t.silent_since_ns >= down_after) {
                    t.status.state = ProbeState::down;
                    publish = true;
                    SIPWIRE_LOG_INFO("destination %s down: no answer for %u ms", label(t).c_str(),
                                     settings_.down_after_ms);
                }
                next_due = std::min(next_due, t.next_send_ns);
                if (t.status.state != ProbeState::down && t.silent_since_ns)
                    next_due = std::min(next_due, *t.silent_since_ns + down_after);
            }
        }
    }
    if (publish && on_change_ && !on_change_()) {
        std::lock_guard lock(mutex_);
        publish_pending_ = true;
    }
    return next_due;
}

bool OptionsProber::is_probe_response(bool response, std::string_view branch) {
    return response && branch.substr(0, kProbeBranchPrefix.size()) == kProbeBranchPrefix;
}

void OptionsProber::on_response(const Datagram& d, std::string_view branch) {
    uint64_t slot = 0, seq = 0;
    if (!parse_branch(branch, slot, seq) || seq == 0) return;
    bool publish = false;
    {
        std::lock_guard lock(mutex_);
        if (settings_.interval_ms == 0) return;
        const uint64_t now = clock_.monotonic_ns();
        const uint64_t received = d.timestamp_ns != 0 ? d.timestamp_ns : now;
        for (Target& t : targets_) {
            if (t.target.registry_slot != slot) continue;
            auto probe = std::find_if(t.outstanding.begin(), t.outstanding.end(),
                                      [&](const Outstanding& o) { return o.seq == seq; });
            if (probe == t.outstanding.end()) return;  // not one of ours, or long gone
            const uint64_t rtt = received > probe->sent_ns ? received - probe->sent_ns : 0;
            probe->seq = 0;  // a retransmitted answer counts once
            ++t.status.probes_answered;
            t.status.last_rtt_ns = rtt;
            t.status.last_answer_unix_ns = clock_.unix_ns();
            t.silent_since_ns = std::max(received, t.silent_since_ns.value_or(0));
            if (t.status.state == ProbeState::down) {
                publish = true;
                SIPWIRE_LOG_INFO("destination %s up: answered in %.1f ms", label(t).c_str(),
                                 double(rtt) / 1e6);
            } else if (t.status.state == ProbeState::unprobed) {
                SIPWIRE_LOG_DEBUG("destination %s answered its first probe in %.1f ms",
                                  label(t).c_str(), double(rtt) / 1e6);
            }
            t.status.state = ProbeState::up;
            break;
        }
    }
    if (publish && on_change_ && !on_change_()) {
        std::lock_guard lock(mutex_);
        publish_pending_ = true;
    }
}

void OptionsProber::start() {
    stopping_ = false;
    thread_ = std::thread([this] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            const uint64_t due = tick();
            const uint64_t now = clock_.monotonic_ns();
            const uint64_t wait = std::clamp<uint64_t>(due > now ? due - now : 0, kMs, kMaxSleepNs);
            lock.lock();
            if (stopping_) break;
            wake_.wait_for(lock, std::chrono::nanoseconds(wait));
        }
    });
}

void OptionsProber::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

}  // namespace sipwire::dispatcher
