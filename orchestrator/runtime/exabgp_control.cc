#include "runtime/exabgp_control.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "plan/render_exabgp.h"

namespace anylab {

std::expected<void, std::string> exabgp_send(const Node& instance, const std::string& command) {
  const std::string fifo = control_fifo(instance);
  // Non-blocking: with no reader, open fails (ENXIO) instead of hanging.
  int fd = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return std::unexpected(fmt::format("ExaBGP's control channel of {} is not open ({}: {}); is the lab deployed?",
                                       instance.name, fifo, std::strerror(errno)));
  const std::string line = command + "\n";
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return std::unexpected(fmt::format("cannot write to {}: {}", fifo, std::strerror(errno)));
  return {};
}

}  // namespace anylab
