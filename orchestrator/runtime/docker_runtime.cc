#include "runtime/docker_runtime.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan/render_frr.h"
#include "runtime/docker_api.h"
#include "runtime/netns_backend.h"
#include "runtime/parallel.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Spawns = std::expected<std::vector<Spawned>, std::string>;

// The label key that marks a container as a lab's (its value: the lab).
constexpr const char* kLabKey = "org.anylab.lab";

RunOutput docker(std::vector<std::string> args, std::chrono::seconds timeout = std::chrono::seconds(120)) {
  args.insert(args.begin(), "docker");
  return run_command({"", std::move(args), {}, ""}, "", timeout);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

// The user and group ids of `frr` in the container's own /etc/passwd and
// /etc/group: FRR drops to them, and they need not be the host's.
std::optional<std::pair<uid_t, gid_t>> frr_ids(pid_t init) {
  auto id_in = [&](const std::string& file) -> std::optional<unsigned> {
    std::ifstream in(fmt::format("/proc/{}/root/etc/{}", init, file));
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("frr:")) {
        std::istringstream f(line);
        std::string name, x, id;
        std::getline(f, name, ':'), std::getline(f, x, ':'), std::getline(f, id, ':');
        unsigned value = 0;
        const auto [end, err] = std::from_chars(id.data(), id.data() + id.size(), value);
        if (err != std::errc() || end != id.data() + id.size() || id.empty()) return std::nullopt;  // not a number
        return value;
      }
    return std::nullopt;
  };
  auto uid = id_in("passwd");
  auto gid = id_in("group");
  if (!uid || !gid) return std::nullopt;
  return std::pair<uid_t, gid_t>{*uid, *gid};
}

// A process in the container whose init is `init`: its network namespace
// (by the node's netns name), mount and UTS namespaces.
ProcessSpec in_container(const std::string& netns, pid_t init) {
  ProcessSpec spec;
  spec.netns = netns;
  spec.mount_ns = fmt::format("/proc/{}/ns/mnt", init);
  spec.uts_ns = fmt::format("/proc/{}/ns/uts", init);
  return spec;
}

// The processes in a node's network namespace, one scan of /proc: the
// container's init (its pid 1, as the host numbers it) and the others.
struct InNode {
  pid_t init = 0;
  std::vector<pid_t> others;
};
InNode scan(const std::string& netns) {
  InNode out;
  const uint64_t ino = netns_inode(netns);
  if (!ino) return out;
  for (pid_t pid : processes_in_netns({ino})) {
    std::ifstream in(fmt::format("/proc/{}/status", pid));
    bool init = false;
    for (std::string line; std::getline(in, line);)
      if (line.starts_with("NSpid:")) {
        std::istringstream f(line.substr(6));
        const std::vector<std::string> ids{std::istream_iterator<std::string>(f), {}};
        init = ids.size() >= 2 && ids.back() == "1";
        break;
      }
    if (init && !out.init) out.init = pid;
    else out.others.push_back(pid);
  }
  return out;
}

// The engine's own words on a failed request ({"message": "..."}).
std::string engine_message(const ApiResponse& r) {
  auto j = nlohmann::json::parse(r.body, nullptr, false);
  if (j.is_object() && j.contains("message") && j["message"].is_string())
    return fmt::format("{} (HTTP {})", j["message"].get<std::string>(), r.status);
  return fmt::format("HTTP {}", r.status);
}

// What a container binds from the host, at the same path: the node's
// runtime directory, and FRR's run directory where FRR runs in it.
std::vector<std::string> binds_of(const Node& n) {
  std::vector<std::string> out;
  if (n.kind == NodeKind::kClient) return out;
  out.push_back(n.runtime_dir);
  if (n.kind == NodeKind::kRouter || uses_bfd(n)) out.push_back(frr_run_dir(n.netns));
  return out;
}

class DockerBackend : public Backend {
 public:
  explicit DockerBackend(const Lab& lab) : lab_(lab) {}

  Spawns apply(std::span<const Action> batch) override {
    if (batch.empty()) return std::vector<Spawned>{};
    const ActionKind& first = batch.front().what;
    if (std::holds_alternative<CreateNamespace>(first)) return containers(batch);
    if (std::holds_alternative<StartProcess>(first)) return processes(batch);
    auto done = netns_.apply(batch);
    if (done && std::holds_alternative<CreateDirectory>(first))
      if (auto err = give_to_frr(batch); !err.empty()) return std::unexpected(err);
    return done;
  }

