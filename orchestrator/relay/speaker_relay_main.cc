// anylab-speaker-relay bird|gobgp DIR [--health] [ROUTE...]
//
// anylab's control channel into a BIRD or GoBGP instance: the same words as
// into ExaBGP's API ("announce route P next-hop self ...", "withdraw route
// P ..."), plus "health up" and "health down" from the instance's health
// loop, read from DIR/control.fifo. What is announced is the routes given,
// none while unhealthy. ROUTEs are what the instance announces at start;
// with --health, nothing is until the first "health up".
//
// bird: on each change it rewrites the routes files BIRD's static protocols
// include (DIR/anycast4.conf, DIR/anycast6.conf) and reconfigures BIRD over
// its control socket (DIR/bird.ctl); BIRD keeps its sessions over a
// reconfiguration, only the static protocols' routes change.
// gobgp: it adds and deletes the routes that changed in gobgpd's global RIB
// with `gobgp global rib add|del` over gobgpd's API socket (DIR/gobgp.sock).
// Either way it retries every 100 ms until the speaker answers.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "plan/speaker_routes.h"

namespace {

using anylab::SpeakerRoute;
using Routes = std::map<std::string, SpeakerRoute>;  // by prefix

void say(const std::string& what) {
  char when[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&t));
  std::fprintf(stderr, "%s %s\n", when, what.c_str());
}

// One reply of BIRD's control socket, to its last line ("0003
// Reconfigured"): four digits and a space end it, a dash continues.
bool read_reply(int fd, std::string& last) {
  std::string buf;
  char c;
  for (;;) {
    if (::read(fd, &c, 1) != 1) return false;
    if (c != '\n') {
      buf += c;
      continue;
    }
    const bool final = buf.size() >= 5 && buf[4] == ' ';
    last = buf;
    buf.clear();
    if (final) return true;
  }
}

// BIRD: the routes files, then "configure" on its socket; false while BIRD
// does not listen yet.
bool sync_bird(const std::string& dir, const Routes& wanted) {
  std::vector<SpeakerRoute> now;
  for (const auto& [prefix, r] : wanted) now.push_back(r);
  for (bool v6 : {false, true}) {
    const std::string path = dir + "/" + anylab::bird_routes_name(v6), tmp = path + ".new";
    std::ofstream(tmp) << anylab::bird_routes_file(now, v6);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return false;
  }
  const std::string socket_path = dir + "/" + anylab::kBirdSocket;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  std::string last;
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && read_reply(fd, last) &&
                  ::write(fd, "configure\n", 10) == 10 && read_reply(fd, last);
  ::close(fd);
  if (ok) say("BIRD: " + last);
  return ok;
}

// `gobgp --target unix://DIR/gobgp.sock global rib VERB ARGS...`, quietly.
bool gobgp(const std::string& dir, const char* verb, const std::vector<std::string>& args) {
  std::vector<std::string> words{"/usr/bin/gobgp", "--target", "unix://" + dir + "/" + anylab::kGobgpSocket, "global", "rib", verb};
  words.insert(words.end(), args.begin(), args.end());
  const pid_t pid = ::fork();
  if (pid < 0) return false;
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& w : words) argv.push_back(w.data());
    argv.push_back(nullptr);
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

// GoBGP: what changed since the last sync, added (a new path replaces the
// old one of its prefix) or deleted; `installed` follows what succeeded.
bool sync_gobgp(const std::string& dir, const Routes& wanted, Routes& installed) {
  bool ok = true;
  for (auto it = installed.begin(); it != installed.end();) {
    if (wanted.contains(it->first) || !gobgp(dir, "del", {"-a", it->second.ipv6() ? "ipv6" : "ipv4", it->first})) {
      ok &= wanted.contains(it->first);
      ++it;
      continue;
    }
    say("GoBGP: deleted " + it->first);
    it = installed.erase(it);
  }
  for (const auto& [prefix, r] : wanted) {
    if (auto at = installed.find(prefix); at != installed.end() && at->second == r) continue;
    if (!gobgp(dir, "add", anylab::gobgp_route_args(r))) {
      ok = false;
      continue;
    }
    say("GoBGP: added " + prefix);
    installed[prefix] = r;
  }
  return ok;
}

struct State {
  std::string speaker, dir;
  Routes routes, installed;  // announced; in GoBGP's RIB
  bool healthy = true;
  bool dirty = true;  // the speaker is behind

  void apply(const std::string& line) {
    if (line == "health up" || line == "health down") {
      healthy = line == "health up";
    } else if (line.starts_with("announce ") || line.starts_with("withdraw ")) {
      auto r = anylab::parse_speaker_route(line.substr(9));
      if (!r) return say("not a route, ignored: " + line);
      if (line[0] == 'a') routes[r->prefix] = *r;
      else routes.erase(r->prefix);
    } else if (!line.empty()) {
      return say("not understood, ignored: " + line);
    }
    say(line);
    dirty = true;
  }

  bool sync() {
    const Routes wanted = healthy ? routes : Routes{};
    return speaker == "bird" ? sync_bird(dir, wanted) : sync_gobgp(dir, wanted, installed);
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[1], "bird") != 0 && std::strcmp(argv[1], "gobgp") != 0)) {
    std::fprintf(stderr, "usage: anylab-speaker-relay bird|gobgp DIR [--health] [ROUTE...]\n");
    return 2;
  }
  State state;
  state.speaker = argv[1];
  state.dir = argv[2];
  for (int i = 3; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--health") state.healthy = false;
    else state.apply("announce " + a);
  }
  const std::string fifo_path = state.dir + "/" + anylab::kControlFifo;
  if (::mkfifo(fifo_path.c_str(), 0600) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "anylab-speaker-relay: cannot make %s: %s\n", fifo_path.c_str(), std::strerror(errno));
    return 1;
  }
  // Read-write: never end-of-file between two writers.
  const int fifo = ::open(fifo_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fifo < 0) {
    std::fprintf(stderr, "anylab-speaker-relay: cannot open %s: %s\n", fifo_path.c_str(), std::strerror(errno));
    return 1;
  }
  std::string pending;
  char buf[4096];
  for (;;) {
    if (state.dirty && state.sync()) state.dirty = false;
    pollfd p{fifo, POLLIN, 0};
    if (::poll(&p, 1, state.dirty ? 100 : -1) < 0 && errno != EINTR) return 1;
    if (!(p.revents & POLLIN)) continue;
    const ssize_t n = ::read(fifo, buf, sizeof buf);
    if (n <= 0) continue;
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1))
      state.apply(pending.substr(0, nl));
  }
}
