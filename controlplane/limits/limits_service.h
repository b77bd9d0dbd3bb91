// The one place that decides which call limits are in force: the configuration
// file's, with the runtime overrides of limits.set on top. Every configuration
// sipwired publishes (start-up, reload, limits.set) goes through publish() or
// set(), which hand it to the snapshot publisher; the publisher's health
// republishes reuse the last one, so overrides survive them too.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/config.h"
#include "limits/override_store.h"
#include "limits/overrides.h"

namespace sipwire::limits {

struct PublishResult {
    uint64_t generation = 0;  // 0: not published, the running snapshot stays
    std::string error;
};

class LimitsService {
public:
    // Publishes a complete configuration (SnapshotPublisher::publish in sipwired).
    using PublishFn = std::function<PublishResult(std::shared_ptr<const config::Config>)>;

    LimitsService(OverrideStore& store, PublishFn publish);

    // Reads the saved overrides (start-up). False with `error` naming the file when
    // they cannot be used.
    bool load(std::string& error);

    // Publishes `file` (start-up or reload) with the overrides on top. Overrides of
    // scopes `file` no longer has are dropped (and the store updated); each dropped
    // or shadowed override adds a sentence to `warnings`.
    PublishResult publish(std::shared_ptr<const config::Config> file,
                          std::vector<std::string>* warnings = nullptr);

    // limits.set: checks `change` against the running configuration, saves the new
    // overrides, publishes. On any failure nothing changes (store, snapshot,
    // overrides) and `error` says why.
    PublishResult set(const LimitsChange& change);

    // The configuration last published through this service (limits applied), or null.
    std::shared_ptr<const config::Config> effective() const;
    LimitOverrides overrides() const;
    std::string store_location() const { return store_.location(); }

private:
    OverrideStore& store_;
    PublishFn publish_;
    mutable std::mutex mutex_;
    std::shared_ptr<const config::Config> file_;       // as loaded from the file
    std::shared_ptr<const config::Config> effective_;  // file_ + overrides_
    LimitOverrides overrides_;
};

}  // namespace sipwire::limits
