#pragma once

#include <string>
#include <vector>

#include "runtime/runtimes.h"

namespace anylab {

struct DestroyReport {
  int processes = 0;   // processes stopped
  int namespaces = 0;  // namespaces removed
  int containers = 0;  // containers removed (container runtimes)
  bool found = false;  // whether there was anything of the lab at all
  std::vector<std::string> problems;
};

// Removes everything the lab's journal names: daemons by recorded pid (and
// start time), any process left inside the lab's namespaces, the namespaces
// (and with them their veths), what a runtime recorded as the lab's (its
// containers: NodeRuntime::remove), FRR's run directories and the lab's runtime
// directory. Names that do not belong to the lab are never touched. Safe to
// repeat; works after anylab was killed mid-deploy. `runtimes`: those asked
// for what only they remove (every runtime; a test gives its own).
DestroyReport destroy_lab(const std::string& root, const std::string& lab,
                          const std::vector<const NodeRuntime*>& runtimes = all_runtimes());

// Labs with a journal under root, or a record of containers (which
// outlives /run).
std::vector<std::string> deployed_labs(const std::string& root);

}  // namespace anylab
