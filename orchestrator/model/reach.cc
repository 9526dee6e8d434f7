#include "model/reach.h"

#include <deque>
#include <vector>

namespace anylab {

std::map<std::string, size_t> routers_from(const LabSpec& spec, const std::string& from) {
  std::map<std::string, std::vector<const LinkSpec*>> links_of;
  for (const LinkSpec& l : spec.links)
    if (l.a.node.value != l.b.node.value)
      for (const EndpointSpec* e : {&l.a, &l.b}) links_of[e->node.value].push_back(&l);
  std::map<std::string, size_t> crossed{{from, 0}};
  std::deque<std::string> queue{from};
  while (!queue.empty()) {
    const std::string at = queue.front();
    queue.pop_front();
    const NodeSpec* n = spec.find_node(at);
    if (at != from && (!n || n->kind.value != NodeKind::kRouter)) continue;
    const size_t next = crossed[at] + (at == from ? 0 : 1);
    auto it = links_of.find(at);
    if (it == links_of.end()) continue;
    for (const LinkSpec* l : it->second) {
      const std::string& other = l->a.node.value == at ? l->b.node.value : l->a.node.value;
      if (crossed.emplace(other, next).second) queue.push_back(other);
    }
  }
  return crossed;
}

}  // namespace anylab
