#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "model/lab.h"

namespace anylab {

// What deploy does, as data: the netns backend carries each action out, a
// recording backend only records it, and `anylab plan` prints it. Arguments
// are argv vectors and plain values, never shell strings.
struct CreateNamespace {
  std::string netns;
};
struct CreateVeth {
  std::string netns_a, interface_a;
  std::string netns_b, interface_b;
};
struct AddAddress {
  std::string netns, interface;
  IpPrefix address;
};
struct SetLinkUp {
  std::string netns, interface;
};
struct SetSysctl {
  std::string netns, key, value;
};
struct AddRoute {
  std::string netns;
  IpPrefix destination;
  IpAddress via;
};
struct CreateDirectory {
  std::string path;
  bool frr_owned = false;  // FRR's daemons drop to user frr and write their logs here
};
struct WriteFile {
  std::string path;
  std::string content;
};
struct StartProcess {
  std::string netns;
  std::string name;  // e.g. "bgpd": how inspect and the journal refer to it
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;  // added to a minimal environment
  std::string log_file;  // stdout and stderr
};

// Waits until a unix socket accepts connections (a daemon is ready).
struct WaitForSocket {
  std::string path;
};

// What events do to a running lab, as data too (runtime/events.h plans
// them): a link's end down, a daemon's configuration changed, a command to
// an instance's ExaBGP, a recorded process killed, loss and delay on a
// link's end and their removal. So every event runs through the runtime's
// backend, and a recording one shows what an event would do.
struct SetLinkDown {
  std::string netns, interface;
};
struct ConfigureFrr {
  std::string instance, daemon;       // FRR's -N name and the daemon: its vty socket
  std::vector<std::string> lines;     // in `configure terminal`
  std::vector<std::string> then = {};  // in enable mode after (a soft clear)
};
struct SendToExabgp {
  std::string fifo;  // the instance's control channel
  std::string command;
};
struct KillProcess {
  pid_t pid = 0;
  uint64_t start_time = 0;  // as recorded: a pid reused since is not killed
  std::string name;
};
struct SetLoss {
  std::string netns, interface;
  double percent = 0;  // of what enters the interface
};
struct ClearLoss {
  std::string netns, interface;
};
struct SetDelay {
  std::string netns, interface;
  std::chrono::microseconds delay{};  // on what leaves the interface
};
struct ClearDelay {
  std::string netns, interface;
};

using ActionKind = std::variant<CreateNamespace, CreateVeth, AddAddress, SetLinkUp, SetSysctl, AddRoute,
                                CreateDirectory, WriteFile, StartProcess, WaitForSocket, SetLinkDown, ConfigureFrr,
                                SendToExabgp, KillProcess, SetLoss, ClearLoss, SetDelay, ClearDelay>;

struct Action {
  ActionKind what;
  std::string node;    // the node this action is for ("" for the lab as a whole)
  std::string reason;  // why, in the lab's terms
};

// The ordered actions that build the lab, in phases: namespaces, veth pairs,
// each node's addresses and routes (contiguous per node, so a backend can
// apply them in one go), sysctls, directories and configs, then daemons.
std::vector<Action> plan_deploy(const Lab& lab);

// A word for sh, as the exports write shell lines: as it is when it is
// plain, else single-quoted.
std::string sh_word(const std::string& word);

// One line per action, the same every time for the same lab.
std::string describe(const ActionKind& action);
std::string format_plan(const Lab& lab, const std::vector<Action>& actions);

}  // namespace anylab
