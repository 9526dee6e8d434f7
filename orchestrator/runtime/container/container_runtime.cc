#include "runtime/container/container_runtime.h"
#include "core/error.h"

#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "plan/render_frr.h"
#include "runtime/docker/engine.h"
#include "runtime/parallel.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using Spawns = std::expected<std::vector<Spawned>, Error>;

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

std::vector<std::string> binds_of(const Node& n) {
  std::vector<std::string> out;
  if (n.kind == NodeKind::kClient) return out;
  out.push_back(n.runtime_dir);
  if (n.kind == NodeKind::kRouter || uses_bfd(n)) out.push_back(frr_run_dir(n.netns));
  return out;
}

NodeRuntime::Result signal_all(const std::vector<pid_t>& pids, const Node& n, int sig, const char* what) {
  if (pids.empty()) return fail(fmt::format("{} runs nothing to {}", n.name, what));
  for (pid_t p : pids) ::kill(p, sig);
  return {};
}

// Whether a container whose removal is under way is gone within 30 s.
bool removed_meanwhile(Engine& engine, const std::string& ref) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = engine.inspect(ref, std::chrono::seconds(10));
    if (r && !*r) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace

pid_t container_init(const std::string& netns) { return scan(netns).init; }

std::string ContainerRuntime::netns_path(const Node& n) const { return anylab::netns_path(n.netns); }

std::expected<ProcessSpec, Error> ContainerRuntime::process_in(const Node& n) const {
  const pid_t init = container_init(n.netns);
  if (!init) return fail(fmt::format("the container of {} ({}) is not running", n.name, n.netns));
  return in_container(n.netns, init);
}

std::vector<pid_t> ContainerRuntime::processes(const Node& n) const { return scan(n.netns).others; }

NodeRuntime::Result ContainerRuntime::kill_all(const Node& n) const {
  return signal_all(processes(n), n, SIGKILL, "crash");
}
NodeRuntime::Result ContainerRuntime::freeze(const Node& n) const {
  return signal_all(processes(n), n, SIGSTOP, "freeze");
}
void ContainerRuntime::thaw(const Node& n) const { (void)signal_all(processes(n), n, SIGCONT, "continue"); }

bool ContainerRuntime::has_remains(const std::string& lab) const { return fs::exists(containers_record(lab)); }

std::expected<std::vector<std::string>, Error> prepare_binds(const Node& n) {
  std::error_code ec;
  fs::create_directories(n.runtime_dir, ec);
  if (ec) return fail(fmt::format("cannot create {}: {}", n.runtime_dir, ec.message()));
  const std::string hosts = node_file(n, NodeFile::kHosts);
  if (auto w = write_file_nofollow(hosts, fmt::format("127.0.0.1\tlocalhost\n127.0.1.1\t{}\n::1\tlocalhost ip6-localhost\n", n.name)); !w)
    return fail(w.error());
  std::vector<std::string> out{hosts + ":/etc/hosts:ro"};
  for (const std::string& dir : binds_of(n)) {
    fs::create_directories(dir, ec);
    if (ec) return fail(fmt::format("cannot create {}: {}", dir, ec.message()));
    out.push_back(dir + ":" + dir);
  }
  return out;
}

std::string engine_unreachable_fix() {
  return "anylab's container runtimes need a Docker engine, and this one is not reachable: start it (`dockerd &`, or "
         "`systemctl start docker`), or install it (apt-get install docker.io)";
}

std::vector<std::string> missing_images(const Lab& lab) {
  Engine engine;
  if (!engine.ping()) return {engine_unreachable_fix()};
  std::vector<std::string> problems;
  std::set<std::string> images;
  for (const Node& n : lab.nodes) images.insert(lab.image_of(n));
  for (const std::string& image : images) {
    auto has = engine.has_image(image);
    if (!has) problems.push_back(has.error().message);
    else if (!*has)
      problems.push_back(fmt::format("the image {} is missing: build anylab's images with images/build.sh", image));
  }
  return problems;
}

// Only what the record names, and of that only a container whose id was
// recorded or that carries the deploy's token: a recorded name someone
// reused for a container of their own is left alone.
void ContainerRuntime::remove(const std::string& lab, RemoveReport& report) const {
  const std::string record = containers_record(lab);
  if (!fs::exists(record)) return;
  const ContainersRecord rec = read_containers_record(lab);
  // A deploy killed while it asked for a container leaves the engine making
  // it (found by ci/chaos.sh: the container appeared after destroy had
  // looked): a recorded name the engine does not know yet, and whose id was
  // never recorded, may appear a moment later. Until kInFlight has passed
  // since the record was last written, such a name is looked for again. An
  // id is recorded (with its name) only once its container exists.
  constexpr auto kInFlight = std::chrono::seconds(15);
  std::error_code ec;
  const auto written = fs::last_write_time(record, ec);
  const auto settled = ec ? fs::file_time_type::clock::now() : written + kInFlight;
  std::set<std::string> made;  // names whose id was recorded
  std::map<std::string, std::string> refs;  // name or id -> "name" or "id"
  for (const auto& [id, name] : rec.ids) {
    refs[id] = "id";
    made.insert(name);
  }
  for (const std::string& name : rec.names) refs[name] = "name";
  std::vector<std::string>& problems = report.problems;
  Engine engine;
  for (const auto& [ref, kind] : refs) {
    auto found = engine.inspect(ref);
    while (kind == "name" && !made.contains(ref) && found && !*found && fs::file_time_type::clock::now() < settled) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      found = engine.inspect(ref);
    }
    if (!found) {
      problems.push_back(fmt::format("cannot remove lab {}'s containers: {}", lab, found.error()));
      return;
    }
    if (!*found || !rec.ours(**found, lab)) continue;  // gone already, never made, or not the lab's
    // The node's daemons entered the container's namespaces but are not its
    // init's children: without a journal (after /run was lost) they are
    // found in its network namespace, and go first.
    if (const pid_t init = (*found)->pid; init > 0)
      if (const uint64_t ino = process_netns_inode(init))
        for (pid_t p : processes_in_netns({ino})) ::kill(p, SIGKILL);
    auto gone = engine.remove(ref);
    // A removal already under way (an earlier destroy, killed after it
    // asked): waited for, up to 30 s, rather than reported.
    if (gone && *gone == Engine::Removal::kUnderWay && removed_meanwhile(engine, ref)) gone = Engine::Removal::kRemoved;
    if (!gone) problems.push_back(gone.error().message);
    else if (*gone == Engine::Removal::kUnderWay) problems.push_back(fmt::format("docker is still removing {}", ref));
    else report.containers += *gone == Engine::Removal::kRemoved;
  }
  if (problems.empty()) fs::remove(record);
}

