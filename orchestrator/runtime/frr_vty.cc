#include "runtime/frr_vty.h"
#include "unique_fd.h"
#include "core/error.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "model/lab.h"

namespace anylab {
namespace {

using Clock = std::chrono::steady_clock;

// One connection to a daemon's vty socket.
class VtySession {
 public:
  VtySession(const std::string& instance, const std::string& daemon, std::chrono::milliseconds timeout)
      : VtySession(frr_run_dir(instance) + "/" + daemon + ".vty", timeout) {}
  // Every wait has the one deadline, the connect too: a frozen daemon's
  // listen backlog fills, and a blocking connect to it would never return.
  // A full backlog answers a non-blocking connect with EAGAIN: tried again
  // until the deadline.
  VtySession(const std::string& path, std::chrono::milliseconds timeout) : deadline_(Clock::now() + timeout) {
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) return;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    fd_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!fd_) return;
    while (::connect(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if ((errno != EAGAIN && errno != EINTR) || Clock::now() >= deadline_) {
        fd_.reset();
        return;
      }
      ::usleep(10000);
    }
  }

  bool connected() const { return bool(fd_); }

  struct Answer {
    int status = -1;  // FRR's CMD_* code; 0 is CMD_SUCCESS, -1 no answer
    std::string text;
  };
  Answer ask(const std::string& command) {
    Answer a;
    if (!fd_ || !send_all(command.c_str(), command.size() + 1)) return a;
    std::string buf;
    char chunk[65536];
    for (;;) {
      if (buf.size() >= 4 && buf.compare(buf.size() - 4, 3, std::string(3, '\0')) == 0) {
        a.status = static_cast<unsigned char>(buf.back());
        a.text = buf.substr(0, buf.size() - 4);
        return a;
      }
      if (!wait_for(POLLIN)) return a;
      ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (n <= 0) return a;
      buf.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  // Waits for `events` until the deadline.
  bool wait_for(short events) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    pollfd p{fd_.get(), events, 0};
    return left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) == 1;
  }
  bool send_all(const char* data, size_t size) {
    for (size_t done = 0; done < size;) {
      const ssize_t n = ::send(fd_.get(), data + done, size - done, MSG_NOSIGNAL);
      if (n > 0) {
        done += static_cast<size_t>(n);
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR) && wait_for(POLLOUT)) continue;
      return false;
    }
    return true;
  }

  UniqueFd fd_;
  Clock::time_point deadline_;
};

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::optional<std::string> vty_ask(const std::string& socket_path, const std::string& command,
                                   std::chrono::milliseconds timeout) {
  VtySession s(socket_path, timeout);
  VtySession::Answer a = s.ask(command);
  if (a.status != 0) return std::nullopt;
  return a.text;
}

std::optional<std::string> frr_vty(const std::string& instance, const std::string& daemon,
                                   const std::string& command, std::chrono::milliseconds timeout) {
  return vty_ask(frr_run_dir(instance) + "/" + daemon + ".vty", command, timeout);
}

namespace {

// Each line in order on one connection, stopping at the first refused.
std::expected<void, Error> run_lines(const std::string& instance, const std::string& daemon,
                                           const std::vector<std::string>& all, std::chrono::milliseconds timeout) {
  VtySession s(instance, daemon, timeout);
  if (!s.connected()) return fail(fmt::format("{} of {} does not answer on its vty socket", daemon, instance));
  for (const std::string& line : all) {
    VtySession::Answer a = s.ask(line);
    if (a.status != 0)
      return fail(fmt::format("{} of {} refused \"{}\": {}", daemon, instance, line,
                              a.status < 0 ? "no answer in time" : trimmed(a.text)));
  }
  return {};
}

}  // namespace

std::expected<void, Error> frr_configure(const std::string& instance, const std::string& daemon,
                                               const std::vector<std::string>& lines,
                                               const std::vector<std::string>& then,
                                               std::chrono::milliseconds timeout) {
  std::vector<std::string> all{"enable", "configure terminal"};
  all.insert(all.end(), lines.begin(), lines.end());
  all.push_back("end");
  all.insert(all.end(), then.begin(), then.end());
  return run_lines(instance, daemon, all, timeout);
}

std::expected<void, Error> frr_enable(const std::string& instance, const std::string& daemon,
                                            const std::vector<std::string>& commands,
                                            std::chrono::milliseconds timeout) {
  std::vector<std::string> all{"enable"};
  all.insert(all.end(), commands.begin(), commands.end());
  return run_lines(instance, daemon, all, timeout);
}

}  // namespace anylab
