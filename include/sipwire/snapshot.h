// Configuration snapshots: the writer (sipwired) fills a free slot and publishes it
// with one atomic store; each data-plane worker acknowledges the generation it
// runs. A slot is reused only when every running worker has acknowledged a newer
// generation (quiescent-state reclamation), so a worker never sees a slot change
// under it.
#pragma once

#include <atomic>
#include <cstdint>

#include "sipwire/layout.h"

namespace sipwire {

// Reader side, called by a worker once per loop iteration. Returns the snapshot to
// use for this iteration, or nullptr before the first publication.
inline const DataplaneConfig* acquire_config(const SegmentView& seg, WorkerState& self) noexcept {
    ShmHeader& h = seg.header();
    uint64_t packed = h.published.load(std::memory_order_acquire);
    if (published_generation(packed) != self.acked_generation.load(std::memory_order_relaxed)) {
        // Announce before use, then confirm nothing newer was published in between:
        // a writer that published later sees our acknowledgement and keeps our slot.
        for (;;) {
            self.acked_generation.store(published_generation(packed), std::memory_order_seq_cst);
            const uint64_t again = h.published.load(std::memory_order_seq_cst);
            if (again == packed) break;
            packed = again;
        }
    }
    if (published_generation(packed) == 0) return nullptr;
    return &seg.config_slot(published_slot(packed));
}

// Writer side. Picks a slot no running worker can still read, or -1 when every
// slot is held (a worker is stuck on an old generation).
inline int find_free_config_slot(const SegmentView& seg, bool dataplane_alive) {
    ShmHeader& h = seg.header();
    const uint64_t packed = h.published.load(std::memory_order_seq_cst);
    if (published_generation(packed) == 0) return 0;  // nothing published, nothing held
    uint64_t min_acked = published_generation(packed);
    if (dataplane_alive) {
        for (uint32_t w = 0; w < kMaxWorkers; ++w) {
            WorkerState& ws = seg.worker(w);
            if (ws.run_state.load(std::memory_order_seq_cst) != uint32_t(WorkerRunState::running))
                continue;
            const uint64_t acked = ws.acked_generation.load(std::memory_order_seq_cst);
            if (acked != 0 && acked < min_acked) min_acked = acked;
        }
    }
    for (uint32_t s = 0; s < kConfigSlots; ++s) {
        if (s == published_slot(packed)) continue;
        if (seg.config_slot(s).generation < min_acked) return int(s);
    }
    return -1;
}

// Writer side: copies `cfg` into a free slot with the next generation and publishes
// it. Returns the new generation, or 0 when no slot is free.
inline uint64_t publish_config(const SegmentView& seg, DataplaneConfig cfg, bool dataplane_alive) {
    const int slot = find_free_config_slot(seg, dataplane_alive);
    if (slot < 0) return 0;
    ShmHeader& h = seg.header();
    const uint64_t generation = published_generation(h.published.load()) + 1;
    cfg.generation = generation;
    seg.config_slot(uint32_t(slot)) = cfg;
    h.published.store(pack_published(generation, uint32_t(slot)), std::memory_order_seq_cst);
    return generation;
}

}  // namespace sipwire
