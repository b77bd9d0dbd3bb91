// A configuration with limits on every kind of scope, and a temporary directory.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "config/config.h"

namespace sipwire::limits::testing {

inline constexpr const char* kLimitsToml = R"(
[dataplane]
eal_args = ["--no-huge"]

[[port]]
name = "net_tap0"
address = "192.0.2.1/24"

[limits]
cps = 100
channels = 1000
retry_after_s = 7

[capacity_failover]
address = "192.0.2.50:5080"

[[destination_set]]
name = "switches"
destinations = [{ address = "192.0.2.10" }]
cps = 50
burst = 10
channels = 500

[[destination_set]]
name = "spare"
destinations = [{ address = "192.0.2.11" }]

[[source_limit]]
name = "customer-a"
prefix = "198.51.100.0/28"
cps = 10
burst = 5
channels = 100
)";

inline config::Config limits_config(const std::string& toml = kLimitsToml) {
    config::LoadResult r = config::parse_config(toml, "limits.toml");
    if (!r.config) {
        ADD_FAILURE() << r.error;
        return {};
    }
    return std::move(*r.config);
}

class TempDir {
public:
    TempDir() {
        static std::atomic<int> serial{0};
        path_ = std::filesystem::temp_directory_path() /
                ("sipwire-limits-test-" + std::to_string(getpid()) + "-" + std::to_string(serial++));
        std::filesystem::remove_all(path_);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string path() const { return path_.string(); }
    std::string file(const std::string& name) const { return (path_ / name).string(); }

private:
    std::filesystem::path path_;
};

}  // namespace sipwire::limits::testing
