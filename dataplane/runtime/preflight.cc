#include "runtime/preflight.h"

#include <unistd.h>

#include <fstream>
#include <string_view>

namespace sipwire::dp {

namespace {

bool has_arg(const BootConfig& boot, std::string_view needle) {
    for (uint32_t i = 0; i < boot.eal_arg_count; ++i)
        if (std::string_view(boot.eal_args[i]).find(needle) != std::string_view::npos) return true;
    return false;
}

unsigned long free_hugepages() {
    unsigned long total = 0;
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    unsigned long value;
    while (meminfo >> key >> value) {
        if (key == "HugePages_Free:") total = value;
        meminfo.ignore(256, '\n');
    }
    return total;
}

bool hugetlbfs_mounted() {
    std::ifstream mounts("/proc/mounts");
    std::string device, mount_point, type;
    while (mounts >> device >> mount_point >> type) {
        if (type == "hugetlbfs") return true;
        mounts.ignore(4096, '\n');
    }
    return false;
}

}  // namespace

std::string preflight(const BootConfig& boot) {
    if (boot.eal_arg_count == 0)
        return "no EAL arguments in the segment: sipwired has not published a configuration";
    if (geteuid() != 0)
        return "sipwire-dp needs root (DPDK maps device memory and creates interfaces): "
               "run it with sudo";
    if (!has_arg(boot, "--no-huge") && free_hugepages() == 0)
        return "no free hugepages: run scripts/setup-hugepages, or add \"--no-huge\" to "
               "dataplane.eal_args for a test set-up";
    if (!has_arg(boot, "--no-huge") && !hugetlbfs_mounted())
        return "hugepages are reserved but no hugetlbfs is mounted: run scripts/setup-hugepages";
    if (has_arg(boot, "net_tap") && access("/dev/net/tun", R_OK | W_OK) != 0)
        return "/dev/net/tun is missing or not accessible, and net_tap needs it: "
               "load the tun module (modprobe tun) or use net_af_packet";
    return {};
}

}  // namespace sipwire::dp
