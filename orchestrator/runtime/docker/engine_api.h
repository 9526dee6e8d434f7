#pragma once

#include <chrono>
#include <expected>
#include <string>

namespace anylab {

// The Docker Engine's HTTP API on its local socket: everything anylab asks
// of the engine goes through here (create, start, inspect, list, pause,
// remove, image inspect, info), none through the docker CLI. libcurl speaks
// HTTP (keep-alive, chunked bodies); each call has one overall deadline.
struct ApiResponse {
  int status = 0;  // the HTTP status
  std::string body;
};

// The engine's socket: DOCKER_HOST's unix:// path, or /var/run/docker.sock.
// Empty when DOCKER_HOST names an engine elsewhere: the container runtimes
// need the local one, whose processes they enter.
std::string docker_socket();

// One request ("POST", "/containers/create?name=x", a JSON body or ""),
// unversioned: the engine answers in its own API version. The error says
// what failed, naming the socket.
std::expected<ApiResponse, std::string> docker_api(const std::string& method, const std::string& path,
                                                   const std::string& body = "",
                                                   std::chrono::seconds timeout = std::chrono::seconds(120));

// The engine's own words on a failed request ({"message": "..."}), with the
// HTTP status.
std::string engine_message(const ApiResponse& r);

// A path segment or query value, percent-encoded.
std::string url_escape(const std::string& s);

}  // namespace anylab
