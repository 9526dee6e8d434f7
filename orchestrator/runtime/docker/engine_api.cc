#include "runtime/docker/engine_api.h"

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

// One request's handle and headers, freed once: not to be copied.
struct Easy {
  CURL* h = curl_easy_init();
  curl_slist* headers = nullptr;
  Easy() = default;
  Easy(const Easy&) = delete;
  Easy& operator=(const Easy&) = delete;
  ~Easy() {
    curl_slist_free_all(headers);
    if (h) curl_easy_cleanup(h);
  }
};

}  // namespace

std::expected<ApiResponse, std::string> docker_api(const std::string& method, const std::string& path,
                                                   const std::string& body, std::chrono::seconds timeout) {
  const std::string socket_path = docker_socket();
  if (socket_path.empty())
    return std::unexpected(fmt::format("DOCKER_HOST is {}: anylab's container runtimes need this machine's engine, "
                                       "on a unix socket (unset DOCKER_HOST, or unix://PATH)",
                                       std::getenv("DOCKER_HOST")));
  init_curl_once();
  Easy e;
  if (!e.h) return std::unexpected("cannot start an HTTP request (libcurl)");
  ApiResponse out;
  const std::string url = "http://docker" + path;
  curl_easy_setopt(e.h, CURLOPT_UNIX_SOCKET_PATH, socket_path.c_str());
  curl_easy_setopt(e.h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e.h, CURLOPT_CUSTOMREQUEST, method.c_str());
  // One deadline for the whole exchange: an engine that trickles its answer
  // ends at it too.
  curl_easy_setopt(e.h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count() * 1000));
  // No signals (SIGALRM for name lookups, SIGPIPE on a closed socket): the
  // calls come from several threads, and a closed socket is an error here.
  curl_easy_setopt(e.h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e.h, CURLOPT_PROTOCOLS_STR, "http");
  curl_easy_setopt(e.h, CURLOPT_WRITEFUNCTION, append);
  curl_easy_setopt(e.h, CURLOPT_WRITEDATA, &out.body);
  if (!body.empty() || method == "POST") {
    e.headers = curl_slist_append(e.headers, "Content-Type: application/json");
    curl_easy_setopt(e.h, CURLOPT_HTTPHEADER, e.headers);
    curl_easy_setopt(e.h, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(e.h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  const CURLcode rc = curl_easy_perform(e.h);
  if (rc == CURLE_OPERATION_TIMEDOUT)
    return std::unexpected(fmt::format("no whole answer from Docker's API at {} to {} {} within {} s", socket_path,
                                       method, path, timeout.count()));
  if (rc == CURLE_COULDNT_CONNECT)
    return std::unexpected(fmt::format("cannot reach Docker's API at {}: is the engine running?", socket_path));
  if (rc != CURLE_OK)
    return std::unexpected(fmt::format("no answer from Docker's API at {} to {} {}: {}", socket_path, method, path,
                                       curl_easy_strerror(rc)));
  long status = 0;
  curl_easy_getinfo(e.h, CURLINFO_RESPONSE_CODE, &status);
  out.status = static_cast<int>(status);
  return out;
}

std::string engine_message(const ApiResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
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
