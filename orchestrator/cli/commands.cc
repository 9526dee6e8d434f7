#include "cli/commands.h"

#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/console.h"
#include "cli/lab_commands.h"
#include "generate/as_rel.h"
#include "generate/internet.h"
#include "load/loader.h"
#include "plan/export_clabernetes.h"
#include "plan/export_containerlab.h"
#include "plan/export_mininet.h"
#include "plan/graph.h"
#include "plan/own_config.h"
#include "plan/plan.h"
#include "plan/resolve.h"
#include "report/compare.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

// What the workflows tell as they go, printed.
Console<> said;

int validate(const std::string& path) {
  auto lab = load_lab_file(path, said);
  if (!lab) return lab.error();
  std::cout << fmt::format("{}: lab {} is valid: {} nodes, {} links, {} scenarios\n",
                           path == "-" ? kStandardInput : path, lab->name,
                           lab->nodes.size(), lab->links.size(), lab->spec.scenarios.size());
  return kExitOk;
}

// Writes a file of an output directory (made as needed); false, with the
// error printed, when it cannot.
bool write(const fs::path& file, const std::string& text) {
  std::error_code ec;
  if (!file.parent_path().empty()) fs::create_directories(file.parent_path(), ec);
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (ec || !out) {
    std::cerr << fmt::format("anylab: cannot write {}: {}\n", file.string(), ec ? ec.message() : std::strerror(errno));
    return false;
  }
  return true;
}

int write_out(const Lab& lab, const std::string& plan_text, const fs::path& dir) {
  if (!write(dir / "plan.txt", plan_text)) return kExitCheckFailed;
  for (const Node& n : lab.nodes)
    for (const auto& [name, text] : n.files)
      if (!write(dir / n.name / name, text)) return kExitCheckFailed;
  return kExitOk;
}

// `generate`'s options as given: --sites and --clients are counts with
// --internet and lists of ASes with --as-rel.
struct GenerateArgs {
  std::optional<int> internet;
  std::optional<std::string> as_rel;
  std::string sites, clients;
  uint32_t seed = 1;
  uint32_t origin = 64500;
  int depth = 3;
  std::optional<std::string> out;
};

std::expected<int, std::string> count_of(const char* option, const std::string& text, int otherwise) {
  if (text.empty()) return otherwise;
  int n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc{} || end != text.data() + text.size())
    return std::unexpected(fmt::format("{} {}: with --internet it is a count", option, text));
  return n;
}

std::expected<std::string, std::string> internet_lab(const GenerateArgs& a) {
  auto sites = count_of("--sites", a.sites, 3);
  auto clients = count_of("--clients", a.clients, 5);
  if (!sites || !clients) return std::unexpected(sites ? clients.error() : sites.error());
  const InternetOptions o{.ases = *a.internet, .sites = *sites, .clients = *clients, .seed = a.seed,
                          .command = fmt::format("anylab generate --internet {} --sites {} --clients {} --seed {}",
                                                 *a.internet, *sites, *clients, a.seed)};
  return generate_internet(o);
}

std::expected<std::string, std::string> as_rel_lab(const GenerateArgs& a) {
  auto sites = parse_asn_list("--sites", a.sites);
  auto clients = parse_asn_list("--clients", a.clients);
  if (!sites || !clients) return std::unexpected(sites ? clients.error() : sites.error());
  std::ifstream in(*a.as_rel);
  std::stringstream text;
  if (!in || !(text << in.rdbuf())) return std::unexpected(fmt::format("--as-rel {}: cannot read it", *a.as_rel));
  const AsRelOptions o{.file = *a.as_rel, .origin = a.origin, .sites = *sites, .clients = *clients, .depth = a.depth,
                       .command = fmt::format("anylab generate --as-rel {} --origin {} --sites {} --clients {} --depth {}",
                                              *a.as_rel, a.origin, a.sites, a.clients, a.depth)};
  return generate_from_as_rel(o, text.str());
}

