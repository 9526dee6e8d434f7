// The runtime's guards that need no root: every wait has a deadline, a lab
// is claimed by one command at a time, and a journal is trusted only when
// anylab wrote it.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "runtime/container/ownership.h"
#include "runtime/docker/engine.h"
#include "runtime/frr_vty.h"
#include "runtime/journal.h"
#include "runtime/lab_claim.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string test_read(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A daemon that stopped accepting (frozen with SIGSTOP): its listen backlog
// full. A blocking connect to it never returns; the vty gives up at its
// deadline. In a child process, so that a hang fails the test instead of
// hanging it.
TEST(FrrVty, AFullListenBacklogTimesOutInsteadOfHanging) {
  const fs::path dir = fs::temp_directory_path() / ("anylab-vty-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "bgpd.vty").string();
  int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  std::vector<int> queued;  // fill the backlog: connects until the kernel says EAGAIN
  for (int i = 0; i < 64; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd);
      break;
    }
    queued.push_back(fd);
  }
  const pid_t child = ::fork();
  if (child == 0) {
    const auto start = Clock::now();
    const auto answer = vty_ask(path, "show bgp summary json", std::chrono::milliseconds(300));
    const auto took = Clock::now() - start;
    ::_exit(!answer && took < std::chrono::seconds(2) ? 0 : 1);
  }
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 500 && done == 0; ++i) {
    done = ::waitpid(child, &status, WNOHANG);
    if (done == 0) ::usleep(10000);
  }
  if (done == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
  }
  for (int fd : queued) ::close(fd);
  ::close(listener);
  fs::remove_all(dir);
  ASSERT_NE(done, 0) << "vty_ask still waiting after 5 s on a daemon that does not accept";
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "it must give up, with no answer, at its deadline";
}

