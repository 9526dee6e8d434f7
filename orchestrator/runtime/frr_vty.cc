#include "runtime/frr_vty.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace anylab {

std::optional<std::string> frr_vty(const std::string& instance, const std::string& daemon,
                                   const std::string& command, std::chrono::milliseconds timeout) {
  const std::string path = "/var/run/frr/" + instance + "/" + daemon + ".vty";
  sockaddr_un addr{};
  if (path.size() >= sizeof addr.sun_path) return std::nullopt;
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::send(fd, command.c_str(), command.size() + 1, MSG_NOSIGNAL) == static_cast<ssize_t>(command.size() + 1)) {
    std::string buf;
    char chunk[65536];
    for (;;) {
      if (buf.size() >= 4 && buf.compare(buf.size() - 4, 3, std::string(3, '\0')) == 0) {
        if (buf.back() == 0) result = buf.substr(0, buf.size() - 4);  // status 0: CMD_SUCCESS
        break;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buf.append(chunk, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return result;
}

}  // namespace anylab
