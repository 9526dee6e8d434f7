#include "plan/export_clabernetes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/base64.h"
#include "model/lab_spec.h"
#include "plan/export_containerlab.h"

namespace anylab {
namespace {

// A text as a YAML block scalar (`|`, after the key), its lines indented;
// as a quoted scalar where a block could not say it exactly (a first line
// that starts with a space, or not one final newline).
std::string block(const std::string& text, const std::string& indent) {
  if (text.empty() || text[0] == ' ' || text.back() != '\n' || text.ends_with("\n\n"))
    return " " + nlohmann::json(text).dump() + "\n";
  std::string out = " |\n";
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    out += line.empty() ? "\n" : indent + line + "\n";
    start = end + 1;
  }
  return out;
}

std::string q(const std::string& s) { return nlohmann::json(s).dump(); }

std::string config_map_name(const Lab& lab, const Node& n) { return fmt::format("{}-{}-files", lab.name, n.name); }

// A background table's dump (megabytes) does not fit a ConfigMap (at most
// 1 MiB): it travels in pieces, base64 in binaryData, a ConfigMap each,
// and the node's start.sh joins them before anything starts.
constexpr size_t kPieceBytes = 700000;  // 933 336 in base64
std::string piece_name(size_t i) { return fmt::format("{}.part-{:03}", kBackgroundDump, i); }
std::string piece_map_name(const Lab& lab, const Node& n, size_t i) {
  return fmt::format("{}-{}-table-{:03}", lab.name, n.name, i);
}

struct NodeFiles {
  std::vector<std::string> names;                           // in the node's ConfigMap
  std::map<std::string, std::string> text;                  // name -> text
  size_t pieces = 0;                                         // of the dump, each its own ConfigMap
};

// Each node's files of the containerlab export; a dump in pieces, and
// start.sh joining them.
std::map<std::string, NodeFiles> files_by_node(const Lab& lab, const std::map<std::string, std::string>& clab) {
  std::map<std::string, NodeFiles> out;
  for (const auto& [path, text] : clab) {
    const size_t slash = path.find('/');
    if (slash == std::string::npos) continue;
    NodeFiles& f = out[path.substr(0, slash)];
    const std::string name = path.substr(slash + 1);
    f.text[name] = text;
    if (name == kBackgroundDump) f.pieces = (text.size() + kPieceBytes - 1) / kPieceBytes;
    else f.names.push_back(name);
  }
  for (const Node& n : lab.nodes) {
    NodeFiles& f = out[n.name];
    if (!f.pieces) continue;
    std::string& start = f.text.at("start.sh");
    const std::string join = fmt::format(
        "# the background table's dump, brought in {} pieces (a ConfigMap holds at most 1 MiB)\n"
        "cat {}/{}.part-* > {}/{}\n",
        f.pieces, n.runtime_dir, kBackgroundDump, n.runtime_dir, kBackgroundDump);
    const size_t at = start.find("# the node's name resolves");
    start.insert(at == std::string::npos ? start.size() : at, join);
  }
  return out;
}

std::string config_map_head(const Lab& lab, const std::string& name) {
  return fmt::format("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  labels:\n    org.anylab.lab: {}\n", name,
                     q(lab.name));
}

std::string config_maps(const Lab& lab, const std::map<std::string, NodeFiles>& files) {
  std::string out;
  for (const Node& n : lab.nodes) {
    const NodeFiles& f = files.at(n.name);
    out += config_map_head(lab, config_map_name(lab, n)) + "data:\n";
    for (const std::string& name : f.names) out += fmt::format("  {}:", name) + block(f.text.at(name), "    ");
    const std::string_view dump = f.pieces ? std::string_view(f.text.at(kBackgroundDump)) : std::string_view();
    for (size_t i = 0; i < f.pieces; ++i)
      out += config_map_head(lab, piece_map_name(lab, n, i)) +
             fmt::format("binaryData:\n  {}: {}\n", piece_name(i), base64(dump.substr(i * kPieceBytes, kPieceBytes)));
  }
  return out;
}

// Each file back where the topology binds its node's directory, relative
// to the topology in the launcher pod.
std::string files_from_config_maps(const Lab& lab, const std::map<std::string, NodeFiles>& files) {
  std::string out = "  deployment:\n    filesFromConfigMap:\n";
  auto file = [&](const Node& n, const std::string& name, const std::string& map) {
    out += fmt::format("        - filePath: {}\n          configMapName: {}\n          configMapPath: {}\n"
                       "          mode: {}\n",
                       q(n.name + "/" + name), map, q(name), name.ends_with(".sh") ? "execute" : "read");
  };
  for (const Node& n : lab.nodes) {
    out += fmt::format("      {}:\n", n.name);
    const NodeFiles& f = files.at(n.name);
    for (const std::string& name : f.names) file(n, name, config_map_name(lab, n));
    for (size_t i = 0; i < f.pieces; ++i) file(n, piece_name(i), piece_map_name(lab, n, i));
  }
  return out;
}

}  // namespace

std::map<std::string, std::string> export_clabernetes(const Lab& lab) {
  // The images come from a registry there: pulled if not present.
  const std::map<std::string, std::string> clab = export_containerlab(lab, true);
  std::string out = fmt::format(
      "# Lab {} as a clabernetes Topology (clabernetes.containerlab.dev/v1alpha1), written by\n"
      "# anylab {} (anylab export --clabernetes). On a cluster running clabernetes:\n"
      "#   kubectl create namespace anylab\n"
      "#   kubectl apply -n anylab -f {}.clabernetes.yaml\n"
      "# The images (anylab/router, anylab/instance, anylab/client) must be pullable by every\n"
      "# Kubernetes node: push them to your registry and rename them below (README: Export).\n",
      lab.name, ANYLAB_VERSION, lab.name);
  // One ConfigMap per node: its directory's files ("<node>/<file>" in the
  // export), under their own names as keys; a table's dump in pieces.
  const auto files = files_by_node(lab, clab);
  out += config_maps(lab, files);
  out += fmt::format(
      "---\napiVersion: clabernetes.containerlab.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: {}\n"
      "  labels:\n    org.anylab.lab: {}\nspec:\n  naming: prefixed\n"
      "  # A lab has no ports to expose: its measurement runs inside it.\n"
      "  expose:\n    disableExpose: true\n"
      "  definition:\n    containerlab:",
      lab.name, q(lab.name));
  out += block(clab.at(lab.name + ".clab.yml"), "      ");
  out += files_from_config_maps(lab, files);
  return {{lab.name + ".clabernetes.yaml", out}};
}

}  // namespace anylab
