#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <thread>
#include <vector>

#include "api/control_server.h"
#include "sipwire/log.h"

namespace sipwire::api {

namespace {

std::string errno_text() { return std::strerror(errno); }

// mkdir -p for the parent of `path`, new directories 0755.
bool make_parent_dirs(const std::string& path, std::string& error) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos || slash == 0) return true;
    const std::string dir = path.substr(0, slash);
    for (size_t pos = 1; pos <= dir.size(); ++pos) {
        if (pos != dir.size() && dir[pos] != '/') continue;
        const std::string part = dir.substr(0, pos);
        if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) {
            error = "cannot create directory " + part + ": " + errno_text();
            return false;
        }
    }
    struct stat st {};
    if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        error = dir + " is not a directory";
        return false;
    }
    return true;
}

bool fill_address(const std::string& path, sockaddr_un& addr, std::string& error) {
    addr = {};
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
        error = "control socket path '" + path + "' is empty or longer than " +
                std::to_string(sizeof addr.sun_path - 1) + " bytes";
        return false;
    }
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    return true;
}

// A socket file left by a process that died is removed; a live one is an error.
bool clear_stale_socket(const std::string& path, std::string& error) {
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) return true;  // nothing there
    if (!S_ISSOCK(st.st_mode)) {
        error = path + " exists and is not a socket; remove it or choose another control_socket";
        return false;
    }
    sockaddr_un addr{};
    if (!fill_address(path, addr, error)) return false;
    const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = "socket: " + errno_text();
        return false;
    }
    const bool live = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    if (live) {
        error = "another process is serving " + path + " (is sipwired already running?)";
        return false;
    }
    unlink(path.c_str());
    return true;
}

struct Client {
    int fd = -1;
    std::string in;
    std::string out;
    bool closing = false;  // no more requests: close once `out` is sent
};

class UnixSocketServer final : public ControlServer {
public:
    UnixSocketServer(UnixServerOptions options, const CommandRegistry& registry)
        : options_(std::move(options)), registry_(registry) {}
    ~UnixSocketServer() override { stop(); }

    const std::string& path() const override { return options_.path; }

    bool start(std::string& error) override {
        if (listen_fd_ >= 0) return true;
        sockaddr_un addr{};
        if (!fill_address(options_.path, addr, error)) return false;
        if (!make_parent_dirs(options_.path, error)) return false;
        if (!clear_stale_socket(options_.path, error)) return false;

        // Bind under a temporary name, set the mode, then rename into place: the
        // socket never exists at its real path with a wider mode.
        const std::string tmp = options_.path + "." + std::to_string(getpid()) + ".tmp";
        sockaddr_un tmp_addr{};
        if (!fill_address(tmp, tmp_addr, error)) return false;
        unlink(tmp.c_str());
        const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0) {
            error = "socket: " + errno_text();
            return false;
        }
        auto fail = [&](const std::string& what) {
            error = what + ": " + errno_text();
            close(fd);
            unlink(tmp.c_str());
            return false;
        };
        if (bind(fd, reinterpret_cast<sockaddr*>(&tmp_addr), sizeof tmp_addr) != 0)
            return fail("cannot bind " + tmp);
        if (chmod(tmp.c_str(), options_.mode) != 0) return fail("cannot chmod " + tmp);
        if (listen(fd, 64) != 0) return fail("cannot listen on " + tmp);
        if (rename(tmp.c_str(), options_.path.c_str()) != 0)
            return fail("cannot rename " + tmp + " to " + options_.path);
        struct stat st {};
        if (stat(options_.path.c_str(), &st) == 0) socket_inode_ = st.st_ino;

        if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
            error = "pipe: " + errno_text();
            close(fd);
            unlink(options_.path.c_str());
            return false;
        }
        listen_fd_ = fd;
        thread_ = std::thread([this] { run(); });
        return true;
    }

    void stop() override {
        if (listen_fd_ < 0) return;
        const char byte = 1;
        while (write(wake_[1], &byte, 1) < 0 && errno == EINTR) {
        }
        if (thread_.joinable()) thread_.join();
        for (Client& c : clients_) close(c.fd);
        clients_.clear();
        close(listen_fd_);
        listen_fd_ = -1;
        close(wake_[0]);
        close(wake_[1]);
        // Remove the socket only if it is still ours (not replaced by another server).
        struct stat st {};
        if (stat(options_.path.c_str(), &st) == 0 && st.st_ino == socket_inode_)
            unlink(options_.path.c_str());
    }

