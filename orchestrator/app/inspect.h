#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "model/lab.h"

namespace anylab {

// A deployed lab as it is now: each node's recorded processes and whether
// they run, each BGP session's state as its router's FRR says it, each
// validating router's RTR session, and who answers each client for each
// service and family (one probe each).
struct LabSnapshot {
  struct Process {
    std::string name;
    pid_t pid = 0;
    bool running = false;
  };
  struct NodeState {
    std::string name, kind, netns;
    std::vector<Process> processes{};
  };
  struct Session {
    std::string router, peer, address, state;  // state "unknown" when bgpd does not answer
  };
  struct Rtr {
    std::string router, mode, cache, state;
    std::optional<size_t> vrps{};  // once synchronised
  };
  struct Answer {
    std::string client, service, family;
    std::optional<std::string> instance{};  // nobody
  };
  std::string lab, runtime;
  std::vector<NodeState> nodes{};
  std::vector<Session> sessions{};
  std::vector<Rtr> rpki{};
  std::vector<Answer> clients{};
};

// nullopt when the lab is not deployed (its journal is empty).
std::optional<LabSnapshot> inspect_lab(const Lab& lab);

// As `anylab inspect --json` prints it (documented in the README).
std::string snapshot_json(const LabSnapshot& s);

}  // namespace anylab
