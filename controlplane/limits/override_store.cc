#include "limits/override_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace sipwire::limits {

namespace {

std::string errno_text(int err) { return std::strerror(err); }

bool write_all(int fd, const std::string& data) {
    size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        done += size_t(n);
    }
    return true;
}

}  // namespace

std::string overrides_path(const std::string& state_dir, const std::string& instance) {
    return (std::filesystem::path(state_dir) / (instance + "-limits.json")).string();
}

bool FileOverrideStore::load(LimitOverrides& out, std::string& error) {
    out = LimitOverrides{};
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
        if (errno == ENOENT) return true;  // nothing saved yet
        error = path_ + ": cannot read: " + errno_text(errno);
        return false;
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        error = path_ + ": cannot read";
        return false;
    }
    const nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, false);
    if (j.is_discarded()) {
        error = path_ + ": not valid JSON (fix or remove the file)";
        return false;
    }
    if (std::string why = overrides_from_json(j, out); !why.empty()) {
        error = path_ + ": " + why + " (fix or remove the file)";
        out = LimitOverrides{};
        return false;
    }
    return true;
}

bool FileOverrideStore::save(const LimitOverrides& overrides, std::string& error) {
    const std::filesystem::path path(path_);
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    std::error_code ec;
    const bool exists = std::filesystem::is_directory(dir, ec);
    ec.clear();
    if (!exists && ::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
        std::filesystem::create_directories(dir, ec);  // missing parents too
        if (!ec) ::chmod(dir.c_str(), 0750);           // only the one we created
    }
    if (ec) {
        error = "cannot create " + dir.string() + ": " + ec.message();
        return false;
    }

    const std::string data = overrides_to_json(overrides).dump(2) + "\n";
    const std::string tmp = path_ + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    if (fd < 0) {
        error = "cannot write " + tmp + ": " + errno_text(errno);
        return false;
    }
    if (!write_all(fd, data) || ::fsync(fd) != 0) {
        error = "cannot write " + tmp + ": " + errno_text(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path_.c_str()) != 0) {
        error = "cannot replace " + path_ + ": " + errno_text(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    // The rename itself survives a crash only once the directory is synced.
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

}  // namespace sipwire::limits
