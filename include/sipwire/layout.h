// The shared-memory segment between sipwired (owner, creator) and sipwire-dp.
//
// One segment per instance, /dev/shm/sipwire-<instance>. It starts with ShmHeader;
// every region is found by an offset stored in the header (never a pointer), so
// the two processes may map it at different addresses. sipwire-dp refuses to
// attach unless magic, layout version and every struct size match its own build.
// See docs/shared-memory.md.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "sipwire/call_limits.h"
#include "sipwire/counters.h"
#include "sipwire/datagram.h"
#include "sipwire/dataplane_config.h"
#include "sipwire/limits.h"
#include "sipwire/location.h"
#include "sipwire/media.h"
#include "sipwire/sip_counters.h"
#include "sipwire/spsc_ring.h"

namespace sipwire {

inline constexpr uint64_t kShmMagic = 0x31455249'57504953ULL;  // "SIPWIRE1" little-endian
inline constexpr uint32_t kLayoutVersion = 5;

enum class WorkerRunState : uint32_t { stopped = 0, running = 1 };

// One data-plane poll loop. Written by its lcore only (except `acked_generation`
// reset by sipwire-dp at start-up before the loop runs).
struct alignas(64) WorkerState {
    std::atomic<uint32_t> run_state;
    uint32_t lcore_id;
    std::atomic<uint64_t> acked_generation;  // config generation this loop runs
    std::atomic<uint64_t> heartbeat_ns;      // CLOCK_MONOTONIC, updated every few ms
    Counter loops;       // poll-loop iterations
    Counter busy_loops;  // iterations that received at least one frame
    alignas(64) PortCounters ports[kMaxPorts];
    alignas(64) SipCounters sip;
    alignas(64) CallLimitCounters limits;
    alignas(64) MediaCounters media;
};

// Stable identities of dispatcher destinations, written by sipwired only: a
// destination keeps its slot (and so its counters) across reloads and restarts of
// either process for as long as the segment lives.
struct DestinationRegistry {
    struct Entry {
        uint32_t ipv4;  // network byte order
        uint16_t port;  // network byte order
        uint16_t in_use;
        char set_name[kNameLen];
    } entries[kMaxDestinations];
};

// Written by sipwire-dp after port start; read by sipwired for status and metrics.
struct PortStatus {
    char name[kNameLen];
    char driver[kNameLen];
    uint8_t mac[6];
    uint16_t dpdk_port_id;
    std::atomic<uint32_t> link_up;
    std::atomic<uint32_t> link_speed_mbps;
    uint16_t rx_queues;
    uint16_t tx_queues;
};

using DatagramRing = SpscRing<Datagram, kRingSlots>;

struct WorkerRings {
    DatagramRing punt;      // sipwire-dp -> sipwired
    DatagramRing transmit;  // sipwired -> sipwire-dp
};

struct ShmHeader {
    uint64_t magic;
    uint32_t layout_version;
    uint32_t header_size;
    uint64_t total_size;

    // Sizes of every shared struct, compared on attach: an ABI handshake that
    // catches a build whose structs differ even with the same layout version.
    uint32_t sizeof_worker_state;
    uint32_t sizeof_port_status;
    uint32_t sizeof_dataplane_config;
    uint32_t sizeof_boot_config;
    uint32_t sizeof_datagram;
    uint32_t sizeof_registry;
    uint32_t sizeof_call_limits;
    uint32_t max_workers;
    uint32_t sizeof_media;
    uint32_t sizeof_location_record;

    uint64_t boot_offset;     // BootConfig
    uint64_t configs_offset;  // DataplaneConfig[kConfigSlots]
    uint64_t workers_offset;  // WorkerState[kMaxWorkers]
    uint64_t ports_offset;    // PortStatus[kMaxPorts]
    uint64_t rings_offset;    // WorkerRings[kMaxWorkers]
    uint64_t registry_offset; // DestinationRegistry
    uint64_t call_limits_offset;  // CallLimitsState
    uint64_t media_offset;        // MediaState
    // The location table (location.h) is the last region; its size is chosen when
    // the segment is created (sipwired's registrar.max_bindings), not at build time.
    uint64_t location_offset;
    uint32_t location_bindings;   // LocationRecord count, power of two; 0 = no table
    uint32_t pad0;

