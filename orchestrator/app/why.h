// `anylab why LAB CLIENT`: which instance answers a client, and why: the
// path its packets take, hop by hop as the nodes' forwarding tables send
// them (what a traceroute from the client would see, each hop named), and
// at each router its best path to the service and what decided it, as FRR
// says (local preference, AS path length, MED, age, router ID...).
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"

namespace anylab {

struct WhyPath {
  std::string via{};  // "edge-sin (198.18.0.9)"
  std::string as_path{}, origin{};
  std::optional<uint32_t> local_pref{}, med{};
  bool best = false, multipath = false;
};

struct WhyHop {
  std::string node;
  NodeKind kind = NodeKind::kClient;
  // Where its forwarding table sends the service address: the interface,
  // the next hop and whose it is; empty at the last hop.
  std::string interface{}, gateway{}, next{};
  // A router: its paths to the service prefix (the best first) and FRR's
  // reason for the best ("AS Path", "Local Pref", ...; "" for the only one).
  std::vector<WhyPath> paths{};
  std::string reason{};
  std::string note{};  // the end: "the service address is its own", "no route", ...
};

struct WhyAnswer {
  std::string client, service;
  Family family = Family::kIpv4;
  IpAddress address;
  IpPrefix prefix;
  std::optional<std::string> answered_by;  // a probe's answer now
  std::vector<WhyHop> hops;
};

// On a deployed lab: `service` (the lab's first if none), over `family`
// (the service's first if none).
std::expected<WhyAnswer, Error> explain(const Lab& lab, const std::string& client, const std::optional<std::string>& service,
                                    const std::optional<std::string>& family);

// For people: a line per hop, its paths under it.
std::string why_text(const WhyAnswer& w);

}  // namespace anylab
