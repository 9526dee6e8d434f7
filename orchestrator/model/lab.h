#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/file_text.h"
#include "model/lab_spec.h"
#include "model/timings.h"

namespace anylab {

// The lab resolved into concrete objects: every name, interface, address and
// BGP session decided, every config rendered. Everything deploy does is
// derived from this, and the same LabSpec always resolves to the same Lab.

// An interface's address in one family. An interface has one per family
// its link carries, IPv4 first: IPv6 too when the lab has an IPv6 service.
struct InterfaceAddress {
  IpPrefix local;  // with its length, e.g. 198.18.0.0/31
  IpAddress peer;  // the other end's
};
struct Interface {
  std::string name;
  std::vector<InterfaceAddress> addresses;
  std::string peer_node;
  std::string peer_interface;
  Relation relation = Relation::kNone;  // what the peer node is to this one
  bool igp = false;  // toward a router of the same AS: the IGP runs over it, BGP does not
};

// One BGP session per family over a dual-stack link (separate IPv4 and
// IPv6 sessions, as operators run them), and with an instance only in the
// families of its service: the family is its addresses'.
struct BgpNeighbor {
  std::string node;        // the peer node's name
  std::string interface;   // our interface toward it
  IpAddress address;       // the peer's address
  IpAddress local_address; // ours
  uint32_t asn = 0;        // the peer's AS
  bool bfd = false;
  Relation relation = Relation::kNone;  // what the peer is to us: routes in and out follow it
  // iBGP: a router of the same AS, between loopbacks (interface "lo"),
  // with next hop self; rr_client: we reflect routes to it.
  bool ibgp = false;
  bool rr_client = false;
  Family family() const { return address.family; }
};

struct Node {
  std::string name;
  NodeKind kind = NodeKind::kClient;
  std::string netns;        // network namespace name
  std::string runtime_dir;  // configs, pid files and logs of this node
  uint32_t asn = 0;         // 0 for clients
  IpAddress router_id;
  // A router of an AS of several: its loopback (the router ID, as a /32 on
  // lo), which the IGP carries and iBGP runs between.
  std::optional<IpAddress> loopback;
  // And in a lab that carries IPv6, an IPv6 loopback: 2001:2:0:ffff:: and
  // the router ID's 32 bits (inside RFC 5180's 2001:2::/48).
  std::optional<IpAddress> loopback6;
  int keepalive = 0;
  int hold = 0;
  int advertisement_interval = 0;  // routers: MRAI, seconds
  bool bfd = false;
  std::vector<Interface> interfaces;
  std::vector<BgpNeighbor> neighbors;
  std::vector<IpAddress> gateways;  // default routes, one per family (instances, clients)
  const ServiceSpec* service = nullptr;  // instances
  const NodeSpec* spec = nullptr;
  std::map<std::string, FileText> files;  // rendered configs: file name -> text
  // A router with `background:`: how many routes its feeder's session
  // brings in (the dump's, less what the router's filter and its AS-path
  // loop check drop). Ready waits for them.
  size_t background_routes = 0;
};

struct Link {
  std::string a_node, a_interface;
  std::string b_node, b_interface;
  struct Addresses {
    IpPrefix a, b;
  };
  std::vector<Addresses> addresses;  // one pair per family, IPv4 first
};

// Where things live on the host: fixed for a real deploy, overridable so that
// plans and golden files do not depend on the machine.
struct Paths {
  std::string runtime_root = "/run/anylab";  // <root>/<lab>/<node>/
  // anylab's own programs as a node sees them (the configs name them): on
  // netns the host's, in a container the image's.
  std::string helper_dir = "/usr/libexec/anylab";
  // The same programs on the host, for what anylab runs itself (a probe
  // from a client's namespace).
  std::string host_helper_dir = "/usr/libexec/anylab";
  std::string python = "/usr/bin/python3";  // the Debian interpreter that has exabgp
};

// anylab's own image for a kind of node, of this anylab version.
std::string default_image(NodeKind kind, std::string_view version = ANYLAB_VERSION);

// Move-only: nodes point into `spec`.
struct Lab {
  Lab() = default;
  Lab(Lab&&) = default;
  Lab& operator=(Lab&&) = default;
  Lab(const Lab&) = delete;
  Lab& operator=(const Lab&) = delete;

  LabSpec spec;
  Paths paths;
  // The name of the runtime its nodes run on (runtime/runtimes.h knows
  // them; the model does not). Set when the lab is loaded for a command.
  std::string runtime;
  Timings timings;
  std::string name;
  std::string runtime_dir;
  std::vector<Node> nodes;  // in file order
  std::vector<Link> links;  // in file order

  const Node* find(std::string_view node) const;
  // Every address the plan gave a node (its interfaces', its loopbacks'),
  // and whose it is: how a next hop or a BGP peer is named.
  std::map<std::string, std::string> address_owners() const;
  // Every link between two nodes, in file order: a pair may be linked more
  // than once, and an event on "the link" acts on each.
  std::vector<const Link*> links_between(std::string_view a, std::string_view b) const;
  // "a:eth1 -- b:eth1, a:eth2 -- b:eth2": which links an event acted on.
  std::string links_text(std::string_view a, std::string_view b) const;
  // The container image a node runs (container runtimes, export): its own
  // `image:`, else the lab's `defaults.images` for its kind, else anylab's.
  std::string image_of(const Node& n) const;
  // Whether the lab names any image of its own.
  bool names_images() const;
  // Whether routers carry every link subnet in BGP, or only those of their
  // links to clients: `defaults.bgp.link-subnets`, else every one in a lab
  // of fewer than kLeanRouters routers. In a big lab the others fill every
  // RIB (a thousand routers: 1700 subnets each) and, learned over BGP by a
  // router whose zebra has not yet read its own addresses, replace the
  // kernel's connected route (measured: sessions stuck in Connect).
  bool carries_link_subnets() const;
  static constexpr size_t kLeanRouters = 100;
};

// What one stream of probes measures: a client probing one address (one
// family) of one service. Every timeline, verdict and report is per key.
struct ProbeKey {
  std::string client;
  std::string service;
  Family family = Family::kIpv4;
  auto operator<=>(const ProbeKey&) const = default;
};
// Whether reports name families: the lab has an IPv6 service (or link).
bool names_families(const LabSpec& spec);
// With `defaults.load`: the queries a second a client offers, its weight's
// share of the rate (0 without load). It splits them evenly over the
// streams it probes (every service, every family).
double offered_rate(const LabSpec& spec, const std::string& client);
// "dns ipv6": what tells a key's stream from the client's others (the
// service when the lab has several, the family when it has IPv6), or "".
std::string stream_label(const LabSpec& spec, const std::string& service, Family family);

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
// Where runtimes keep what must outlive /run (a reboot): /var/lib/anylab,
// each lab's records named <lab>.<what>.
std::string records_dir();
// A directory of the lab's in /var/lib/anylab (which outlives /run) named
// for a runtime's use ("clab": the containerlab topology).
std::string lab_state_dir(std::string_view lab, std::string_view use);
// An FRR daemon's program ("zebra"), as Debian and anylab's images install
// it: spelled here only.
std::string frr_daemon(std::string_view daemon);

// The files of a lab's runtime directory (/run/anylab/<lab>/) and of a
// node's, spelled here only.
enum class LabFile { kJournal, kLabCopy, kRuntime };
std::string lab_file(std::string_view lab_dir, LabFile f);
enum class NodeFile { kHosts };
std::string node_file(const Node& n, NodeFile f);

}  // namespace anylab
