#include "tcp_session.h"

#include "socket_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "evaluate.h"
#include "wire.h"

namespace anylab::checks {

using Clock = std::chrono::steady_clock;

std::expected<UniqueFd, std::string> socket_in_netns(NetnsFd netns, int family, int type) {
  if (netns && *netns < 0) return std::unexpected("the client's network namespace is not open");
  int fd = -1;
  std::string error;
  std::thread([&] {
    if (netns && ::setns(*netns, CLONE_NEWNET) != 0) {
      error = std::string("cannot enter the namespace: ") + std::strerror(errno);
      return;
    }
    fd = ::socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) error = std::string("cannot open a socket: ") + std::strerror(errno);
  }).join();
  if (fd < 0) return std::unexpected(error);
  return UniqueFd(fd);
}

namespace {

// Waits for `events` on fd until the deadline; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left < 0) return false;
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(left));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

std::string socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  return err == ECONNRESET ? "reset by the network" : err ? std::strerror(err) : "";
}

}  // namespace

std::expected<UniqueFd, std::string> connect_in_netns(NetnsFd netns, const std::string& address, uint16_t port,
                                                      Micros timeout) {
  const auto addr = socket_address(address, port);
  if (!addr) return std::unexpected("not an IP address: " + address);
  auto fd = socket_in_netns(netns, addr->family(), SOCK_STREAM);
  if (!fd) return std::unexpected(fd.error());
  if (::connect(fd->get(), addr->get(), addr->length) != 0 && errno != EINPROGRESS)
    return std::unexpected(std::string("cannot connect: ") + std::strerror(errno));
  if (!wait_for(fd->get(), POLLOUT, Clock::now() + timeout))
    return std::unexpected("no connection within " + format_seconds(timeout));
  if (std::string e = socket_error(fd->get()); !e.empty()) return std::unexpected("cannot connect: " + e);
  return fd;
}

std::expected<std::unique_ptr<TcpSession>, std::string> TcpSession::open(NetnsFd netns, const std::string& address,
                                                                         uint16_t port, Micros timeout) {
  auto fd = connect_in_netns(netns, address, port, timeout);
  if (!fd) return std::unexpected(fd.error());
  return std::unique_ptr<TcpSession>(new TcpSession(std::move(*fd)));
}

std::expected<std::string, std::string> TcpSession::ask(Micros timeout) {
  const auto deadline = Clock::now() + timeout;
  const std::string request = numbered_request(seq_++);
  if (::send(fd_.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    const std::string e = errno == ECONNRESET || errno == EPIPE ? "reset by the network" : std::strerror(errno);
    return std::unexpected(e);
  }
  std::string reply;
  char buf[512];
  while (reply.find('\n') == std::string::npos) {
    if (!wait_for(fd_.get(), POLLIN, deadline)) return std::unexpected("no answer within " + format_seconds(timeout));
    const ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n == 0) return std::unexpected("closed by the other end");
    if (n < 0 && errno == EAGAIN) continue;
    if (n < 0) return std::unexpected(errno == ECONNRESET ? "reset by the network" : std::strerror(errno));
    reply.append(buf, static_cast<size_t>(n));
  }
  const size_t space = reply.rfind(' ');
  return reply.substr(0, space == std::string::npos ? reply.find('\n') : space);
}

}  // namespace anylab::checks