// A lab written for the user to keep, with the command that made it in its
// header.
int generate(const GenerateArgs& a) {
  if (a.internet.has_value() == a.as_rel.has_value()) {
    said.problem("generate takes --internet N (a synthetic graph) or --as-rel FILE (a CAIDA AS-relationship file)");
    return kExitInvalidLab;
  }
  auto lab = a.internet ? internet_lab(a) : as_rel_lab(a);
  if (!lab) {
    said.problem(lab.error());
    return kExitInvalidLab;
  }
  if (!a.out) {
    std::cout << *lab;
    return kExitOk;
  }
  std::ofstream file(*a.out);
  if (!(file << *lab)) {
    said.problem(fmt::format("cannot write {}", *a.out));
    return kExitEnvironment;
  }
  std::cerr << fmt::format("wrote {}\n", *a.out);
  return kExitOk;
}

// A node's facts, as its `config:` template sees them: printed even when
// the template does not render (that is when they are wanted).
int print_facts(const std::string& path, const std::string& node) {
  auto lab = load_lab_unrendered(path, said);
  if (!lab) return lab.error();
  const Node* n = lab->find(node);
  if (!n || n->kind == NodeKind::kClient) {
    said.problem(fmt::format("{}: there is no router or instance \"{}\" in lab {}", path, node, lab->name));
    return kExitInvalidLab;
  }
  std::cout << node_facts(*lab, *n).dump(2) << "\n";
  return kExitOk;
}

int plan(const std::string& path, const std::optional<std::string>& out_dir, const std::optional<std::string>& facts) {
  if (facts) return print_facts(path, *facts);
  auto lab = load_lab_file(path, said);
  if (!lab) return lab.error();
  const std::string text = format_plan(*lab, plan_deploy(*lab));
  std::cout << text;
  if (out_dir) {
    if (int rc = write_out(*lab, text, *out_dir); rc != kExitOk) return rc;
    std::cerr << fmt::format("wrote plan.txt and the rendered configs to {}/\n", *out_dir);
  }
  return kExitOk;
}

// The lab as a containerlab topology with the files it binds, and as a
// clabernetes Topology, resolved with the paths of anylab's images.
int export_lab(const std::string& path, const std::optional<std::string>& clab_dir,
               const std::optional<std::string>& clabernetes_dir, const std::optional<std::string>& mininet_file) {
  if (mininet_file) {
    // Mininet's hosts run this machine's programs.
    auto lab = load_lab_for_host(path, said);
    if (!lab) return lab.error();
    if (!write(fs::path(*mininet_file), export_mininet(*lab))) return kExitCheckFailed;
    fs::permissions(*mininet_file, fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::add);
    std::cout << fmt::format("wrote {}, a Mininet 2.3 script of lab {}; as root:\n  /usr/bin/python3 {} --check   "
                             "# builds it, checks every client, removes it\n  /usr/bin/python3 {}           "
                             "# builds it and opens Mininet's CLI\n",
                             *mininet_file, lab->name, *mininet_file, *mininet_file);
  }
  if (!clab_dir && !clabernetes_dir) return kExitOk;
  auto lab = load_lab_for_images(path, said);
  if (!lab) return lab.error();
  if (clab_dir) {
    const auto files = export_containerlab(*lab);
    for (const auto& [name, text] : files)
      if (!write(fs::path(*clab_dir) / name, text)) return kExitCheckFailed;
    std::cout << fmt::format("wrote {}/{}.clab.yml and {} files for its {} nodes; deploy it with\n"
                             "  containerlab deploy -t {}/{}.clab.yml\n",
                             *clab_dir, lab->name, files.size() - 1, lab->nodes.size(), *clab_dir, lab->name);
  }
  if (clabernetes_dir) {
    for (const auto& [name, text] : export_clabernetes(*lab))
      if (!write(fs::path(*clabernetes_dir) / name, text)) return kExitCheckFailed;
    std::cout << fmt::format("wrote {}/{}.clabernetes.yaml (a ConfigMap per node and the Topology); on a cluster "
                             "running clabernetes:\n  kubectl apply -n NAMESPACE -f {}/{}.clabernetes.yaml\n",
                             *clabernetes_dir, lab->name, *clabernetes_dir, lab->name);
  }
  return kExitOk;
}

