#pragma once

#include <chrono>
#include <expected>
#include <string>

namespace anylab {

// The Docker Engine's HTTP API on its local socket, for what the docker CLI
// cannot ask: a container with networking disabled, whose start skips
// Docker's libnetwork-setkey hook (the dockerd binary run once more per
// container start, about 0.3 s of CPU each, even with --network none).
struct ApiResponse {
  int status = 0;  // the HTTP status
  std::string body;
};

// The engine's socket: DOCKER_HOST's unix:// path, or /var/run/docker.sock.
// Empty when DOCKER_HOST names an engine elsewhere: the docker runtime needs
// the local one, whose processes it enters.
std::string docker_socket();

// One request ("POST", "/containers/create?name=x", a JSON body or ""),
// unversioned: the engine answers in its own API version. The error says
// what failed, naming the socket.
std::expected<ApiResponse, std::string> docker_api(const std::string& method, const std::string& path,
                                                   const std::string& body = "",
                                                   std::chrono::seconds timeout = std::chrono::seconds(120));

}  // namespace anylab
