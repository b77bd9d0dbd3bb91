// sipwired's ownership of the shared-memory segment: create it, or take over the one
// a previous sipwired left (the data plane may still be running on it), publish
// configuration snapshots, and remove the segment on shutdown when no data plane
// uses it any more.
#pragma once

#include <cstdint>
#include <string>

#include "sipwire/dataplane_config.h"
#include "sipwire/shm_mapping.h"

namespace sipwire::segment {

class SegmentOwner {
public:
    // Opens the segment of `instance`. Fails (with `error` set) when another sipwired
    // owns it, or when a data plane of a different layout is attached to it.
    // `location_bindings` sizes the location table of a new segment; a segment left
    // with another size is replaced when no data plane uses it, else kept as it is
    // (location_size_kept() then says so).
    bool open(const std::string& instance, std::string& error, uint32_t location_bindings = 0);
    bool location_size_kept() const { return location_size_kept_; }

    const SegmentView& view() const { return mapping_.view(); }
    bool reused() const { return reused_; }
    bool dataplane_alive() const;

    // Boot parameters are read by sipwire-dp when it starts.
    void write_boot(const BootConfig& boot);

    // Publishes a new snapshot and returns its generation. Waits up to `timeout_ms`
    // for a free slot (a worker still running an old generation); 0 on time-out.
    uint64_t publish(const DataplaneConfig& config, unsigned timeout_ms = 1000);

    // Clears our PID; unlinks the segment when no data plane is attached.
    void release();

private:
    ShmMapping mapping_;
    bool reused_ = false;
    bool location_size_kept_ = false;
};

}  // namespace sipwire::segment
