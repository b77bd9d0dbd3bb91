// Where the runtime limit overrides are kept between two runs of sipwired.
#pragma once

#include <memory>
#include <string>

#include "limits/overrides.h"

namespace sipwire::limits {

class OverrideStore {
public:
    virtual ~OverrideStore() = default;
    // Reads the saved overrides. A store that holds none yields empty overrides and
    // true. False with `error` set when what is stored cannot be used.
    virtual bool load(LimitOverrides& out, std::string& error) = 0;
    // Replaces what is stored, all or nothing. False with `error` set on failure.
    virtual bool save(const LimitOverrides& overrides, std::string& error) = 0;
    // For messages: "/var/lib/sipwire/default-limits.json".
    virtual std::string location() const = 0;
};

// <state_dir>/<instance>-limits.json
std::string overrides_path(const std::string& state_dir, const std::string& instance);

// A JSON file written atomically: a temporary file in the same directory, fsync,
// rename over the old one, fsync of the directory. The directory is created (0750)
// when missing.
class FileOverrideStore final : public OverrideStore {
public:
    explicit FileOverrideStore(std::string path) : path_(std::move(path)) {}
    bool load(LimitOverrides& out, std::string& error) override;
    bool save(const LimitOverrides& overrides, std::string& error) override;
    std::string location() const override { return path_; }

private:
    std::string path_;
};

}  // namespace sipwire::limits
