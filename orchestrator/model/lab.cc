#include "model/lab.h"

#include <algorithm>

#include <fmt/format.h>

namespace anylab {

const Node* Lab::find(std::string_view node) const {
  for (const Node& n : nodes)
    if (n.name == node) return &n;
  return nullptr;
}

std::string default_image(NodeKind kind, std::string_view version) {
  return fmt::format("anylab/{}:{}", to_string(kind), version);
}

std::vector<const Link*> Lab::links_between(std::string_view a, std::string_view b) const {
  std::vector<const Link*> out;
  for (const Link& l : links)
    if ((l.a_node == a && l.b_node == b) || (l.a_node == b && l.b_node == a)) out.push_back(&l);
  return out;
}

std::string Lab::links_text(std::string_view a, std::string_view b) const {
  std::string out;
  for (const Link* l : links_between(a, b)) {
    const bool forward = l->a_node == a;
    out += fmt::format("{}{}:{} -- {}:{}", out.empty() ? "" : ", ", a, forward ? l->a_interface : l->b_interface, b,
                       forward ? l->b_interface : l->a_interface);
  }
  return out;
}

std::string Lab::image_of(const Node& n) const {
  if (n.spec && n.spec->image) return n.spec->image->value;
  if (auto it = spec.defaults.images.find(n.kind); it != spec.defaults.images.end()) return it->second.value;
  return default_image(n.kind);
}

bool Lab::names_images() const {
  if (!spec.defaults.images.empty()) return true;
  for (const NodeSpec& n : spec.nodes)
    if (n.image) return true;
  return false;
}

bool valid_lab_name(std::string_view name) {
  if (name.empty() || name.size() > 16 || name[0] < 'a' || name[0] > 'z') return false;
  for (char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

std::string netns_name(std::string_view lab, std::string_view node) {
  return fmt::format("anylab-{}_{}", lab, node);
}

std::string netns_path(std::string_view netns) { return fmt::format("/run/netns/{}", netns); }
std::string frr_run_dir(std::string_view instance) { return fmt::format("/var/run/frr/{}", instance); }
std::string records_dir() { return "/var/lib/anylab"; }
std::string lab_state_dir(std::string_view lab, std::string_view use) {
  return fmt::format("{}/{}.{}", records_dir(), lab, use);
}
std::string frr_daemon(std::string_view daemon) { return fmt::format("/usr/lib/frr/{}", daemon); }

std::string lab_file(std::string_view lab_dir, LabFile f) {
  const char* name = f == LabFile::kJournal ? "journal" : f == LabFile::kLabCopy ? "lab.yaml" : "runtime";
  return fmt::format("{}/{}", lab_dir, name);
}

std::string node_file(const Node& n, NodeFile) { return n.runtime_dir + "/hosts"; }

bool names_families(const LabSpec& spec) { return spec.link_families().size() > 1; }

double offered_rate(const LabSpec& spec, const std::string& client) {
  if (!spec.defaults.load_rate) return 0;
  double weights = 0, mine = 0;
  for (const NodeSpec& n : spec.nodes)
    if (n.kind.value == NodeKind::kClient) {
      weights += n.weight_or_one();
      if (n.name.value == client) mine = n.weight_or_one();
    }
  return weights > 0 ? spec.defaults.load_rate->value * mine / weights : 0;
}

std::string stream_label(const LabSpec& spec, const std::string& service, Family family) {
  std::string out = spec.services.size() > 1 ? service : "";
  if (names_families(spec)) out += (out.empty() ? "" : " ") + std::string(to_string(family));
  return out;
}

std::map<std::string, std::string> Lab::address_owners() const {
  std::map<std::string, std::string> out;
  for (const Node& n : nodes) {
    for (const Interface& i : n.interfaces)
      for (const InterfaceAddress& a : i.addresses) out[a.local.address.str()] = n.name;
    if (n.loopback) out[n.loopback->str()] = n.name;
    if (n.loopback6) out[n.loopback6->str()] = n.name;
  }
  return out;
}

bool Lab::carries_link_subnets() const {
  if (spec.defaults.all_link_subnets) return *spec.defaults.all_link_subnets;
  return std::ranges::count_if(nodes, [](const Node& n) { return n.kind == NodeKind::kRouter; }) <
         static_cast<std::ptrdiff_t>(kLeanRouters);
}

}  // namespace anylab
