#include "app/own_configs.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "plan/own_config.h"
#include "plan/render_speakers.h"
#include "runtime/process.h"

namespace anylab {

extern const char kRenderTemplatesScript[];

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kVtysh = "/usr/bin/vtysh";

// A directory in /tmp for one check, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    char path[] = "/tmp/anylab-config-XXXXXX";
    if (::mkdtemp(path)) path_ = path;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

ProcessSpec host_command(std::vector<std::string> argv, std::string log_file = "") {
  ProcessSpec spec;
  spec.argv = std::move(argv);
  spec.log_file = std::move(log_file);
  return spec;
}

// Where an error of a template is: the file as the lab names it when it is
// the template itself, else as found (an included one), and its line.
std::string template_place(const ConfigSpec& c, const json& result) {
  const std::string file = result.value("file", c.file);
  // An included template, named as the lab's config is: from the lab file.
  std::error_code ec;
  const fs::path from_config = fs::relative(file, fs::path(c.file).parent_path(), ec);
  const std::string shown = file == c.file ? c.path.value
                            : ec           ? file
                                           : (fs::path(c.path.value).parent_path() / from_config).string();
  return result.contains("line") && result["line"].is_number() ? fmt::format("{}:{}", shown, result["line"].get<int>())
                                                                 : shown;
}

// Renders every template of the lab in one run of Python's Jinja2.
void render_templates(Lab& lab, Diagnostics& diag) {
  std::vector<Node*> nodes;
  json jobs = json::array();
  for (Node& n : lab.nodes) {
    if (!n.spec->config || !n.spec->config->is_template) continue;
    const fs::path file(n.spec->config->file);
    jobs.push_back({{"template", file.string()},
                    {"search", {file.parent_path().string()}},
                    {"facts", node_facts(lab, n)}});
    nodes.push_back(&n);
  }
  if (nodes.empty()) return;
  const SourceMark first = nodes.front()->spec->config->path.mark;
  const RunOutput run =
      run_command(host_command({lab.paths.python, "-c", kRenderTemplatesScript}), json{{"jobs", jobs}}.dump());
  const json out = json::parse(run.out, nullptr, false);
  if (run.end != RunOutput::End::kExited || run.exit_code != 0 || out.is_discarded())
    return diag.error(first, fmt::format("cannot render the lab's templates with {}: {}", lab.paths.python, run.how()));
  if (out.contains("missing")) return diag.error(first, out["missing"].get<std::string>());
  const json& results = out["results"];
  for (size_t i = 0; i < nodes.size() && i < results.size(); ++i) {
    Node& n = *nodes[i];
    const ConfigSpec& c = *n.spec->config;
    if (results[i].contains("text")) {
      n.files[config_file_name(*n.spec)] = results[i]["text"].get<std::string>();
      continue;
    }
    const std::string error = results[i]["error"].get<std::string>();
    const bool variable = error.find("undefined") != std::string::npos || error.find("no attribute") != std::string::npos;
    diag.error(c.path.mark, fmt::format("{}: {}: {}{}", n.name, template_place(c, results[i]), error,
                                        variable ? fmt::format(" (a template's variables are the node's facts, in the "
                                                               "README; `anylab plan LAB --facts {}` prints them)",
                                                               n.name)
                                                 : ""));
  }
}

// The program that checks a node's config, as this machine has it, with the
// config at `file`; empty when it has none.
std::vector<std::string> checker(const Node& n, const std::string& file) {
  if (n.kind == NodeKind::kRouter) return ::access(kVtysh, X_OK) == 0 ? std::vector<std::string>{kVtysh, "-C", "-f", file}
                                                                        : std::vector<std::string>{};
  if (n.spec->speaks_bird())
    return ::access(kBird, X_OK) == 0 ? std::vector<std::string>{kBird, "-p", "-c", file} : std::vector<std::string>{};
  return ::access(kGobgpd, X_OK) == 0 ? std::vector<std::string>{kGobgpd, "-d", "-t", "toml", "-f", file}
                                       : std::vector<std::string>{};
}

// Each file of the node in a directory of its own (a BIRD config includes
// its routes files: their paths point there), then its own program on it.
void check_with_program(const Node& n, Diagnostics& diag) {
  TempDir dir;
  if (dir.path().empty()) return;
  auto moved = [&](std::string text) {
    for (size_t at = text.find(n.runtime_dir); at != std::string::npos; at = text.find(n.runtime_dir, at))
      text.replace(at, n.runtime_dir.size(), dir.path()), at += dir.path().size();
    return text;
  };
  for (const auto& [name, text] : n.files) std::ofstream(dir.path() + "/" + name) << moved(text);
  const std::string file = dir.path() + "/" + config_file_name(*n.spec);
  const std::vector<std::string> argv = checker(n, file);
  if (argv.empty()) return;
  const std::string log = dir.path() + "/check.log";
  const RunOutput run = run_command(host_command(argv, log));
  if (run.end == RunOutput::End::kExited && run.exit_code == 0) return;
  std::ifstream in(log);
  std::string said(std::istreambuf_iterator<char>(in), {});
  said = run.out + said;
  // Its messages name the user's file, not the copy checked.
  const ConfigSpec& c = *n.spec->config;
  const std::string yours = c.is_template ? c.path.value + ", as rendered," : c.path.value;
  for (size_t at = said.find(file); at != std::string::npos; at = said.find(file, at + yours.size()))
    said.replace(at, file.size(), yours);
  for (size_t at = said.find(dir.path() + "/"); at != std::string::npos; at = said.find(dir.path() + "/"))
    said.erase(at, dir.path().size() + 1);
  while (!said.empty() && (said.back() == '\n' || said.back() == ' ')) said.pop_back();
  diag.error(c.path.mark,
             fmt::format("{}: {} {}: {} ({})", n.name, fs::path(argv[0]).filename().string(), argv[1], printable(said),
                         run.how()));
}

}  // namespace

Diagnostics apply_own_configs(Lab& lab) {
  Diagnostics diag;
  for (Node& n : lab.nodes)
    if (n.spec->config && !n.spec->config->is_template) n.files[config_file_name(*n.spec)] = n.spec->config->text;
  render_templates(lab, diag);
  if (!diag.empty()) return diag;
  for (Node& n : lab.nodes)
    if (n.spec->config && n.kind == NodeKind::kRouter) n.files[kFrrDaemonsConfig] = frr_for_daemons(n.files.at("frr.conf"));
  for (const Node& n : lab.nodes) {
    if (!n.spec->config || n.spec->config->deployed) continue;
    for (const std::string& problem : own_config_problems(n, n.files.at(config_file_name(*n.spec))))
      diag.error(n.spec->config->path.mark, problem);
  }
  if (!diag.empty()) return diag;
  for (const Node& n : lab.nodes)
    if (n.spec->config && !n.spec->config->deployed) check_with_program(n, diag);
  return diag;
}

}  // namespace anylab
