#include "loadgen.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>

#include "socket_address.h"
#include "wire.h"

namespace anylab::checks {

using Clock = std::chrono::steady_clock;

LoadGenerator::LoadGenerator(std::vector<LoadTarget> targets, Clock::time_point origin)
    : targets_(std::move(targets)), origin_(origin) {}

LoadGenerator::~LoadGenerator() { stop(); }

Micros LoadGenerator::now() const { return std::chrono::duration_cast<Micros>(Clock::now() - origin_); }

std::expected<void, std::string> LoadGenerator::start() {
  for (const LoadTarget& t : targets_) {
    const auto addr = socket_address(t.address, t.port);
    if (!addr) return std::unexpected(t.client + ": not an IP address: " + t.address);
    auto fd = socket_in_netns(t.netns, addr->family(), SOCK_DGRAM);
    if (!fd) return std::unexpected(t.client + ": " + fd.error());
    // Room for a second of answers, should this thread be held up.
    const int size = 1 << 20;
    ::setsockopt(fd->get(), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (::connect(fd->get(), addr->get(), addr->length) != 0)
      return std::unexpected(t.client + ": cannot open a socket for its load: " + std::strerror(errno));
    sockets_.push_back(std::move(*fd));
  }
  counts_.assign(targets_.size(), {});
  thread_ = std::thread([this] { run(); });
  return {};
}

void LoadGenerator::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

std::vector<LoadGenerator::Counts> LoadGenerator::counts() const {
  std::lock_guard lock(mutex_);
  return counts_;
}
std::map<std::string, std::vector<uint32_t>> LoadGenerator::answered() const {
  std::lock_guard lock(mutex_);
  return answered_;
}

namespace {

void bump(std::vector<uint32_t>& per_tenth, Micros at) {
  const auto k = static_cast<size_t>(std::max<int64_t>(0, at / LoadGenerator::kTenth));
  if (per_tenth.size() <= k) per_tenth.resize(k + 1, 0);
  ++per_tenth[k];
}

}  // namespace

void LoadGenerator::run() {
  const std::string request(kRequest);
  std::vector<Micros> next(targets_.size(), now());
  std::vector<Micros> gap;
  for (const LoadTarget& t : targets_) gap.push_back(Micros(static_cast<int64_t>(std::llround(1e6 / t.rate))));
  std::vector<pollfd> fds;
  for (const UniqueFd& fd : sockets_) fds.push_back({fd.get(), POLLIN, 0});
  char buf[512];
  while (!stop_) {
    const Micros t = now();
    for (size_t i = 0; i < targets_.size(); ++i) {
      uint64_t sent = 0;
      while (next[i] <= t) {
        // A refused send (no route, an ICMP error from the last one) is a
        // query lost in the lab, as a dropped datagram is.
        (void)::send(sockets_[i].get(), request.data(), request.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        ++sent;
        next[i] += gap[i];
      }
      if (t - next[i] > Micros(50'000)) next[i] = t;  // fell behind: do not burst
      if (sent) {
        std::lock_guard lock(mutex_);
        counts_[i].sent += sent;
      }
    }
    if (::poll(fds.data(), fds.size(), 1) <= 0) continue;
    const Micros arrived = now();
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      ssize_t n;
      while ((n = ::recv(sockets_[i].get(), buf, sizeof buf, MSG_DONTWAIT)) > 0 || (n < 0 && errno == ECONNREFUSED)) {
        if (n <= 0) continue;
        std::string name(buf, static_cast<size_t>(n));
        if (const size_t nl = name.find('\n'); nl != std::string::npos) name.resize(nl);
        std::lock_guard lock(mutex_);
        ++counts_[i].answered;
        bump(answered_[name], arrived);
      }
    }
  }
}

double rate_in(const std::map<std::string, std::vector<uint32_t>>& answered, const std::string& instance, Micros from,
               Micros to) {
  const auto it = answered.find(instance);
  if (it == answered.end() || to <= from) return 0;
  uint64_t sum = 0;
  const auto first = static_cast<size_t>(std::max<int64_t>(0, from / LoadGenerator::kTenth));
  const auto last = static_cast<size_t>(std::max<int64_t>(0, to / LoadGenerator::kTenth));  // exclusive
  for (size_t k = first; k < last && k < it->second.size(); ++k) sum += it->second[k];
  const double seconds = static_cast<double>((last - first) * LoadGenerator::kTenth.count()) / 1e6;
  return seconds > 0 ? static_cast<double>(sum) / seconds : 0;
}

}  // namespace anylab::checks
