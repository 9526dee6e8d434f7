// anylab-probe udp|tcp|dns ADDRESS PORT [--timeout DURATION] [--overload]
//
// Asks ADDRESS:PORT once who answers; prints the name and exits 0, or exits 1
// when nothing answers within the timeout (default 500ms). ExaBGP's
// healthcheck runs it against the instance's own responder. --overload asks
// the responder whether it is over its capacity instead (over UDP for DNS),
// and exits 1 when it is, as when it does not answer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "socket_address.h"
#include "wire.h"

namespace {

int timeout_ms(const char* text) {
  char* end = nullptr;
  double v = std::strtod(text, &end);
  std::string unit = end ? end : "";
  if (unit == "ms") return static_cast<int>(v);
  if (unit == "s") return static_cast<int>(v * 1000);
  return -1;
}

bool wait_readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1;
}

}  // namespace

int main(int argc, char** argv) {
  int ms = 500;
  bool overload = false, usage = argc < 4;
  for (int k = 4; !usage && k < argc; ++k) {
    if (std::strcmp(argv[k], "--overload") == 0) overload = true;
    else if (std::strcmp(argv[k], "--timeout") == 0 && k + 1 < argc) ms = timeout_ms(argv[++k]);
    else usage = true;
  }
  if (usage) {
    std::fprintf(stderr, "usage: anylab-probe udp|tcp|dns ADDRESS PORT [--timeout DURATION] [--overload]\n");
    return 2;
  }
  auto protocol = anylab::checks::parse_protocol(argv[1]);
  if (overload && protocol == anylab::checks::Protocol::kDns) protocol = anylab::checks::Protocol::kUdp;
  const auto addr = anylab::checks::socket_address(argv[2], static_cast<uint16_t>(std::atoi(argv[3])));
  if (ms < 0 || !addr || !protocol) {
    std::fprintf(stderr, "anylab-probe: bad arguments\n");
    return 2;
  }
  const bool stream = *protocol == anylab::checks::Protocol::kTcp;
  const bool dns = *protocol == anylab::checks::Protocol::kDns;
  int fd = socket(addr->family(), (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | (stream ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return 1;
  if (connect(fd, addr->get(), addr->length) < 0 && errno != EINPROGRESS) return 1;
  if (stream) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, ms) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) return 1;
  }
  const uint16_t id = static_cast<uint16_t>(getpid());
  const std::string request = dns        ? anylab::checks::dns_query(id)
                              : overload ? std::string(anylab::checks::kHealthRequest)
                                         : std::string(anylab::checks::kRequest);
  if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) < 0) return 1;
  if (!wait_readable(fd, ms)) return 1;
  char buf[1024];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  if (n <= 0) return 1;
  std::string reply(buf, static_cast<size_t>(n));
  if (dns) {
    auto name = anylab::checks::dns_reply_name(reply, id);
    if (!name) return 1;
    reply = *name;
  } else if (!reply.empty() && reply.back() == '\n') {
    reply.pop_back();
  }
  std::printf("%s\n", reply.c_str());
  return overload && reply.ends_with(" overloaded") ? 1 : 0;
}
