#include "api/control_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/control_client.h"

namespace sipwire::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using Status = CallResult::Status;

// A private temporary directory, removed with everything in it.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/sipwire-api-test-XXXXXX";
        path_ = mkdtemp(tmpl);
    }
    ~TempDir() { std::filesystem::remove_all(path_); }
    const std::string& path() const { return path_; }

private:
    std::string path_;
};

// A raw connection, for what the client library never sends.
class RawClient {
public:
    explicit RawClient(const std::string& path) {
        fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~RawClient() { close(fd_); }
    bool connected() const { return connected_; }

    void send_all(const std::string& data) {
        size_t sent = 0;
        while (sent < data.size()) {
            const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return;  // the server may close an oversized request early
            sent += size_t(n);
        }
    }
    void shutdown_write() { shutdown(fd_, SHUT_WR); }

    // One response line, or "" on close / 5 s without one.
    std::string read_line() {
        for (;;) {
            if (const size_t nl = buffer_.find('\n'); nl != std::string::npos) {
                std::string line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return line;
            }
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 5000) <= 0) return {};
            char buf[4096];
            const ssize_t n = read(fd_, buf, sizeof buf);
            if (n <= 0) return {};
            buffer_.append(buf, size_t(n));
        }
    }
    json read_json() { return json::parse(read_line(), nullptr, false); }

    // True when the server closed the connection (EOF within 5 s).
    bool closed_by_server() {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 5000) <= 0) return false;
        char c;
        return read(fd_, &c, 1) == 0;
    }

private:
    int fd_ = -1;
    bool connected_ = false;
    std::string buffer_;
};

class ServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        registry.add("echo", [](const json& args) { return args; });
        registry.add("fail", [](const json&) -> json { throw CommandError("it failed, on purpose"); });
        registry.add("boom", [](const json&) -> json { throw std::logic_error("unexpected"); });
        registry.add("count", [this](const json&) { return json{{"n", ++calls}}; });
        path = dir.path() + "/run/sipwire/test.sock";
        server = make_unix_server(UnixServerOptions{.path = path}, registry);
        std::string error;
        ASSERT_TRUE(server->start(error)) << error;
    }

    TempDir dir;
    std::string path;
    CommandRegistry registry;
    std::atomic<int> calls{0};
    std::unique_ptr<ControlServer> server;
};

TEST_F(ServerTest, AnswersACommandWithItsResult) {
    const CallResult r = call(path, "echo", {{"x", 1}, {"s", "text"}});
    ASSERT_EQ(r.status, Status::ok) << r.error;
    EXPECT_EQ(r.result, (json{{"x", 1}, {"s", "text"}}));
}

TEST_F(ServerTest, CreatesParentDirectoryAndSetsModes) {
    struct stat st {};
    ASSERT_EQ(stat(path.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0660u);
    ASSERT_EQ(stat((dir.path() + "/run/sipwire").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0755u);
    // No temporary socket file left next to it.
    size_t entries = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir.path() + "/run/sipwire"))
        ++entries;
    EXPECT_EQ(entries, 1u);
}

TEST_F(ServerTest, HandlerErrorsBecomeErrorResponses) {
    CallResult r = call(path, "fail");
    EXPECT_EQ(r.status, Status::failed);
    EXPECT_EQ(r.error, "it failed, on purpose");
    r = call(path, "boom");
    EXPECT_EQ(r.status, Status::failed);
    EXPECT_EQ(r.error, "internal error in 'boom': unexpected");
}

TEST_F(ServerTest, UnknownCommandListsTheKnownOnes) {
    const CallResult r = call(path, "nope");
    EXPECT_EQ(r.status, Status::failed);
    EXPECT_EQ(r.error, "unknown command 'nope' (known: boom, count, echo, fail)");
}

