#pragma once

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

using ActionKind = std::variant<CreateNamespace, CreateVeth, AddAddress, SetLinkUp, SetSysctl, AddRoute,
                                CreateDirectory, WriteFile, StartProcess, WaitForSocket>;

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
