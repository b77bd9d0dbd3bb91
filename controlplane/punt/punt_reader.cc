#include "punt/punt_reader.h"

#include <algorithm>
#include <chrono>
#include <string_view>

namespace sipwire::punt {

PuntReader::PuntReader(SegmentView segment) : segment_(segment) {}

PuntReader::~PuntReader() { stop(); }

void PuntReader::add_handler(PuntHandler handler) {
    handlers_.push_back(std::move(handler));
    handled_ = std::vector<std::atomic<uint64_t>>(handlers_.size());
}

size_t PuntReader::poll() {
    const uint32_t workers =
        std::min<uint32_t>(segment_.header().worker_count.load(std::memory_order_acquire), kMaxWorkers);
    size_t n = 0;
    for (uint32_t w = 0; w < workers; ++w) {
        DatagramRing& ring = segment_.rings(w).punt;
        // Bounded per call, so that one busy ring cannot starve the others.
        for (uint32_t k = 0; k < DatagramRing::kCapacity; ++k) {
            const Datagram* d = ring.consumer_slot();
            if (!d) break;
            const uint16_t length = std::min<uint16_t>(d->length, kDatagramMax);
            const auto peek = peek_sip(
                std::string_view(reinterpret_cast<const char*>(d->payload), length));
            bool taken = false;
            for (size_t h = 0; h < handlers_.size() && !taken; ++h) {
                if (!handlers_[h].accepts(*d, peek)) continue;
                handlers_[h].handle(*d, peek);
                handled_[h].fetch_add(1, std::memory_order_relaxed);
                taken = true;
            }
            if (!taken) unhandled_.fetch_add(1, std::memory_order_relaxed);
            received_.fetch_add(1, std::memory_order_relaxed);
            ring.pop();
            ++n;
        }
    }
    return n;
}

void PuntReader::start(unsigned period_ms) {
    stopping_ = false;
    thread_ = std::thread([this, period_ms] {
        std::unique_lock lock(mutex_);
        while (!stopping_) {
            lock.unlock();
            poll();
            lock.lock();
            wake_.wait_for(lock, std::chrono::milliseconds(period_ms), [this] { return stopping_; });
        }
    });
}

void PuntReader::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

PuntStats PuntReader::stats() const {
    PuntStats s;
    s.received = received_.load(std::memory_order_relaxed);
    s.unhandled = unhandled_.load(std::memory_order_relaxed);
    for (size_t h = 0; h < handlers_.size(); ++h)
        s.handled.emplace_back(handlers_[h].name, handled_[h].load(std::memory_order_relaxed));
    return s;
}

}  // namespace sipwire::punt