private:
    void run() {
        std::vector<pollfd> fds;
        for (;;) {
            fds.clear();
            fds.push_back({wake_[0], POLLIN, 0});
            fds.push_back({listen_fd_, short(clients_.size() < options_.max_clients ? POLLIN : 0), 0});
            for (const Client& c : clients_) {
                short events = 0;
                if (!c.out.empty()) events |= POLLOUT;
                else if (!c.closing) events |= POLLIN;  // read more once answers are out
                fds.push_back({c.fd, events, 0});
            }
            if (poll(fds.data(), fds.size(), -1) < 0) {
                if (errno == EINTR) continue;
                SIPWIRE_LOG_ERROR("control API: poll: %s", errno_text().c_str());
                return;
            }
            if (fds[0].revents) return;  // stop()
            size_t i = 2;
            for (auto it = clients_.begin(); it != clients_.end(); ++i) {
                if (service(*it, fds[i].revents)) {
                    ++it;
                } else {
                    close(it->fd);
                    it = clients_.erase(it);
                }
            }
            if (fds[1].revents & POLLIN) accept_clients();
        }
    }

    void accept_clients() {
        while (clients_.size() < options_.max_clients) {
            const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) {
                if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                    errno != ECONNABORTED)
                    SIPWIRE_LOG_WARNING("control API: accept: %s", errno_text().c_str());
                return;
            }
            clients_.push_back(Client{fd, {}, {}, false});
        }
    }

    // False when the connection is finished and must be closed.
    bool service(Client& c, short revents) {
        if (revents & POLLOUT) {
            if (!flush(c)) return false;
        }
        if (revents & POLLIN) {
            char buf[16384];
            const ssize_t n = read(c.fd, buf, sizeof buf);
            if (n < 0) {
                if (errno != EAGAIN && errno != EINTR) return false;
            } else if (n == 0) {
                // Peer closed its side: a last request without its newline still counts.
                handle_lines(c, /*at_eof=*/true);
                c.closing = true;
            } else {
                c.in.append(buf, size_t(n));
                handle_lines(c, false);
            }
            if (!c.out.empty() && !flush(c)) return false;
        } else if (revents & (POLLHUP | POLLERR | POLLNVAL)) {
            return false;
        }
        return !(c.closing && c.out.empty());
    }

    void handle_lines(Client& c, bool at_eof) {
        size_t start = 0;
        while (!c.closing) {
            const size_t nl = c.in.find('\n', start);
            const bool last = nl == std::string::npos;
            if (last && !(at_eof && start < c.in.size())) break;
            const size_t end = last ? c.in.size() : nl;
            if (end - start > options_.max_request_bytes) {
                reject_oversized(c);
                return;
            }
            std::string_view line(c.in.data() + start, end - start);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            start = last ? c.in.size() : nl + 1;
            if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
            respond(c, registry_.dispatch(line));
        }
        c.in.erase(0, start);
        if (!c.closing && c.in.size() > options_.max_request_bytes) reject_oversized(c);
    }

    void reject_oversized(Client& c) {
        respond(c, error_response("request larger than " +
                                  std::to_string(options_.max_request_bytes) +
                                  " bytes; connection closed"));
        c.in.clear();
        c.closing = true;
    }

    static void respond(Client& c, const nlohmann::json& response) {
        c.out += response.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        c.out += '\n';
    }

    // False on a write error (the peer went away).
    static bool flush(Client& c) {
        while (!c.out.empty()) {
            const ssize_t n = send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                return errno == EAGAIN || errno == EWOULDBLOCK;
            }
            c.out.erase(0, size_t(n));
        }
        return true;
    }

    UnixServerOptions options_;
    const CommandRegistry& registry_;
    int listen_fd_ = -1;
    int wake_[2] = {-1, -1};
    ino_t socket_inode_ = 0;
    std::thread thread_;
    std::list<Client> clients_;
};

}  // namespace

std::unique_ptr<ControlServer> make_unix_server(UnixServerOptions options,
                                                const CommandRegistry& registry) {
    return std::make_unique<UnixSocketServer>(std::move(options), registry);
}

}  // namespace sipwire::api
