#include "model/lab_spec.h"

#include <algorithm>

namespace anylab {

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::kRouter: return "router";
    case NodeKind::kInstance: return "instance";
    case NodeKind::kClient: return "client";
  }
  return "?";
}

std::string config_file_name(const NodeSpec& n) {
  if (n.kind.value == NodeKind::kRouter) return "frr.conf";
  if (n.speaks_bird()) return "bird.conf";
  if (n.speaks_gobgp()) return "gobgpd.toml";
  return "exabgp.conf";
}

const char* to_string(FailMode m) {
  switch (m) {
    case FailMode::kCrash: return "crash";
    case FailMode::kFreeze: return "freeze";
    case FailMode::kService: return "service";
  }
  return "?";
}

const char* to_string(Relation r) {
  switch (r) {
    case Relation::kNone: return "none";
    case Relation::kCustomer: return "customer";
    case Relation::kPeer: return "peer";
    case Relation::kProvider: return "provider";
  }
  return "?";
}

const char* to_string(Igp i) { return i == Igp::kIsis ? "isis" : "ospf"; }

uint32_t RelationPrefs::of(Relation r) const {
  switch (r) {
    case Relation::kCustomer: return customer;
    case Relation::kPeer: return peer;
    case Relation::kProvider: return provider;
    case Relation::kNone: break;
  }
  return 100;  // BGP's default local preference
}

Relation LinkSpec::relation_of_b() const {
  if (!relation) return Relation::kNone;
  const std::string& r = relation->value;
  return r == "p2c" ? Relation::kCustomer : r == "c2p" ? Relation::kProvider : Relation::kPeer;
}

Relation LinkSpec::relation_of_a() const {
  switch (relation_of_b()) {
    case Relation::kCustomer: return Relation::kProvider;
    case Relation::kProvider: return Relation::kCustomer;
    default: return relation_of_b();
  }
}

std::optional<FailMode> parse_fail_mode(std::string_view name) {
  for (FailMode m : {FailMode::kCrash, FailMode::kFreeze, FailMode::kService})
    if (name == to_string(m)) return m;
  return std::nullopt;
}

const NodeSpec* LabSpec::find_node(std::string_view n) const {
  for (const NodeSpec& node : nodes)
    if (node.name.value == n) return &node;
  return nullptr;
}

const ServiceSpec* LabSpec::find_service(std::string_view n) const {
  for (const ServiceSpec& s : services)
    if (s.name.value == n) return &s;
  return nullptr;
}

std::vector<Family> LabSpec::link_families() const {
  bool v6 = false;
  for (const ServiceSpec& s : services) v6 |= s.has(Family::kIpv6);
  for (const LinkSpec& l : links) v6 |= l.written(Family::kIpv6).has_value();
  if (v6) return {Family::kIpv4, Family::kIpv6};
  return {Family::kIpv4};
}

std::vector<const NodeSpec*> LabSpec::routers_of(uint32_t asn) const {
  std::vector<const NodeSpec*> out;
  for (const NodeSpec& n : nodes)
    if (n.kind.value == NodeKind::kRouter && n.asn && n.asn->value == asn) out.push_back(&n);
  return out;
}

bool LabSpec::in_shared_as(const NodeSpec& router) const {
  return router.kind.value == NodeKind::kRouter && router.asn && routers_of(router.asn->value).size() > 1;
}

std::vector<const NodeSpec*> LabSpec::ibgp_peers(const NodeSpec& router) const {
  if (!in_shared_as(router)) return {};
  const auto mates = routers_of(router.asn->value);
  const bool reflectors = std::any_of(mates.begin(), mates.end(), [](const NodeSpec* n) { return n->reflects(); });
  std::vector<const NodeSpec*> out;
  for (const NodeSpec* m : mates)
    if (m != &router && (!reflectors || router.reflects() || m->reflects())) out.push_back(m);
  return out;
}

std::vector<Family> ServiceSpec::families() const {
  std::vector<Family> out;
  for (Family f : {Family::kIpv4, Family::kIpv6})
    if (has(f)) out.push_back(f);
  return out;
}

const IpPrefix* ServiceSpec::prefix(Family f) const {
  for (const auto& p : prefixes)
    if (p.value.family() == f) return &p.value;
  return nullptr;
}

const IpAddress* ServiceSpec::address(Family f) const {
  for (const auto& a : addresses)
    if (a.value.family == f) return &a.value;
  return nullptr;
}

std::optional<std::pair<IpPrefix, IpPrefix>> LinkSpec::written(Family f) const {
  for (size_t i = 0; i + 1 < addresses.size(); i += 2)
    if (addresses[i].value.family() == f && addresses[i + 1].value.family() == f)
      return std::pair{addresses[i].value, addresses[i + 1].value};
  return std::nullopt;
}

}  // namespace anylab
