#pragma once

#include <map>
#include <string>

#include "model/lab.h"

namespace anylab {

// The lab as a containerlab topology, for people who run containerlab
// themselves or, beyond one machine, clabernetes: `<lab>.clab.yml` and, per
// node, the configs anylab renders and a `start.sh` that does inside the
// node what anylab's deploy does (addresses, routes, sysctls, daemons, in
// the plan's order, each with the plan's reason). Nodes are `linux` kind
// containers of anylab's images with no management network
// (`network-mode: none`), each node's directory bound at the path its
// configs name, and `start.sh` run by containerlab's `exec` once the links
// are wired. The lab must be resolved with the images' paths (Paths{}).
// Returns file contents by path relative to the export directory.
std::map<std::string, std::string> export_containerlab(const Lab& lab);

}  // namespace anylab