// One command holds a lab: a second claim is refused at once, naming the
// holder's pid; released, the lock file is gone and the lab can be claimed.
TEST(LabClaim, ASecondClaimIsRefusedNamingTheHolder) {
  const fs::path root = fs::temp_directory_path() / ("anylab-claim-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    auto first = LabClaim::take(root.string(), "x");
    ASSERT_TRUE(first) << first.error();
    EXPECT_EQ(fs::status(root).permissions() & fs::perms::all,
              fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    const pid_t child = ::fork();
    if (child == 0) {  // another process: flock locks are per open file, so a thread would not do
      auto second = LabClaim::take(root.string(), "x");
      const std::string want = "lab x is in use by another anylab (pid " + std::to_string(::getppid()) + ": ";
      ::_exit(!second && second.error().message.starts_with(want) ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_TRUE(LabClaim::take(root.string(), "y")) << "another lab is another claim";
  }
  EXPECT_FALSE(fs::exists(root / "x.lock")) << "the holder removes its lock file";
  EXPECT_TRUE(LabClaim::take(root.string(), "x"));
  fs::remove_all(root);
}

// Destroy kills the pids a journal names: a journal writable by others, or
// a link, is not read, and says why.
TEST(Journal, OnlyAJournalAnylabWroteIsTrusted) {
  const fs::path root = fs::temp_directory_path() / ("anylab-journal-" + std::to_string(::getpid()));
  fs::remove_all(root);
  {
    auto j = Journal::open(root.string(), "lab");
    ASSERT_TRUE(j) << j.error();
    (void)j->process(1, 42, "r1", "bgpd");
  }
  EXPECT_EQ(fs::status(root / "lab" / "journal").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_FALSE(Journal::untrusted(root.string(), "lab"));
  EXPECT_EQ(Journal::read(root.string(), "lab").size(), 1u);
  EXPECT_FALSE(Journal::open(root.string(), "lab")) << "a journal there is another deploy's";
  fs::permissions(root / "lab" / "journal", fs::perms::others_write, fs::perm_options::add);
  EXPECT_TRUE(Journal::untrusted(root.string(), "lab"));
  EXPECT_TRUE(Journal::read(root.string(), "lab").empty());
  fs::remove(root / "lab" / "journal");
  std::ofstream(root / "elsewhere") << "pid 1 42 r1 bgpd\n";
  fs::create_symlink(root / "elsewhere", root / "lab" / "journal");
  EXPECT_TRUE(Journal::untrusted(root.string(), "lab"));
  EXPECT_TRUE(Journal::read(root.string(), "lab").empty());
  fs::remove_all(root);
}

// A fake engine on a unix socket: it accepts one connection and runs
// `serve` on it, in a thread.
class FakeEngine {
 public:
  explicit FakeEngine(std::function<void(int)> serve)
      : path_((fs::temp_directory_path() / ("anylab-engine-" + std::to_string(::getpid()) + ".sock")).string()) {
    fs::remove(path_);
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, path_.c_str());
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener_, 4) != 0)
      throw std::runtime_error("cannot listen on " + path_);
    thread_ = std::thread([this, serve] {
      const int fd = ::accept(listener_, nullptr, nullptr);
      if (fd >= 0) serve(fd);
    });
    ::setenv("DOCKER_HOST", ("unix://" + path_).c_str(), 1);
  }
  ~FakeEngine() {
    ::unsetenv("DOCKER_HOST");
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    if (thread_.joinable()) thread_.join();
    fs::remove(path_);
  }

 private:
  std::string path_;
  int listener_ = -1;
  std::thread thread_;
};

// An engine that trickles its answer, a byte every 50 ms, never ending it:
// the call ends at its deadline (the timeout was per read, so it waited
// without bound).
TEST(EngineApi, ATricklingAnswerEndsAtTheDeadline) {
  std::atomic<bool> stop{false};
  FakeEngine engine([&](int fd) {
    const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n";
    (void)::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
    while (!stop && ::send(fd, "[", 1, MSG_NOSIGNAL) == 1) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ::close(fd);
  });
  const auto start = Clock::now();
  auto r = Engine().request("GET", "/containers/json", "", std::chrono::seconds(1));
  const auto took = Clock::now() - start;
  stop = true;
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no whole answer from Docker's API"), std::string::npos) << r.error();
  EXPECT_LT(took, std::chrono::milliseconds(2500));
}

// An engine that closes as soon as it is connected: an error to report, not
// SIGPIPE (which killed anylab mid-deploy, with no clean-up). In a child,
// with SIGPIPE at its default, as anylab's own main leaves it for nothing.
TEST(EngineApi, AClosedSocketIsAnErrorNotSigpipe) {
  FakeEngine engine([](int fd) { ::close(fd); });
  const pid_t child = ::fork();
  if (child == 0) {
    ::signal(SIGPIPE, SIG_DFL);
    std::string big(1 << 20, 'x');  // more than the socket buffers: a write after the close
    auto r = Engine().request("POST", "/containers/create?name=x", big, std::chrono::seconds(5));
    ::_exit(r ? 1 : 0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_FALSE(WIFSIGNALED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Reads one HTTP request (head and a Content-Length body) from the fake
// engine's connection.
std::string read_request(int fd) {
  std::string req;
  char buf[4096];
  while (req.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return req;
    req.append(buf, static_cast<size_t>(n));
  }
  const size_t at = req.find("Content-Length: ");
  const size_t length = at == std::string::npos ? 0 : std::stoul(req.substr(at + 16));
  while (req.size() - (req.find("\r\n\r\n") + 4) < length) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    req.append(buf, static_cast<size_t>(n));
  }
  return req;
}

void send_text(int fd, const std::string& text) { (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL); }

// The engine answers HTTP/1.1 in chunks, and keeps the connection open: the
// body is the chunks joined, and the call ends when the last chunk came,
// not at the deadline.
TEST(EngineApi, AChunkedAnswerIsJoinedAndEndsWithItsLastChunk) {
  std::string request;
  FakeEngine engine([&](int fd) {
    request = read_request(fd);
    send_text(fd, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
    send_text(fd, "7\r\n{\"Id\": \r\n");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    send_text(fd, "6\r\n\"abc\"}\r\n0\r\n\r\n");
    std::this_thread::sleep_for(std::chrono::seconds(2));  // the connection stays open
    ::close(fd);
  });
  const auto start = Clock::now();
  auto r = Engine().request("POST", "/containers/create?name=" + url_escape("anylab-x_y"), R"({"Image": "i"})",
                      std::chrono::seconds(10));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 201);
  EXPECT_EQ(r->body, R"({"Id": "abc"})");
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(2500));
  EXPECT_TRUE(request.starts_with("POST /containers/create?name=anylab-x_y HTTP/1.1\r\n")) << request;
  EXPECT_NE(request.find("Content-Type: application/json"), std::string::npos) << request;
  EXPECT_TRUE(request.ends_with(R"({"Image": "i"})")) << request;
}

// An error status is an answer, with the engine's own words for the user.
TEST(EngineApi, AnErrorStatusCarriesTheEnginesMessage) {
  FakeEngine engine([&](int fd) {
    (void)read_request(fd);
    const std::string body = R"({"message":"No such image: anylab/router:9"})";
    send_text(fd, "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    ::close(fd);
  });
  auto r = Engine().request("GET", "/images/" + url_escape("anylab/router:9") + "/json", "", std::chrono::seconds(10));
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(engine_message(*r), "No such image: anylab/router:9 (HTTP 404)");
}

// The typed calls on one Engine: each answer read into what it means (a
// container's id, init and labels; none; a removal under way; names; no
// image), all over the one connection the fake engine accepts.
TEST(EngineApi, TypedCallsReadTheAnswersOverOneKeptConnection) {
  int requests = 0;
  FakeEngine engine([&](int fd) {
    for (std::string req; !(req = read_request(fd)).empty(); ++requests) {
      const std::string line = req.substr(0, req.find("\r\n"));
      int status = 404;
      std::string body = R"({"message":"no such thing"})";
      if (line.starts_with("GET /containers/anylab-x_r1/json "))
        status = 200, body = R"({"Id":"abc","State":{"Pid":42},"Config":{"Labels":{"org.anylab.lab":"x",)"
                             R"("org.anylab.token":"t"}}})";
      else if (line.starts_with("DELETE /containers/busy?force=1&v=1 "))
        status = 409, body = R"({"message":"removal of container busy is already in progress"})";
      else if (line.starts_with("GET /containers/json?all=1 "))
        status = 200, body = R"([{"Names":["/a"]},{"Names":["/b","/c"]}])";
      send_text(fd, "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: application/json\r\nContent-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + body);
    }
    ::close(fd);
  });
  Engine e;
  auto found = e.inspect("anylab-x_r1", std::chrono::seconds(5));
  ASSERT_TRUE(found) << found.error();
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, "abc");
  EXPECT_EQ((*found)->pid, 42);
  EXPECT_EQ((*found)->label("org.anylab.lab"), "x");
  ContainersRecord record;
  record.tokens = {"t"};
  EXPECT_TRUE(record.ours(**found, "x")) << "its label and a recorded token";
  EXPECT_FALSE(record.ours(**found, "y")) << "another lab's label";
  record.tokens = {};
  EXPECT_FALSE(record.ours(**found, "x")) << "a label alone can be copied";
  record.ids = {{"abc", "anylab-x_r1"}};
  EXPECT_TRUE(record.ours(**found, "y")) << "its id recorded";
  auto gone = e.inspect("gone", std::chrono::seconds(5));
  ASSERT_TRUE(gone) << gone.error();
  EXPECT_FALSE(gone->has_value());
  auto removal = e.remove("busy", std::chrono::seconds(5));
  ASSERT_TRUE(removal) << removal.error();
  EXPECT_EQ(*removal, Engine::Removal::kUnderWay);
  auto names = e.container_names(std::chrono::seconds(5));
  ASSERT_TRUE(names) << names.error();
  EXPECT_EQ(*names, (std::vector<std::string>{"a", "b", "c"}));
  auto image = e.has_image("anylab/router:9", std::chrono::seconds(5));
  ASSERT_TRUE(image) << image.error();
  EXPECT_FALSE(*image);
  auto refused = e.create({.name = "n", .image = "anylab/router:9", .hostname = "n", .cmd = {}, .labels = {}, .binds = {}},
                          std::chrono::seconds(5));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "docker could not make the container n from anylab/router:9: no such thing (HTTP 404)");
  EXPECT_EQ(requests, 6);
}

// An engine that accepts and never answers: the call ends at its deadline,
// saying so; an engine that is not there at all is said to be unreachable.
TEST(EngineApi, ASilentEngineEndsAtTheDeadlineAndAMissingOneIsUnreachable) {
  {
    FakeEngine engine([&](int fd) {
      (void)read_request(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
      ::close(fd);
    });
    const auto start = Clock::now();
    auto r = Engine().request("GET", "/info", "", std::chrono::seconds(1));
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("within 1 s"), std::string::npos) << r.error();
    EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(1400));
  }
  ::setenv("DOCKER_HOST", "unix:///nonexistent/anylab-docker.sock", 1);
  auto r = Engine().request("GET", "/info", "", std::chrono::seconds(5));
  ::unsetenv("DOCKER_HOST");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot reach Docker's API at /nonexistent/anylab-docker.sock"), std::string::npos)
      << r.error();
  ::setenv("DOCKER_HOST", "tcp://192.0.2.1:2375", 1);
  r = Engine().request("GET", "/info", "", std::chrono::seconds(5));
  ::unsetenv("DOCKER_HOST");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("DOCKER_HOST is tcp://192.0.2.1:2375"), std::string::npos) << r.error();
}

// Root writes into directories FRR's user owns: never through a link
// planted there.
// run_command says how a command ended: its exit status, a signal, the
// deadline, or why it never started; its temporary files go on every path.
size_t temp_files() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/tmp"))
    n += e.path().filename().string().starts_with("anylab-") && e.path().filename().string().size() == 13;
  return n;
}

