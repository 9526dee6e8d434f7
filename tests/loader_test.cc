#include <filesystem>

#include <unistd.h>

#include <fstream>
#include <regex>

#include <gtest/gtest.h>

#include "app/own_configs.h"
#include "load/loader.h"
#include "plan/resolve.h"
#include "model/reach.h"
#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

LabSpec load_ok(const std::string& name, const std::string& text) {
  SourceFile f(name, text);
  auto spec = load_lab(f);
  if (!spec) ADD_FAILURE() << format_diagnostics(f, spec.error());
  return spec ? std::move(*spec) : LabSpec{};
}

TEST(Loader, EveryLabInLabsLoads) {
  auto labs = test::lab_files();
  ASSERT_GE(labs.size(), 4u);
  for (const std::string& path : labs) {
    SCOPED_TRACE(path);
    LabSpec spec = load_ok(path, test::read_file(path));
    EXPECT_FALSE(spec.nodes.empty());
    EXPECT_FALSE(spec.scenarios.empty()) << "every lab in labs/ has scenarios: CI runs them";
    // The CTest cleanup fixture destroys each lab by its file's name.
    EXPECT_EQ(spec.name.value, std::filesystem::path(path).stem().string());
  }
}

TEST(Loader, EveryExampleInLabFormatLoads) {
  auto examples = test::lab_format_examples();
  if (examples.empty()) GTEST_SKIP() << "../shared/lab-format.md is not beside the project";
  // The complete example is a lab; the others (the IPv6 services) are parts
  // of one, given a name here.
  for (const std::string& text : examples) {
    const LabSpec spec = load_ok("lab-format.md", text.starts_with("name:") ? text : "name: part\n" + text);
    for (const ServiceSpec& s : spec.services) EXPECT_EQ(s.prefixes.size(), s.addresses.size()) << s.name.value;
  }
  // labs/two-pops.yaml is the complete example, kept so CI runs it: in sync.
  std::string copy = test::read_file(test::source_dir() + "/labs/two-pops.yaml");
  copy.erase(0, copy.find('\n') + 1);  // its one-line header
  EXPECT_EQ(copy, examples[0]);
}

TEST(Loader, ReadSourceRefusesWhatIsNotALabFile) {
  auto dev = read_source("/dev/zero");
  ASSERT_FALSE(dev);
  EXPECT_EQ(dev.error(), "/dev/zero: error: this is a character device, not a lab file: give the path of a YAML lab file");
  auto dir = read_source("/tmp");
  ASSERT_FALSE(dir);
  EXPECT_NE(dir.error().find("this is a directory"), std::string::npos);
  const fs::path big = fs::temp_directory_path() / ("anylab-big-" + std::to_string(::getpid()) + ".yaml");
  {
    std::ofstream out(big);
    out << std::string(kMaxLabFileBytes + 1, '#');
  }
  auto large = read_source(big.string());
  fs::remove(big);
  ASSERT_FALSE(large);
  EXPECT_NE(large.error().find("larger than 1024 KiB"), std::string::npos);
}

// Inputs the fuzzer once crashed on (tests/fuzz/regressions/): each must
// load or be refused with diagnostics, never crash.
TEST(Loader, FuzzRegressionsDoNotCrash) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(test::source_dir() + "/tests/fuzz/regressions")) {
    SourceFile f(e.path().filename().string(), test::read_file(e.path().string()));
    auto spec = load_lab(f);
    if (!spec) {
      EXPECT_FALSE(format_diagnostics(f, spec.error()).empty());
    }
    ++n;
  }
  EXPECT_GE(n, 1);
}

