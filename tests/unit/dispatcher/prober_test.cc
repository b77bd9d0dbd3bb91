#include "dispatcher/prober.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "punt/sip_peek.h"

namespace sipwire::dispatcher {
namespace {

constexpr uint64_t kMs = 1'000'000;

class FakeClock : public ProberClock {
public:
    uint64_t now = 1'000 * kMs;
    uint64_t monotonic_ns() const override { return now; }
    uint64_t unix_ns() const override { return 1'700'000'000'000'000'000ULL + now; }
};

class FakeSender : public ProbeSender {
public:
    bool is_ready = true;
    bool full = false;
    std::vector<Datagram> sent;
    bool ready() const override { return is_ready; }
    Result send(const Datagram& d) override {
        if (full) return Result::ring_full;
        sent.push_back(d);
        return Result::sent;
    }
};

std::string text_of(const Datagram& d) {
    return std::string(reinterpret_cast<const char*>(d.payload), d.length);
}

std::string branch_of(const Datagram& d) {
    const std::string t = text_of(d);
    const auto p = punt::peek_sip(t);
    return p ? std::string(p->top_via_branch) : "";
}

// The answer a destination would send to probe `probe`, received at `at_ns`.
Datagram answer(const Datagram& probe, int status, uint64_t at_ns) {
    const std::string text = "SIP/2.0 " + std::to_string(status) + " Whatever\r\nVia: SIP/2.0/UDP " +
                             "192.0.2.1:5060;branch=" + branch_of(probe) +
                             "\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    Datagram d{};
    d.kind = DatagramKind::punted;
    d.length = uint16_t(text.size());
    std::memcpy(d.payload, text.data(), text.size());
    d.timestamp_ns = at_ns;
    return d;
}

ProbeTarget target(const char* set, uint32_t ip, uint16_t slot) {
    return {{set, ip, 5060}, slot};
}

class ProberTest : public ::testing::Test {
protected:
    ProberSettings settings() const {
        ProberSettings s;
        s.interval_ms = 1000;
        s.down_after_ms = 3000;
        s.port_index = 1;
        s.src_ipv4 = 0xc0000201;  // 192.0.2.1
        s.src_port = 5060;
        return s;
    }
    void respond(const Datagram& probe, int status = 200, uint64_t rtt = 2 * kMs) {
        const Datagram a = answer(probe, status, probe.timestamp_ns + rtt);
        prober.on_response(a, branch_of(a));
    }
    // Advances the clock in 10 ms steps, ticking.
    void run_for(uint64_t ns) {
        const uint64_t end = clock.now + ns;
        while (clock.now < end) {
            clock.now += 10 * kMs;
            prober.tick();
        }
    }
    const Datagram* last_probe_to(uint32_t ip) const {
        for (auto it = sender.sent.rbegin(); it != sender.sent.rend(); ++it)
            if (ntohl(it->dst_ipv4) == ip) return &*it;
        return nullptr;
    }
    TargetStatus status_of(size_t i) const { return prober.status().at(i); }

