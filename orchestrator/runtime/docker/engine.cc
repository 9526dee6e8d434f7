#include "runtime/docker/engine.h"
#include "core/error.h"

#include <curl/curl.h>

#include <cstdlib>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace anylab {

std::string docker_socket() {
  const char* host = std::getenv("DOCKER_HOST");
  if (!host || !*host) return "/var/run/docker.sock";
  const std::string h = host;
  return h.starts_with("unix://") ? h.substr(7) : "";
}

namespace {

using nlohmann::json;

// curl_global_init is not thread-safe; containers are made from several
// threads.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_NOTHING); });
}

size_t append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string failed(const std::string& what, const ApiResponse& r) { return what + ": " + engine_message(r); }

}  // namespace

// The handle, kept between requests: libcurl keeps its connection to the
// socket open (the engine speaks HTTP/1.1 keep-alive) and reuses it.
struct Engine::Connection {
  CURL* h = curl_easy_init();
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  ~Connection() {
    curl_slist_free_all(headers);
    if (h) curl_easy_cleanup(h);
  }
};

Engine::Engine() {
  init_curl_once();
  connection_ = std::make_unique<Connection>();
}
Engine::~Engine() = default;

std::expected<ApiResponse, Error> Engine::request(const std::string& method, const std::string& path,
                                                        const std::string& body, Seconds timeout) {
  const std::string socket_path = docker_socket();
  if (socket_path.empty())
    return fail(fmt::format("DOCKER_HOST is {}: anylab's container runtimes need this machine's engine, "
                            "on a unix socket (unset DOCKER_HOST, or unix://PATH)",
                            std::getenv("DOCKER_HOST")));
  CURL* h = connection_->h;
  if (!h) return fail("cannot start an HTTP request (libcurl)");
  curl_easy_reset(h);  // options only: the open connection is kept
  ApiResponse out;
  const std::string url = "http://docker" + path;
  curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, socket_path.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method.c_str());
  // One deadline for the whole exchange: an engine that trickles its answer
  // ends at it too.
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() * 1000));
  // No signals (SIGALRM for name lookups, SIGPIPE on a closed socket): the
  // calls come from several threads, and a closed socket is an error here.
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out.body);
  if (!body.empty() || method == "POST") {
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, connection_->headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return fail(fmt::format("no whole answer from Docker's API at {} to {} {} within {} s", socket_path,
                            method, path, timeout.count()));
  if (rc == CURLE_COULDNT_CONNECT)
    return fail(fmt::format("cannot reach Docker's API at {}: is the engine running?", socket_path));
  if (rc != CURLE_OK)
    return fail(fmt::format("no answer from Docker's API at {} to {} {}: {}", socket_path, method, path,
                            curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  return out;
}

std::expected<std::optional<ContainerInfo>, Error> Engine::inspect(const std::string& ref, Seconds timeout) {
  auto r = request("GET", "/containers/" + url_escape(ref) + "/json", "", timeout);
  if (!r) return fail(r.error());
  if (r->status == 404) return std::nullopt;
  if (r->status != 200) return fail(failed("docker cannot say what " + ref + " is", *r));
  const json j = json::parse(r->body, nullptr, false);
  if (!j.is_object() || !j.contains("Id") || !j["Id"].is_string())
    return fail(fmt::format("docker said of {} what is not a container", ref));
  ContainerInfo info;
  info.id = j["Id"].get<std::string>();
  if (j.contains("State") && j["State"].is_object()) info.pid = j["State"].value("Pid", 0);
  if (j.contains("Config") && j["Config"].is_object() && j["Config"].contains("Labels") &&
      j["Config"]["Labels"].is_object())
    for (const auto& [k, v] : j["Config"]["Labels"].items())
      if (v.is_string()) info.labels[k] = v.get<std::string>();
  return info;
}

std::expected<std::vector<std::string>, Error> Engine::container_names(Seconds timeout) {
  auto r = request("GET", "/containers/json?all=1", "", timeout);
  if (!r) return fail(r.error());
  if (r->status != 200) return fail(failed("docker could not list its containers", *r));
  const json j = json::parse(r->body, nullptr, false);
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& c : j)
    if (c.is_object() && c.contains("Names") && c["Names"].is_array())
      for (const auto& name : c["Names"])
        if (name.is_string()) out.push_back(name.get<std::string>().substr(name.get<std::string>().starts_with("/")));
  return out;
}

std::expected<std::string, Error> Engine::create(const ContainerSpec& s, Seconds timeout) {
  const json spec = {
      {"Image", s.image},
      {"Cmd", s.cmd},
      {"Hostname", s.hostname},
      {"Labels", s.labels},
      {"StopSignal", "SIGKILL"},
      {"NetworkDisabled", true},
      {"HostConfig", {{"NetworkMode", "none"}, {"Binds", s.binds}}},
  };
  auto r = request("POST", "/containers/create?name=" + url_escape(s.name), spec.dump(), timeout);
  if (!r) return fail(r.error());
  if (r->status != 201)
    return fail(failed(fmt::format("docker could not make the container {} from {}", s.name, s.image), *r));
  const json id = json::parse(r->body, nullptr, false);
  if (!id.is_object() || !id.contains("Id") || !id["Id"].is_string())
    return fail(fmt::format("docker made the container {} but did not say its id", s.name));
  return id["Id"].get<std::string>();
}

std::expected<void, Error> Engine::start(const std::string& ref, Seconds timeout) {
  auto r = request("POST", "/containers/" + url_escape(ref) + "/start", "", timeout);
  if (!r) return fail(r.error());
  if (r->status != 204 && r->status != 304) return fail(failed("docker could not start " + ref, *r));
  return {};
}

std::expected<Engine::Removal, Error> Engine::remove(const std::string& ref, Seconds timeout) {
  auto r = request("DELETE", "/containers/" + url_escape(ref) + "?force=1&v=1", "", timeout);
  if (!r) return fail(r.error());
  if (r->status == 204) return Removal::kRemoved;
  if (r->status == 404) return Removal::kGone;
  if (r->status == 409) return Removal::kUnderWay;
  return fail(failed("docker could not remove " + ref, *r));
}

std::expected<bool, Error> Engine::has_image(const std::string& image, Seconds timeout) {
  auto r = request("GET", "/images/" + url_escape(image) + "/json", "", timeout);
  if (!r) return fail(r.error());
  if (r->status == 200) return true;
  if (r->status == 404) return false;
  return fail(failed("docker cannot say whether it has " + image, *r));
}

std::expected<void, Error> Engine::ping(Seconds timeout) {
  auto r = request("GET", "/info", "", timeout);
  if (!r) return fail(r.error());
  if (r->status != 200) return fail(failed("docker does not answer", *r));
  return {};
}

std::string engine_message(const ApiResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    return fmt::format("{} (HTTP {})", j["message"].get<std::string>(), r.status);
  return fmt::format("HTTP {}", r.status);
}

std::string url_escape(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace anylab