TEST(Loader, DefaultsComeFromTheSchema) {
  LabSpec s = load_ok("min.yaml", "name: min\ntopology:\n  nodes:\n    r1: {kind: router, asn: 65001}\n");
  EXPECT_EQ(s.defaults.keepalive, 1);
  EXPECT_EQ(s.defaults.hold, 3);
  EXPECT_EQ(s.defaults.probe_interval, std::chrono::milliseconds(10));
  EXPECT_EQ(s.defaults.probe_timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(s.defaults.settle, std::chrono::seconds(30));
  EXPECT_FALSE(s.nodes[0].bfd.value);
}

TEST(Loader, KeepsMarksAndShortForms) {
  LabSpec s = load_ok("two-pops.yaml", test::read_file(test::source_dir() + "/labs/two-pops.yaml"));
  const NodeSpec* pop = s.find_node("pop-sin");
  ASSERT_NE(pop, nullptr);
  EXPECT_EQ(pop->announce.prepend, 2);
  EXPECT_EQ(pop->name.mark.line, 24);
  EXPECT_EQ(pop->name.mark.column, 5);
  ASSERT_EQ(s.links.size(), 6u);
  const LinkSpec& last = s.links[5];  // endpoints: ["client-ap:eth1", "transit-b:eth9"]
  EXPECT_EQ(last.a.node.value, "client-ap");
  EXPECT_EQ(last.b.interface->value, "eth9");
  EXPECT_EQ(last.b.interface->mark.column, 48);  // points into the quoted string
  ASSERT_EQ(last.addresses.size(), 2u);
  EXPECT_EQ(last.addresses[1].value.str(), "198.18.9.1/31");
  ASSERT_EQ(s.scenarios.size(), 2u);
  const auto& steps = s.scenarios[1].steps;
  ASSERT_EQ(steps.size(), 5u);
  const auto* fail = std::get_if<FailStep>(&steps[0].action);
  ASSERT_NE(fail, nullptr);
  EXPECT_EQ(fail->target.node.value, "pop-ams");
  EXPECT_EQ(fail->mode->value, FailMode::kCrash);
  const auto* expect = std::get_if<ExpectStep>(&steps[1].action);
  ASSERT_NE(expect, nullptr);
  EXPECT_EQ(expect->within, std::chrono::seconds(2));
  EXPECT_TRUE(std::holds_alternative<RestoreStep>(steps[3].action));
}

TEST(Loader, CatchmentShortFormAndSteps) {
  LabSpec s = load_ok("q.yaml", test::read_file(test::source_dir() + "/labs/dns-three-pops.yaml"));
  const auto& e = std::get<ExpectStep>(s.scenarios[0].steps[0].action);
  ASSERT_EQ(e.catchment.size(), 3u);
  EXPECT_EQ(e.catchment[1].instance.value, "ns-iad");
  EXPECT_EQ(e.catchment[1].clients.at(0).value, "resolver-us");
  const auto& r = std::get<ExpectStep>(s.scenarios[0].steps[1].action);
  EXPECT_EQ(r.route->as_path, "65101 64511");
  EXPECT_TRUE(std::holds_alternative<WaitStep>(s.scenarios[2].steps[1].action));
}

// A spread's instances as a list of names, or by name with bounds of their
// own (an instance without any takes `each:`'s).
TEST(Loader, SpreadInstancesAsNamesOrWithBoundsOfTheirOwn) {
  const std::string lab = test::read_file(test::source_dir() + "/tests/golden/errors/spread-no-bounds.yaml");
  const std::string own = std::regex_replace(lab, std::regex("pop-2: \\}"), "pop-2: {at-most: 40%}}");
  LabSpec s = load_ok("own.yaml", own);
  const auto& sp = *std::get<ExpectStep>(s.scenarios[0].steps[0].action).spread;
  ASSERT_EQ(sp.instances.size(), 2u);
  EXPECT_EQ(sp.instances[0].instance.value, "pop-1");
  EXPECT_EQ(sp.instances[0].at_least->value, 60.0);
  EXPECT_FALSE(sp.instances[0].at_most);
  EXPECT_EQ(sp.instances[1].instance.value, "pop-2");
  EXPECT_EQ(sp.instances[1].at_most->value, 40.0);
  EXPECT_EQ(sp.instances[1].instance.mark.line, 17);
  const std::string names = std::regex_replace(
      lab, std::regex("\\{pop-1: \\{at-least: 60%\\}, pop-2: \\}\\}"), "[pop-2, pop-1], each: {at-most: 70%}}");
  LabSpec n = load_ok("names.yaml", names);
  const auto& sn = *std::get<ExpectStep>(n.scenarios[0].steps[0].action).spread;
  ASSERT_EQ(sn.instances.size(), 2u);
  EXPECT_EQ(sn.instances[0].instance.value, "pop-2") << "in the order written";
  EXPECT_FALSE(sn.instances[0].at_least || sn.instances[0].at_most);
  EXPECT_EQ(sn.at_most->value, 70.0);
}

// A chain: client, N routers, instance. Packets cross at most 63 routers
// (TTL 64): 63 is a lab, 64 is refused (tests/golden/errors/*-out-of-reach).
std::string chain(int routers) {
  std::string nodes, links = "    - [c1, r1]\n";
  for (int i = 1; i <= routers; ++i) {
    nodes += "    r" + std::to_string(i) + ": {kind: router, asn: " + std::to_string(65000 + i) + "}\n";
    if (i < routers) links += "    - [r" + std::to_string(i) + ", r" + std::to_string(i + 1) + "]\n";
  }
  return "name: chain\nservices:\n  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500}\ntopology:\n"
         "  nodes:\n" + nodes + "    pop: {kind: instance, service: dns}\n    c1: {kind: client}\n  links:\n" +
         links + "    - [r" + std::to_string(routers) + ", pop]\n";
}

TEST(Loader, ClientsReachInstancesAcrossAtMost63Routers) {
  load_ok("chain63.yaml", chain(63));
  SourceFile f("chain64.yaml", chain(64));
  auto spec = load_lab(f);
  ASSERT_FALSE(spec.has_value());
  EXPECT_NE(format_diagnostics(f, spec.error()).find("client \"c1\" is 64 routers from the nearest instance"),
            std::string::npos);
}

// The search behind that check (model/reach.h): routers crossed, counting
// only routers, never through a client or an instance.
TEST(Reach, CountsTheRoutersAPacketCrossesAndOnlyRoutersForward) {
  const LabSpec spec = load_ok("reach.yaml", R"(name: reach
services:
  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500}
topology:
  nodes:
    r1: {kind: router, asn: 65001}
    r2: {kind: router, asn: 65002}
    r3: {kind: router, asn: 65003}
    pop: {kind: instance, service: dns}
    c1: {kind: client}
    c2: {kind: client}
  links:
    - [c1, r1]
    - [r1, r2]
    - [r2, pop]
    - [pop, r3]
    - [r2, c2]
)");
  const auto crossed = routers_from(spec, "c1");
  EXPECT_EQ(crossed, (std::map<std::string, size_t>{{"c1", 0}, {"r1", 0}, {"r2", 1}, {"pop", 2}, {"c2", 2}}))
      << "r3 is behind the instance, which does not forward";
  EXPECT_EQ(kMaxRoutersCrossed, 63u);
}

