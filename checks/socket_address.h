#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

namespace anylab::checks {

// An IPv4 or IPv6 address and port, ready for connect(2) or bind(2): the
// probe, prober, TCP session and responder all speak both families.
struct SocketAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family() const { return storage.ss_family; }
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// From text ("192.0.2.53", "2001:db8:53::53"); nullopt if it is neither.
std::optional<SocketAddress> socket_address(const std::string& address, uint16_t port);

}  // namespace anylab::checks