// What `compare` was given.
struct CompareArgs {
  std::string a, b;
  std::string slower_by = "20%", tolerance = "2i";
  std::optional<std::string> html, json;
};

// "20%" or "20": a share; "2i" or "2": probe intervals. nullopt if neither.
std::optional<double> parse_number(std::string text, char unit) {
  if (!text.empty() && text.back() == unit) text.pop_back();
  try {
    size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::optional<nlohmann::json> read_report(const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << fmt::format("anylab: cannot read {}: {}\n", file, std::strerror(errno));
    return std::nullopt;
  }
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) {
    std::cerr << fmt::format("anylab: {}: not JSON; compare reads the JSON reports of anylab test --json FILE\n", file);
    return std::nullopt;
  }
  return j;
}

// Exit 0: B is not worse than A by the thresholds; 1: it is; 2: bad input.
int compare(const CompareArgs& args) {
  const auto slower_by = parse_number(args.slower_by, '%');
  const auto tolerance = parse_number(args.tolerance, 'i');
  if (!slower_by || !tolerance) {
    std::cerr << fmt::format("anylab: {} is not {}\n", slower_by ? args.tolerance : args.slower_by,
                             slower_by ? "a number of probe intervals, like --tolerance 2i" : "a share, like --slower-by 20%");
    return kExitInvalidLab;
  }
  const CompareOptions options{.slower_by = *slower_by / 100, .tolerance = *tolerance};
  const auto a = read_report(args.a), b = a ? read_report(args.b) : std::nullopt;
  if (!a || !b) return kExitInvalidLab;
  const auto c = compare_reports(*a, args.a, *b, args.b, options);
  if (!c) {
    std::cerr << "anylab: " << c.error() << "\n";
    return kExitInvalidLab;
  }
  std::cout << comparison_text(*c, options);
  if (args.html && !write(*args.html, comparison_html(*c, options))) return kExitEnvironment;
  if (args.json && !write(*args.json, comparison_json(*c, options))) return kExitEnvironment;
  return c->regressions() ? kExitCheckFailed : kExitOk;
}

int graph(const std::string& path, const std::string& format) {
  auto lab = load_lab_file(path, said);
  if (!lab) return lab.error();
  std::cout << render_graph(*lab, format == "mermaid" ? GraphFormat::kMermaid : GraphFormat::kDot);
  return kExitOk;
}

// Every subcommand and the options it fills. Each group registers its
// subcommands; dispatch() runs the one given.
class Cli {
 public:
  Cli() : app_("anylab: build an anycast lab from a YAML file, break it on purpose, and prove how it behaves") {
    app_.require_subcommand(1);
    app_.set_version_flag("--version", "anylab " ANYLAB_VERSION);
    add_file_commands();
    add_lab_commands();
    add_scenario_commands();
    add_event_commands();
    for (CLI::App* c : {deploy_, destroy_, inspect_, exec_, watch_, run_, test_, events_[0], events_[1], changes_[0],
                        changes_[1]})
      add_runtime_option(c);
  }

  int run(int argc, char** argv) {
    try {
      app_.parse(argc, argv);
      if (destroy_->parsed() && all_ == !lab_.empty())
        throw CLI::ValidationError("destroy", "give a lab or --all, not both");
      if (scenario_options_.record && lab_ == "-")
        throw CLI::ValidationError("--record", "it writes into the lab file: give the lab as a file, not -");
      if (export_->parsed() && !export_dir_ && !clabernetes_dir_ && !mininet_file_)
        throw CLI::ValidationError("export", "give --containerlab DIR, --clabernetes DIR or --mininet FILE");
    } catch (const CLI::ParseError& err) {
      // Usage errors are the user's input being wrong, like a bad lab file.
      int rc = app_.exit(err);
      return rc == 0 ? kExitOk : kExitInvalidLab;
    }
    return dispatch();
  }

