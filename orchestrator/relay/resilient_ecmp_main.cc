// anylab-resilient-ecmp TABLE BUCKETS PREFIX...
//
// Resilient ECMP for a router's service prefixes (`defaults.ecmp:
// {resilient: true}`). FRR's zebra installs BGP multipath as a plain
// nexthop group: the kernel gives each path a slice of the hash space, and
// a path that goes at an end of the group re-cuts the whole space, moving
// flows of paths that never failed (their TCP connections break). Linux's
// resilient groups hand only the lost path's buckets to the others, but
// zebra (8.4, 10.3) offers them to PBR and sharpd, not to BGP; and a route
// of another protocol for the same prefix in the main table is one zebra
// takes as better than BGP's (it withdraws its own from the kernel).
//
// So this keeps, in a table of its own (TABLE, which an ip rule looks up
// first for the PREFIXes), a copy of each PREFIX's route in the main
// table, whose next hops form a resilient group of BUCKETS buckets: when
// zebra's route loses a next hop, the group loses it too, and only that
// next hop's buckets go to the others. A prefix zebra has no route for has
// none here either (the lookup goes on to the main table). It follows the
// main table with `ip monitor route nexthop`, re-reads each prefix's route
// at every change (after 2 ms without another), and every 5 s besides.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <nlohmann/json.hpp>

