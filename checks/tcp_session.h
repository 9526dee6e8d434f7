#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "timeline.h"
#include "unique_fd.h"

namespace anylab::checks {

// A socket made inside a network namespace: the one behind an open fd, or,
// where there is no value, the caller's own. A fd that is not open (a
// namespace that could not be opened) is an error, never "here". A socket
// keeps the namespace it was made in, so a thread enters the namespace just
// to make it. Returns the fd, or the error.
using NetnsFd = std::optional<int>;
std::expected<UniqueFd, std::string> socket_in_netns(NetnsFd netns, int family, int type);
// A TCP connection made from inside a network namespace, within `timeout`:
// "cannot connect: ..." when it is refused or unroutable, "no connection
// within ..." when nothing answers.
std::expected<UniqueFd, std::string> connect_in_netns(NetnsFd netns, const std::string& address, uint16_t port,
                                                      Micros timeout);

// One long-lived TCP connection from a client to a service, carrying a
// request now and then: it must survive a path change that keeps the same
// instance, and break (the new instance resets it) when it does not.
class TcpSession {
 public:
  static std::expected<std::unique_ptr<TcpSession>, std::string> open(NetnsFd netns, const std::string& address,
                                                                      uint16_t port, Micros timeout);

  // Sends a request on the connection and waits for the reply: the name of
  // the instance that answered, or what happened instead ("reset by the
  // network", "closed", "no answer within 2s").
  std::expected<std::string, std::string> ask(Micros timeout);

 private:
  explicit TcpSession(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  unsigned seq_ = 0;
};

}  // namespace anylab::checks
