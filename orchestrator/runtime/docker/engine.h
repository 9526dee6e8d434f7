#pragma once

#include "core/error.h"

#include <sys/types.h>

#include <chrono>
#include <expected>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace anylab {

// The Docker Engine's HTTP API on its local socket: everything anylab asks
// of the engine goes through an Engine (create, start, inspect, list,
// remove, image check, info), none through the docker CLI. libcurl speaks
// HTTP (keep-alive, chunked bodies); each call has one overall deadline.
struct ApiResponse {
  int status = 0;  // the HTTP status
  std::string body;
};

// What the engine says of one container.
struct ContainerInfo {
  std::string id;
  pid_t pid = 0;  // its init as the host numbers it; 0 when it is not running
  std::map<std::string, std::string> labels;
  std::string label(const std::string& key) const {
    auto it = labels.find(key);
    return it == labels.end() ? "" : it->second;
  }
};

// A container to make: running `cmd` from `image`, without a network of
// Docker's making (its own namespace, only lo), the binds "HOST:CONTAINER[:ro]".
struct ContainerSpec {
  std::string name, image, hostname;
  std::vector<std::string> cmd;
  std::map<std::string, std::string> labels;
  std::vector<std::string> binds;
};

// A client of the local engine. Its connection is kept between calls (one
// Engine per thread: it is not shared). Every error names the socket and
// what was asked, with the engine's own words when it answered.
class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  using Seconds = std::chrono::seconds;
  // A container by name or id; nullopt when the engine has none of it.
  std::expected<std::optional<ContainerInfo>, Error> inspect(const std::string& ref, Seconds timeout = Seconds(20));
  // The names of every container (running or not).
  std::expected<std::vector<std::string>, Error> container_names(Seconds timeout = Seconds(30));
  // Made (not started); its id.
  std::expected<std::string, Error> create(const ContainerSpec& spec, Seconds timeout = Seconds(120));
  std::expected<void, Error> start(const std::string& ref, Seconds timeout = Seconds(120));
  // Removed with its anonymous volumes, killed first if it runs. kGone: it
  // was not there; kUnderWay: another removal of it had begun.
  enum class Removal { kRemoved, kGone, kUnderWay };
  std::expected<Removal, Error> remove(const std::string& ref, Seconds timeout = Seconds(60));
  std::expected<bool, Error> has_image(const std::string& image, Seconds timeout = Seconds(20));
  // Whether the engine answers at all.
  std::expected<void, Error> ping(Seconds timeout = Seconds(20));

  // One request ("POST", "/containers/create?name=x", a JSON body or ""),
  // unversioned: the engine answers in its own API version.
  std::expected<ApiResponse, Error> request(const std::string& method, const std::string& path,
                                                  const std::string& body = "", Seconds timeout = Seconds(120));

 private:
  struct Connection;
  std::unique_ptr<Connection> connection_;
};

// The engine's socket: DOCKER_HOST's unix:// path, or /var/run/docker.sock.
// Empty when DOCKER_HOST names an engine elsewhere: the container runtimes
// need the local one, whose processes they enter.
std::string docker_socket();

// The engine's own words on a failed request ({"message": "..."}), with the
// HTTP status.
std::string engine_message(const ApiResponse& r);

// A path segment or query value, percent-encoded.
std::string url_escape(const std::string& s);

}  // namespace anylab