namespace {

using Argv = std::vector<std::string>;
using json = nlohmann::json;

// Nexthop ids of this helper's own: far above those zebra gives out (it
// counts up from a few hundred million at most), one block per prefix.
constexpr unsigned kFirstId = 3'000'000'000u;
constexpr unsigned kIdsPerPrefix = 1000;
// Seconds between readings when nothing changed (a safety net: every change
// of the main table is followed at once).
constexpr double kResync = 5;

void say(const std::string& s) {
  std::printf("%s\n", s.c_str());
  std::fflush(stdout);
}

std::string joined(const Argv& argv) {
  std::string out;
  for (const std::string& a : argv) out += (out.empty() ? "" : " ") + a;
  return out;
}

// Runs `ip ARGS...`; its output, or nullopt-like empty with ok=false.
bool ip(const Argv& args, std::string* out = nullptr, bool quiet = false) {
  int fd[2];
  if (pipe(fd) != 0) return false;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(fd[1], 1);
    if (quiet) dup2(fd[1], 2);
    close(fd[0]);
    close(fd[1]);
    std::vector<char*> v{const_cast<char*>("ip")};
    for (const std::string& a : args) v.push_back(const_cast<char*>(a.c_str()));
    v.push_back(nullptr);
    execvp("ip", v.data());
    _exit(127);
  }
  close(fd[1]);
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = read(fd[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  close(fd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (out) *out = text;
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!ok && !quiet) say("failed: ip " + joined(args));
  return ok;
}

struct Hop {
  std::string gateway, dev;
  bool onlink = false;
  bool operator<(const Hop& o) const { return std::tie(gateway, dev) < std::tie(o.gateway, o.dev); }
  bool operator==(const Hop& o) const { return gateway == o.gateway && dev == o.dev; }
};

// The next hops of PREFIX's route in the main table, as the kernel has them
// (resolved: a gateway on a device).
std::set<Hop> main_hops(const std::string& family, const std::string& prefix) {
  std::string text;
  std::set<Hop> hops;
  if (!ip({family, "-j", "route", "show", "table", "main", "exact", prefix}, &text)) return hops;
  const json routes = json::parse(text, nullptr, false);
  if (!routes.is_array()) return hops;
  const auto add = [&](const json& h) {
    if (!h.contains("dev")) return;
    Hop hop{h.value("gateway", ""), h["dev"].get<std::string>(), false};
    for (const json& f : h.value("flags", json::array()))
      if (f == "onlink") hop.onlink = true;
    hops.insert(hop);
  };
  for (const json& r : routes) {
    if (r.value("type", "unicast") != "unicast") continue;
    if (r.contains("nexthops"))
      for (const json& h : r["nexthops"]) add(h);
    else
      add(r);
  }
  return hops;
}

class Prefix {
 public:
  Prefix(std::string prefix, unsigned index, std::string table, std::string buckets)
      : prefix_(std::move(prefix)),
        family_(prefix_.find(':') == std::string::npos ? "-4" : "-6"),
        group_(kFirstId + index * kIdsPerPrefix),
        table_(std::move(table)),
        buckets_(std::move(buckets)) {}

  // The rule that sends the prefix's traffic to this table first.
  void rule() const {
    ip({family_, "rule", "del", "to", prefix_, "lookup", table_}, nullptr, true);
    ip({family_, "rule", "add", "to", prefix_, "lookup", table_, "pref", "1000"});
  }

  void sync() {
    const std::set<Hop> hops = main_hops(family_, prefix_);
    if (hops == installed_) return;
    if (hops.empty()) {
      ip({family_, "route", "del", prefix_, "table", table_}, nullptr, true);
      ip({"nexthop", "del", "id", std::to_string(group_)}, nullptr, true);
      forget_unused(hops);
      installed_.clear();
      say(prefix_ + ": no route in the main table, none here");
      return;
    }
    std::string members;
    for (const Hop& h : hops) {
      const unsigned id = member(h);
      if (id == 0) return;  // tried again at the next change, or in 5 s
      members += (members.empty() ? "" : "/") + std::to_string(id);
    }
    if (!ip({"nexthop", "replace", "id", std::to_string(group_), "group", members, "type", "resilient", "buckets", buckets_,
             "idle_timer", "0"}))
      return;
    // Each time: the kernel deletes a group whose last member went (its
    // devices down), and the route with it.
    if (!ip({family_, "route", "replace", prefix_, "nhid", std::to_string(group_), "table", table_})) return;
    forget_unused(hops);
    installed_ = hops;
    std::string line = prefix_ + ": resilient group " + std::to_string(group_) + " of";
    for (const Hop& h : hops) line += " " + (h.gateway.empty() ? "" : h.gateway + "@") + h.dev;
    say(line);
  }

  // A member's id, made when the next hop is new (0: the kernel refused
  // it, as it may a gateway not yet reachable). The kernel deletes a nexthop
  // whose device goes down; zebra's route loses it then, and so it is
  // forgotten here, and made anew when it is back.
  unsigned member(const Hop& h) {
    if (auto it = members_.find(h); it != members_.end()) return it->second;
    unsigned id = 0;
    do id = group_ + 1 + next_++ % (kIdsPerPrefix - 1);
    while (in_use(id));
    Argv a{family_, "nexthop", "replace", "id", std::to_string(id)};
    if (!h.gateway.empty()) a.insert(a.end(), {"via", h.gateway});
    a.insert(a.end(), {"dev", h.dev});
    if (h.onlink) a.push_back("onlink");
    if (!ip(a)) return 0;
    members_.emplace(h, id);
    return id;
  }

 private:
  bool in_use(unsigned id) const {
    for (const auto& [hop, used] : members_)
      if (used == id) return true;
    return false;
  }

  void forget_unused(const std::set<Hop>& hops) {
    for (auto it = members_.begin(); it != members_.end();) {
      if (hops.count(it->first)) {
        ++it;
        continue;
      }
      ip({"nexthop", "del", "id", std::to_string(it->second)}, nullptr, true);
      it = members_.erase(it);
    }
  }

  std::string prefix_, family_;
  unsigned group_;
  std::string table_, buckets_;
  std::map<Hop, unsigned> members_;
  unsigned next_ = 0;
  std::set<Hop> installed_;
};

double now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: anylab-resilient-ecmp TABLE BUCKETS PREFIX...\n");
    return 2;
  }
  std::vector<Prefix> prefixes;
  for (int i = 3; i < argc; ++i) prefixes.emplace_back(argv[i], static_cast<unsigned>(i - 3), argv[1], argv[2]);
  // The monitor first, so that no change between the first reading and it
  // is missed.
  FILE* monitor = popen("exec ip monitor route nexthop", "r");
  if (!monitor) {
    std::perror("anylab-resilient-ecmp: ip monitor");
    return 1;
  }
  for (const Prefix& p : prefixes) p.rule();
  const int fd = fileno(monitor);
  double last_sync = 0;
  char buf[4096];
  for (bool changed = true;;) {
    if (changed || now() - last_sync >= kResync) {
      for (Prefix& p : prefixes) p.sync();
      last_sync = now();
      changed = false;
    }
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(kResync * 1000)) <= 0) continue;
    if (read(fd, buf, sizeof buf) <= 0) {
      say("ip monitor ended");
      return 1;
    }
    // Coalesce a burst (zebra's new group, then its route), but briefly:
    // until the copy follows, the lost path's buckets still point at it.
    // Reading too early costs only another reading.
    for (pollfd more{fd, POLLIN, 0}; poll(&more, 1, 2) > 0 && read(fd, buf, sizeof buf) > 0;) more.revents = 0;
    changed = true;
  }
}