TEST_F(ServerTest, MalformedRequestsGetErrorsAndTheConnectionStaysUsable) {
    RawClient c(path);
    ASSERT_TRUE(c.connected());
    const std::vector<std::pair<std::string, std::string>> cases{
        {"{not json", "malformed request: not a JSON object"},
        {"[1,2,3]", "malformed request: not a JSON object"},
        {"\"status\"", "malformed request: not a JSON object"},
        {"{}", "malformed request: \"command\" (a string) is missing"},
        {"{\"command\":42}", "malformed request: \"command\" (a string) is missing"},
        {"{\"command\":\"echo\",\"args\":[1]}", "malformed request: \"args\" is not an object"},
        {"{\"command\":\"\xff\xfe\"}", "malformed request: not a JSON object"},
        {std::string("{\"command\":\"echo\0\"}", 19), "malformed request: not a JSON object"},
    };
    for (const auto& [request, error] : cases) {
        c.send_all(request + "\n");
        const json r = c.read_json();
        EXPECT_EQ(r, (json{{"ok", false}, {"error", error}})) << request;
    }
    c.send_all("{\"command\":\"echo\",\"args\":{\"still\":\"here\"}}\n");
    EXPECT_EQ(c.read_json(), (json{{"ok", true}, {"result", {{"still", "here"}}}}));
}

TEST_F(ServerTest, PipelinedRequestsAreAnsweredInOrder) {
    RawClient c(path);
    std::string batch;
    for (int i = 0; i < 50; ++i)
        batch += "{\"command\":\"echo\",\"args\":{\"i\":" + std::to_string(i) + "}}\r\n\n";
    c.send_all(batch);
    for (int i = 0; i < 50; ++i) EXPECT_EQ(c.read_json()["result"]["i"], i);
}

TEST_F(ServerTest, RequestWithoutNewlineIsAnsweredAtEndOfInput) {
    RawClient c(path);
    c.send_all("{\"command\":\"echo\",\"args\":{\"a\":1}}");
    c.shutdown_write();
    EXPECT_EQ(c.read_json(), (json{{"ok", true}, {"result", {{"a", 1}}}}));
    EXPECT_TRUE(c.closed_by_server());
}

TEST_F(ServerTest, OversizedRequestIsRejectedAndClosed) {
    RawClient c(path);
    c.send_all("{\"command\":\"echo\",\"args\":{\"pad\":\"" + std::string(70 * 1024, 'a'));
    const json r = c.read_json();
    EXPECT_EQ(r, (json{{"ok", false},
                       {"error", "request larger than 65536 bytes; connection closed"}}));
    EXPECT_TRUE(c.closed_by_server());
    // The server goes on serving others.
    EXPECT_EQ(call(path, "echo").status, Status::ok);
}

TEST_F(ServerTest, RequestJustUnderTheLimitIsServed) {
    RawClient c(path);
    const std::string head = "{\"command\":\"echo\",\"args\":{\"pad\":\"";
    const std::string tail = "\"}}";
    const std::string pad(64 * 1024 - head.size() - tail.size(), 'b');
    c.send_all(head + pad + tail + "\n");
    const json r = c.read_json();
    ASSERT_TRUE(r.is_object());
    EXPECT_EQ(r["result"]["pad"], pad);
}

TEST_F(ServerTest, ConcurrentClients) {
    constexpr int kThreads = 16, kCalls = 50;
    std::atomic<int> good{0};
    // A client that connects and says nothing must not hold the others up.
    RawClient idle(path);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
        threads.emplace_back([&, t] {
            for (int i = 0; i < kCalls; ++i) {
                const CallResult r = call(path, "echo", {{"t", t}, {"i", i}});
                if (r.status == Status::ok && r.result == json{{"t", t}, {"i", i}}) ++good;
            }
        });
    for (auto& th : threads) th.join();
    EXPECT_EQ(good.load(), kThreads * kCalls);
}

