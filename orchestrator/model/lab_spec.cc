#include "model/lab_spec.h"

namespace anylab {

const char* to_string(NodeKind k) {
  switch (k) {
    case NodeKind::kRouter: return "router";
    case NodeKind::kInstance: return "instance";
    case NodeKind::kClient: return "client";
  }
  return "?";
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