 private:
  const Node& node_of(const Action& a) const {
    const Node* n = lab_.find(a.node);
    if (!n) throw std::logic_error("plan action for an unknown node " + a.node);
    return *n;
  }

  pid_t init_of(const std::string& netns) {
    auto it = init_.find(netns);
    if (it != init_.end()) return it->second;
    const pid_t pid = container_init(netns);
    if (pid) init_[netns] = pid;
    return pid;
  }

  // One container per node, made and started in parallel (each is a few
  // round trips to the daemon, and runc's work), then each one's network
  // namespace attached under the node's netns name.
  Spawns containers(std::span<const Action> batch) {
    std::vector<const Node*> nodes;
    for (const Action& a : batch) nodes.push_back(&node_of(a));
    std::vector<std::string> errors(nodes.size());
    parallel_for(nodes, 8, [&](size_t i, const Node* n) { errors[i] = create(*n); });
    for (const std::string& e : errors)
      if (!e.empty()) return std::unexpected(e);
    std::vector<std::string> inspect{"inspect", "-f", "{{.Name}} {{.State.Pid}}"};
    for (const Node* n : nodes) inspect.push_back(n->netns);
    RunOutput r = docker(inspect);
    if (r.exit_code != 0) return std::unexpected(fmt::format("docker inspect failed on lab {}'s containers", lab_.name));
    std::string attach;
    for (const std::string& line : lines_of(r.out)) {
      std::istringstream f(line);
      std::string name;
      pid_t pid = 0;
      f >> name >> pid;
      if (!name.empty() && name[0] == '/') name.erase(0, 1);
      if (pid <= 0) return std::unexpected(fmt::format("container {} is not running", name));
      init_[name] = pid;
      attach += fmt::format("netns attach {} {}\n", name, pid);
    }
    if (RunOutput a = run_command({"", {"ip", "-batch", "-"}, {}, ""}, attach); a.exit_code != 0)
      return std::unexpected(fmt::format("ip netns attach failed (exit {}) on:\n{}", a.exit_code, attach));
    return std::vector<Spawned>{};
  }

  // Made through the engine's API, not `docker run`: with networking
  // disabled the container still gets a network namespace of its own (only
  // lo), but its start skips Docker's libnetwork-setkey hook, which ran the
  // whole dockerd binary once per container (6 containers started in 1.45 s
  // instead of 3.2 s here). Docker then writes no /etc/hosts: the node's
  // own, bound read-only, makes its name resolve to itself without DNS
  // (ExaBGP asks for its FQDN at start: 5 s of DNS timeouts otherwise).
  std::string create(const Node& n) {
    std::error_code ec;
    fs::create_directories(n.runtime_dir, ec);
    const std::string hosts = n.runtime_dir + "/hosts";
    if (auto w = write_file_nofollow(hosts, fmt::format("127.0.0.1\tlocalhost\n127.0.1.1\t{}\n::1\tlocalhost ip6-localhost\n", n.name)); !w)
      return w.error();
    nlohmann::json binds = nlohmann::json::array({hosts + ":/etc/hosts:ro"});
    for (const std::string& dir : binds_of(n)) {
      fs::create_directories(dir, ec);
      if (ec) return fmt::format("cannot create {}: {}", dir, ec.message());
      binds.push_back(dir + ":" + dir);
    }
    const std::string image = lab_.image_of(n);
    const nlohmann::json spec = {
        {"Image", image},
        {"Cmd", {"sleep", "infinity"}},
        {"Hostname", n.name},
        {"Labels", {{kLabKey, lab_.name}, {"org.anylab.node", n.name}}},
        {"StopSignal", "SIGKILL"},
        {"NetworkDisabled", true},
        {"HostConfig", {{"NetworkMode", "none"}, {"Binds", binds}}},
    };
    // Recorded before it is made (its name) and right after (its id), as
    // processes are: destroy removes what the record names, whatever moment
    // anylab was stopped at, and nothing it does not.
    if (auto r = record_container(lab_.name, "name " + n.netns); !r) return r.error();
    auto made = docker_api("POST", "/containers/create?name=" + n.netns, spec.dump());
    if (!made) return made.error();
    if (made->status != 201)
      return fmt::format("docker could not make the container {} for {} from {}: {}", n.netns, n.name, image,
                         engine_message(*made));
    const auto id = nlohmann::json::parse(made->body, nullptr, false);
    if (id.is_discarded() || !id.contains("Id"))
      return fmt::format("docker made the container {} but did not say its id", n.netns);
    if (auto r = record_container(lab_.name, "id " + id["Id"].get<std::string>()); !r) return r.error();
    auto started = docker_api("POST", "/containers/" + n.netns + "/start");
    if (!started) return started.error();
    if (started->status != 204 && started->status != 304)
      return fmt::format("docker could not start the container {} for {}: {}", n.netns, n.name,
                         engine_message(*started));
    return "";
  }

