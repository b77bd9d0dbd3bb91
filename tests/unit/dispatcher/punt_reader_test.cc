#include "punt/punt_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "dispatcher/prober.h"
#include "sipwire/shm_mapping.h"

namespace sipwire::punt {
namespace {

class PuntReaderTest : public ::testing::Test {
protected:
    void SetUp() override {
        std::string error;
        ASSERT_TRUE(mapping.create("test-" + std::to_string(getpid()), error)) << error;
        mapping.view().header().worker_count.store(2);
    }
    void TearDown() override { mapping.unlink(); }

    void punt(uint32_t worker, const std::string& text) {
        Datagram* d = mapping.view().rings(worker).punt.producer_slot();
        ASSERT_NE(d, nullptr);
        *d = Datagram{};
        d->kind = DatagramKind::punted;
        d->length = uint16_t(text.size());
        std::memcpy(d->payload, text.data(), text.size());
        mapping.view().rings(worker).punt.push();
    }

    void add_prober_handler(PuntReader& r) {
        r.add_handler({"prober",
                       [](const Datagram&, const std::optional<SipPeek>& p) {
                           return p && dispatcher::OptionsProber::is_probe_response(p->response,
                                                                                    p->top_via_branch);
                       },
                       [this](const Datagram&, const std::optional<SipPeek>& p) {
                           branches.emplace_back(p->top_via_branch);
                       }});
    }

    ShmMapping mapping;
    std::vector<std::string> branches;
};

constexpr const char* kProbeAnswer =
    "SIP/2.0 404 Not Found\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-swprobe-2-7;received=1.2.3.4\r\n"
    "Call-ID: abc\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n";

TEST_F(PuntReaderTest, RoutesByContentAndCountsTheRest) {
    PuntReader reader(mapping.view());
    add_prober_handler(reader);
    punt(0, kProbeAnswer);
    punt(1, "SIP/2.0 200 OK\r\nv: SIP/2.0/UDP 192.0.2.1:5060;BRANCH=z9hG4bK-swprobe-3-8\r\n\r\n");
    punt(1, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-other\r\n\r\n");
    punt(1, "REGISTER sip:example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-swprobe-1-1\r\n\r\n");
    punt(0, "not sip at all");
    EXPECT_EQ(reader.poll(), 5u);
    EXPECT_EQ(reader.poll(), 0u);
    EXPECT_EQ(branches, (std::vector<std::string>{"z9hG4bK-swprobe-2-7", "z9hG4bK-swprobe-3-8"}));
    const PuntStats s = reader.stats();
    EXPECT_EQ(s.received, 5u);
    EXPECT_EQ(s.unhandled, 3u);
    ASSERT_EQ(s.handled.size(), 1u);
    EXPECT_EQ(s.handled[0].second, 2u);
    EXPECT_EQ(mapping.view().rings(0).punt.size(), 0u);
}

TEST_F(PuntReaderTest, ReadsOnlyRunningWorkerCount) {
    PuntReader reader(mapping.view());
    punt(2, kProbeAnswer);  // worker 2 is beyond worker_count
    EXPECT_EQ(reader.poll(), 0u);
    mapping.view().header().worker_count.store(3);
    EXPECT_EQ(reader.poll(), 1u);
}

TEST_F(PuntReaderTest, ThreadDrainsWithinMilliseconds) {
    PuntReader reader(mapping.view());
    add_prober_handler(reader);
    reader.start(1);
    for (int i = 0; i < 600; ++i) {  // more than one ring's worth, in batches
        while (!mapping.view().rings(0).punt.producer_slot()) std::this_thread::yield();
        punt(0, kProbeAnswer);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (reader.stats().received < 600 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    reader.stop();
    EXPECT_EQ(reader.stats().received, 600u);
    EXPECT_EQ(reader.stats().handled[0].second, 600u);
}

// The real transport: probes go into worker 0's transmit ring, the answer comes back
// through a punt ring and the reader hands it to the prober.
TEST_F(PuntReaderTest, ProbeRoundTripThroughTheSegment) {
    dispatcher::SystemClock clock;
    dispatcher::RingSender sender(mapping.view());
    EXPECT_FALSE(sender.ready());  // no data plane
    mapping.view().header().dataplane_pid.store(getpid());
    mapping.view().worker(0).run_state.store(uint32_t(WorkerRunState::running));
    EXPECT_TRUE(sender.ready());

    dispatcher::OptionsProber prober(clock, sender, [] { return true; });
    dispatcher::ProberSettings settings;
    settings.src_ipv4 = 0xc0000201;
    prober.configure(settings, {{{"s", 0x0a000001, 5060}, 7}});
    prober.tick();
    DatagramRing& tx = mapping.view().rings(0).transmit;
    ASSERT_EQ(tx.size(), 1u);
    const Datagram* probe = tx.consumer_slot();
    EXPECT_EQ(probe->kind, DatagramKind::transmit);
    const auto peek = peek_sip(std::string_view(reinterpret_cast<const char*>(probe->payload), probe->length));
    ASSERT_TRUE(peek);
    const std::string branch(peek->top_via_branch);
    tx.pop();

    PuntReader reader(mapping.view());
    reader.add_handler({"prober",
                        [](const Datagram&, const std::optional<SipPeek>& p) {
                            return p && dispatcher::OptionsProber::is_probe_response(p->response,
                                                                                     p->top_via_branch);
                        },
                        [&prober](const Datagram& d, const std::optional<SipPeek>& p) {
                            prober.on_response(d, p->top_via_branch);
                        }});
    punt(1, "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1:5060;branch=" + branch +
                "\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(reader.poll(), 1u);
    EXPECT_EQ(prober.status().at(0).state, dispatcher::ProbeState::up);
    EXPECT_EQ(prober.status().at(0).probes_answered, 1u);
    EXPECT_TRUE(prober.status().at(0).last_rtt_ns);

    // A full ring is counted, never waited on.
    for (uint32_t i = 0; i < DatagramRing::kCapacity; ++i) {
        tx.producer_slot();
        tx.push();
    }
    EXPECT_EQ(sender.send(Datagram{}), dispatcher::ProbeSender::Result::ring_full);
}

TEST(SipPeek, ParsesWhatHandlersNeed) {
    auto p = peek_sip("SIP/2.0 503 Service Unavailable\r\nVia: SIP/2.0/UDP a;branch=z9hG4bK-1, "
                      "SIP/2.0/UDP b;branch=z9hG4bK-2\r\nVia: SIP/2.0/UDP c\r\ni: id-1\r\n\r\nbody");
    ASSERT_TRUE(p);
    EXPECT_TRUE(p->response);
    EXPECT_EQ(p->status, 503);
    EXPECT_EQ(p->top_via_branch, "z9hG4bK-1");
    EXPECT_EQ(p->via_count, 3u);
    EXPECT_EQ(p->call_id, "id-1");
    EXPECT_FALSE(peek_sip("SIP/2.0 99 Low\r\n\r\n"));
    EXPECT_FALSE(peek_sip("HTTP/1.1 200 OK\r\n\r\n"));
    EXPECT_FALSE(peek_sip(""));
    auto r = peek_sip("OPTIONS sip:x SIP/2.0\r\n\r\n");
    ASSERT_TRUE(r);
    EXPECT_FALSE(r->response);
    EXPECT_EQ(r->method, "OPTIONS");
    EXPECT_EQ(r->top_via_branch, "");
}

}  // namespace
}  // namespace sipwire::punt
