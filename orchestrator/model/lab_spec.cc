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

}  // namespace anylab