    FakeClock clock;
    FakeSender sender;
    int changes = 0;
    bool publish_ok = true;
    OptionsProber prober{clock, sender, [this] {
                             ++changes;
                             return publish_ok;
                         }};
};

TEST_F(ProberTest, OptionsRequestFormat) {
    prober.configure(settings(), {target("switches", 0xc000020a, 3)});
    prober.tick();
    ASSERT_EQ(sender.sent.size(), 1u);
    const Datagram& d = sender.sent[0];
    EXPECT_EQ(d.kind, DatagramKind::transmit);
    EXPECT_EQ(d.port_index, 1);
    EXPECT_EQ(ntohl(d.src_ipv4), 0xc0000201u);
    EXPECT_EQ(ntohs(d.src_port), 5060);
    EXPECT_EQ(ntohl(d.dst_ipv4), 0xc000020au);
    EXPECT_EQ(ntohs(d.dst_port), 5060);
    const std::string t = text_of(d);
    EXPECT_EQ(t.rfind("OPTIONS sip:192.0.2.10:5060 SIP/2.0\r\n", 0), 0u) << t;
    EXPECT_NE(t.find("\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-swprobe-3-1\r\n"),
              std::string::npos) << t;
    EXPECT_NE(t.find("\r\nMax-Forwards: 70\r\n"), std::string::npos);
    EXPECT_NE(t.find("\r\nFrom: <sip:sipwire@192.0.2.1:5060>;tag="), std::string::npos);
    EXPECT_NE(t.find("\r\nTo: <sip:192.0.2.10:5060>\r\n"), std::string::npos);
    EXPECT_NE(t.find("\r\nCall-ID: swprobe-3-1-"), std::string::npos);
    EXPECT_NE(t.find("\r\nCSeq: 1 OPTIONS\r\n"), std::string::npos);
    EXPECT_TRUE(t.ends_with("\r\nContent-Length: 0\r\n\r\n"));
    const auto peek = punt::peek_sip(t);
    ASSERT_TRUE(peek);
    EXPECT_EQ(peek->method, "OPTIONS");
    EXPECT_EQ(peek->via_count, 1u);

    // Call-IDs differ per probe.
    run_for(1000 * kMs);
    ASSERT_EQ(sender.sent.size(), 2u);
    EXPECT_NE(punt::peek_sip(text_of(sender.sent[0]))->call_id,
              punt::peek_sip(text_of(sender.sent[1]))->call_id);
}

TEST_F(ProberTest, ProbesSpreadEvenlyOverTheInterval) {
    prober.configure(settings(), {target("s", 0x0a000001, 0), target("s", 0x0a000002, 1),
                                  target("s", 0x0a000003, 2), target("s", 0x0a000004, 3)});
    const uint64_t start = clock.now;
    prober.tick();
    run_for(2000 * kMs - 10 * kMs);
    ASSERT_EQ(sender.sent.size(), 8u);
    for (size_t i = 0; i < 8; ++i)
        EXPECT_NEAR(double(sender.sent[i].timestamp_ns - start), double(i * 250 * kMs), double(10 * kMs))
            << i;
}

TEST_F(ProberTest, UnprobedIsHealthyAndOneLostProbeIsHarmless) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    EXPECT_EQ(status_of(0).state, ProbeState::unprobed);
    EXPECT_EQ(prober.healthy(), std::vector<uint8_t>{1});
    prober.tick();  // first probe: lost (ARP)
    run_for(1000 * kMs);
    ASSERT_EQ(sender.sent.size(), 2u);
    respond(sender.sent[1]);
    EXPECT_EQ(status_of(0).state, ProbeState::up);
    run_for(2500 * kMs);
    EXPECT_EQ(changes, 0);
    EXPECT_EQ(status_of(0).probes_answered, 1u);
    EXPECT_EQ(status_of(0).state, ProbeState::up);
}

TEST_F(ProberTest, DownAfterSilenceUpOnNextAnswerAnyStatus) {
    prober.configure(settings(), {target("s", 0x0a000001, 5), target("s", 0x0a000002, 6)});
    prober.tick();
    const uint64_t first = clock.now;
    // Only the second destination answers.
    for (int i = 0; i < 40; ++i) {
        run_for(100 * kMs);
        const Datagram* p = last_probe_to(0x0a000002);
        if (p && status_of(1).probes_answered < status_of(1).probes_sent) respond(*p);
    }
    EXPECT_EQ(status_of(0).state, ProbeState::down);
    EXPECT_EQ(status_of(1).state, ProbeState::up);
    EXPECT_EQ(changes, 1);
    EXPECT_EQ(prober.healthy(), (std::vector<uint8_t>{0, 1}));
    (void)first;

    // A 503 is an answer: the host is alive.
    const Datagram* p = last_probe_to(0x0a000001);
    ASSERT_NE(p, nullptr);
    respond(*p, 503, 7 * kMs);
    EXPECT_EQ(status_of(0).state, ProbeState::up);
    EXPECT_EQ(changes, 2);
    ASSERT_TRUE(status_of(0).last_rtt_ns);
    EXPECT_EQ(*status_of(0).last_rtt_ns, 7 * kMs);
    EXPECT_NE(status_of(0).last_answer_unix_ns, 0u);
    EXPECT_EQ(prober.healthy(), (std::vector<uint8_t>{1, 1}));
}

TEST_F(ProberTest, DownExactlyAfterDownAfterMsFromFirstProbe) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    prober.tick();
    const uint64_t first = sender.sent.at(0).timestamp_ns;
    while (status_of(0).state != ProbeState::down) {
        clock.now += kMs;
        prober.tick();
        ASSERT_LT(clock.now, first + 10'000 * kMs);
    }
    EXPECT_EQ(clock.now - first, 3000 * kMs);
}

TEST_F(ProberTest, RttUsesNowWhenNoTimestamp) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    prober.tick();
    clock.now += 4 * kMs;
    Datagram a = answer(sender.sent.at(0), 200, 0);
    prober.on_response(a, branch_of(a));
    EXPECT_EQ(*status_of(0).last_rtt_ns, 4 * kMs);
}

