#include "api/control_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace sipwire::api {

namespace {

int64_t now_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000;
}

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

CallResult broken(std::string why) {
    CallResult r;
    r.status = CallResult::Status::broken;
    r.error = std::move(why);
    return r;
}

// Waits for `events` on `fd` until `deadline`; false on time-out or error.
bool wait_for(int fd, short events, int64_t deadline) {
    for (;;) {
        const int64_t left = deadline - now_ms();
        if (left <= 0) return false;
        pollfd p{fd, events, 0};
        const int rc = poll(&p, 1, int(left));
        if (rc > 0) return true;
        if (rc < 0 && errno != EINTR) return false;
    }
}

}  // namespace

CallResult call(const std::string& socket_path, const std::string& command,
                const nlohmann::json& args, int timeout_ms) {
    CallResult r;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof addr.sun_path) {
        r.status = CallResult::Status::unreachable;
        r.error = std::strerror(ENAMETOOLONG);
        return r;
    }
    std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
    Fd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0 || connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        r.status = CallResult::Status::unreachable;
        r.error = std::strerror(errno);
        return r;
    }
    const int64_t deadline = now_ms() + timeout_ms;

    const nlohmann::json request{{"command", command}, {"args", args}};
    const std::string line =
        request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    for (size_t sent = 0; sent < line.size();) {
        if (!wait_for(fd.get(), POLLOUT, deadline)) return broken("timed out sending the request");
        const ssize_t n = send(fd.get(), line.data() + sent, line.size() - sent,
                               MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return broken(std::string("sending the request: ") + std::strerror(errno));
        }
        sent += size_t(n);
    }

    std::string in;
    size_t nl;
    while ((nl = in.find('\n')) == std::string::npos) {
        if (!wait_for(fd.get(), POLLIN, deadline))
            return broken("no answer within " + std::to_string(timeout_ms) + " ms");
        char buf[65536];
        const ssize_t n = recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return broken(std::string("reading the answer: ") + std::strerror(errno));
        }
        if (n == 0) return broken("connection closed before an answer");
        in.append(buf, size_t(n));
    }

    const nlohmann::json response =
        nlohmann::json::parse(std::string_view(in).substr(0, nl), nullptr, false);
    if (response.is_discarded() || !response.is_object() || !response.contains("ok") ||
        !response["ok"].is_boolean())
        return broken("answer is not a control API response");
    if (response["ok"].get<bool>()) {
        r.status = CallResult::Status::ok;
        r.result = response.value("result", nlohmann::json::object());
    } else {
        r.status = CallResult::Status::failed;
        const auto e = response.find("error");
        r.error = e != response.end() && e->is_string() ? e->get<std::string>() : "unknown error";
    }
    return r;
}

}  // namespace sipwire::api
