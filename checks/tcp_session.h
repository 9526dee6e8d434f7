#pragma once

#include <expected>
#include <memory>
#include <string>

#include "timeline.h"

namespace anylab::checks {

// A socket made inside a network namespace (an open fd of it; -1 for the
// caller's own): a socket keeps the namespace it was made in, so a thread
// enters the namespace just to make it. Returns the fd, or the error.
std::expected<int, std::string> socket_in_netns(int netns_fd, int type);

// One long-lived TCP connection from a client to a service, carrying a
// request now and then: it must survive a path change that keeps the same
// instance, and break (the new instance resets it) when it does not.
class TcpSession {
 public:
  static std::expected<std::unique_ptr<TcpSession>, std::string> open(int netns_fd, const std::string& address,
                                                                      uint16_t port, Micros timeout);
  ~TcpSession();
  TcpSession(const TcpSession&) = delete;
  TcpSession& operator=(const TcpSession&) = delete;

  // Sends a request on the connection and waits for the reply: the name of
  // the instance that answered, or what happened instead ("reset by the
  // network", "closed", "no answer within 2s").
  std::expected<std::string, std::string> ask(Micros timeout);

 private:
  explicit TcpSession(int fd) : fd_(fd) {}
  int fd_;
  unsigned seq_ = 0;
};

}  // namespace anylab::checks
