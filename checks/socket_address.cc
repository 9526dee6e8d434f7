#include "socket_address.h"

#include <arpa/inet.h>

#include <cstring>

namespace anylab::checks {

std::optional<SocketAddress> socket_address(const std::string& address, uint16_t port) {
  SocketAddress out;
  if (address.find(':') == std::string::npos) {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.storage);
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &in->sin_addr) != 1) return std::nullopt;
    out.length = sizeof(sockaddr_in);
    return out;
  }
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  in6->sin6_family = AF_INET6;
  in6->sin6_port = htons(port);
  if (::inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr) != 1) return std::nullopt;
  out.length = sizeof(sockaddr_in6);
  return out;
}

}  // namespace anylab::checks
