// Shared state, configuration and clock for the limit stage's tests.
#pragma once

#include <cstring>
#include <memory>

#include "limit/limiter.h"
#include "sipwire/call_limits.h"

namespace sipwire::limit::test {

inline constexpr uint64_t kSecond = 1'000'000'000ULL;
inline constexpr uint64_t kMs = 1'000'000ULL;

// The shared region (zeroed, as sipwired creates it) and a configuration.
struct Shared {
    std::unique_ptr<CallLimitsState> state = std::make_unique<CallLimitsState>();
    std::unique_ptr<CallLimitsConfig> config = std::make_unique<CallLimitsConfig>();
    uint64_t generation = 1;

    Shared() { std::memset(config.get(), 0, sizeof(CallLimitsConfig)); }

    ScopeLimit& scope(unsigned s) { return config->scopes[s]; }
    int32_t channels(unsigned s) const { return state->scopes[s].channels.load(); }
    // A new snapshot: the limiters see it at their next begin().
    void publish() { ++generation; }
};

inline ScopeLimit cps(uint32_t calls_per_second, uint32_t burst, uint32_t channels = 0) {
    return ScopeLimit{calls_per_second * 1000, burst, channels, 1};
}

}  // namespace sipwire::limit::test
