#include <gtest/gtest.h>
#include <unistd.h>

#include "sipwire/shm_mapping.h"

namespace sipwire {
namespace {

std::string test_instance() { return "unit-header-" + std::to_string(getpid()); }

TEST(SegmentHeader, FreshSegmentAttaches) {
    ShmMapping owner;
    std::string error;
    ASSERT_TRUE(owner.create(test_instance(), error)) << error;
    ShmMapping client;
    EXPECT_TRUE(client.attach(test_instance(), error)) << error;
    owner.unlink();
}

TEST(SegmentHeader, MissingSegmentSaysStartSipwired) {
    ShmMapping client;
    std::string error;
    EXPECT_FALSE(client.attach("unit-absent-" + std::to_string(getpid()), error));
    EXPECT_NE(error.find("start sipwired"), std::string::npos) << error;
}

TEST(SegmentHeader, LayoutVersionMismatchIsAClearError) {
    ShmMapping owner;
    std::string error;
    ASSERT_TRUE(owner.create(test_instance(), error)) << error;
    owner.view().header().layout_version = kLayoutVersion + 1;
    ShmMapping client;
    EXPECT_FALSE(client.attach(test_instance(), error));
    EXPECT_NE(error.find("layout version mismatch"), std::string::npos) << error;
    owner.unlink();
}

TEST(SegmentHeader, StructSizeMismatchIsCaught) {
    ShmMapping owner;
    std::string error;
    ASSERT_TRUE(owner.create(test_instance(), error)) << error;
    owner.view().header().sizeof_datagram += 8;
    ShmMapping client;
    EXPECT_FALSE(client.attach(test_instance(), error));
    EXPECT_NE(error.find("struct sizes"), std::string::npos) << error;
    owner.unlink();
}

TEST(SegmentHeader, ForeignFileIsNotASegment) {
    ShmMapping owner;
    std::string error;
    ASSERT_TRUE(owner.create(test_instance(), error)) << error;
    owner.view().header().magic = 0x1234;
    ShmMapping client;
    EXPECT_FALSE(client.attach(test_instance(), error));
    EXPECT_NE(error.find("bad magic"), std::string::npos) << error;
    owner.unlink();
}

TEST(SegmentLayout, RegionsDoNotOverlapAndAreAligned) {
    constexpr SegmentLayout l = compute_layout();
    static_assert(l.boot >= sizeof(ShmHeader));
    static_assert(l.configs >= l.boot + sizeof(BootConfig));
    static_assert(l.workers >= l.configs + kConfigSlots * sizeof(DataplaneConfig));
    static_assert(l.ports >= l.workers + kMaxWorkers * sizeof(WorkerState));
    static_assert(l.registry >= l.ports + kMaxPorts * sizeof(PortStatus));
    static_assert(l.call_limits >= l.registry + sizeof(DestinationRegistry));
    static_assert(l.rings >= l.call_limits + sizeof(CallLimitsState));
    static_assert(l.total >= l.rings + kMaxWorkers * sizeof(WorkerRings));
    EXPECT_EQ(l.workers % 64, 0u);
    EXPECT_EQ(l.rings % 64, 0u);
    EXPECT_EQ(sizeof(WorkerState) % 64, 0u) << "worker blocks must not share cache lines";
}

}  // namespace
}  // namespace sipwire
