// anylab-bird-relay DIR [--health] [ROUTE...]
//
// anylab's control channel into a BIRD instance: the same words as into
// ExaBGP's API ("announce route P next-hop self ...", "withdraw route P
// ..."), plus "health up" and "health down" from the instance's health loop,
// read from DIR/control.fifo. On each change it rewrites the routes files
// BIRD's static protocols include (DIR/anycast4.conf, DIR/anycast6.conf:
// the routes announced, none while unhealthy) and reconfigures BIRD over its
// control socket (DIR/bird.ctl), retrying until BIRD listens. ROUTEs are
// what the instance announces at start; with --health, nothing is until the
// first "health up". BIRD keeps its sessions over a reconfiguration: only
// the static protocols' routes change.
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "plan/bird_routes.h"

namespace {

using anylab::SpeakerRoute;

void say(const std::string& what) {
  char when[32];
  const std::time_t t = std::time(nullptr);
  std::strftime(when, sizeof when, "%H:%M:%S", std::localtime(&t));
  std::fprintf(stderr, "%s %s\n", when, what.c_str());
}

struct State {
  std::string dir;
  std::map<std::string, SpeakerRoute> routes;  // by prefix
  bool healthy = true;
  bool dirty = true;  // the files or BIRD are behind the state

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

  bool write_files() const {
    std::vector<SpeakerRoute> now;
    if (healthy)
      for (const auto& [prefix, r] : routes) now.push_back(r);
    for (bool v6 : {false, true}) {
      const std::string path = dir + (v6 ? "/anycast6.conf" : "/anycast4.conf"), tmp = path + ".new";
      std::ofstream(tmp) << anylab::bird_routes_file(now, v6);
      if (std::rename(tmp.c_str(), path.c_str()) != 0) return false;
    }
    return true;
  }
};

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

// "configure" on BIRD's socket; false while BIRD does not listen yet.
bool reconfigure(const std::string& dir) {
  const std::string path = dir + "/bird.ctl";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  std::string last;
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && read_reply(fd, last) &&
            ::write(fd, "configure\n", 10) == 10 && read_reply(fd, last);
  ::close(fd);
  if (ok) say("BIRD: " + last);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: anylab-bird-relay DIR [--health] [ROUTE...]\n");
    return 2;
  }
  State state;
  state.dir = argv[1];
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--health") state.healthy = false;
    else state.apply("announce " + a);
  }
  const std::string fifo_path = state.dir + "/control.fifo";
  if (::mkfifo(fifo_path.c_str(), 0600) != 0 && errno != EEXIST) {
    std::fprintf(stderr, "anylab-bird-relay: cannot make %s: %s\n", fifo_path.c_str(), std::strerror(errno));
    return 1;
  }
  // Read-write: never end-of-file between two writers.
  const int fifo = ::open(fifo_path.c_str(), O_RDWR | O_CLOEXEC);
  if (fifo < 0) {
    std::fprintf(stderr, "anylab-bird-relay: cannot open %s: %s\n", fifo_path.c_str(), std::strerror(errno));
    return 1;
  }
  std::string pending;
  char buf[4096];
  for (;;) {
    // Behind: write and reconfigure now, and again in 100 ms while BIRD
    // does not answer.
    if (state.dirty && state.write_files() && reconfigure(state.dir)) state.dirty = false;
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
