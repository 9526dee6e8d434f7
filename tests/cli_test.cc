// The CLI as users run it: exact error output with the file named as typed,
// exit codes, plan --out, graph, and that nothing is created on the host.
#include <filesystem>

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "test_paths.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;

const std::string kAnylab = std::string(ANYLAB_BIN_DIR) + "/anylab";

// What a lab could leave on the host: namespaces, links, our runtime files.
std::string host_state() {
  auto ns = test::run({"ip", "netns", "list"});
  auto links = test::run({"ip", "-o", "link", "show"});
  return ns.out + links.out + (fs::exists("/run/anylab") ? "/run/anylab exists\n" : "");
}

TEST(Cli, BadInputsExit2WithTheGoldenErrorsAndCreateNothing) {
  const std::string before = host_state();
  const fs::path dir = test::source_dir() + "/tests/golden/errors";
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".yaml") continue;
    const std::string name = e.path().filename().string();
    SCOPED_TRACE(name);
    for (const char* verb : {"validate", "plan", "graph"}) {
      auto r = test::run({kAnylab, verb, name}, dir.string());
      EXPECT_EQ(r.exit_code, 2) << verb;
      EXPECT_EQ(r.out, "") << verb;
      EXPECT_EQ(r.err, test::read_file(fs::path(e.path()).replace_extension(".err").string())) << verb;
    }
  }
  EXPECT_EQ(host_state(), before);
}

// A lab name given on the command line becomes a path under /run/anylab:
// anything but a lab's name (a path that climbs out, a directory) is
// refused, and nothing is removed.
TEST(Cli, DestroyTakesOnlyALabNameOrALabFile) {
  const fs::path victim = fs::temp_directory_path() / ("anylab-victim-" + std::to_string(getpid()));
  fs::create_directories(victim / "keep");
  for (const std::string& name : {"../.." + victim.string(), victim.string(), std::string("../no-such-dir")}) {
    SCOPED_TRACE(name);
    auto r = test::run({kAnylab, "destroy", name});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(fs::exists(victim / "keep"));
  }
  auto dir = test::run({kAnylab, "validate", victim.string()});
  EXPECT_EQ(dir.err, victim.string() + ": error: this is a directory, not a lab file: give the path of a YAML lab file\n");
  fs::remove_all(victim);
}

TEST(Cli, NamesTheFileAsTyped) {
  auto r = test::run({kAnylab, "validate", "./tests/golden/errors/../errors/link-to-itself.yaml"}, test::source_dir());
  EXPECT_EQ(r.err.rfind("./tests/golden/errors/../errors/link-to-itself.yaml:14:12: error:", 0), 0u) << r.err;
}

