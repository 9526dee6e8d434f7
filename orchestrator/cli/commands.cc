#include "cli/commands.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/lab_commands.h"
#include "load/loader.h"
#include "plan/graph.h"
#include "plan/plan.h"
#include "plan/resolve.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

int validate(const std::string& path) {
  auto lab = load_lab_file(path);
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
  auto lab = load_lab_file(path);
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
  auto lab = load_lab_file(path);
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

  auto* d = app.add_subcommand("deploy", "build the lab and wait until it is ready (needs root)");
  d->add_option("LAB", lab_path, "the lab file")->required();
  DeployOptions deploy_options;
  int timeout_s = 60;
  d->add_option("--timeout", timeout_s, "seconds to wait for sessions and clients (default 60)");
  d->add_flag("--keep", deploy_options.keep_on_failure, "leave a lab that did not become ready, to look at it");
  auto* x = app.add_subcommand("destroy", "remove everything the lab made; safe to repeat");
  x->add_option("LAB", lab_path, "the lab file or a deployed lab's name");
  bool all = false;
  x->add_flag("--all", all, "destroy every deployed lab");
  auto* i = app.add_subcommand("inspect", "nodes and their processes, BGP sessions, who answers each client");
  i->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
  bool json = false;
  i->add_flag("--json", json, "as JSON");
  auto* e = app.add_subcommand("exec", "run a command inside a node (vtysh reaches a router's own FRR)");
  std::string node;
  std::vector<std::string> command;
  e->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
  e->add_option("NODE", node, "the node")->required();
  e->add_option("CMD", command, "the command, after --")->required();

  auto* w = app.add_subcommand("watch", "probe every service from every client and print who answers, live");
  w->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
  double watch_seconds = 0;
  w->add_option("--for", watch_seconds, "stop after this many seconds (default: at Ctrl-C)");
  auto* r = app.add_subcommand("run", "run the lab's scenarios on the deployed lab");
  r->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
  std::string scenario;
  r->add_option("--scenario", scenario, "only this scenario");
  auto* t = app.add_subcommand("test", "deploy, run every scenario, destroy; exit 0 or 1 (the CI entry point)");
  t->add_option("LAB", lab_path, "the lab file")->required();
  EventOptions event_options;
  CLI::App* events[2];
  for (int k = 0; k < 2; ++k) {
    auto* c = events[k] = app.add_subcommand(k == 0 ? "fail" : "restore",
                                             k == 0 ? "break a node or a link of a running lab"
                                                    : "mend a node or a link of a running lab");
    c->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
    c->add_option("--node", event_options.node, "a node");
    c->add_option("--link", event_options.link, "a link, by its two nodes: --link a,b")->delimiter(',');
    if (k == 0)
      c->add_option("--mode", event_options.mode, "crash (default), freeze or service")
          ->check(CLI::IsMember({"crash", "freeze", "service"}));
  }
  AnnounceOptions announce_options;
  std::optional<int> prepend;
  std::optional<uint32_t> med;
  CLI::App* changes[2];
  for (int k = 0; k < 2; ++k) {
    auto* c = changes[k] = app.add_subcommand(k == 0 ? "announce" : "withdraw",
                                              k == 0 ? "make a running instance announce a prefix (ExaBGP's API)"
                                                     : "make a running instance withdraw a prefix (ExaBGP's API)");
    c->add_option("LAB", lab_path, "the lab file or a deployed lab's name")->required();
    c->add_option("NODE", node, "the instance")->required();
    c->add_option("--prefix", announce_options.prefix, "default: the service prefix");
    if (k == 0) {
      c->add_option("--prepend", prepend, "prepend the instance's AS this many times")->check(CLI::Range(0, 16));
      c->add_option("--med", med, "the MED to announce");
    }
  }

  try {
    app.parse(argc, argv);
    if (x->parsed() && all == !lab_path.empty())
      throw CLI::ValidationError("destroy", "give a lab or --all, not both");
  } catch (const CLI::ParseError& err) {
    // Usage errors are the user's input being wrong, like a bad lab file.
    int rc = app.exit(err);
    return rc == 0 ? kExitOk : kExitInvalidLab;
  }
  if (v->parsed()) return validate(lab_path);
  if (d->parsed()) {
    deploy_options.timeout = std::chrono::seconds(timeout_s);
    return deploy(lab_path, deploy_options);
  }
  if (x->parsed()) return destroy(lab_path, all);
  if (i->parsed()) return inspect(lab_path, json);
  if (e->parsed()) return exec_in_node(lab_path, node, command);
  if (w->parsed()) return watch(lab_path, watch_seconds);
  if (r->parsed()) return run_scenarios(lab_path, scenario);
  if (t->parsed()) return test_lab(lab_path, deploy_options);
  if (events[0]->parsed() || events[1]->parsed()) {
    event_options.restore = events[1]->parsed();
    return fail_or_restore(lab_path, event_options);
  }
  if (changes[0]->parsed() || changes[1]->parsed()) {
    announce_options.prepend = prepend;
    announce_options.med = med;
    announce_options.withdraw = changes[1]->parsed();
    return announce(lab_path, node, announce_options);
  }
  if (p->parsed()) return plan(lab_path, out_dir);
  return graph(lab_path, format);
}

}  // namespace anylab
