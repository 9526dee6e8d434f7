#pragma once

#include <map>
#include <string>

#include "model/lab.h"
#include "plan/plan.h"

namespace anylab {

// The lab as a containerlab (0.79 or later) topology, for people who run containerlab
// themselves or, beyond one machine, clabernetes: `<lab>.clab.yml` and, per
// node, the configs anylab renders and a `start.sh` that does inside the
// node what anylab's deploy does (addresses, routes, daemons, in the
// plan's order, each with the plan's reason). Nodes are unprivileged `linux`
// kind containers of anylab's images with the capabilities a lab needs, no
// management network (`network-mode: none`, and `mgmt: skip-when-unused`:
// no bridge, no iptables), the plan's sysctls as `sysctls:` (/proc/sys is
// read-only in them), each node's directory bound at the path its configs
// name, and `start.sh` run by containerlab's `exec` once the links are
// wired. The lab must be resolved with the images' paths (Paths{}).
// Returns file contents by path relative to the export directory.
// `pulled`: the images come from a registry (a cluster's nodes pull them),
// not from the machine they were built on.
std::map<std::string, std::string> export_containerlab(const Lab& lab, bool pulled = false);

// The pieces of a topology that the export and the containerlab runtime
// (which writes its own, anylab starting the daemons) share: a node's
// settings (kind, image, unprivileged, no network, capabilities, `cmd`), its
// sysctls from the plan (`sysctls:` or ""), the `links:` section, and a
// string as a YAML scalar.
std::string clab_node_settings(const Lab& lab, const Node& n, bool pulled = false);
std::string clab_sysctls(const std::vector<Action>& plan, const Node& n);
std::string clab_links(const Lab& lab);
std::string clab_yaml_string(const std::string& s);

}  // namespace anylab