TEST(RunCommand, SaysHowTheCommandEnded) {
  const size_t before = temp_files();
  RunOutput ok = run_command({"", {"sh", "-c", "cat; exit 3"}, {}, ""}, "hello");
  EXPECT_EQ(ok.end, RunOutput::End::kExited);
  EXPECT_EQ(ok.exit_code, 3);
  EXPECT_EQ(ok.out, "hello");
  EXPECT_EQ(ok.how(), "exit 3");
  RunOutput late = run_command({"", {"sleep", "5"}, {}, ""}, "", std::chrono::milliseconds(200));
  EXPECT_EQ(late.end, RunOutput::End::kTimedOut);
  EXPECT_EQ(late.exit_code, -1);
  EXPECT_EQ(late.how(), "not finished within 200ms");
  RunOutput killed = run_command({"", {"sh", "-c", "kill -TERM $$"}, {}, ""});
  EXPECT_EQ(killed.end, RunOutput::End::kSignaled);
  EXPECT_EQ(killed.signal, SIGTERM);
  EXPECT_EQ(killed.how(), "killed by signal 15 (Terminated)");
  RunOutput missing = run_command({"", {"/nonexistent/anylab-no-such-program"}, {}, ""});
  EXPECT_EQ(missing.end, RunOutput::End::kNotStarted);
  EXPECT_TRUE(missing.how().starts_with("could not start: /nonexistent/anylab-no-such-program")) << missing.how();
  RunOutput no_netns = run_command({"anylab-no-such-namespace", {"true"}, {}, ""});
  EXPECT_EQ(no_netns.how(), "could not start: no network namespace anylab-no-such-namespace");
  // Another anylab on the machine (a lab test running beside this one) has
  // temp files of its own for a moment; one left behind by these stays.
  size_t after = temp_files();
  for (int i = 0; i < 40 && after > before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    after = temp_files();
  }
  EXPECT_LE(after, before);
}

TEST(Files, RootNeverWritesThroughALink) {
  const fs::path dir = fs::temp_directory_path() / ("anylab-nofollow-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "target") << "precious\n";
  fs::create_symlink(dir / "target", dir / "frr.conf");
  auto w = write_file_nofollow((dir / "frr.conf").string(), "router bgp 1\n");
  EXPECT_FALSE(w);
  EXPECT_EQ(test_read(dir / "target"), "precious\n");
  EXPECT_TRUE(write_file_nofollow((dir / "bgpd.conf").string(), "x\n"));
  EXPECT_EQ(fs::status(dir / "bgpd.conf").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace anylab
