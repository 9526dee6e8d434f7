#include "prober.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "wire.h"

namespace anylab::checks {

using Clock = std::chrono::steady_clock;

Prober::Prober(std::vector<ProbeTarget> targets, Micros interval, Micros timeout)
    : targets_(std::move(targets)), interval_(interval), timeout_(timeout), origin_(Clock::now()) {}

Prober::~Prober() {
  stop();
  for (int fd : sockets_)
    if (fd >= 0) ::close(fd);
}

Micros Prober::now() const { return std::chrono::duration_cast<Micros>(Clock::now() - origin_); }

std::optional<std::string> Prober::start() {
  for (const ProbeTarget& t : targets_) {
    int fd = -1;
    std::string error;
    std::thread([&] {
      if (t.netns_fd >= 0 && ::setns(t.netns_fd, CLONE_NEWNET) != 0) {
        error = std::string("cannot enter the namespace: ") + std::strerror(errno);
        return;
      }
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(t.port);
      if (::inet_pton(AF_INET, t.address.c_str(), &addr.sin_addr) != 1) {
        error = "not an IPv4 address: " + t.address;
        return;
      }
      fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        error = std::string("cannot open a socket: ") + std::strerror(errno);
    }).join();
    if (!error.empty()) return t.client + ": " + error;
    sockets_.push_back(fd);
  }
  probes_.assign(targets_.size(), {});
  thread_ = std::thread([this] { run(); });
  return std::nullopt;
}

void Prober::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<ClientTimeline> Prober::timelines() const {
  const Micros decided = now() - timeout_;
  std::lock_guard lock(mutex_);
  std::vector<ClientTimeline> out;
  for (const ClientTimeline& t : probes_) {
    ClientTimeline done;
    for (const Probe& p : t)
      if (p.sent <= decided) done.push_back(p);
    out.push_back(std::move(done));
  }
  return out;
}

void Prober::run() {
  std::vector<pollfd> fds;
  for (int fd : sockets_) fds.push_back({fd, POLLIN, 0});
  Micros next = now();
  uint32_t seq = 0;
  char buf[2048];
  while (!stop_) {
    if (now() >= next) {
      for (size_t i = 0; i < targets_.size(); ++i) {
        const std::string request = targets_[i].dns ? dns_query(static_cast<uint16_t>(seq))
                                                     : "anylab? who " + std::to_string(seq) + "\n";
        std::lock_guard lock(mutex_);
        probes_[i].push_back({now(), std::nullopt});
        ::send(sockets_[i], request.data(), request.size(), MSG_NOSIGNAL);  // a lost send is a lost probe
      }
      ++seq;
      next += interval_;
      if (next < now()) next = now();  // fell behind (a loaded machine): do not burst
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now()).count();
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait))) <= 0) continue;
    const Micros arrived = now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      ssize_t n;
      while ((n = ::recv(sockets_[i], buf, sizeof buf, 0)) > 0) {
        const std::string reply(buf, static_cast<size_t>(n));
        std::optional<std::string> name;
        size_t index = 0;
        std::lock_guard lock(mutex_);
        ClientTimeline& t = probes_[i];
        if (targets_[i].dns) {
          // The id is the probe number modulo 2^16: the newest such probe.
          const uint16_t id = static_cast<uint16_t>(static_cast<uint8_t>(reply.size() > 1 ? reply[0] : 0) << 8 |
                                                    static_cast<uint8_t>(reply.size() > 1 ? reply[1] : 0));
          name = dns_reply_name(reply, id);
          for (size_t k = t.size(); k-- > 0;)
            if (static_cast<uint16_t>(k) == id) {
              index = k;
              break;
            }
        } else {
          const size_t space = reply.rfind(' ');
          if (space != std::string::npos) {
            name = reply.substr(0, space);
            index = std::strtoul(reply.c_str() + space + 1, nullptr, 10);
          }
        }
        if (name && index < t.size() && arrived - t[index].sent <= timeout_) t[index].instance = name;
      }
    }
  }
}

}  // namespace anylab::checks