 private:
  CLI::App* command(const char* name, const char* help, const char* lab_help, bool lab_required = true) {
    CLI::App* c = app_.add_subcommand(name, help);
    auto* lab = c->add_option("LAB", lab_, lab_help);
    if (lab_required) lab->required();
    return c;
  }

  // Commands that build or drive a lab choose its runtime; a deployed lab
  // stays on the one that built it.
  void add_runtime_option(CLI::App* c) {
    std::string names;
    for (const std::string& n : runtime_choices()) names += (names.empty() ? "" : ", ") + n;
    c->add_option("--runtime", deploy_options_.runtime,
                  fmt::format("{} (default {}); a deployed lab keeps its own", names, default_runtime_name()))
        ->envname("ANYLAB_RUNTIME")
        ->check(CLI::IsMember(runtime_choices()));
  }

  void add_file_commands() {
    validate_ = command("validate", "load and check a lab file; print every error; exit 0 or 2", "the lab file, or - for standard input");
    plan_ = command("plan", "print what deploy would do, with the rendered configs; touches nothing", "the lab file, or - for standard input");
    plan_->add_option("--out", out_dir_, "also write plan.txt and each node's configs under DIR");
    plan_->add_option("--facts", facts_, "print the facts a node's config: template is rendered with (JSON), only");
    graph_ = command("graph", "print the topology as a graph", "the lab file");
    graph_->add_option("--format", format_, "dot or mermaid")->check(CLI::IsMember({"dot", "mermaid"}));
    export_ = command("export", "write the lab for other tools: containerlab, clabernetes, Mininet",
                      "the lab file");
    export_->add_option("--containerlab", export_dir_, "write the containerlab topology and the files it binds to DIR");
    export_->add_option("--clabernetes", clabernetes_dir_, "write the lab as a clabernetes Topology to DIR");
    export_->add_option("--mininet", mininet_file_, "write the lab as a Mininet 2.3 Python script to FILE");
    generate_ = app_.add_subcommand(
        "generate", "write a lab for you to keep: an Internet-like AS graph (--internet N) or a real one (--as-rel FILE)");
    generate_->add_option("--internet", generate_args_.internet, "the ASes, one router each (10..5000)");
    generate_->add_option("--as-rel", generate_args_.as_rel,
                          "a CAIDA AS-relationship file (serial-1 or serial-2): the part joining --sites and --clients");
    generate_->add_option("--sites", generate_args_.sites,
                          "--internet: how many instances, each in its own AS (default 3); --as-rel: the ASes they hang "
                          "from (3356,1299)");
    generate_->add_option("--clients", generate_args_.clients,
                          "--internet: how many clients, each in a stub AS (default 5); --as-rel: the ASes they sit in");
    generate_->add_option("--seed", generate_args_.seed, "--internet: the same seed gives the same file (default 1)");
    generate_->add_option("--origin", generate_args_.origin, "--as-rel: the service's ASN (default 64500)");
    generate_->add_option("--depth", generate_args_.depth,
                          "--as-rel: AS links at most from a client's AS to a site's, valley-free (default 3)");
    generate_->add_option("--out", generate_args_.out, "write the lab to FILE (default: standard output)");
    compare_ = app_.add_subcommand("compare", "two JSON reports of one lab side by side; exit 1 if B is worse than A");
    compare_->add_option("A", compare_args_.a, "the JSON report to compare against (anylab test --json)")->required();
    compare_->add_option("B", compare_args_.b, "the JSON report judged")->required();
    compare_->add_option("--slower-by", compare_args_.slower_by, "worse: a time over A's by more than this share (default 20%)");
    compare_->add_option("--tolerance", compare_args_.tolerance,
                         "and by more than this many probe intervals (default 2i)");
    compare_->add_option("--html", compare_args_.html, "write A and B side by side as HTML to FILE");
    compare_->add_option("--json", compare_args_.json, "write the comparison as JSON to FILE");
    report_ = app_.add_subcommand("report", "about the reports: --schema prints the JSON report's JSON Schema");
    report_->add_flag("--schema", schema_, "print the JSON Schema (2020-12) of the JSON report (--json FILE)")->required();
  }

