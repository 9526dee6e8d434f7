#include "prober.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "socket_address.h"
#include "tcp_session.h"
#include "wire.h"

namespace anylab::checks {

using Clock = std::chrono::steady_clock;

Prober::Prober(std::vector<ProbeTarget> targets, Micros interval, Micros timeout)
    : targets_(std::move(targets)), interval_(interval), timeout_(timeout), origin_(Clock::now()) {}

Prober::~Prober() { stop(); }

Micros Prober::now() const { return std::chrono::duration_cast<Micros>(Clock::now() - origin_); }

namespace {

std::optional<SocketAddress> address_of(const ProbeTarget& t) { return socket_address(t.address, t.port); }

// A socket per UDP target, and per TCP probe in flight (up to timeout /
// interval of them per target), beside what the process has open already:
// the soft open-file limit (1024 by default) is raised toward the hard one
// so that a large lab's probes are not refused for want of descriptors.
void raise_open_file_limit(size_t targets, Micros interval, Micros timeout) {
  const rlim_t in_flight = static_cast<rlim_t>(timeout / std::max(interval, Micros(1))) + 2;
  const rlim_t want = static_cast<rlim_t>(targets) * in_flight + 256;
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur >= want) return;
  r.rlim_cur = r.rlim_max == RLIM_INFINITY ? want : std::min(want, r.rlim_max);
  ::setrlimit(RLIMIT_NOFILE, &r);
}

// Whether a failed send says something of the lab (no route, a port
// unreachable, a full queue: a lost probe, as a lost datagram is) or of the
// prober itself (a bad descriptor: its silence would be no measurement).
bool lost_in_the_lab(int err) {
  switch (err) {
    case ENETUNREACH: case EHOSTUNREACH: case ECONNREFUSED: case EAGAIN: case ENOBUFS: case EPERM:
    case ENETDOWN: case EHOSTDOWN: case EMSGSIZE: case ECONNRESET:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::expected<void, std::string> Prober::start() {
  raise_open_file_limit(targets_.size(), interval_, timeout_);
  for (const ProbeTarget& t : targets_) {
    auto addr = address_of(t);
    if (!addr) return std::unexpected(t.client + ": not an IP address: " + t.address);
    if (t.protocol == Protocol::kTcp) {  // a connection per probe, made when it is sent
      sockets_.emplace_back();
      continue;
    }
    auto fd = socket_in_netns(t.netns, addr->family(), SOCK_DGRAM);
    if (!fd) return std::unexpected(t.client + ": " + fd.error());
    sockets_.push_back(std::move(*fd));
    if (::connect(sockets_.back().get(), addr->get(), addr->length) != 0)
      return std::unexpected(t.client + ": cannot open a socket: " + std::strerror(errno));
  }
  probes_.assign(targets_.size(), {});
  thread_ = std::thread([this] { run(); });
  return {};
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

void Prober::send_probes(uint32_t seq) {
  for (size_t i = 0; i < targets_.size(); ++i) {
    const ProbeTarget& t = targets_[i];
    {
      std::lock_guard lock(mutex_);
      probes_[i].push_back({now(), std::nullopt});
    }
    if (t.protocol == Protocol::kTcp) {
      // A refused or unroutable connect is a lost probe, like a lost
      // datagram; no socket at all is the prober's failure.
      const SocketAddress addr = *address_of(t);
      auto fd = socket_in_netns(t.netns, addr.family(), SOCK_STREAM);
      if (!fd) {
        unsent(i, fd.error());
        continue;
      }
      if (::connect(fd->get(), addr.get(), addr.length) != 0 && errno != EINPROGRESS) {
        if (!lost_in_the_lab(errno)) unsent(i, std::string("cannot connect: ") + std::strerror(errno));
        continue;
      }
      tcp_probes_.push_back({std::move(*fd), i, seq, false});
      continue;
    }
    const std::string request = t.protocol == Protocol::kDns ? dns_query(static_cast<uint16_t>(seq))
                                                             : numbered_request(seq);
    if (::send(sockets_[i].get(), request.data(), request.size(), MSG_NOSIGNAL) < 0 && !lost_in_the_lab(errno))
      unsent(i, std::string("cannot send: ") + std::strerror(errno));
  }
}

void Prober::unsent(size_t target, std::string why) {
  std::lock_guard lock(mutex_);
  probes_[target].back().error = std::move(why);
}

// A reply from target i: matched to its probe by the number it echoes (the
// DNS id for DNS), counted only if it came within the timeout.
void Prober::receive(size_t i, const std::string& reply, Micros arrived) {
  std::optional<std::string> name;
  size_t index = 0;
  std::lock_guard lock(mutex_);
  ClientTimeline& t = probes_[i];
  if (targets_[i].protocol == Protocol::kDns) {
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
    std::string line = reply.substr(0, reply.find('\n'));
    const size_t space = line.rfind(' ');
    if (space != std::string::npos) {
      name = line.substr(0, space);
      index = std::strtoul(line.c_str() + space + 1, nullptr, 10);
    }
  }
  if (name && index < t.size() && arrived - t[index].sent <= timeout_) t[index].instance = name;
}

void Prober::run() {
  Micros next = now();
  uint32_t seq = 0;
  char buf[2048];
  std::vector<pollfd> fds;
  while (!stop_) {
    if (now() >= next) {
      send_probes(seq++);
      next += interval_;
      if (next < now()) next = now();  // fell behind (a loaded machine): do not burst
    }
    // TCP probes older than the timeout are given up.
    std::erase_if(tcp_probes_, [&](const TcpProbe& p) {
      std::lock_guard lock(mutex_);
      return now() - probes_[p.target][p.seq].sent > timeout_;
    });
    fds.clear();
    for (const UniqueFd& fd : sockets_) fds.push_back({fd.get(), POLLIN, 0});  // -1 (TCP targets) is ignored by poll
    for (const TcpProbe& p : tcp_probes_) fds.push_back({p.fd.get(), static_cast<short>(p.requested ? POLLIN : POLLOUT), 0});
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now()).count();
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait))) <= 0) continue;
    const Micros arrived = now();
    for (size_t i = 0; i < sockets_.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      ssize_t n;
      while ((n = ::recv(sockets_[i].get(), buf, sizeof buf, 0)) > 0) receive(i, std::string(buf, static_cast<size_t>(n)), arrived);
    }
    for (size_t k = 0; k < tcp_probes_.size(); ++k) {
      TcpProbe& p = tcp_probes_[k];
      const short ev = fds[sockets_.size() + k].revents;
      if (!ev) continue;
      bool done = (ev & (POLLERR | POLLHUP)) != 0;
      if (!done && !p.requested) {
        const std::string request = numbered_request(p.seq);
        p.requested = ::send(p.fd.get(), request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size());
        done = !p.requested;
      } else if (!done) {
        const ssize_t n = ::recv(p.fd.get(), buf, sizeof buf, 0);
        if (n > 0) receive(p.target, std::string(buf, static_cast<size_t>(n)), arrived);
        done = n > 0 || (n < 0 && errno != EAGAIN) || n == 0;
      }
      if (done) p.fd.reset();
    }
    std::erase_if(tcp_probes_, [](const TcpProbe& p) { return !p.fd; });
  }
  tcp_probes_.clear();
}

}  // namespace anylab::checks