// A deployed lab's copy (/run/anylab/<lab>/lab.yaml) loads without the
// original's neighbours: a health command's files are read from each
// instance's directory, where deploy wrote them (`anylab fail <lab>` on a
// running lab with such files failed before).
TEST(Loader, ADeployedCopyReadsHealthFilesFromItsInstances) {
  const fs::path dir = fs::temp_directory_path() / ("anylab-copy-test-" + std::to_string(getpid()));
  fs::create_directories(dir / "pop-1");
  std::ofstream(dir / "pop-1" / "check.sh") << "exit 0\n";
  const std::string text =
      "name: copy\nservices:\n  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500, probe: dns}\n"
      "topology:\n  nodes:\n    r1: {kind: router, asn: 65001}\n"
      "    pop-1: {kind: instance, service: dns, health: {command: sh check.sh, files: [checks/check.sh]}}\n"
      "    c1: {kind: client}\n  links:\n    - [r1, pop-1]\n    - [c1, r1]\n";
  SourceFile f((dir / "lab.yaml").string(), text);
  EXPECT_FALSE(load_lab(f).has_value()) << "beside the lab file there is no checks/check.sh";
  auto spec = load_lab(f, FilesFrom::kDeployedInstances);
  ASSERT_TRUE(spec.has_value()) << format_diagnostics(f, spec.error());
  EXPECT_EQ(spec->nodes[1].health->files.at(0).text, "exit 0\n");
  fs::remove_all(dir);
}

