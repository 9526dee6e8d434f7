#include "plan/graph.h"

#include <fmt/format.h>

namespace anylab {
namespace {

std::string label(const Node& n) {
  switch (n.kind) {
    case NodeKind::kRouter: return fmt::format("{}\\nAS {}", n.name, n.asn);
    case NodeKind::kInstance: {
      std::string out = fmt::format("{}\\n{}", n.name, n.service->name.value);
      for (const auto& a : n.service->addresses) out += " " + a.value.str();
      return out;
    }
    case NodeKind::kClient: break;
  }
  return n.name;
}

std::string subnets(const Link& l) {
  std::string out;
  for (const Link::Addresses& p : l.addresses) out += (out.empty() ? "" : " ") + p.a.network().str();
  return out;
}

std::string dot(const Lab& lab) {
  std::string out = fmt::format("graph \"{}\" {{\n  layout=neato; overlap=false; splines=true;\n", lab.name);
  out += "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=8];\n";
  for (const Node& n : lab.nodes) {
    const char* style = n.kind == NodeKind::kRouter     ? "shape=box, style=rounded"
                        : n.kind == NodeKind::kInstance ? "shape=doubleoctagon, style=filled, fillcolor=\"#d8ecff\""
                                                        : "shape=ellipse";
    out += fmt::format("  \"{}\" [label=\"{}\", {}];\n", n.name, label(n), style);
  }
  for (const Link& l : lab.links)
    out += fmt::format("  \"{}\" -- \"{}\" [taillabel=\"{}\", headlabel=\"{}\", label=\"{}\"];\n", l.a_node,
                       l.b_node, l.a_interface, l.b_interface, subnets(l));
  return out + "}\n";
}

std::string mermaid_id(const std::string& name) {
  std::string id = name;
  for (char& c : id)
    if (c == '-') c = '_';
  return id;
}

std::string mermaid(const Lab& lab) {
  std::string out = fmt::format("---\ntitle: {}\n---\ngraph LR\n", lab.name);
  for (const Node& n : lab.nodes) {
    std::string text = label(n);
    for (size_t p; (p = text.find("\\n")) != std::string::npos;) text.replace(p, 2, "<br/>");
    const char* open = n.kind == NodeKind::kRouter ? "[" : n.kind == NodeKind::kInstance ? "{{" : "([";
    const char* close = n.kind == NodeKind::kRouter ? "]" : n.kind == NodeKind::kInstance ? "}}" : "])";
    out += fmt::format("  {}{}\"{}\"{}\n", mermaid_id(n.name), open, text, close);
  }
  for (const Link& l : lab.links)
    out += fmt::format("  {} ---|\"{} {}\"| {}\n", mermaid_id(l.a_node), l.a_interface, l.b_interface,
                       mermaid_id(l.b_node));
  return out;
}

}  // namespace

std::string render_graph(const Lab& lab, GraphFormat format) {
  return format == GraphFormat::kDot ? dot(lab) : mermaid(lab);
}

}  // namespace anylab
