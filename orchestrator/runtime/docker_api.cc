#include "runtime/docker_api.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace anylab {

std::string docker_socket() {
  const char* host = std::getenv("DOCKER_HOST");
  if (!host || !*host) return "/var/run/docker.sock";
  const std::string h = host;
  return h.starts_with("unix://") ? h.substr(7) : "";
}

namespace {

// Closes the socket on every way out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// MSG_NOSIGNAL: an engine that closed its end is an error here, not SIGPIPE.
bool write_all(int fd, const std::string& data) {
  for (size_t done = 0; done < data.size();) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

std::expected<ApiResponse, std::string> docker_api(const std::string& method, const std::string& path,
                                                   const std::string& body, std::chrono::seconds timeout) {
  const std::string socket_path = docker_socket();
  if (socket_path.empty())
    return std::unexpected(fmt::format("DOCKER_HOST is {}: the docker runtime needs this machine's engine, on a "
                                       "unix socket (unset DOCKER_HOST, or unix://PATH)",
                                       std::getenv("DOCKER_HOST")));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return std::unexpected(fmt::format("Docker's socket path {} is too long", socket_path));
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  Fd s{::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)};
  if (s.fd < 0) return std::unexpected(fmt::format("cannot open a socket: {}", std::strerror(errno)));
  // One deadline for the whole exchange: a per-read timeout would wait
  // without bound on an engine that trickles its answer.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto left_ms = [&] {
    return static_cast<int>(std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count()));
  };
  auto wait_for = [&](short events) {
    pollfd p{s.fd, events, 0};
    for (;;) {
      const int left = left_ms();
      if (left == 0) return false;
      const int n = ::poll(&p, 1, left);
      if (n > 0) return true;
      if (n < 0 && errno == EINTR) continue;
      return false;
    }
  };
  timeval tv{static_cast<time_t>(timeout.count()), 0};
  ::setsockopt(s.fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(s.fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
    return std::unexpected(fmt::format("cannot reach Docker's API at {}: {}", socket_path, std::strerror(errno)));
  // HTTP/1.0: the engine answers without chunks and closes the connection,
  // so the response is whatever arrives before the end.
  std::string request = fmt::format("{} {} HTTP/1.0\r\nHost: docker\r\n", method, path);
  if (!body.empty()) request += fmt::format("Content-Type: application/json\r\nContent-Length: {}\r\n", body.size());
  request += "\r\n" + body;
  if (!write_all(s.fd, request))
    return std::unexpected(fmt::format("cannot send to Docker's API at {}: {}", socket_path, std::strerror(errno)));
  std::string response;
  char buf[8192];
  for (;;) {
    if (!wait_for(POLLIN))
      return std::unexpected(fmt::format("no whole answer from Docker's API at {} to {} {} within {} s", socket_path,
                                         method, path, timeout.count()));
    const ssize_t n = ::read(s.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return std::unexpected(fmt::format("no answer from Docker's API at {} to {} {}: {}", socket_path, method, path,
                                         std::strerror(errno)));
    if (n == 0) break;
    response.append(buf, static_cast<size_t>(n));
  }
  // "HTTP/1.0 201 Created\r\n...\r\n\r\nbody"
  const size_t space = response.find(' ');
  const size_t end = response.find("\r\n\r\n");
  if (!response.starts_with("HTTP/") || space == std::string::npos || end == std::string::npos)
    return std::unexpected(fmt::format("Docker's API at {} answered {} {} with no HTTP response", socket_path, method,
                                       path));
  ApiResponse out;
  out.status = std::atoi(response.c_str() + space + 1);
  out.body = response.substr(end + 4);
  return out;
}

}  // namespace anylab