    std::atomic<int32_t> controlplane_pid;
    std::atomic<int32_t> dataplane_pid;  // 0 when no data plane is attached
    std::atomic<uint64_t> controlplane_started_unix_ns;
    std::atomic<uint64_t> dataplane_started_unix_ns;
    std::atomic<uint32_t> worker_count;  // poll loops the data plane runs
    std::atomic<uint32_t> port_count;    // ports the data plane started

    // (generation << 8) | slot of the newest configuration snapshot: one store publishes.
    std::atomic<uint64_t> published;
};

static_assert(std::is_standard_layout_v<ShmHeader>);
static_assert(std::is_standard_layout_v<WorkerState>);
static_assert(std::atomic<uint32_t>::is_always_lock_free);
static_assert(std::atomic<int32_t>::is_always_lock_free);

inline constexpr uint64_t pack_published(uint64_t generation, uint32_t slot) {
    return (generation << 8) | slot;
}
inline constexpr uint64_t published_generation(uint64_t packed) { return packed >> 8; }
inline constexpr uint32_t published_slot(uint64_t packed) { return packed & 0xff; }

constexpr uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

struct SegmentLayout {
    uint64_t boot, configs, workers, ports, registry, call_limits, media, rings, location, total;
};

// `location_bindings`: records of the location table (a power of two, or 0).
constexpr SegmentLayout compute_layout(uint32_t location_bindings = 0) {
    SegmentLayout l{};
    l.boot = align_up(sizeof(ShmHeader), 4096);
    l.configs = align_up(l.boot + sizeof(BootConfig), 64);
    l.workers = align_up(l.configs + sizeof(DataplaneConfig) * kConfigSlots, 64);
    l.ports = align_up(l.workers + sizeof(WorkerState) * kMaxWorkers, 64);
    l.registry = align_up(l.ports + sizeof(PortStatus) * kMaxPorts, 64);
    l.call_limits = align_up(l.registry + sizeof(DestinationRegistry), 64);
    l.media = align_up(l.call_limits + sizeof(CallLimitsState), 64);
    l.rings = align_up(l.media + sizeof(MediaState), 4096);
    l.location = align_up(l.rings + sizeof(WorkerRings) * kMaxWorkers, 4096);
    l.total = align_up(l.location + location_region_size(location_bindings), 4096);
    return l;
}

// Fills a zeroed header for a new segment.
inline void init_header(ShmHeader& h, uint32_t location_bindings = 0) {
    const SegmentLayout l = compute_layout(location_bindings);
    h.magic = kShmMagic;
    h.layout_version = kLayoutVersion;
    h.header_size = sizeof(ShmHeader);
    h.total_size = l.total;
    h.sizeof_worker_state = sizeof(WorkerState);
    h.sizeof_port_status = sizeof(PortStatus);
    h.sizeof_dataplane_config = sizeof(DataplaneConfig);
    h.sizeof_boot_config = sizeof(BootConfig);
    h.sizeof_datagram = sizeof(Datagram);
    h.sizeof_registry = sizeof(DestinationRegistry);
    h.sizeof_call_limits = sizeof(CallLimitsState);
    h.max_workers = kMaxWorkers;
    h.boot_offset = l.boot;
    h.configs_offset = l.configs;
    h.workers_offset = l.workers;
    h.ports_offset = l.ports;
    h.rings_offset = l.rings;
    h.registry_offset = l.registry;
    h.call_limits_offset = l.call_limits;
    h.sizeof_media = sizeof(MediaState);
    h.sizeof_location_record = sizeof(LocationRecord);
    h.media_offset = l.media;
    h.location_offset = l.location;
    h.location_bindings = location_bindings;
}

// Empty string when `h` (mapped_size bytes) is a segment of this build's layout,
// otherwise one sentence saying what differs.
inline std::string check_header(const ShmHeader& h, uint64_t mapped_size) {
    if (mapped_size < sizeof(ShmHeader)) return "segment is smaller than its header";
    if (h.magic != kShmMagic) return "not a sipwire segment (bad magic)";
    if (h.layout_version != kLayoutVersion)
        return "layout version mismatch: segment has " + std::to_string(h.layout_version) +
               ", this build expects " + std::to_string(kLayoutVersion) +
               "; run sipwired and sipwire-dp from the same build";
    const uint32_t b = h.location_bindings;
    if (b != 0 && (b & (b - 1)) != 0) return "location table size is not a power of two";
    ShmHeader expected{};
    init_header(expected, b);
    if (h.header_size != expected.header_size || h.total_size != expected.total_size ||
        h.sizeof_worker_state != expected.sizeof_worker_state ||
        h.sizeof_port_status != expected.sizeof_port_status ||
        h.sizeof_dataplane_config != expected.sizeof_dataplane_config ||
        h.sizeof_boot_config != expected.sizeof_boot_config ||
        h.sizeof_datagram != expected.sizeof_datagram ||
        h.sizeof_registry != expected.sizeof_registry ||
        h.sizeof_call_limits != expected.sizeof_call_limits || h.max_workers != expected.max_workers ||
        h.boot_offset != expected.boot_offset || h.configs_offset != expected.configs_offset ||
        h.workers_offset != expected.workers_offset || h.ports_offset != expected.ports_offset ||
        h.rings_offset != expected.rings_offset ||
        h.registry_offset != expected.registry_offset ||
        h.call_limits_offset != expected.call_limits_offset ||
        h.sizeof_media != expected.sizeof_media ||
        h.sizeof_location_record != expected.sizeof_location_record ||
        h.media_offset != expected.media_offset || h.location_offset != expected.location_offset)
        return "struct sizes or offsets differ from this build (same layout version); "
               "run sipwired and sipwire-dp from the same build";
    if (mapped_size < h.total_size) return "segment is truncated";
    return {};
}

// Typed views of a mapped segment. Offsets come from the header.
struct SegmentView {
    std::byte* base = nullptr;

