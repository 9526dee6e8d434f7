#include "runtime/host_actions.h"
#include "core/error.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <functional>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runtime/executor.h"
#include "runtime/process.h"
#include "unique_fd.h"

namespace anylab {
namespace {

using Result = std::expected<std::vector<Spawned>, Error>;

Result ip_batch(const std::string& netns, const std::string& commands) {
  std::vector<std::string> argv{"ip"};
  if (!netns.empty()) argv.insert(argv.end(), {"-n", netns});
  argv.insert(argv.end(), {"-batch", "-"});
  RunOutput r = run_command({"", argv, {}, ""}, commands);
  if (r.exit_code != 0)
    return fail(fmt::format("ip{} -batch failed ({}) on:\n{}", netns.empty() ? "" : " -n " + netns,
                            r.how(), commands));
  return std::vector<Spawned>{};
}

// Runs fn in a thread that entered the namespace: /proc/sys/net is the
// opener's namespace's.
std::string in_netns(const std::string& netns, const std::function<std::string()>& fn) {
  std::string error;
  std::thread t([&] {
    const UniqueFd fd(::open(netns_path(netns).c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd || ::setns(fd.get(), CLONE_NEWNET) != 0) {
      error = fmt::format("cannot enter {}: {}", netns, std::strerror(errno));
    } else {
      error = fn();
    }
  });
  t.join();
  return error;
}

Result sysctls(std::span<const Action> batch) {
  for (const Action& a : batch) {
    const auto& s = std::get<SetSysctl>(a.what);
    std::string path = "/proc/sys/" + s.key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    std::string err = in_netns(s.netns, [&]() -> std::string {
      std::ofstream f(path);
      f << s.value;
      f.close();
      return f ? "" : fmt::format("cannot set {} in {}", s.key, s.netns);
    });
    if (!err.empty()) return fail(err);
  }
  return std::vector<Spawned>{};
}

Result files(std::span<const Action> batch) {
  for (const Action& a : batch) {
    std::error_code ec;
    if (const auto* d = std::get_if<CreateDirectory>(&a.what)) {
      std::filesystem::create_directories(d->path, ec);
      if (ec) return fail(fmt::format("cannot create {}: {}", d->path, ec.message()));
      if (d->frr_owned) {
        const passwd* pw = getpwnam("frr");
        const group* gr = getgrnam("frr");
        if (pw && gr && ::lchown(d->path.c_str(), pw->pw_uid, gr->gr_gid) != 0)
          return fail(fmt::format("cannot give {} to frr: {}", d->path, std::strerror(errno)));
      }
    } else {
      const auto& w = std::get<WriteFile>(a.what);
      if (auto written = write_file_nofollow(w.path, w.content); !written) return fail(written.error());
    }
  }
  return std::vector<Spawned>{};
}

Result processes(std::span<const Action> batch) {
  std::vector<Spawned> out;
  for (const Action& a : batch) {
    const auto& p = std::get<StartProcess>(a.what);
    auto pid = spawn_detached({p.netns, p.argv, p.env, p.log_file});
    if (!pid) return fail(pid.error());
    out.push_back({*pid, process_start_time(*pid).value_or(0), a.node, p.name});
  }
  return out;
}

Result carrier(std::span<const Action> batch);

// Addresses, links up and routes: one `ip -n NS -batch` per namespace, the
// namespaces in parallel.
Result addressing(std::span<const Action> batch) {
  std::map<std::string, std::string> per_ns;
  std::vector<std::string> order;
  for (const Action& a : batch) {
    std::string ns, line;
    if (const auto* x = std::get_if<AddAddress>(&a.what))
      // nodad: an IPv6 address is usable at once, not after a second of
      // duplicate address detection.
      ns = x->netns, line = fmt::format("address add {} dev {}{}", x->address.str(), x->interface,
                                        x->address.address.is_v6() ? " nodad" : "");
    else if (const auto* u = std::get_if<SetLinkUp>(&a.what))
      ns = u->netns, line = fmt::format("link set {} up", u->interface);
    else if (const auto* d = std::get_if<SetLinkDown>(&a.what))
      ns = d->netns, line = fmt::format("link set {} down", d->interface);
    else if (const auto* r = std::get_if<AddRoute>(&a.what))
      ns = r->netns, line = fmt::format("route replace {} via {}", r->destination.str(), r->via.str());
    if (!per_ns.contains(ns)) order.push_back(ns);
    per_ns[ns] += line + "\n";
  }
  std::vector<std::string> errors(order.size());
  const size_t workers = std::max(2u, std::thread::hardware_concurrency());
  for (size_t start = 0; start < order.size(); start += workers) {
    std::vector<std::thread> threads;
    for (size_t i = start; i < std::min(order.size(), start + workers); ++i)
      threads.emplace_back([&, i] {
        auto r = ip_batch(order[i], per_ns[order[i]]);
        if (!r) errors[i] = r.error().message;
      });
    for (auto& t : threads) t.join();
  }
  for (const std::string& e : errors)
    if (!e.empty()) return fail(e);
  return carrier(batch);
}

// A veth has carrier once both its ends are up, and the kernel says so a
// moment later (linkwatch runs deferred). Daemons start only when every
// link the plan brought up has it: FRR 10.3's zebra, started before,
// sometimes never made the link's connected route, and bgpd then never
// tried its neighbor across it ("No path to specified Neighbor").
Result carrier(std::span<const Action> batch) {
  std::map<std::string, std::set<std::string>> waiting;  // netns -> interfaces
  for (const Action& a : batch)
    if (const auto* u = std::get_if<SetLinkUp>(&a.what); u && u->interface != "lo") waiting[u->netns].insert(u->interface);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!waiting.empty()) {
    for (auto it = waiting.begin(); it != waiting.end();) {
      RunOutput r = run_command({"", {"ip", "-n", it->first, "-o", "link", "show", "up"}, {}, ""});
      std::istringstream lines(r.out);
      for (std::string line; std::getline(lines, line);) {
        // "3: eth2@if2: <BROADCAST,MULTICAST,UP,LOWER_UP> ..."
        const size_t colon = line.find(": ");
        const size_t end = line.find_first_of("@:", colon + 2);
        if (colon == std::string::npos || end == std::string::npos) continue;
        if (line.find("LOWER_UP") != std::string::npos) it->second.erase(line.substr(colon + 2, end - colon - 2));
      }
      it = it->second.empty() ? waiting.erase(it) : std::next(it);
    }
    if (waiting.empty()) break;
    if (std::chrono::steady_clock::now() >= deadline)
      return fail(fmt::format("{} in {} has no carrier 10 s after both ends were set up",
                              *waiting.begin()->second.begin(), waiting.begin()->first));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::vector<Spawned>{};
}

// Every socket must accept a connection within 20 s.
Result sockets(std::span<const Action> batch) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (const Action& a : batch) {
    const std::string& path = std::get<WaitForSocket>(a.what).path;
    for (;;) {
      sockaddr_un addr{};
      addr.sun_family = AF_UNIX;
      std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
      const UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      const bool up = fd && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
      if (up) break;
      if (std::chrono::steady_clock::now() >= deadline)
        return fail(fmt::format("{} did not start listening on {} within 20 s", a.node, path));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  return std::vector<Spawned>{};
}

}  // namespace

Result HostActions::apply(std::span<const Action> batch) {
  if (batch.empty()) return std::vector<Spawned>{};
  const ActionKind& first = batch.front().what;
  if (std::holds_alternative<CreateNamespace>(first)) {
    std::string cmds;
    for (const Action& a : batch) cmds += "netns add " + std::get<CreateNamespace>(a.what).netns + "\n";
    return ip_batch("", cmds);
  }
  if (std::holds_alternative<CreateVeth>(first)) {
    // Both ends are created inside their namespaces: nothing ever sits in
    // the host's namespace, even if anylab is killed halfway. Every end gets
    // an interface index of its own across the lab: a veth reports its
    // peer's index as its link, and FRR 10's zebra takes that for a parent
    // interface in its own namespace; where a local interface had that
    // index, it never made the connected route (FRRouting/frr#23044).
    std::string cmds;
    int index = 1000;
    for (const Action& a : batch) {
      const auto& v = std::get<CreateVeth>(a.what);
      cmds += fmt::format("link add {} netns {} index {} type veth peer name {} netns {} index {}\n", v.interface_a,
                          v.netns_a, index, v.interface_b, v.netns_b, index + 1);
      index += 2;
    }
    return ip_batch("", cmds);
  }
  if (std::holds_alternative<SetSysctl>(first)) return sysctls(batch);
  if (std::holds_alternative<CreateDirectory>(first) || std::holds_alternative<WriteFile>(first)) return files(batch);
  if (std::holds_alternative<StartProcess>(first)) return processes(batch);
  if (std::holds_alternative<WaitForSocket>(first)) return sockets(batch);
  if (Executor::batch_of(first) == Executor::Batch::kChanges) return apply_changes(batch);
  return addressing(batch);
}

}  // namespace anylab
