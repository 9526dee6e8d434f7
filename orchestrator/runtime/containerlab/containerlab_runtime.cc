#include "runtime/containerlab/containerlab_runtime.h"
#include "core/error.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "plan/export_containerlab.h"
#include "plan/plan.h"
#include "runtime/docker/engine.h"
#include "runtime/journal.h"
#include "runtime/process.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

std::string topology_dir(std::string_view lab) { return lab_state_dir(lab, "clab"); }
std::string topology_file(std::string_view lab) { return fmt::format("{}/{}.clab.yml", topology_dir(lab), lab); }
std::string ssh_config(std::string_view lab) { return fmt::format("/etc/ssh/ssh_config.d/clab-{}.conf", lab); }

// containerlab as anylab runs it: no version check (it would ask the
// Internet for the newest release), the engine anylab uses, its log to a
// file, killed with anylab.
RunOutput containerlab(std::vector<std::string> args, const std::string& log, std::chrono::seconds timeout) {
  args.insert(args.begin(), "containerlab");
  ProcessSpec spec{"", std::move(args), {{"CLAB_VERSION_CHECK", "disable"}}, log};
  if (const char* host = std::getenv("DOCKER_HOST")) spec.env.emplace_back("DOCKER_HOST", host);
  return run_command(spec, "", timeout);
}

std::string tail_of(const std::string& path, size_t lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) out += "\n  " + all[i];
  return out;
}

// The topology anylab deploys: the export's node settings, each node
// running `sleep infinity` (anylab starts its processes), labelled as the
// lab's with the deploy's token, its files bound at the paths anylab uses.
// The plan's sysctls are the container's too: containerlab wires the links
// before anylab sets them, and a `default` setting (IPv6's
// keep_addr_on_down, accept_dad) applies only to interfaces made after it.
std::expected<std::string, Error> topology(const Lab& lab, const std::vector<const Node*>& nodes,
                                                 const std::string& token) {
  const std::vector<Action> plan = plan_deploy(lab);
  std::string topo = fmt::format(
      "# Lab {}, deployed by anylab {} (`anylab deploy --runtime containerlab`): anylab\n"
      "# starts each node's processes and destroys the lab (`anylab destroy {}`).\n"
      "name: {}\nmgmt:\n  skip-when-unused: true\ntopology:\n  nodes:\n",
      lab.name, ANYLAB_VERSION, lab.name, lab.name);
  for (const Node* n : nodes) {
    auto binds = prepare_binds(*n);
    if (!binds) return fail(binds.error());
    topo += clab_node_settings(lab, *n) + clab_sysctls(plan, *n);
    topo += fmt::format("      labels:\n        {}: {}\n        {}: {}\n        org.anylab.node: {}\n", kLabLabelKey,
                        clab_yaml_string(lab.name), kTokenLabelKey, clab_yaml_string(token),
                        clab_yaml_string(n->name));
    topo += "      binds:\n";
    for (const std::string& b : *binds) topo += "        - " + clab_yaml_string(b) + "\n";
  }
  return topo + clab_links(lab);
}

class ContainerlabBackend : public ContainerBackend {
 public:
  using ContainerBackend::ContainerBackend;

 protected:
  bool wires_links() const override { return true; }
  std::string container_name(const Node& n) const override { return clab_container_name(lab_.name, n.name); }

  std::expected<void, Error> make_containers(const std::vector<const Node*>& nodes) override {
    const std::string dir = topology_dir(lab_.name);
    std::error_code ec;
    fs::create_directories(fs::path(dir).parent_path(), ec);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return fail(fmt::format("cannot create {}: {}", dir, std::strerror(errno)));
    auto token = deploy_token(lab_.name);
    if (!token) return fail(token.error());
    // Recorded before containerlab makes them: destroy finds them whatever
    // moment anylab (and containerlab with it) was stopped at.
    for (const Node* n : nodes)
      if (auto r = record_container(lab_.name, "name " + container_name(*n)); !r) return r;
    auto topo = topology(lab_, nodes, *token);
    if (!topo) return fail(topo.error());
    // Only root reads it: it holds the token.
    const std::string file = topology_file(lab_.name);
    if (auto w = write_file_nofollow(file, *topo); !w) return w;
    ::chmod(file.c_str(), 0600);
    const std::string log = lab_.runtime_dir + "/containerlab.log";
    const auto timeout = std::chrono::seconds(60 + 3 * nodes.size());
    RunOutput r = containerlab({"deploy", "-t", file, "--skip-labdir-acl"}, log, timeout);
    if (r.exit_code != 0)
      return fail(
          fmt::format("containerlab deploy failed ({}; its log: {}):{}", r.how(), log, tail_of(log, 8)));
    return record_ids(nodes);
  }

 private:
  std::expected<void, Error> record_ids(const std::vector<const Node*>& nodes) const {
    Engine engine;
    for (const Node* n : nodes) {
      auto found = engine.inspect(container_name(*n), std::chrono::seconds(30));
      if (!found || !*found)
        return fail(fmt::format("containerlab deployed, but docker does not know {}'s container {}",
                                n->name, container_name(*n)));
      if (auto rec = record_container(lab_.name, "id " + (*found)->id + " " + container_name(*n)); !rec) return rec;
    }
    return {};
  }
};

