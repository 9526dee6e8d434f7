#include "cli/commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "load/loader.h"
#include "plan/graph.h"
#include "plan/plan.h"
#include "plan/resolve.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

// anylab's helper programs (responder, probe) sit beside the anylab binary,
// in the build tree as after `cmake --install`.
Paths host_paths() {
  Paths p;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) p.helper_dir = self.parent_path().string();
  return p;
}

// Loads, checks and resolves; on failure prints every error and gives the
// exit code.
std::expected<Lab, int> load(const std::string& path) {
  auto source = read_source(path);
  if (!source) {
    std::cerr << source.error() << "\n";
    return std::unexpected(kExitInvalidLab);
  }
  auto spec = load_lab(*source);
  if (!spec) {
    std::cerr << format_diagnostics(*source, spec.error());
    std::cerr << fmt::format("{}: {} error{}; nothing was built\n", path, spec.error().sorted().size(),
                             spec.error().sorted().size() == 1 ? "" : "s");
    return std::unexpected(kExitInvalidLab);
  }
  auto lab = resolve(std::move(*spec), host_paths());
  if (!lab) {
    std::cerr << format_diagnostics(*source, lab.error());
    return std::unexpected(kExitInvalidLab);
  }
  return std::move(*lab);
}

int validate(const std::string& path) {
  auto lab = load(path);
  if (!lab) return lab.error();
  std::cout << fmt::format("{}: lab {} is valid: {} nodes, {} links, {} scenarios\n", path, lab->name,
                           lab->nodes.size(), lab->links.size(), lab->spec.scenarios.size());
  return kExitOk;
}

int write_out(const Lab& lab, const std::string& plan_text, const fs::path& dir) {
  std::error_code ec;
  auto write = [&](const fs::path& file, const std::string& text) {
    fs::create_directories(file.parent_path(), ec);
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    if (ec || !out) {
      std::cerr << fmt::format("anylab: cannot write {}: {}\n", file.string(),
                               ec ? ec.message() : std::strerror(errno));
      return false;
    }
    return true;
  };
  if (!write(dir / "plan.txt", plan_text)) return kExitCheckFailed;
  for (const Node& n : lab.nodes)
    for (const auto& [name, text] : n.files)
      if (!write(dir / n.name / name, text)) return kExitCheckFailed;
  return kExitOk;
}

int plan(const std::string& path, const std::optional<std::string>& out_dir) {
  auto lab = load(path);
  if (!lab) return lab.error();
  const std::string text = format_plan(*lab, plan_deploy(*lab));
  std::cout << text;
  if (out_dir) {
    if (int rc = write_out(*lab, text, *out_dir); rc != kExitOk) return rc;
    std::cerr << fmt::format("wrote plan.txt and the rendered configs to {}/\n", *out_dir);
  }
  return kExitOk;
}

int graph(const std::string& path, const std::string& format) {
  auto lab = load(path);
  if (!lab) return lab.error();
  std::cout << render_graph(*lab, format == "mermaid" ? GraphFormat::kMermaid : GraphFormat::kDot);
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"anylab: build an anycast lab from a YAML file, break it on purpose, and prove how it behaves"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "anylab 0.1.0");
  std::string lab_path;
  std::optional<std::string> out_dir;
  std::string format = "dot";

  auto* v = app.add_subcommand("validate", "load and check a lab file; print every error; exit 0 or 2");
  v->add_option("LAB", lab_path, "the lab file")->required();
  auto* p = app.add_subcommand("plan", "print what deploy would do, with the rendered configs; touches nothing");
  p->add_option("LAB", lab_path, "the lab file")->required();
  p->add_option("--out", out_dir, "also write plan.txt and each node's configs under DIR");
  auto* g = app.add_subcommand("graph", "print the topology as a graph");
  g->add_option("LAB", lab_path, "the lab file")->required();
  g->add_option("--format", format, "dot or mermaid")->check(CLI::IsMember({"dot", "mermaid"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Usage errors are the user's input being wrong, like a bad lab file.
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitInvalidLab;
  }
  if (v->parsed()) return validate(lab_path);
  if (p->parsed()) return plan(lab_path, out_dir);
  return graph(lab_path, format);
}

}  // namespace anylab