// And a node's own config from its directory, as deploy rendered it: a
// plain file there (not the template), not checked again.
TEST(Loader, ADeployedCopyReadsOwnConfigsAsRendered) {
  const fs::path dir = fs::temp_directory_path() / ("anylab-config-copy-test-" + std::to_string(getpid()));
  fs::create_directories(dir / "r1");
  std::ofstream(dir / "r1" / "frr.conf") << "router bgp 65001\n";
  const std::string text =
      "name: copy\nservices:\n  dns: {prefix: 192.0.2.0/24, address: 192.0.2.53, asn: 64500, probe: dns}\n"
      "topology:\n  nodes:\n    r1: {kind: router, asn: 65001, config: configs/edge.frr.j2}\n"
      "    pop-1: {kind: instance, service: dns}\n    c1: {kind: client}\n  links:\n    - [r1, pop-1]\n    - [c1, r1]\n";
  SourceFile f((dir / "lab.yaml").string(), text);
  EXPECT_FALSE(load_lab(f).has_value()) << "beside the lab file there is no configs/edge.frr.j2";
  auto spec = load_lab(f, FilesFrom::kDeployedInstances);
  ASSERT_TRUE(spec.has_value()) << format_diagnostics(f, spec.error());
  const ConfigSpec& c = *spec->nodes[0].config;
  EXPECT_EQ(c.text, "router bgp 65001\n");
  EXPECT_FALSE(c.is_template);
  EXPECT_TRUE(c.deployed);
  // Its session to pop-1 is not there, but it was checked at deploy: as read
  // back, it is put in place as it is.
  auto lab = resolve(std::move(*spec), Paths{});
  ASSERT_TRUE(lab);
  EXPECT_TRUE(apply_own_configs(*lab).empty());
  EXPECT_EQ(lab->find("r1")->files.at("frr.conf"), "router bgp 65001\n");
  fs::remove_all(dir);
}

// Every bad input has a golden file with the exact text users see (the CLI
// adds one summary line, which cli_test checks).
TEST(Loader, BadInputsGiveTheGoldenErrors) {
  const fs::path dir = test::source_dir() + "/tests/golden/errors";
  // As the golden files were made: `anylab validate X.yaml` in that
  // directory (files a lab names are beside it).
  const fs::path cwd = fs::current_path();
  fs::current_path(dir);
  int cases = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    ++cases;
    SCOPED_TRACE(e.path().filename().string());
    SourceFile f(e.path().filename().string(), test::read_file(e.path().string()));
    // The lab's own errors, else those of resolving it and of its nodes'
    // own configs (`config:`).
    auto spec = load_lab(f);
    Diagnostics errors = spec ? Diagnostics{} : spec.error();
    if (spec) {
      auto lab = resolve(std::move(*spec), Paths{});
      errors = lab ? apply_own_configs(*lab) : lab.error();
    }
    ASSERT_FALSE(errors.empty());
    std::string golden = test::read_file(fs::path(e.path()).replace_extension(".err").string());
    golden.erase(golden.rfind('\n', golden.size() - 2) + 1);  // drop the CLI's summary line
    EXPECT_EQ(format_diagnostics(f, errors), golden);
  }
  fs::current_path(cwd);
  EXPECT_GE(cases, 30);  // lab-format.md's list and at least ten more
}

}  // namespace
}  // namespace anylab
