// Maps the segment file (POSIX shared memory) into a process. Used at start-up by
// sipwired (create or reuse) and sipwire-dp (attach only); never on the hot path.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "sipwire/layout.h"

namespace sipwire {

class ShmMapping {
public:
    ShmMapping() = default;
    ShmMapping(const ShmMapping&) = delete;
    ShmMapping& operator=(const ShmMapping&) = delete;
    ShmMapping(ShmMapping&& o) noexcept { *this = std::move(o); }
    ShmMapping& operator=(ShmMapping&& o) noexcept {
        std::swap(view_, o.view_);
        std::swap(size_, o.size_);
        std::swap(name_, o.name_);
        return *this;
    }
    ~ShmMapping() {
        if (view_.base) munmap(view_.base, size_);
    }

    // Attaches to an existing segment and checks its header against this build.
    // On failure returns false and sets `error` to one sentence for the operator;
    // a segment that exists but does not match stays mapped, for its header to be read.
    bool attach(const std::string& instance, std::string& error) {
        name_ = segment_path(instance);
        const int fd = shm_open(name_.c_str(), O_RDWR, 0);
        if (fd < 0) {
            error = "shared memory /dev/shm" + name_ + " not there (" + std::strerror(errno) +
                    "): start sipwired for instance '" + instance + "' first";
            return false;
        }
        struct stat st {};
        fstat(fd, &st);
        const bool ok = map_fd(fd, uint64_t(st.st_size), error);
        close(fd);
        if (!ok) return false;
        error = check_header(view_.header(), size_);
        if (!error.empty()) {
            error = "/dev/shm" + name_ + ": " + error;
            return false;
        }
        return true;
    }

    // Creates a zeroed segment with a fresh header, replacing any file of that name.
    // `location_bindings`: records of the location table (power of two, or 0).
    bool create(const std::string& instance, std::string& error, uint32_t location_bindings = 0) {
        name_ = segment_path(instance);
        shm_unlink(name_.c_str());
        const int fd = shm_open(name_.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            error = "cannot create /dev/shm" + name_ + ": " + std::strerror(errno);
            return false;
        }
        const uint64_t size = compute_layout(location_bindings).total;
        if (ftruncate(fd, off_t(size)) != 0) {
            error = "cannot size /dev/shm" + name_ + ": " + std::strerror(errno);
            close(fd);
            return false;
        }
        const bool ok = map_fd(fd, size, error);
        close(fd);
        if (ok) init_header(view_.header(), location_bindings);
        return ok;
    }

    void unlink() const { shm_unlink(name_.c_str()); }

    const SegmentView& view() const { return view_; }
    uint64_t size() const { return size_; }

private:
    bool map_fd(int fd, uint64_t size, std::string& error) {
        if (view_.base) munmap(view_.base, size_);
        view_.base = nullptr;
        void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p == MAP_FAILED) {
            error = "cannot map /dev/shm" + name_ + ": " + std::strerror(errno);
            return false;
        }
        view_.base = static_cast<std::byte*>(p);
        size_ = size;
        return true;
    }

    SegmentView view_;
    uint64_t size_ = 0;
    std::string name_;
};

// True when `pid` names a running process (the segment records both processes' PIDs).
inline bool process_alive(int32_t pid) {
    return pid > 0 && (kill(pid, 0) == 0 || errno == EPERM);
}

}  // namespace sipwire