    ShmHeader& header() const { return *reinterpret_cast<ShmHeader*>(base); }
    BootConfig& boot() const { return *reinterpret_cast<BootConfig*>(base + header().boot_offset); }
    DataplaneConfig& config_slot(uint32_t i) const {
        return reinterpret_cast<DataplaneConfig*>(base + header().configs_offset)[i];
    }
    WorkerState& worker(uint32_t i) const {
        return reinterpret_cast<WorkerState*>(base + header().workers_offset)[i];
    }
    PortStatus& port(uint32_t i) const {
        return reinterpret_cast<PortStatus*>(base + header().ports_offset)[i];
    }
    DestinationRegistry& registry() const {
        return *reinterpret_cast<DestinationRegistry*>(base + header().registry_offset);
    }
    CallLimitsState& call_limits() const {
        return *reinterpret_cast<CallLimitsState*>(base + header().call_limits_offset);
    }
    MediaState& media() const { return *reinterpret_cast<MediaState*>(base + header().media_offset); }
    LocationTableView location() const {
        const ShmHeader& h = header();
        LocationTableView v;
        if (h.location_bindings == 0) return v;
        v.records = reinterpret_cast<LocationRecord*>(base + h.location_offset);
        v.index = reinterpret_cast<LocationIndexEntry*>(base + h.location_offset +
                                                        uint64_t{h.location_bindings} * sizeof(LocationRecord));
        v.bindings = h.location_bindings;
        v.index_mask = h.location_bindings * kLocationIndexPerBinding - 1;
        return v;
    }
    WorkerRings& rings(uint32_t i) const {
        return reinterpret_cast<WorkerRings*>(base + header().rings_offset)[i];
    }
};

inline std::string segment_path(const std::string& instance) { return "/sipwire-" + instance; }

}  // namespace sipwire
