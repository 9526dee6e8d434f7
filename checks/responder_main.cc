// anylab-responder ADDRESS[,ADDRESS] PORT NAME [--capacity N] [--stats FILE]
//
// Runs inside an instance's network namespace and answers, on each
// ADDRESS:PORT (IPv4 or IPv6: a dual-stack service has one of each),
// UDP datagrams and TCP requests with NAME: a CHAOS TXT hostname.bind query
// gets a DNS answer, anything else the name and a newline. A TCP connection
// stays open for further requests. One thread, poll(2).
//
// --capacity N: it answers at most N queries a second and drops the rest
// (checks/capacity.h). --stats FILE: it appends, for every second it was
// offered anything, "SECOND SERVED DROPPED" (SECOND on the monotonic clock).
// "anylab? health" is answered "NAME ok" or "NAME overloaded", never
// dropped nor counted: the healthcheck's question (anylab-probe --overload).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "capacity.h"
#include "socket_address.h"
#include "wire.h"

namespace {

int fail(const char* what) {
  std::fprintf(stderr, "anylab-responder: %s: %s\n", what, std::strerror(errno));
  return 1;
}

int bound_socket(int type, const anylab::checks::SocketAddress& addr) {
  int fd = socket(addr.family(), type | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (addr.family() == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  // The service address may be added after we start, or removed while a
  // scenario runs: bind to it regardless.
  setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
  if (bind(fd, addr.get(), addr.length) < 0) return -1;
  if (type == SOCK_STREAM && listen(fd, 128) < 0) return -1;
  return fd;
}

anylab::checks::Micros monotonic() {
  return std::chrono::duration_cast<anylab::checks::Micros>(std::chrono::steady_clock::now().time_since_epoch());
}

// "anylab? who 42" gets "NAME 42": the prober matches replies to probes by
// that number, with several probes in flight. A bare request gets the name.
// Beyond the capacity, nothing (std::nullopt): the query is dropped.
std::optional<std::string> reply_to(const std::string& request, const std::string& name,
                                    anylab::checks::Capacity& capacity) {
  const auto now = monotonic();
  if (request.starts_with(anylab::checks::kHealthRequest.substr(0, anylab::checks::kHealthRequest.size() - 1)))
    return name + (capacity.overloaded(now) ? " overloaded\n" : " ok\n");
  if (!capacity.admit(now)) return std::nullopt;
  if (auto dns = anylab::checks::dns_answer(request, name)) return *dns;
  const std::string_view prefix = anylab::checks::kRequestPrefix;
  if (request.starts_with(prefix)) {
    std::string seq = request.substr(prefix.size());
    while (!seq.empty() && (seq.back() == '\n' || seq.back() == '\r')) seq.pop_back();
    if (!seq.empty() && seq.find_first_not_of("0123456789") == std::string::npos) return name + " " + seq + "\n";
  }
  return name + "\n";
}

// What the command line asks for.
struct Options {
  std::string addresses;  // ADDRESS[,ADDRESS]
  uint16_t port = 0;
  std::string name;
  std::optional<double> per_second;
  FILE* stats = nullptr;
};

// The options, or the exit code after saying what is wrong.
std::optional<Options> parse(int argc, char** argv, int& exit_code) {
  Options o;
  bool usage = argc < 4;
  for (int k = 4; !usage && k < argc; k += 2) {
    if (k + 1 >= argc) {
      usage = true;
    } else if (std::strcmp(argv[k], "--capacity") == 0) {
      o.per_second = std::strtod(argv[k + 1], nullptr);
      usage = !(*o.per_second > 0);
    } else if (std::strcmp(argv[k], "--stats") == 0) {
      o.stats = std::fopen(argv[k + 1], "ae");
      if (!o.stats) return exit_code = fail(argv[k + 1]), std::nullopt;
    } else {
      usage = true;
    }
  }
  if (usage) {
    std::fprintf(stderr, "usage: anylab-responder ADDRESS[,ADDRESS] PORT NAME [--capacity N] [--stats FILE]\n");
    return exit_code = 2, std::nullopt;
  }
  o.addresses = argv[1];
  o.port = static_cast<uint16_t>(std::atoi(argv[2]));
  o.name = argv[3];
  return o;
}

// The sockets polled: first UDP, one per address; then the TCP listeners;
// then accepted connections.
struct Sockets {
  std::vector<pollfd> fds;
  size_t udp = 0, fixed = 0;
};

std::optional<Sockets> open_sockets(const Options& o, int& exit_code) {
  Sockets s;
  std::vector<int> listeners;
  for (size_t start = 0; start <= o.addresses.size();) {
    const size_t comma = std::min(o.addresses.find(',', start), o.addresses.size());
    const std::string text = o.addresses.substr(start, comma - start);
    start = comma + 1;
    const auto addr = anylab::checks::socket_address(text, o.port);
    if (!addr) {
      std::fprintf(stderr, "anylab-responder: not an IP address: %s\n", text.c_str());
      return exit_code = 2, std::nullopt;
    }
    const int udp = bound_socket(SOCK_DGRAM, *addr);
    if (udp < 0) return exit_code = fail("udp socket"), std::nullopt;
    s.fds.push_back({udp, POLLIN, 0});
    ++s.udp;
    const int tcp = bound_socket(SOCK_STREAM, *addr);
    if (tcp < 0) return exit_code = fail("tcp socket"), std::nullopt;
    listeners.push_back(tcp);
  }
  for (int l : listeners) s.fds.push_back({l, POLLIN, 0});
  s.fixed = s.fds.size();
  return s;
}

// One round of what poll found: datagrams answered, connections accepted,
// requests on connections answered (a connection that ends is closed).
void serve_ready(Sockets& s, const std::string& name, anylab::checks::Capacity& capacity, std::vector<char>& buf) {
  for (size_t i = 0; i < s.udp; ++i) {
    if (!(s.fds[i].revents & POLLIN)) continue;
    sockaddr_storage from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s.fds[i].fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) continue;
    if (auto out = reply_to(std::string(buf.data(), static_cast<size_t>(n)), name, capacity))
      sendto(s.fds[i].fd, out->data(), out->size(), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
  for (size_t i = s.udp; i < s.fixed; ++i) {
    if (!(s.fds[i].revents & POLLIN)) continue;
    int c = accept4(s.fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c >= 0) s.fds.push_back({c, POLLIN, 0});
  }
  for (size_t i = s.fixed; i < s.fds.size(); ++i) {
    if (!s.fds[i].revents) continue;
    ssize_t n = read(s.fds[i].fd, buf.data(), buf.size());
    if (n <= 0) {
      close(s.fds[i].fd);
      s.fds[i].fd = -1;
      continue;
    }
    auto out = reply_to(std::string(buf.data(), static_cast<size_t>(n)), name, capacity);
    if (out && write(s.fds[i].fd, out->data(), out->size()) < 0) {
      close(s.fds[i].fd);
      s.fds[i].fd = -1;
    }
  }
  std::erase_if(s.fds, [](const pollfd& p) { return p.fd < 0; });
}

}  // namespace

int main(int argc, char** argv) {
  int exit_code = 0;
  const auto o = parse(argc, argv, exit_code);
  if (!o) return exit_code;
  auto sockets = open_sockets(*o, exit_code);
  if (!sockets) return exit_code;
  anylab::checks::Capacity capacity(o->per_second);
  std::vector<char> buf(65536);
  // With stats to write, it wakes every tenth of a second to finish them.
  const int wait_ms = o->stats ? 100 : -1;
  for (;;) {
    if (o->stats)
      if (auto second = capacity.finished(monotonic())) {
        std::fputs(anylab::checks::Capacity::format(*second).c_str(), o->stats);
        std::fflush(o->stats);
      }
    if (poll(sockets->fds.data(), sockets->fds.size(), wait_ms) < 0) {
      if (errno == EINTR) continue;
      return fail("poll");
    }
    serve_ready(*sockets, o->name, capacity, buf);
  }
}