// ---- the backend ----

const Node& ContainerBackend::node_of(const Action& a) const {
  const Node* n = lab_.find(a.node);
  if (!n) throw std::logic_error("plan action for an unknown node " + a.node);
  return *n;
}

pid_t ContainerBackend::init_of(const std::string& netns) {
  auto it = init_.find(netns);
  if (it != init_.end()) return it->second;
  const pid_t pid = container_init(netns);
  if (pid) init_[netns] = pid;
  return pid;
}

Spawns ContainerBackend::apply(std::span<const Action> batch) {
  if (batch.empty()) return std::vector<Spawned>{};
  const ActionKind& first = batch.front().what;
  if (std::holds_alternative<CreateNamespace>(first)) return containers(batch);
  if (std::holds_alternative<StartProcess>(first)) return processes(batch);
  if (std::holds_alternative<CreateVeth>(first) && wires_links()) {
    // The runtime wires the links between nodes; a node's own pair (a
    // background feeder's) is anylab's to make.
    std::vector<Action> own;
    for (const Action& a : batch)
      if (const auto& v = std::get<CreateVeth>(a.what); v.netns_a == v.netns_b) own.push_back(a);
    return own.empty() ? Spawns(std::vector<Spawned>{}) : host_.apply(own);
  }
  auto done = host_.apply(batch);
  // A run of files may begin with a file: the executor hands them over a
  // few at a time, and a directory may be anywhere in the run.
  if (done && (std::holds_alternative<CreateDirectory>(first) || std::holds_alternative<WriteFile>(first)))
    if (auto given = give_to_frr(batch); !given) return fail(given.error());
  return done;
}

// The runtime makes the containers; then each one's network namespace is
// attached under the node's netns name.
Spawns ContainerBackend::containers(std::span<const Action> batch) {
  std::vector<const Node*> nodes;
  for (const Action& a : batch) nodes.push_back(&node_of(a));
  if (auto made = make_containers(nodes); !made) return fail(made.error());
  std::vector<std::string> errors(nodes.size());
  std::vector<pid_t> pids(nodes.size(), 0);
  parallel_for(nodes, 8, [&](size_t i, const Node* n) {
    auto r = Engine().inspect(container_name(*n), std::chrono::seconds(30));
    if (!r || !*r) {
      errors[i] = fmt::format("docker cannot say where the container of {} runs: {}", n->name,
                              r ? "it has no such container" : r.error().message);
      return;
    }
    pids[i] = (*r)->pid;
    if (pids[i] <= 0) errors[i] = fmt::format("the container of {} is not running", n->name);
  });
  for (const std::string& e : errors)
    if (!e.empty()) return fail(e);
  std::string attach;
  for (size_t i = 0; i < nodes.size(); ++i) {
    init_[nodes[i]->netns] = pids[i];
    attach += fmt::format("netns attach {} {}\n", nodes[i]->netns, pids[i]);
  }
  if (RunOutput a = run_command({"", {"ip", "-batch", "-"}, {}, ""}, attach); a.exit_code != 0)
    return fail(fmt::format("ip netns attach failed ({}) on:\n{}", a.how(), attach));
  return std::vector<Spawned>{};
}

// FRR drops to the container's frr user, whose ids may not be the host's.
std::expected<void, Error> ContainerBackend::give_to_frr(std::span<const Action> batch) {
  for (const Action& a : batch) {
    const auto* d = std::get_if<CreateDirectory>(&a.what);
    if (!d || !d->frr_owned || a.node.empty()) continue;
    const Node& n = node_of(a);
    const pid_t init = init_of(n.netns);
    auto ids = init ? frr_ids(init) : std::nullopt;
    if (!ids)
      return fail(fmt::format("the image of {} ({}) has no frr user with a numeric id in its /etc/passwd and /etc/group",
                         n.name, lab_.image_of(n)));
    for (const std::string& dir : binds_of(n))
      if (::lchown(dir.c_str(), ids->first, ids->second) != 0)
        return fail(fmt::format("cannot give {} to the container's frr user", dir));
  }
  return {};
}

Spawns ContainerBackend::processes(std::span<const Action> batch) {
  std::vector<Spawned> out;
  for (const Action& a : batch) {
    const auto& p = std::get<StartProcess>(a.what);
    const pid_t init = init_of(p.netns);
    if (!init) return fail(fmt::format("the container of {} is not running", a.node));
    ProcessSpec spec = in_container(p.netns, init);
    spec.argv = p.argv;
    spec.env = p.env;
    spec.log_file = p.log_file;
    auto pid = spawn_detached(spec);
    if (!pid) return fail(pid.error());
    out.push_back({*pid, process_start_time(*pid).value_or(0), a.node, p.name});
  }
  return out;
}

}  // namespace anylab
