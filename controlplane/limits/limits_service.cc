#include "limits/limits_service.h"

#include <cstdio>

namespace sipwire::limits {

namespace {

std::string cps_text(uint64_t milli) {
    return milli == 0 ? "unlimited" : format_cps(milli);
}

std::string count_text(uint32_t n, const char* zero) { return n == 0 ? zero : std::to_string(n); }

// An override hides a file value that just changed: say so, or the edit seems lost.
void shadowed(const config::Config* before, const config::Config& after,
              const LimitOverrides& o, std::vector<std::string>& out) {
    if (!before) return;
    const std::string hint = " (sipwirectl limits set --scope ";
    for (const auto& [scope, s] : o.scopes) {
        const config::ScopeLimitSettings* a = before->limits.find(scope);
        const config::ScopeLimitSettings* b = after.limits.find(scope);
        if (!a || !b) continue;
        auto note = [&](const char* key, const std::string& file, const std::string& runtime) {
            out.push_back("limits of " + scope + ": the file's " + key + " changed to " + file +
                          " but the runtime override " + runtime + " stays in force" + hint +
                          scope + " --reset drops the overrides)");
        };
        if (s.cps_milli && a->cps_milli != b->cps_milli)
            note("cps", cps_text(b->cps_milli), cps_text(*s.cps_milli));
        if (s.burst && a->burst != b->burst)
            note("burst", count_text(b->burst, "default"), std::to_string(*s.burst));
        if (s.channels && a->channels != b->channels)
            note("channels", count_text(b->channels, "unlimited"),
                 count_text(*s.channels, "unlimited"));
    }
    if (o.node_share && before->limits.node_share != after.limits.node_share)
        out.push_back("limits.node_share changed in the file but the runtime value " +
                      std::to_string(*o.node_share) + " stays in force");
}

}  // namespace

LimitsService::LimitsService(OverrideStore& store, PublishFn publish)
    : store_(store), publish_(std::move(publish)) {}

bool LimitsService::load(std::string& error) {
    LimitOverrides loaded;
    if (!store_.load(loaded, error)) return false;
    std::lock_guard lock(mutex_);
    overrides_ = std::move(loaded);
    return true;
}

PublishResult LimitsService::publish(std::shared_ptr<const config::Config> file,
                                     std::vector<std::string>* warnings) {
    std::lock_guard lock(mutex_);
    std::vector<std::string> unused;
    auto effective =
        std::make_shared<const config::Config>(apply_overrides(*file, overrides_, &unused));
    PublishResult r = publish_(effective);
    if (r.generation == 0) return r;

    std::vector<std::string> notes;
    shadowed(file_.get(), *file, overrides_, notes);
    if (!unused.empty()) {
        LimitOverrides kept = overrides_;
        for (const std::string& scope : unused) {
            kept.scopes.erase(scope);
            notes.push_back("runtime limit override of " + scope +
                            " dropped: the configuration has no such scope any more");
        }
        std::string error;
        if (!store_.save(kept, error))
            notes.push_back("cannot save the runtime limit overrides: " + error);
        overrides_ = std::move(kept);
    }
    if (warnings) warnings->insert(warnings->end(), notes.begin(), notes.end());
    file_ = std::move(file);
    effective_ = std::move(effective);
    return r;
}

PublishResult LimitsService::set(const LimitsChange& change) {
    std::lock_guard lock(mutex_);
    PublishResult r;
    if (!file_) {
        r.error = "no configuration is running yet";
        return r;
    }
    LimitOverrides next;
    if (std::string why = apply_change(*file_, overrides_, change, next); !why.empty()) {
        r.error = why;
        return r;
    }
    auto effective = std::make_shared<const config::Config>(apply_overrides(*file_, next));
    std::string error;
    if (!store_.save(next, error)) {
        r.error = "limits unchanged: cannot save them (they must survive a restart): " + error;
        return r;
    }
    r = publish_(effective);
    if (r.generation == 0) {
        std::string ignored;
        store_.save(overrides_, ignored);  // back to what runs
        if (r.error.empty()) r.error = "cannot publish the new limits; running limits kept";
        return r;
    }
    overrides_ = std::move(next);
    effective_ = std::move(effective);
    return r;
}

std::shared_ptr<const config::Config> LimitsService::effective() const {
    std::lock_guard lock(mutex_);
    return effective_;
}

LimitOverrides LimitsService::overrides() const {
    std::lock_guard lock(mutex_);
    return overrides_;
}

}  // namespace sipwire::limits
