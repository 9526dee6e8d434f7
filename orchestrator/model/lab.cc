#include "model/lab.h"

#include <fmt/format.h>

namespace anylab {

const Node* Lab::find(std::string_view node) const {
  for (const Node& n : nodes)
    if (n.name == node) return &n;
  return nullptr;
}

std::string netns_name(std::string_view lab, std::string_view node) {
  return fmt::format("anylab-{}-{}", lab, node);
}

}  // namespace anylab