  // FRR drops to the container's frr user, whose ids may not be the host's.
  std::string give_to_frr(std::span<const Action> batch) {
    for (const Action& a : batch) {
      const auto* d = std::get_if<CreateDirectory>(&a.what);
      if (!d || !d->frr_owned || a.node.empty()) continue;
      const Node& n = node_of(a);
      const pid_t init = init_of(n.netns);
      auto ids = init ? frr_ids(init) : std::nullopt;
      if (!ids)
        return fmt::format("the image of {} ({}) has no frr user with a numeric id in its /etc/passwd and /etc/group",
                           n.name, lab_.image_of(n));
      for (const std::string& dir : binds_of(n))
        if (::lchown(dir.c_str(), ids->first, ids->second) != 0)
          return fmt::format("cannot give {} to the container's frr user", dir);
    }
    return "";
  }

  Spawns processes(std::span<const Action> batch) {
    std::vector<Spawned> out;
    for (const Action& a : batch) {
      const auto& p = std::get<StartProcess>(a.what);
      const pid_t init = init_of(p.netns);
      if (!init) return std::unexpected(fmt::format("the container of {} is not running", a.node));
      ProcessSpec spec = in_container(p.netns, init);
      spec.argv = p.argv;
      spec.env = p.env;
      spec.log_file = p.log_file;
      auto pid = spawn_detached(spec);
      if (!pid) return std::unexpected(pid.error());
      out.push_back({*pid, process_start_time(*pid).value_or(0), a.node, p.name});
    }
    return out;
  }

  const Lab& lab_;
  NetnsBackend netns_;
  std::map<std::string, pid_t> init_;
};

}  // namespace

pid_t container_init(const std::string& netns) { return scan(netns).init; }

std::string lab_label(const std::string& lab) { return std::string(kLabKey) + "=" + lab; }

std::expected<ProcessSpec, std::string> DockerRuntime::process_in(const Node& n) const {
  const pid_t init = container_init(n.netns);
  if (!init) return std::unexpected(fmt::format("the container of {} ({}) is not running", n.name, n.netns));
  return in_container(n.netns, init);
}

std::vector<pid_t> DockerRuntime::processes(const Node& n) const { return scan(n.netns).others; }

std::unique_ptr<Backend> DockerRuntime::backend(const Lab& lab) const { return std::make_unique<DockerBackend>(lab); }

std::vector<std::string> DockerRuntime::missing(const Lab& lab) const {
  RunOutput info = docker({"info", "--format", "{{.ServerVersion}}"}, std::chrono::seconds(20));
  if (info.exit_code != 0)
    return {"the docker runtime needs a Docker engine, and this one is not reachable: start it (`dockerd &`, or "
            "`systemctl start docker`), or install it (apt-get install docker.io)"};
  std::vector<std::string> problems;
  std::set<std::string> images;
  for (const Node& n : lab.nodes) images.insert(lab.image_of(n));
  for (const std::string& image : images)
    if (docker({"image", "inspect", "--format", "{{.Id}}", image}).exit_code != 0)
      problems.push_back(fmt::format("the image {} is missing: build anylab's images with images/build.sh", image));
  return problems;
}

