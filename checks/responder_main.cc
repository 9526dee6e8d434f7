// anylab-responder ADDRESS[,ADDRESS] PORT NAME
//
// Runs inside an instance's network namespace and answers, on each
// ADDRESS:PORT (IPv4 or IPv6: a dual-stack service has one of each),
// UDP datagrams and TCP requests with NAME: a CHAOS TXT hostname.bind query
// gets a DNS answer, anything else the name and a newline. A TCP connection
// stays open for further requests. One thread, poll(2).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

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

// "anylab? who 42" gets "NAME 42": the prober matches replies to probes by
// that number, with several probes in flight. A bare request gets the name.
std::string reply_to(const std::string& request, const std::string& name) {
  if (auto dns = anylab::checks::dns_answer(request, name)) return *dns;
  const std::string_view prefix = anylab::checks::kRequestPrefix;
  if (request.starts_with(prefix)) {
    std::string seq = request.substr(prefix.size());
    while (!seq.empty() && (seq.back() == '\n' || seq.back() == '\r')) seq.pop_back();
    if (!seq.empty() && seq.find_first_not_of("0123456789") == std::string::npos) return name + " " + seq + "\n";
  }
  return name + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: anylab-responder ADDRESS[,ADDRESS] PORT NAME\n");
    return 2;
  }
  const auto port = static_cast<uint16_t>(std::atoi(argv[2]));
  const std::string name = argv[3];
  // The first sockets are UDP, one per address; the next TCP listeners; then
  // accepted connections.
  std::vector<pollfd> fds;
  size_t udp_count = 0;
  std::vector<int> listeners;
  std::string list = argv[1];
  for (size_t start = 0; start <= list.size();) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string text = list.substr(start, comma - start);
    start = comma + 1;
    const auto addr = anylab::checks::socket_address(text, port);
    if (!addr) {
      std::fprintf(stderr, "anylab-responder: not an IP address: %s\n", text.c_str());
      return 2;
    }
    int udp = bound_socket(SOCK_DGRAM, *addr);
    if (udp < 0) return fail("udp socket");
    fds.push_back({udp, POLLIN, 0});
    ++udp_count;
    int tcp = bound_socket(SOCK_STREAM, *addr);
    if (tcp < 0) return fail("tcp socket");
    listeners.push_back(tcp);
  }
  for (int l : listeners) fds.push_back({l, POLLIN, 0});
  const size_t fixed = fds.size();
  std::vector<char> buf(65536);
  for (;;) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return fail("poll");
    }
    for (size_t i = 0; i < udp_count; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      sockaddr_storage from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fds[i].fd, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n >= 0) {
        std::string out = reply_to(std::string(buf.data(), static_cast<size_t>(n)), name);
        sendto(fds[i].fd, out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
      }
    }
    for (size_t i = udp_count; i < fixed; ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      int c = accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) fds.push_back({c, POLLIN, 0});
    }
    for (size_t i = fixed; i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      ssize_t n = read(fds[i].fd, buf.data(), buf.size());
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        continue;
      }
      std::string out = reply_to(std::string(buf.data(), static_cast<size_t>(n)), name);
      if (write(fds[i].fd, out.data(), out.size()) < 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
      }
    }
    std::erase_if(fds, [](const pollfd& p) { return p.fd < 0; });
  }
}