TEST_F(ProberTest, UnknownOrDuplicateAnswersIgnored) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    prober.tick();
    Datagram a = answer(sender.sent.at(0), 200, clock.now);
    prober.on_response(a, "z9hG4bK-swprobe-0-999");  // never sent
    prober.on_response(a, "z9hG4bK-swprobe-9-1");    // no such slot
    prober.on_response(a, "z9hG4bK-other");
    EXPECT_EQ(status_of(0).probes_answered, 0u);
    prober.on_response(a, branch_of(a));
    prober.on_response(a, branch_of(a));  // retransmitted answer
    EXPECT_EQ(status_of(0).probes_answered, 1u);
    EXPECT_TRUE(OptionsProber::is_probe_response(true, "z9hG4bK-swprobe-1-2"));
    EXPECT_FALSE(OptionsProber::is_probe_response(false, "z9hG4bK-swprobe-1-2"));
    EXPECT_FALSE(OptionsProber::is_probe_response(true, "z9hG4bK-1-2"));
}

TEST_F(ProberTest, PausedWhileDataPlaneDownStatesKept) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    prober.tick();
    respond(sender.sent.at(0));
    sender.is_ready = false;
    const size_t sent = sender.sent.size();
    run_for(20'000 * kMs);
    EXPECT_EQ(sender.sent.size(), sent);
    EXPECT_EQ(status_of(0).state, ProbeState::up);
    EXPECT_EQ(changes, 0);
    // Back: a fresh down_after_ms from the first probe after resuming.
    sender.is_ready = true;
    run_for(2900 * kMs);
    EXPECT_GT(sender.sent.size(), sent);
    EXPECT_EQ(status_of(0).state, ProbeState::up);
    run_for(200 * kMs);
    EXPECT_EQ(status_of(0).state, ProbeState::down);
}

TEST_F(ProberTest, DisabledMeansEveryoneHealthyAndNoProbes) {
    ProberSettings s = settings();
    s.interval_ms = 0;
    prober.configure(s, {target("s", 0x0a000001, 0), target("s", 0x0a000002, 1)});
    run_for(10'000 * kMs);
    EXPECT_TRUE(sender.sent.empty());
    EXPECT_EQ(prober.healthy(), (std::vector<uint8_t>{1, 1}));
}

TEST_F(ProberTest, RingFullCountedAndSkipped) {
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    sender.full = true;
    prober.tick();
    run_for(1000 * kMs);
    EXPECT_EQ(status_of(0).probes_sent, 0u);
    EXPECT_EQ(status_of(0).probes_ring_full, 2u);
    // Nothing was sent, so silence is not counted yet.
    run_for(5000 * kMs);
    EXPECT_NE(status_of(0).state, ProbeState::down);
}

TEST_F(ProberTest, ReconfigureKeepsStateOfDestinationsThatStay) {
    prober.configure(settings(), {target("s", 0x0a000001, 0), target("s", 0x0a000002, 1)});
    prober.tick();
    run_for(3500 * kMs);  // nobody answers: both down
    EXPECT_EQ(prober.healthy(), (std::vector<uint8_t>{0, 0}));
    const uint64_t sent = status_of(1).probes_sent;
    prober.configure(settings(), {target("s", 0x0a000003, 2), target("s", 0x0a000002, 1)});
    EXPECT_EQ(prober.healthy(), (std::vector<uint8_t>{1, 0}));
    EXPECT_EQ(status_of(0).state, ProbeState::unprobed);
    EXPECT_EQ(status_of(1).state, ProbeState::down);
    EXPECT_EQ(status_of(1).probes_sent, sent);
}

TEST_F(ProberTest, FailedPublicationRetriedAtNextTick) {
    publish_ok = false;
    prober.configure(settings(), {target("s", 0x0a000001, 0)});
    prober.tick();
    run_for(3000 * kMs);
    EXPECT_EQ(status_of(0).state, ProbeState::down);
    const int after_down = changes;
    EXPECT_GE(after_down, 1);
    publish_ok = true;
    clock.now += kMs;
    prober.tick();
    EXPECT_EQ(changes, after_down + 1);
    clock.now += kMs;
    prober.tick();
    EXPECT_EQ(changes, after_down + 1);  // published: no more retries
}

}  // namespace
}  // namespace sipwire::dispatcher
