#include "plan/export_clabernetes.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

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
  // export), under their own names as keys.
  std::map<std::string, std::vector<std::string>> files_of;  // node -> file names
  for (const auto& [path, text] : clab) {
    const size_t slash = path.find('/');
    if (slash == std::string::npos) continue;
    files_of[path.substr(0, slash)].push_back(path.substr(slash + 1));
  }
  for (const Node& n : lab.nodes) {
    out += fmt::format("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  labels:\n    org.anylab.lab: {}\n"
                       "data:\n",
                       config_map_name(lab, n), q(lab.name));
    for (const std::string& f : files_of[n.name])
      out += fmt::format("  {}:", f) + block(clab.at(n.name + "/" + f), "    ");
  }
  out += fmt::format(
      "---\napiVersion: clabernetes.containerlab.dev/v1alpha1\nkind: Topology\nmetadata:\n  name: {}\n"
      "  labels:\n    org.anylab.lab: {}\nspec:\n  naming: prefixed\n"
      "  # A lab has no ports to expose: its measurement runs inside it.\n"
      "  expose:\n    disableExpose: true\n"
      "  definition:\n    containerlab:",
      lab.name, q(lab.name));
  out += block(clab.at(lab.name + ".clab.yml"), "      ");
  // Each file back where the topology binds its node's directory, relative
  // to the topology in the launcher pod.
  out += "  deployment:\n    filesFromConfigMap:\n";
  for (const Node& n : lab.nodes) {
    out += fmt::format("      {}:\n", n.name);
    for (const std::string& f : files_of[n.name])
      out += fmt::format("        - filePath: {}\n          configMapName: {}\n          configMapPath: {}\n"
                         "          mode: {}\n",
                         q(n.name + "/" + f), config_map_name(lab, n), q(f), f.ends_with(".sh") ? "execute" : "read");
  }
  return {{lab.name + ".clabernetes.yaml", out}};
}

}  // namespace anylab
