// sipwired's side of the punt rings: one consumer for every worker's ring. Each
// datagram goes to the first handler whose `accepts` says yes (handlers choose by
// content: the health prober takes responses to its own probes, later the
// registrar takes REGISTER); anything else is counted as unhandled and dropped.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "punt/sip_peek.h"
#include "sipwire/layout.h"

namespace sipwire::punt {

struct PuntHandler {
    std::string name;  // metrics label
    // Called with the datagram and its SIP view (empty when not SIP).
    std::function<bool(const Datagram&, const std::optional<SipPeek>&)> accepts;
    std::function<void(const Datagram&, const std::optional<SipPeek>&)> handle;
};

struct PuntStats {
    uint64_t received = 0;
    uint64_t unhandled = 0;
    std::vector<std::pair<std::string, uint64_t>> handled;  // per handler, in order
};

class PuntReader {
public:
    // `segment` must stay mapped while the reader runs.
    explicit PuntReader(SegmentView segment);
    ~PuntReader();
    PuntReader(const PuntReader&) = delete;
    PuntReader& operator=(const PuntReader&) = delete;

    // Before start() only.
    void add_handler(PuntHandler handler);

    // Drains every worker's punt ring ([0, header.worker_count)) once; returns the
    // number of datagrams read. Called by the thread; public for tests.
    size_t poll();

    // A thread polling every `period_ms` milliseconds.
    void start(unsigned period_ms = 1);
    void stop();

    PuntStats stats() const;

private:
    SegmentView segment_;
    std::vector<PuntHandler> handlers_;
    std::vector<std::atomic<uint64_t>> handled_;
    std::atomic<uint64_t> received_{0};
    std::atomic<uint64_t> unhandled_{0};

    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace sipwire::punt