std::vector<std::string> DockerRuntime::in_the_way(const Lab& lab) const {
  RunOutput r = docker({"ps", "-a", "--format", "{{.Names}}"});
  std::vector<std::string> out;
  if (r.exit_code != 0) return out;  // missing() said why
  const std::vector<std::string> names = lines_of(r.out);
  const std::set<std::string> existing(names.begin(), names.end());
  for (const Node& n : lab.nodes)
    if (existing.contains(n.netns))
      out.push_back(fmt::format("the container {} already exists, and no deploy of lab {} made it: anylab leaves it "
                                "alone; if it is a leftover of yours, remove it (docker rm -f {}) and deploy again",
                                n.netns, lab.name, n.netns));
  return out;
}

std::expected<void, std::string> record_container(const std::string& lab, const std::string& line) {
  const std::string path = containers_record(lab);
  const std::string dir = fs::path(path).parent_path().string();
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    return std::unexpected(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(fmt::format("cannot record lab {}'s containers in {}: {}", lab, path, std::strerror(errno)));
  const std::string l = line + "\n";
  const bool written = ::write(fd, l.data(), l.size()) == static_cast<ssize_t>(l.size());
  ::close(fd);
  if (!written) return std::unexpected(fmt::format("cannot record lab {}'s containers in {}", lab, path));
  return {};
}

// Whether a container whose removal is under way is gone within 30 s.
bool removed_meanwhile(const std::string& ref) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = docker_api("GET", "/containers/" + ref + "/json", "", std::chrono::seconds(10));
    if (r && r->status == 404) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// Only what the record names, and of that only a container that carries the
// lab's label: a recorded name someone reused for a container of their own
// is left alone.
int remove_containers(const std::string& lab, std::vector<std::string>& problems) {
  const std::string record = containers_record(lab);
  std::ifstream in(record);
  if (!in) return 0;
  std::map<std::string, std::string> refs;  // name or id -> "name" or "id"
  for (std::string kind, ref; in >> kind >> ref;) refs[ref] = kind;
  // A deploy killed while it asked for a container leaves the engine making
  // it (found by ci/chaos.sh: the container appeared after destroy had
  // looked): a recorded name the engine does not know yet may appear a
  // moment later. Until kInFlight has passed since the record was last
  // written, a missing name is looked for again. An id is recorded only
  // once its container exists.
  constexpr auto kInFlight = std::chrono::seconds(15);
  std::error_code ec;
  const auto written = fs::last_write_time(record, ec);
  const auto settled = ec ? fs::file_time_type::clock::now() : written + kInFlight;
  int removed = 0;
  for (const auto& [ref, kind] : refs) {
    auto found = docker_api("GET", "/containers/" + ref + "/json", "", std::chrono::seconds(20));
    while (kind == "name" && found && found->status == 404 && fs::file_time_type::clock::now() < settled) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      found = docker_api("GET", "/containers/" + ref + "/json", "", std::chrono::seconds(20));
    }
    if (!found) {
      problems.push_back(fmt::format("cannot remove lab {}'s containers: {}", lab, found.error()));
      return removed;
    }
    if (found->status == 404) continue;  // gone already, or never made
    const auto j = nlohmann::json::parse(found->body, nullptr, false);
    const auto labels = j.is_discarded() ? nlohmann::json() : j["Config"]["Labels"];
    if (!labels.is_object() || labels.value(kLabKey, "") != lab) continue;
    // The node's daemons entered the container's namespaces but are not its
    // init's children: without a journal (after /run was lost) they are
    // found in its network namespace, and go first.
    if (const pid_t init = j["State"].value("Pid", 0); init > 0)
      if (const uint64_t ino = process_netns_inode(init))
        for (pid_t p : processes_in_netns({ino})) ::kill(p, SIGKILL);
    auto gone = docker_api("DELETE", "/containers/" + ref + "?force=1&v=1", "", std::chrono::seconds(60));
    // 409: a removal already under way (an earlier destroy, killed after it
    // asked): waited for, up to 30 s, rather than reported.
    if (gone && gone->status == 409 && removed_meanwhile(ref)) gone->status = 204;
    if (!gone || (gone->status != 204 && gone->status != 404))
      problems.push_back(fmt::format("docker could not remove {}: {}", ref, gone ? engine_message(*gone) : gone.error()));
    else
      removed += gone->status == 204;
  }
  if (problems.empty()) fs::remove(record);
  return removed;
}

}  // namespace anylab