// compare's exit codes, the CI gate: 0 when B is not worse than A, 1 when
// it is, 2 for what is not a report.
TEST(Cli, CompareExitsByItsVerdict) {
  const std::string a = test::source_dir() + "/tests/golden/reports/sample.json";
  auto same = test::run({kAnylab, "compare", a, a});
  EXPECT_EQ(same.exit_code, 0) << same.out << same.err;
  EXPECT_NE(same.out.find("compare: 0 worse"), std::string::npos) << same.out;
  auto j = nlohmann::json::parse(test::read_file(a));
  j["scenarios"][1]["expectations"][1]["passed"] = 0;
  const fs::path b = fs::temp_directory_path() / ("anylab-compare-" + std::to_string(getpid()) + ".json");
  std::ofstream(b) << j.dump();
  auto worse = test::run({kAnylab, "compare", a, b.string()});
  EXPECT_EQ(worse.exit_code, 1) << worse.out << worse.err;
  EXPECT_NE(worse.out.find("WORSE broke"), std::string::npos) << worse.out;
  auto bad = test::run({kAnylab, "compare", a, test::source_dir() + "/labs/quickstart.yaml"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not JSON"), std::string::npos) << bad.err;
  fs::remove(b);
}

TEST(Cli, MissingFileIsClear) {
  auto r = test::run({kAnylab, "validate", "no-such-lab.yaml"}, test::source_dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "no-such-lab.yaml: error: cannot read the lab file: No such file or directory\n");
}

TEST(Cli, ValidatePlanAndGraphEveryLab) {
  const std::string before = host_state();
  for (const std::string& lab : test::lab_files()) {
    SCOPED_TRACE(lab);
    auto v = test::run({kAnylab, "validate", lab});
    EXPECT_EQ(v.exit_code, 0) << v.err;
    EXPECT_NE(v.out.find(" is valid: "), std::string::npos);
    const fs::path out = fs::temp_directory_path() / ("anylab-cli-test-" + std::to_string(getpid()));
    auto p = test::run({kAnylab, "plan", lab, "--out", out.string()});
    EXPECT_EQ(p.exit_code, 0) << p.err;
    EXPECT_EQ(test::read_file((out / "plan.txt").string()), p.out);
    // Every lab has routers and instances (path-exploration one instance
    // only): their configs must be written.
    int frr = 0, speakers = 0;
    for (const auto& f : fs::recursive_directory_iterator(out)) {
      frr += f.path().filename() == "frr.conf";
      const auto name = f.path().filename();
      speakers += name == "exabgp.conf" || name == "bird.conf" || name == "gobgpd.toml";
    }
    EXPECT_GE(frr, 2);
    EXPECT_GE(speakers, 1);
    fs::remove_all(out);
    for (const char* format : {"dot", "mermaid"}) {
      auto g = test::run({kAnylab, "graph", lab, "--format", format});
      EXPECT_EQ(g.exit_code, 0) << g.err;
    }
  }
  EXPECT_EQ(host_state(), before) << "plan and validate touch nothing";
}

TEST(Cli, PlanOutWritesEveryNodesConfigs) {
  const fs::path out = fs::temp_directory_path() / ("anylab-cli-out-" + std::to_string(getpid()));
  auto p = test::run({kAnylab, "plan", test::source_dir() + "/labs/quickstart.yaml", "--out", out.string()});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  for (const char* f : {"edge-ams/frr.conf", "edge-sin/frr.conf", "pop-ams/exabgp.conf", "pop-sin/exabgp.conf"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  EXPECT_FALSE(fs::exists(out / "client-eu"));
  fs::remove_all(out);
}

TEST(Cli, UsageErrorsExit2) {
  EXPECT_EQ(test::run({kAnylab, "graph", "labs/quickstart.yaml", "--format", "png"}, test::source_dir()).exit_code, 2);
  EXPECT_EQ(test::run({kAnylab}).exit_code, 2);
  EXPECT_EQ(test::run({kAnylab, "validate", "--help"}).exit_code, 0);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// `-` reads the lab from standard input (`anylab generate ... | anylab test
// -`); its errors name <stdin>.
TEST(Cli, ALabOnStandardInputIsReadAndNamed) {
  const std::string quickstart = test::source_dir() + "/labs/quickstart.yaml";
  auto ok = test::run({"/bin/sh", "-c", std::string(kAnylab) + " validate - < " + quickstart});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.out.find("<stdin>: lab quickstart is valid"), std::string::npos) << ok.out;
  const std::string bad = test::source_dir() + "/tests/golden/errors/bad-scope.yaml";
  auto r = test::run({"/bin/sh", "-c", std::string(kAnylab) + " validate - < " + bad});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.err.starts_with("<stdin>:7:48: error: invalid scope \"nearby\"")) << r.err;
  EXPECT_NE(r.err.find("<stdin>: 1 error; nothing was built"), std::string::npos) << r.err;
  auto record = test::run({"/bin/sh", "-c", std::string(kAnylab) + " test - --record < " + quickstart});
  EXPECT_EQ(record.exit_code, 2);
  EXPECT_NE(record.err.find("give the lab as a file, not -"), std::string::npos) << record.err;
}

}  // namespace
}  // namespace anylab
