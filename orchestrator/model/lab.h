#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/lab_spec.h"
#include "model/timings.h"

namespace anylab {

// The lab resolved into concrete objects: every name, interface, address and
// BGP session decided, every config rendered. Everything deploy does is
// derived from this, and the same LabSpec always resolves to the same Lab.
struct Interface {
  std::string name;
  Ipv4Prefix address;  // with its length, e.g. 198.18.0.0/31
  std::string peer_node;
  std::string peer_interface;
  Ipv4 peer_address;
};

struct BgpNeighbor {
  std::string node;        // the peer node's name
  std::string interface;   // our interface toward it
  Ipv4 address;            // the peer's address
  Ipv4 local_address;      // ours
  uint32_t asn = 0;        // the peer's AS
  bool bfd = false;
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kClient;
  std::string netns;        // network namespace name
  std::string runtime_dir;  // configs, pid files and logs of this node
  uint32_t asn = 0;         // 0 for clients
  Ipv4 router_id;
  int keepalive = 0;
  int hold = 0;
  bool bfd = false;
  std::vector<Interface> interfaces;
  std::vector<BgpNeighbor> neighbors;
  std::optional<Ipv4> gateway;     // default route (instances, clients)
  const ServiceSpec* service = nullptr;  // instances
  const NodeSpec* spec = nullptr;
  std::map<std::string, std::string> files;  // rendered configs: file name -> text
};

struct Link {
  std::string a_node, a_interface;
  std::string b_node, b_interface;
  Ipv4Prefix a_address, b_address;
};

// Where things live on the host: fixed for a real deploy, overridable so that
// plans and golden files do not depend on the machine.
struct Paths {
  std::string runtime_root = "/run/anylab";  // <root>/<lab>/<node>/
  std::string helper_dir = "/usr/libexec/anylab";  // anylab's own programs
  std::string python = "/usr/bin/python3";  // the Debian interpreter that has exabgp
};

// Move-only: nodes point into `spec`.
struct Lab {
  Lab() = default;
  Lab(Lab&&) = default;
  Lab& operator=(Lab&&) = default;
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  LabSpec spec;
  Paths paths;
  Timings timings;
  std::string name;
  std::string runtime_dir;
  std::vector<Node> nodes;  // in file order
  std::vector<Link> links;  // in file order

  const Node* find(std::string_view node) const;
};

// Whether a name can be a lab's (the schema's lab-name: [a-z][a-z0-9-]*, at
// most 16 characters). A name given on the command line is checked with it
// before it is made into a path.
bool valid_lab_name(std::string_view name);

// Names derived from the lab and node names, in one place: destroy and
// inspect must find exactly what deploy made.
std::string netns_name(std::string_view lab, std::string_view node);
// Where iproute2 keeps a named network namespace.
std::string netns_path(std::string_view netns);
// Where FRR started with `-N <instance>` keeps its pid files and vty sockets.
std::string frr_run_dir(std::string_view instance);

}  // namespace anylab