// How many of the containers the record names exist and are the lab's own
// (its id recorded, or its token); nullopt when one that exists is not, or
// the engine cannot say: containerlab's destroy, which finds containers by
// name, runs only when all are.
std::optional<int> ours_found(const std::string& lab) {
  const ContainersRecord rec = read_containers_record(lab);
  int found = 0;
  Engine engine;
  for (const std::string& name : rec.names) {
    auto r = engine.inspect(name);
    if (!r) return std::nullopt;
    if (!*r) continue;
    if (!rec.ours(**r, lab)) return std::nullopt;
    ++found;
  }
  return found;
}

// containerlab's block of /etc/hosts for the lab, if it wrote one.
void remove_hosts_block(const std::string& lab, std::vector<std::string>& problems) {
  const std::string start = fmt::format("###### CLAB-{}-START ######", lab);
  const std::string end = fmt::format("###### CLAB-{}-END ######", lab);
  std::ifstream in("/etc/hosts");
  std::string kept, line;
  bool inside = false, found = false;
  while (std::getline(in, line)) {
    if (line == start) inside = found = true;
    else if (inside && line == end) inside = false;
    else if (!inside) kept += line + "\n";
  }
  in.close();
  if (!found) return;
  // /etc/hosts may be a bind mount (in a container): rewritten in place.
  std::ofstream out("/etc/hosts", std::ios::trunc);
  out << kept;
  if (!out) problems.push_back("could not remove containerlab's lines for lab " + lab + " from /etc/hosts");
}

}  // namespace

std::string clab_container_name(std::string_view lab, std::string_view node) {
  return fmt::format("clab-{}-{}", lab, node);
}

std::string containerlab_version() {
  RunOutput r = run_command({"", {"containerlab", "version"}, {{"CLAB_VERSION_CHECK", "disable"}}, ""});
  if (r.exit_code != 0) return "";
  std::istringstream in(r.out);
  for (std::string word; in >> word;)
    if (word == "version:" && in >> word) return word;
  return "";
}

std::unique_ptr<Backend> ContainerlabRuntime::backend(const Lab& lab) const {
  return std::make_unique<ContainerlabBackend>(lab);
}

std::vector<std::string> ContainerlabRuntime::missing(const Lab& lab) const {
  std::vector<std::string> problems = missing_images(lab);
  const std::string version = containerlab_version();
  auto parts = [](const std::string& v) {
    std::array<int, 3> out{0, 0, 0};
    std::sscanf(v.c_str(), "%d.%d.%d", &out[0], &out[1], &out[2]);
    return out;
  };
  if (version.empty())
    problems.push_back(fmt::format("containerlab is not installed: ci/install-containerlab.sh builds and installs "
                                   "containerlab {} (patched for kernels without loadable modules)",
                                   kMinContainerlab));
  else if (parts(version) < parts(kMinContainerlab))
    problems.push_back(fmt::format("containerlab {} is older than {}, the first that runs unprivileged nodes without "
                                   "a management network: ci/install-containerlab.sh installs {}",
                                   version, kMinContainerlab, kMinContainerlab));
  return problems;
}

std::vector<std::string> ContainerlabRuntime::in_the_way(const Lab& lab) const {
  std::vector<std::string> out;
  if (fs::exists(topology_dir(lab.name)))
    out.push_back(fmt::format("{} holds an earlier containerlab deploy of lab {}: remove what is left of it with "
                              "`anylab destroy {}`, and deploy again",
                              topology_dir(lab.name), lab.name, lab.name));
  auto names = Engine().container_names();
  if (!names) return out;  // missing() said why
  const std::set<std::string> existing(names->begin(), names->end());
  for (const Node& n : lab.nodes) {
    const std::string name = clab_container_name(lab.name, n.name);
    if (existing.contains(name))
      out.push_back(fmt::format("the container {} already exists, and no deploy of lab {} made it: anylab leaves it "
                                "alone; if it is a containerlab lab of yours, destroy it (containerlab destroy "
                                "--name {}), or give anylab's lab another name",
                                name, lab.name, lab.name));
  }
  return out;
}

bool ContainerlabRuntime::has_remains(const std::string& lab) const { return fs::exists(topology_dir(lab)); }

void ContainerlabRuntime::remove(const std::string& lab, RemoveReport& report) const {
  const std::string dir = topology_dir(lab);
  if (!fs::exists(dir)) return;
  // The names containerlab gave (its netns links are named alike).
  const std::set<std::string> names = read_containers_record(lab).names;
  const std::optional<int> ours = ours_found(lab);
  if (fs::exists(topology_file(lab)) && ours)
    (void)containerlab({"destroy", "-t", topology_file(lab), "--cleanup"}, dir + "/destroy.log",
                       std::chrono::seconds(120));
  // What containerlab's destroy left (or could not be asked to remove).
  RemoveReport swept;
  ContainerRuntime::remove(lab, swept);
  report.containers += ours ? *ours : swept.containers;
  for (std::string& p : swept.problems) report.problems.push_back(std::move(p));
  for (const std::string& name : names) {
    const fs::path link = anylab::netns_path(name);
    std::error_code ec;
    // A link to a namespace no process holds any more: the container's.
    if (fs::is_symlink(link, ec) && !fs::exists(link, ec)) fs::remove(link, ec);
  }
  remove_hosts_block(lab, report.problems);
  std::error_code ec;
  fs::remove(ssh_config(lab), ec);
  if (report.problems.empty()) fs::remove_all(dir, ec);
  if (ec) report.problems.push_back(fmt::format("could not remove {}: {}", dir, ec.message()));
}

}  // namespace anylab