  void add_lab_commands() {
    deploy_ = command("deploy", "build the lab and wait until it is ready (needs root)", "the lab file, or - for standard input");
    deploy_->add_option("--timeout", timeout_s_, "seconds to wait for sessions and clients (default 60, and 1 more per 2000 background routes)");
    deploy_->add_flag("--keep", deploy_options_.keep_on_failure, "leave a lab that did not become ready, to look at it");
    destroy_ = command("destroy", "remove everything the lab made; safe to repeat", kLabOrName, false);
    destroy_->add_flag("--all", all_, "destroy every deployed lab");
    inspect_ = command("inspect", "nodes and their processes, BGP sessions, who answers each client", kLabOrName);
    inspect_->add_flag("--json", json_, "as JSON");
    exec_ = command("exec", "run a command inside a node (vtysh reaches a router's own FRR)", kLabOrName);
    exec_->add_option("NODE", node_, "the node")->required();
    exec_->add_option("CMD", command_, "the command, after --")->required();
    sweep_ = command("sweep", "who answers each client under each setting of one or two knobs (a site's prepend, MED, "
                              "on/off)", kLabOrName);
    sweep_->add_option("--vary", sweep_vary_, "prepend:INSTANCE=0..3, med:INSTANCE=0,100 or site:INSTANCE=on,off (once "
                                              "or twice: a grid)")
        ->required()
        ->expected(1, 2)
        ->take_all();
    sweep_->add_option("--json", sweep_json_, "write the matrix as JSON to FILE");
    why_ = command("why", "which instance answers a client, and why: the path hop by hop, each router's best path and "
                          "what decided it", kLabOrName);
    why_->add_option("CLIENT", node_, "the client")->required();
    why_->add_option("--service", why_service_, "the service (default: the lab's first)");
    why_->add_option("--family", why_family_, "ipv4 or ipv6 (default: the service's first)")
        ->check(CLI::IsMember({"ipv4", "ipv6"}));
    watch_ = command("watch", "probe every service from every client and print who answers, live", kLabOrName);
    watch_->add_option("--for", watch_seconds_, "stop after this many seconds (default: at Ctrl-C)");
  }

  void add_scenario_commands() {
    run_ = command("run", "run the lab's scenarios on the deployed lab", kLabOrName);
    run_->add_option("--scenario", scenario_options_.only, "only this scenario");
    test_ = command("test", "deploy, run every scenario, destroy; exit 0 or 1 (the CI entry point)",
                    "the lab file, or - to read it from standard input");
    test_->add_option("--timeout", timeout_s_, "seconds to wait for sessions and clients when deploying (default as deploy's)");
    for (CLI::App* c : {run_, test_}) {
      c->add_option("--repeat", scenario_options_.repeat, "run each scenario N times; report min/median/p95/p99/max")
          ->check(CLI::Range(1, 1000));
      c->add_option("--json", scenario_options_.json_file, "write the JSON report to FILE");
      c->add_option("--junit", scenario_options_.junit_file, "write a JUnit XML report to FILE");
      c->add_option("--html", scenario_options_.html_file, "write an HTML report (timelines, catchment maps) to FILE");
      c->add_flag("--record", scenario_options_.record,
                  "first write the lab's steady state (catchment, routes) into the lab file as scenario \"recorded\"");
    }
  }