TEST_F(ServerTest, ManyOpenConnectionsAtOnce) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 40; ++i) clients.push_back(std::make_unique<RawClient>(path));
    for (size_t i = 0; i < clients.size(); ++i)
        clients[i]->send_all("{\"command\":\"echo\",\"args\":{\"i\":" + std::to_string(i) + "}}\n");
    for (size_t i = 0; i < clients.size(); ++i) EXPECT_EQ(clients[i]->read_json()["result"]["i"], i);
}

TEST_F(ServerTest, CommandsAddedWhileRunningAreServed) {
    EXPECT_EQ(call(path, "late").status, Status::failed);
    registry.add("late", [](const json&) { return json{{"late", true}}; });
    const CallResult r = call(path, "late");
    EXPECT_EQ(r.status, Status::ok);
    EXPECT_EQ(r.result, (json{{"late", true}}));
}

TEST_F(ServerTest, StopRemovesTheSocketAndClientsSeeItUnreachable) {
    server->stop();
    EXPECT_FALSE(std::filesystem::exists(path));
    const CallResult r = call(path, "echo");
    EXPECT_EQ(r.status, Status::unreachable);
    EXPECT_EQ(r.error, "No such file or directory");
    server->stop();  // idempotent
}

TEST_F(ServerTest, SecondServerOnALiveSocketFails) {
    auto other = make_unix_server(UnixServerOptions{.path = path}, registry);
    std::string error;
    EXPECT_FALSE(other->start(error));
    EXPECT_THAT(error, HasSubstr("another process is serving " + path));
    // The first one still works and still owns its socket.
    EXPECT_EQ(call(path, "echo").status, Status::ok);
}

TEST(ServerStartTest, ReplacesAStaleSocketFile) {
    TempDir dir;
    const std::string path = dir.path() + "/stale.sock";
    {  // bound, then closed without unlink: what a killed daemon leaves
        const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un a{};
        a.sun_family = AF_UNIX;
        std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
        ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        close(fd);
    }
    CommandRegistry registry;
    registry.add("ping", [](const json&) { return json{{"pong", true}}; });
    auto server = make_unix_server(UnixServerOptions{.path = path}, registry);
    std::string error;
    ASSERT_TRUE(server->start(error)) << error;
    EXPECT_EQ(call(path, "ping").status, Status::ok);
}

TEST(ServerStartTest, RefusesToReplaceARegularFile) {
    TempDir dir;
    const std::string path = dir.path() + "/file.sock";
    FILE* f = std::fopen(path.c_str(), "w");
    std::fclose(f);
    CommandRegistry registry;
    auto server = make_unix_server(UnixServerOptions{.path = path}, registry);
    std::string error;
    EXPECT_FALSE(server->start(error));
    EXPECT_EQ(error, path + " exists and is not a socket; remove it or choose another control_socket");
    EXPECT_TRUE(std::filesystem::is_regular_file(path));
}

TEST(ServerStartTest, RefusesAPathTooLongForAUnixSocket) {
    CommandRegistry registry;
    auto server = make_unix_server(UnixServerOptions{.path = "/tmp/" + std::string(200, 'x')}, registry);
    std::string error;
    EXPECT_FALSE(server->start(error));
    EXPECT_THAT(error, HasSubstr("longer than 107 bytes"));
}

TEST(ClientTest, NoServerIsUnreachable) {
    const CallResult r = call("/tmp/sipwire-no-such-dir/x.sock", "status");
    EXPECT_EQ(r.status, Status::unreachable);
    EXPECT_EQ(r.error, "No such file or directory");
}

TEST(ClientTest, ServerThatNeverAnswersTimesOut) {
    TempDir dir;
    const std::string path = dir.path() + "/mute.sock";
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(listen(fd, 1), 0);
    const CallResult r = call(path, "status", json::object(), 200);
    EXPECT_EQ(r.status, Status::broken);
    EXPECT_EQ(r.error, "no answer within 200 ms");
    close(fd);
}

}  // namespace
}  // namespace sipwire::api