  void add_event_commands() {
    for (int k = 0; k < 2; ++k) {
      auto* c = events_[k] = command(k == 0 ? "fail" : "restore",
                                     k == 0 ? "break a node, a link or a BGP session of a running lab"
                                            : "mend a node, a link or a BGP session of a running lab",
                                     kLabOrName);
      c->add_option("--node", event_options_.node, "a node");
      c->add_option("--link", event_options_.link, "a link, by its two nodes: --link a,b")->delimiter(',');
      c->add_option("--bgp", event_options_.bgp, "a BGP session, by its two nodes: --bgp a,b")->delimiter(',');
      if (k == 0)
        c->add_option("--mode", event_options_.mode, "crash (default), freeze or service")
            ->check(CLI::IsMember({to_string(FailMode::kCrash), to_string(FailMode::kFreeze), to_string(FailMode::kService)}));
    }
    for (int k = 0; k < 2; ++k) {
      auto* c = changes_[k] = command(k == 0 ? "announce" : "withdraw",
                                      k == 0 ? "make a running instance announce a prefix (ExaBGP's API)"
                                             : "make a running instance withdraw a prefix (ExaBGP's API)",
                                      kLabOrName);
      c->add_option("NODE", node_, "the instance")->required();
      c->add_option("--prefix", announce_options_.prefix, "default: the service prefix");
      if (k == 0) {
        c->add_option("--prepend", announce_options_.prepend, "prepend the instance's AS this many times")
            ->check(CLI::Range(0, 16));
        c->add_option("--med", announce_options_.med, "the MED to announce");
      }
    }
  }

  int dispatch() {
    if (validate_->parsed()) return validate(lab_);
    if (report_->parsed()) return (std::cout << kReportSchema, kExitOk);
    if (compare_->parsed()) return compare(compare_args_);
    if (generate_->parsed()) return generate(generate_args_);
    if (plan_->parsed()) return plan(lab_, out_dir_, facts_);
    if (graph_->parsed()) return graph(lab_, format_);
    if (export_->parsed()) return export_lab(lab_, export_dir_, clabernetes_dir_, mininet_file_);
    deploy_options_.timeout = std::chrono::seconds(timeout_s_);
    if (deploy_->parsed()) return deploy_lab_file(lab_, deploy_options_, catch_signals(), said);
    if (destroy_->parsed()) return destroy_labs(lab_, all_, said);
    if (inspect_->parsed()) return inspect(lab_, json_);
    if (exec_->parsed()) return exec_in_node(lab_, node_, command_);
    if (watch_->parsed()) return watch(lab_, watch_seconds_);
    if (why_->parsed()) return why(lab_, node_, why_service_, why_family_);
    if (sweep_->parsed()) return sweep_lab(lab_, sweep_vary_, sweep_json_);
    if (run_->parsed()) return run_scenarios(lab_, scenario_options_);
    if (test_->parsed()) return test_lab(lab_, deploy_options_, scenario_options_);
    if (events_[0]->parsed() || events_[1]->parsed()) {
      event_options_.restore = events_[1]->parsed();
      return fail_or_restore(lab_, event_options_);
    }
    announce_options_.withdraw = changes_[1]->parsed();
    return announce(lab_, node_, announce_options_);
  }

  static constexpr const char* kLabOrName = "the lab file or a deployed lab's name";
  CLI::App app_;
  CLI::App* compare_;
  CLI::App* why_;
  CLI::App* sweep_;
  std::vector<std::string> sweep_vary_;
  std::optional<std::string> sweep_json_;
  std::optional<std::string> why_service_, why_family_;
  CompareArgs compare_args_;
  CLI::App *validate_, *plan_, *graph_, *export_, *report_, *generate_, *deploy_, *destroy_, *inspect_, *exec_, *watch_, *run_, *test_;
  CLI::App* events_[2];
  CLI::App* changes_[2];
  std::string lab_;
  std::optional<std::string> out_dir_;
  std::optional<std::string> facts_;
  bool schema_ = false;
  GenerateArgs generate_args_;
  std::string format_ = "dot";
  std::optional<std::string> export_dir_, clabernetes_dir_, mininet_file_;
  DeployOptions deploy_options_;
  int timeout_s_ = 0;  // 0: the lab's default
  bool all_ = false;
  bool json_ = false;
  std::string node_;
  std::vector<std::string> command_;
  double watch_seconds_ = 0;
  ScenarioOptions scenario_options_;
  EventOptions event_options_;
  AnnounceOptions announce_options_;
};

}  // namespace

int run_cli(int argc, char** argv) { return Cli().run(argc, argv); }

}  // namespace anylab
