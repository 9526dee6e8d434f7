// Integration tests: real labs from real FRR and ExaBGP processes. They need
// root. Each test destroys its labs in TearDown, and CTest's cleanup fixture
// destroys them again after the run, even when a test failed or was killed.
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <fstream>
#include <regex>
#include <map>
#include <sstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "../test_paths.h"
#include "lab_helpers.h"

namespace anylab {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using test::kAnylab;
using test::lab_file;
using test::leftovers;
using test::leftovers_settled;
using test::recorded_pids;
using test::not_reaped;
using test::deploy_until_daemons;

std::string artifact(const std::string& name) { return std::string(ANYLAB_ARTIFACT_DIR) + "/" + name; }

// A copy of labs/BASE.yaml named NAME, with these scenarios instead of its
// own, settling in 5 s (its expectations fail: no need to wait 30 s), in a
// temporary file the caller removes.
fs::path lab_variant(const std::string& base, const std::string& name, const std::string& scenarios) {
  std::string lab = test::read_file(lab_file(base));
  lab.replace(lab.find("name: " + base), 6 + base.size(), "name: " + name);
  lab.replace(lab.find("settle: 30s"), 11, "settle: 5s");
  lab = lab.substr(0, lab.find("scenarios:")) + "scenarios:\n" + scenarios;
  const fs::path file = fs::temp_directory_path() / (name + "-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << lab;
  return file;
}
std::string fmt_size(int w, int h) { return "--window-size=" + std::to_string(w) + "," + std::to_string(h); }

nlohmann::json inspect(const std::string& lab) {
  auto r = test::run({kAnylab, "inspect", lab, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out, nullptr, false);
}

class Deploy : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::geteuid(), 0u) << "integration tests build real labs: run them as root"; }
  void TearDown() override {
    for (const std::string& lab : labs_) test::run({kAnylab, "destroy", lab});
  }
  void uses(const std::string& lab) {
    labs_.push_back(lab);
    test::run({kAnylab, "destroy", lab});  // a leftover of an earlier, interrupted run
  }

  void deploy_check_destroy(const std::string& lab, const std::map<std::string, std::string>& catchment) {
    uses(lab);
    auto d = test::run({kAnylab, "deploy", lab_file(lab), "--timeout", "60"});
    ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
    auto j = inspect(lab);
    ASSERT_FALSE(j.is_discarded());
    size_t sessions = 0;
    for (const auto& s : j["sessions"]) {
      EXPECT_EQ(s["state"], "Established") << s.dump();
      ++sessions;
    }
    EXPECT_GT(sessions, 0u);
    for (const auto& n : j["nodes"])
      for (const auto& p : n["processes"]) EXPECT_TRUE(p["running"].get<bool>()) << n["name"] << " " << p.dump();
    // Ready means every instance announces; the last updates may still be
    // crossing the far routers for a moment.
    std::map<std::string, std::string> seen;
    for (auto deadline = std::chrono::steady_clock::now() + 10s;; std::this_thread::sleep_for(100ms)) {
      const nlohmann::json now = inspect(lab);
      for (const auto& c : now["clients"]) seen[c["client"]] = c["instance"].is_null() ? "nobody" : c["instance"];
      if (seen == catchment || std::chrono::steady_clock::now() > deadline) break;
    }
    EXPECT_EQ(seen, catchment);
    const auto pids = recorded_pids(lab);
    EXPECT_FALSE(pids.empty());
    auto x = test::run({kAnylab, "destroy", lab});
    EXPECT_EQ(x.exit_code, 0) << x.err;
    EXPECT_EQ(not_reaped(pids), std::vector<std::string>{});
    EXPECT_EQ(leftovers(lab), std::vector<std::string>{});
  }

  std::vector<std::string> labs_;
};

TEST_F(Deploy, QuickstartEverySessionUpEachClientAtItsNearestInstance) {
  deploy_check_destroy("quickstart", {{"client-eu", "pop-ams"}, {"client-ap", "pop-sin"}});
}

TEST_F(Deploy, ThreePopsBehindTwoTransitsWithHealthChecks) {
  deploy_check_destroy("dns-three-pops",
                       {{"resolver-eu", "ns-fra"}, {"resolver-us", "ns-iad"}, {"resolver-au", "ns-syd"}});
}

// Who answers a client now, polled until it is `want` or 15 s have passed.
std::string answered_by(const std::string& lab, const std::string& client, const std::string& want) {
  std::string seen;
  for (auto deadline = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < deadline;
       std::this_thread::sleep_for(100ms)) {
    const nlohmann::json j = inspect(lab);  // a local: a range-for over a temporary's member dangles
    for (const auto& c : j["clients"])
      if (c["client"] == client) seen = c["instance"].is_null() ? "nobody" : c["instance"].get<std::string>();
    if (seen == want) break;
  }
  return seen;
}

TEST_F(Deploy, AnnouncementsChangeAtRuntimeThroughExabgpsApi) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  ASSERT_EQ(answered_by("quickstart", "client-eu", "pop-ams"), "pop-ams");
  // A more-specific from Singapore wins in Amsterdam too...
  auto a = test::run({kAnylab, "announce", "quickstart", "pop-sin", "--prefix", "192.0.2.0/25"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-sin"), "pop-sin");
  // ...until it is withdrawn.
  ASSERT_EQ(test::run({kAnylab, "withdraw", "quickstart", "pop-sin", "--prefix", "192.0.2.0/25"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-ams"), "pop-ams");
  // New attributes on the same prefix: prepending drains Amsterdam.
  ASSERT_EQ(test::run({kAnylab, "announce", "quickstart", "pop-ams", "--prepend", "3"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-sin"), "pop-sin");
  auto route = test::run({kAnylab, "exec", "quickstart", "edge-ams", "--", "vtysh", "-c",
                          "show bgp ipv4 unicast 192.0.2.0/24 json"});
  EXPECT_NE(route.out.find("64500 64500 64500 64500"), std::string::npos) << "three prepends: a path of four";
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("quickstart"), std::vector<std::string>{});
}

TEST_F(Deploy, WatchSeesEveryCatchmentChange) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  test::RunResult watch;
  std::thread t([&] { watch = test::run({kAnylab, "watch", "quickstart", "--for", "8"}); });
  std::this_thread::sleep_for(2s);
  EXPECT_EQ(test::run({kAnylab, "announce", "quickstart", "pop-sin", "--prefix", "192.0.2.0/25"}).exit_code, 0);
  std::this_thread::sleep_for(2500ms);
  EXPECT_EQ(test::run({kAnylab, "withdraw", "quickstart", "pop-sin", "--prefix", "192.0.2.0/25"}).exit_code, 0);
  t.join();
  ASSERT_EQ(watch.exit_code, 0) << watch.err;
  // client-eu: Amsterdam, then Singapore (the /25), then Amsterdam again.
  const size_t a = watch.out.find("client-eu dns            answered by pop-ams");
  const size_t b = watch.out.find("client-eu dns            answered by pop-sin", a);
  const size_t c = watch.out.find("client-eu dns            answered by pop-ams", b);
  EXPECT_NE(a, std::string::npos) << watch.out;
  EXPECT_NE(b, std::string::npos) << watch.out;
  EXPECT_NE(c, std::string::npos) << watch.out;
  EXPECT_NE(watch.out.find("summary:"), std::string::npos);
}

TEST_F(Deploy, FailAndRestoreALinkAndACrashedInstance) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  // A cut link moves client-eu to Singapore; mended, it comes back (the
  // instance's default route, deleted with the link, is put back too).
  ASSERT_EQ(test::run({kAnylab, "fail", "quickstart", "--link", "edge-ams,pop-ams"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-sin"), "pop-sin");
  ASSERT_EQ(test::run({kAnylab, "restore", "quickstart", "--link", "edge-ams,pop-ams"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-ams"), "pop-ams");
  // A crashed instance: every process gone; restored, all running again.
  ASSERT_EQ(test::run({kAnylab, "fail", "quickstart", "--node", "pop-ams", "--mode", "crash"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-sin"), "pop-sin");
  ASSERT_EQ(test::run({kAnylab, "restore", "quickstart", "--node", "pop-ams"}).exit_code, 0);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-ams"), "pop-ams");
  size_t running = 0;
  const nlohmann::json state = inspect("quickstart");
  for (const auto& n : state["nodes"])
    if (n["name"] == "pop-ams")
      for (const auto& p : n["processes"]) running += p["running"].get<bool>();
  EXPECT_EQ(running, 2u) << "the responder and ExaBGP, started again";
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("quickstart"), std::vector<std::string>{});
}

// Opens an HTML report in headless Chromium (Debian's), with the flags that
// keep it from reaching outside hosts and a fresh profile: the DOM as
// Chromium parsed it, and a screenshot of the given size kept as a test
// artifact.
std::string open_in_chromium(const std::string& html, const std::string& png, int width, int height) {
  const fs::path profile = fs::temp_directory_path() / ("anylab-chromium-" + std::to_string(getpid()));
  const std::vector<std::string> flags = {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                                          "--disable-background-networking", "--disable-component-update",
                                          "--disable-sync", "--user-data-dir=" + profile.string()};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = flags;
    argv.insert(argv.end(), extra.begin(), extra.end());
    return test::run(argv);
  };
  fs::create_directories(fs::path(png).parent_path());
  fs::remove(png);
  auto shot = with({fmt_size(width, height), "--screenshot=" + png, "file://" + html});
  EXPECT_EQ(shot.exit_code, 0) << shot.err;
  EXPECT_GT(fs::exists(png) ? fs::file_size(png) : 0, 10'000u) << png << " is missing or blank";
  auto dom = with({"--dump-dom", "file://" + html});
  EXPECT_EQ(dom.exit_code, 0) << dom.err;
  fs::remove_all(profile);
  return dom.out;
}

// `anylab test` on every lab in labs/: every event applied, every
// expectation held, the JSON, JUnit and HTML reports written, nothing left.
// The HTML report is opened in Chromium and its screenshot kept in
// build/test-artifacts/.
class EveryLab : public Deploy, public ::testing::WithParamInterface<std::string> {};

std::vector<std::string> lab_names() {
  std::vector<std::string> out;
  for (const std::string& f : test::lab_files()) out.push_back(fs::path(f).stem().string());
  return out;
}

TEST_P(EveryLab, AnylabTestPasses) {
  const std::string lab = GetParam();
  uses(lab);
  const fs::path dir = fs::temp_directory_path() / ("anylab-reports-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string json_file = (dir / (lab + ".json")).string(), junit_file = (dir / (lab + ".xml")).string();
  const std::string html_file = artifact("report-" + lab + ".html");
  fs::create_directories(ANYLAB_ARTIFACT_DIR);
  auto r = test::run({kAnylab, "test", lab_file(lab), "--json", json_file, "--junit", junit_file, "--html", html_file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("FAIL "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ERR "), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(test::read_file(json_file), nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << json_file;
  EXPECT_TRUE(report["pass"].get<bool>());
  test::expect_valid_report(json_file);
  EXPECT_GT(report["summary"]["expectations"].get<int>(), 0);
  EXPECT_EQ(report["summary"]["failed"].get<int>(), 0);
  for (const auto& sc : report["scenarios"])
    for (const auto& run : sc["runs"])
      for (const auto& t : run["timelines"]) EXPECT_FALSE(t["segments"].empty()) << t["client"];
  EXPECT_NE(test::read_file(junit_file).find("<testsuites name=\"anylab " + lab + "\""), std::string::npos);
  // The HTML report, as Chromium sees it: the verdict, a timeline per
  // scenario with a band per client, every expectation's window, and the
  // catchment maps.
  const std::string dom = open_in_chromium(html_file, artifact("report-" + lab + ".png"), 1100, 1400);
  EXPECT_NE(dom.find("PASS · lab " + lab), std::string::npos);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = dom.find(what); at != std::string::npos; at = dom.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg class=\"timeline\""), report["scenarios"].size());
  EXPECT_EQ(count("class=\"window ok\""), static_cast<size_t>(report["summary"]["expectations"].get<int>()));
  EXPECT_EQ(count("class=\"window bad\""), 0u);
  EXPECT_GE(count("<figure class=\"map\">"), report["scenarios"].size());
  for (const auto& t : report["scenarios"][0]["runs"][0]["timelines"])
    EXPECT_NE(dom.find(">" + t["client"].get<std::string>()), std::string::npos) << t["client"];
  fs::remove_all(dir);
  EXPECT_EQ(leftovers_settled(lab), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Labs, EveryLab, ::testing::ValuesIn(lab_names()),
                         [](const auto& p) {
                           std::string n = p.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST_F(Deploy, AFalseExpectationExits1AndNamesWhoAnswered) {
  uses("false-expect");
  const fs::path file = lab_variant("quickstart", "false-expect",
                                    "  - name: wrong\n    steps:\n      - expect: {client: client-eu, reaches: pop-sin}\n");
  fs::create_directories(ANYLAB_ARTIFACT_DIR);
  const std::string html = artifact("report-false-expect.html");
  auto r = test::run({kAnylab, "test", file.string(), "--html", html});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  expect client-eu reaches pop-sin: answered by pop-ams at the end, not pop-sin"),
            std::string::npos)
      << r.out;
  // The failing report makes the failure obvious at once: the verdict and
  // what failed come before any drawing (the screenshot is one screenful).
  const std::string dom = open_in_chromium(html, artifact("report-false-expect.png"), 1100, 800);
  const size_t verdict = dom.find("FAIL · lab false-expect"), what = dom.find("What failed"),
               measured = dom.find("answered by pop-ams at the end, not pop-sin"),
               drawing = dom.find("<svg class=\"timeline\"");
  EXPECT_NE(verdict, std::string::npos);
  EXPECT_NE(what, std::string::npos);
  EXPECT_NE(measured, std::string::npos);
  EXPECT_LT(what, drawing);
  EXPECT_LT(measured, drawing);
  EXPECT_NE(dom.find("class=\"window bad\""), std::string::npos);
  EXPECT_EQ(leftovers_settled("false-expect"), std::vector<std::string>{});
}

// An AS of several routers, written wrong: after Frankfurt's server
// crashes, edge-fra's route comes from the first reflector (the lower
// loopback), not the second, and Frankfurt's users are answered from
// Amsterdam; the failures say what was measured.
TEST_F(Deploy, AWrongExpectationOnAnAsOfSeveralRoutersNamesWhatWasMeasured) {
  uses("bb-wrong");
  const fs::path file = lab_variant("backbone", "bb-wrong",
                                    "  - name: wrong\n    steps:\n"
                                    "      - fail: {node: pop-fra, mode: crash}\n"
                                    "      - expect: {client: users-fra, reaches: pop-fra, within: 3s}\n"
                                    "      - expect: {route: {node: edge-fra, via: core-2}}\n"
                                    "      - expect: {client: users-fra, flips: {at-most: 0}}\n");
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("FAIL  expect users-fra reaches pop-fra within 3s: answered by pop-ams"), std::string::npos)
      << r.out;
  // The failover is a flip: from the server that answered before the crash.
  EXPECT_NE(r.out.find("FAIL  expect users-fra flips at-most 0: 1 flip in "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(": pop-fra -> pop-ams at +"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  expect route on edge-fra to 192.0.2.0/24 via core-2: best path via core-1"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(leftovers_settled("bb-wrong"), std::vector<std::string>{});
}

// A site of three servers behind ECMP, written wrong: a server dies and
// hardly any flow is to move (its own do), and the flows are to spread over
// all three still. The failures say what was measured: the flows moved,
// and the dead server's share.
TEST_F(Deploy, AWrongExpectationOnAnEcmpSiteNamesTheFlowsMeasured) {
  uses("ecmp-wrong");
  const fs::path file = lab_variant("ecmp-site", "ecmp-wrong",
                                    "  - name: wrong\n    steps:\n"
                                    "      - expect: {spread: {client: users, instances: [srv-1, srv-2, srv-3], "
                                    "each: {at-least: 15%}}, within: 10s}\n"
                                    "      - fail: {node: srv-1, mode: crash}\n"
                                    "      - expect: {spread: {client: users, instances: [srv-2, srv-3], "
                                    "each: {at-least: 30%}}, within: 10s}\n"
                                    "      - expect: {client: users, moved: {at-most: 10%}}\n"
                                    "      - expect: {spread: {client: users, instances: {srv-1: {at-least: 15%}, "
                                    "srv-2: {at-most: 100%}, srv-3: {at-most: 100%}}}, within: 2s}\n");
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  // The dead server's own flows (at least 15 % by the first spread) move
  // whichever path it had in the edge's group, which is not fixed.
  EXPECT_NE(r.out.find("FAIL  expect users moved at-most 10%: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("from instances that answer no flow now"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(expected at most 10%)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  expect spread of users's flows over srv-1 at-least 15%, srv-2 at-most 100%, srv-3 at-most "
                       "100% within 2s: srv-1 0% (0, expected at least 15%)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(leftovers_settled("ecmp-wrong"), std::vector<std::string>{});
}

// labs/ecmp-resilient.yaml's twin without resilient hashing: one of its
// three servers at a time dies, and for the server whose path is at an end
// of the edge's plain group (two of the three are) the kernel re-cuts the
// hash space and moves flows of the servers still answering: the lab's
// "not one re-hashed" fails, naming the flows moved.
TEST_F(Deploy, WithoutResilientHashingTheHealthyServersFlowsMove) {
  uses("ecmp-plain");
  std::string lab = test::read_file(lab_file("ecmp-resilient"));
  lab.replace(lab.find("name: ecmp-resilient"), 20, "name: ecmp-plain");
  lab.replace(lab.find("hash: l4, resilient: true"), 25, "hash: l4, resilient: false");
  const fs::path file = fs::temp_directory_path() / ("ecmp-plain-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << lab;
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const std::regex rehashed(R"(FAIL  expect users moved at-least 15% at-most 70% healthy at-most 0%: .* ([1-9][0-9]*) of the [0-9]+ on instances still answering \([0-9]+%, re-hashed\) \(expected at most 0%\))");
  EXPECT_TRUE(std::regex_search(r.out, rehashed)) << r.out;
  EXPECT_EQ(leftovers_settled("ecmp-plain"), std::vector<std::string>{});
}

// Two links between one pair of routers: failing "the link" cuts both (it
// cut the first only, and traffic kept flowing on the second, so an
// `unreachable` failed and a max-outage would pass over nothing), and says
// which it cut; restoring it mends both.
TEST_F(Deploy, FailingALinkCutsEveryParallelLinkOfThePair) {
  uses("parallel");
  fs::path file = lab_variant("quickstart", "parallel",
                              "  - name: cut-both\n    steps:\n"
                              "      - fail: {node: pop-ams}\n"
                              "      - expect: {client: client-eu, reaches: pop-sin, within: 10s}\n"
                              "      - fail: {link: [edge-ams, edge-sin]}\n"
                              "      - expect: {client: client-eu, unreachable: true, within: 10s}\n"
                              "      - restore: {link: [edge-ams, edge-sin]}\n"
                              "      - expect: {client: client-eu, reaches: pop-sin, within: 20s}\n");
  std::string text = test::read_file(file.string());
  text.replace(text.find("    - [edge-ams, edge-sin]\n"), 27, "    - [edge-ams, edge-sin]\n    - [edge-ams, edge-sin]\n");
  std::ofstream(file) << text;
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("fail link edge-ams -- edge-sin (all 2 links: edge-ams:eth3 -- edge-sin:eth3, "
                       "edge-ams:eth4 -- edge-sin:eth4)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("PASS  expect client-eu unreachable within 10s"), std::string::npos) << r.out;
  EXPECT_EQ(leftovers_settled("parallel"), std::vector<std::string>{});
}

// A dual-stack lab with one wrong per-family expectation: Europe reaches
// Ashburn over IPv6, not Frankfurt. The failure names what it measured and
// over which family, and the JSON report has a timeline per family.
TEST_F(Deploy, WrongPerFamilyExpectationNamesInstanceAndFamily) {
  uses("false-family");
  const fs::path file = lab_variant("dual-stack-dns", "false-family",
                                    "  - name: wrong\n    steps:\n"
                                    "      - expect: {client: client-eu, reaches: ns-fra, family: ipv4}\n"
                                    "      - expect: {client: client-eu, reaches: ns-fra, family: ipv6}\n"
                                    "      - expect: {client: client-eu, reaches: ns-fra}\n");
  fs::create_directories(ANYLAB_ARTIFACT_DIR);
  const std::string json = artifact("report-false-family.json");
  auto r = test::run({kAnylab, "test", file.string(), "--json", json});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  expect client-eu reaches ns-fra over ipv4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FAIL  expect client-eu reaches ns-fra over ipv6: answered by ns-iad at the end, not ns-fra"),
            std::string::npos)
      << r.out;
  // Without family: it must hold over both; the IPv6 part says what it saw.
  EXPECT_NE(r.out.find("FAIL  expect client-eu reaches ns-fra: ipv4: ns-fra"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ipv6: answered by ns-iad at the end, not ns-fra"), std::string::npos) << r.out;
  const auto report = nlohmann::json::parse(test::read_file(json));
  std::set<std::string> families;
  for (const auto& t : report["scenarios"][0]["runs"][0]["timelines"])
    if (t["client"] == "client-eu") families.insert(t["family"].get<std::string>());
  EXPECT_EQ(families, (std::set<std::string>{"ipv4", "ipv6"}));
  EXPECT_EQ(leftovers_settled("false-family"), std::vector<std::string>{});
}

// Bounds over the runs, measured for real: a crash costs Europe at least
// a probe interval of outage (10 ms), so `max-outage: {p95: 1ms}` breaks in
// every run and the verdict names them; `within: {p95: 10s}` holds. Exit 1,
// and the JSON report carries both judgements.
TEST_F(Deploy, APercentileBoundFailsNamingTheRunsThatBrokeIt) {
  uses("percentiles");
  const fs::path file = lab_variant("quickstart", "percentiles",
                                    "  - name: crash\n    steps:\n"
                                    "      - fail: {node: pop-ams, mode: crash}\n"
                                    "      - expect: {client: client-eu, reaches: pop-sin, within: {p95: 10s}}\n"
                                    "      - expect: {client: client-eu, max-outage: {p95: 1ms}}\n");
  const std::string json = (fs::temp_directory_path() / "anylab-percentiles.json").string();
  auto r = test::run({kAnylab, "test", file.string(), "--repeat", "2", "--json", json});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("PASS  expect client-eu reaches pop-sin within p95 10s: held in 2/2 runs; p95 "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAIL  expect client-eu max-outage p95 1ms: measured in 2/2 runs; p95 "), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("over 0.001s (runs 1, 2 over it)"), std::string::npos) << r.out;
  test::expect_valid_report(json);
  const auto report = nlohmann::json::parse(test::read_file(json));
  fs::remove(json);
  const auto& exps = report["scenarios"][0]["expectations"];
  EXPECT_TRUE(exps[0]["bounds"][0]["held"].get<bool>());
  EXPECT_FALSE(exps[1]["bounds"][0]["held"].get<bool>());
  EXPECT_EQ(exps[1]["bounds"][0]["runs_over"], nlohmann::json::parse("[1, 2]"));
  EXPECT_EQ(report["summary"]["failed"], 1);
  EXPECT_EQ(leftovers_settled("percentiles"), std::vector<std::string>{});
}

// Each router's UPDATE counters, summed over its sessions, as its own
// vtysh reads them: {router: {sent, received}}.
std::map<std::string, std::pair<uint64_t, uint64_t>> frr_counters(const std::string& lab,
                                                                    const std::vector<std::string>& routers) {
  std::map<std::string, std::pair<uint64_t, uint64_t>> out;
  for (const std::string& r : routers) {
    auto n = test::run({kAnylab, "exec", lab, r, "--", "vtysh", "-c", "show bgp neighbors json"});
    const auto j = nlohmann::json::parse(n.out, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << n.out << n.err;
    if (j.is_discarded()) continue;
    for (const auto& [peer, session] : j.items()) {
      out[r].first += session["messageStats"]["updatesSent"].get<uint64_t>();
      out[r].second += session["messageStats"]["updatesRecv"].get<uint64_t>();
    }
  }
  return out;
}

// What each event cost the control plane is FRR's own count: over a
// scenario that ends as it began (a crash, then the restore, each waited
// out with `settled`), the UPDATEs the report gives each router add up to
// what the router's bgpd counted (its vtysh, before and after `anylab
// run`); the crash moved edge-ams's best path, and only edge-ams's.
TEST_F(Deploy, EachEventsUpdatesAreWhatFrrCounted) {
  uses("cp-counts");
  const fs::path file = lab_variant("quickstart", "cp-counts",
                                    "  - name: crash-and-back\n    steps:\n"
                                    "      - fail: {node: pop-ams, mode: crash}\n"
                                    "      - expect: {client: client-eu, reaches: pop-sin, within: 10s}\n"
                                    "      - expect: {settled: {within: 3s}}\n"
                                    "      - expect: {updates: {at-most: 50}}\n"
                                    "      - restore: {node: pop-ams}\n"
                                    "      - expect: {client: client-eu, reaches: pop-ams, within: 20s}\n"
                                    "      - expect: {settled: {within: 3s}}\n"
                                    "      - wait: 2s\n");
  auto d = test::run({kAnylab, "deploy", file.string(), "--timeout", "60"});
  fs::remove(file);
  ASSERT_EQ(d.exit_code, 0) << d.out << d.err;
  const std::vector<std::string> routers = {"edge-ams", "edge-sin"};
  const auto before = frr_counters("cp-counts", routers);
  const std::string json = (fs::temp_directory_path() / "anylab-cp-counts.json").string();
  auto r = test::run({kAnylab, "run", "cp-counts", "--json", json});
  const auto after = frr_counters("cp-counts", routers);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("control plane: "), std::string::npos) << r.out;
  test::expect_valid_report(json);
  const auto report = nlohmann::json::parse(test::read_file(json));
  fs::remove(json);
  std::map<std::string, std::pair<uint64_t, uint64_t>> reported;
  std::vector<nlohmann::json> costs;
  for (const auto& step : report["scenarios"][0]["runs"][0]["steps"])
    if (step.contains("control_plane")) costs.push_back(step["control_plane"]);
  ASSERT_EQ(costs.size(), 2u) << report.dump(1);
  for (const auto& c : costs)
    for (const auto& router : c["routers"]) {
      reported[router["router"]].first += router["updates_sent"].get<uint64_t>();
      reported[router["router"]].second += router["updates_received"].get<uint64_t>();
    }
  for (const std::string& router : routers) {
    EXPECT_EQ(reported[router].first, after.at(router).first - before.at(router).first) << router;
    EXPECT_EQ(reported[router].second, after.at(router).second - before.at(router).second) << router;
  }
  EXPECT_GE(costs[0]["updates_sent"].get<uint64_t>(), 1u);
  EXPECT_EQ(costs[0]["routers_changed"], 1);
  EXPECT_GE(costs[0]["routers"][0]["changes"].get<int>(), 1) << costs[0].dump(1);  // edge-ams
  EXPECT_EQ(costs[0]["routers"][1]["changes"], 0) << costs[0].dump(1);            // edge-sin
  EXPECT_EQ(test::run({kAnylab, "destroy", "cp-counts"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("cp-counts"), std::vector<std::string>{});
}

// `anylab why` names, at each router on the client's path, the attribute
// that decided its best path: a prepend on London (AS path), then a
// local-pref for London's routes at the core (Local Pref), which wins over
// the longer path and takes the eyeball back to London.
TEST_F(Deploy, WhyNamesTheAttributeThatDecidedEachHop) {
  uses("drain-site");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("drain-site")}).exit_code, 0);
  ASSERT_EQ(test::run({kAnylab, "announce", "drain-site", "cdn-lon", "--prepend", "2"}).exit_code, 0);
  auto why_until = [](const std::string& wanted, const std::string& answered) {
    test::RunResult r;
    for (auto deadline = std::chrono::steady_clock::now() + 15s; std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(250ms)) {
      r = test::run({kAnylab, "why", "drain-site", "eyeball"});
      if (r.out.find(wanted) != std::string::npos && r.out.find("answered by " + answered + "\n") != std::string::npos)
        break;
    }
    return r;
  };
  auto prepended = why_until("decided by AS Path", "cdn-par");
  EXPECT_EQ(prepended.exit_code, 0) << prepended.err;
  EXPECT_NE(prepended.out.find("eyeball -> cdn (198.51.100.80, ipv4): answered by cdn-par\n"), std::string::npos)
      << prepended.out;
  EXPECT_NE(prepended.out.find("   2  core             -> edge-par via eth3 198.18.0.5\n"
                               "        * via edge-par (198.18.0.5) as-path 65040 64520  (best of 2: decided by AS Path)\n"
                               "          via edge-lon (198.18.0.3) as-path 65030 64520 64520 64520\n"),
            std::string::npos)
      << prepended.out;
  EXPECT_NE(prepended.out.find("   4  cdn-par          the service address is its own: it answers\n"), std::string::npos)
      << prepended.out;
  auto lp = test::run({kAnylab, "exec", "drain-site", "core", "--", "vtysh", "-c", "conf t", "-c",
                       "route-map LP permit 10", "-c", "set local-preference 200", "-c", "exit", "-c", "router bgp 65000",
                       "-c", "address-family ipv4 unicast", "-c", "neighbor 198.18.0.3 route-map LP in", "-c", "end",
                       "-c", "clear bgp ipv4 unicast 198.18.0.3 soft in"});
  ASSERT_EQ(lp.exit_code, 0) << lp.out << lp.err;
  auto preferred = why_until("decided by Local Pref", "cdn-lon");
  EXPECT_NE(preferred.out.find("answered by cdn-lon\n"), std::string::npos) << preferred.out;
  EXPECT_NE(preferred.out.find("        * via edge-lon (198.18.0.3) as-path 65030 64520 64520 64520, local-pref 200  "
                               "(best of 2: decided by Local Pref)\n"),
            std::string::npos)
      << preferred.out;
  EXPECT_EQ(test::run({kAnylab, "destroy", "drain-site"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("drain-site"), std::vector<std::string>{});
}

// `anylab sweep`: a row per setting of the knobs, who answered each client
// measured; Amsterdam's site off sends client-eu to Singapore, and so does
// a prepend of 2 on Amsterdam (its path, 64500 64500 64500, is longer than
// Singapore's through edge-sin, 65020 64500); the lab's own announcements
// are back afterwards.
TEST_F(Deploy, SweepPrintsTheCatchmentPerSettingAndPutsTheLabBack) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  const std::string json = (fs::temp_directory_path() / "anylab-sweep.json").string();
  auto r = test::run({kAnylab, "sweep", "quickstart", "--vary", "site:pop-ams=on,off", "--vary", "prepend:pop-ams=0,2",
                      "--json", json});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("  site:pop-ams=on, prepend:pop-ams=0   pop-ams        pop-sin        pop-ams 50%, pop-sin 50%\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  site:pop-ams=on, prepend:pop-ams=2   pop-sin        pop-sin        pop-sin 100%\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("  site:pop-ams=off, prepend:pop-ams=0  pop-sin        pop-sin        pop-sin 100%\n"),
            std::string::npos)
      << r.out;
  const auto j = nlohmann::json::parse(test::read_file(json));
  fs::remove(json);
  EXPECT_EQ(j["rows"].size(), 4u);
  EXPECT_EQ(answered_by("quickstart", "client-eu", "pop-ams"), "pop-ams");
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
}

// --record: the lab's steady state written into the lab file as scenario
// "recorded"; run again it holds, and once Amsterdam prepends (a change to
// the network) it fails naming what moved.
TEST_F(Deploy, ARecordedSteadyStateHoldsUntilTheNetworkChanges) {
  uses("quickstart");
  const fs::path file = fs::temp_directory_path() / ("quickstart-record-" + std::to_string(getpid()) + ".yaml");
  std::string lab = test::read_file(lab_file("quickstart"));
  lab.replace(lab.find("settle: 30s"), 11, "settle: 5s");  // the failing run is judged at settle
  std::ofstream(file) << lab;
  ASSERT_EQ(test::run({kAnylab, "deploy", file.string()}).exit_code, 0);
  auto recorded = test::run({kAnylab, "run", file.string(), "--record", "--scenario", "baseline"});
  EXPECT_EQ(recorded.exit_code, 0) << recorded.out << recorded.err;
  EXPECT_NE(recorded.err.find("recorded 3 expectations into " + file.string()), std::string::npos) << recorded.err;
  const std::string text = test::read_file(file.string());
  EXPECT_NE(text.find("  - name: recorded\n"), std::string::npos) << text;
  EXPECT_NE(text.find("      - expect: {catchment: {pop-ams: [client-eu], pop-sin: [client-ap]}}\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("      - expect: {route: {node: edge-ams, prefix: 192.0.2.0/24, via: pop-ams, as-path: \"64500\"}}"),
            std::string::npos)
      << text;
  auto held = test::run({kAnylab, "run", file.string(), "--scenario", "recorded"});
  EXPECT_EQ(held.exit_code, 0) << held.out << held.err;
  ASSERT_EQ(test::run({kAnylab, "announce", "quickstart", "pop-ams", "--prepend", "2"}).exit_code, 0);
  auto changed = test::run({kAnylab, "run", file.string(), "--scenario", "recorded"});
  EXPECT_EQ(changed.exit_code, 1) << changed.out << changed.err;
  EXPECT_NE(changed.out.find("FAIL  expect route on edge-ams to 192.0.2.0/24 via pop-ams as-path \"64500\""),
            std::string::npos)
      << changed.out;
  fs::remove(file);
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
}

// A CAIDA AS-relationship file (written by hand, serial-2) becomes a lab by
// `anylab generate --as-rel`, with the file's own ASNs (32-bit too), that
// runs as written: every client answered, and the site in AS300 crashing
// moves its users to AS200's through the peering of AS100 and AS200.
TEST_F(Deploy, ALabFromACaidaFileRuns) {
  uses("as-rel");
  const fs::path file = fs::temp_directory_path() / ("as-rel-" + std::to_string(getpid()) + ".yaml");
  ASSERT_EQ(test::run({kAnylab, "generate", "--as-rel", test::source_dir() + "/tests/golden/generate/as-rel-hand.txt",
                       "--sites", "300,200", "--clients", "1000,4000,4200000001", "--out", file.string()})
                .exit_code,
            0);
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("as-rel: 2 scenarios, 6 expectations, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(leftovers_settled("as-rel"), std::vector<std::string>{});
}

TEST_F(Deploy, TwoLabsSideBySide) {
  uses("quickstart");
  uses("drain-site");
  // Deployed at the same time, each must be whole and must not see the other.
  test::RunResult a, b;
  std::thread ta([&] { a = test::run({kAnylab, "deploy", lab_file("quickstart")}); });
  std::thread tb([&] { b = test::run({kAnylab, "deploy", lab_file("drain-site")}); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.exit_code, 0) << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("quickstart"), std::vector<std::string>{});
  auto j = inspect("drain-site");  // untouched by the other lab's destroy
  for (const auto& s : j["sessions"]) EXPECT_EQ(s["state"], "Established") << s.dump();
  ASSERT_EQ(j["clients"].size(), 1u);
  EXPECT_FALSE(j["clients"][0]["instance"].is_null());
  EXPECT_EQ(test::run({kAnylab, "destroy", "drain-site"}).exit_code, 0);
  EXPECT_EQ(leftovers_settled("drain-site"), std::vector<std::string>{});
}

TEST_F(Deploy, DestroyAfterDeployWasKilledWithSigkill) {
  uses("dns-three-pops");
  test::expect_destroy_cleans_up_after_sigkill("dns-three-pops");
}

TEST_F(Deploy, SigintDuringDeployCleansUp) {
  uses("dns-three-pops");
  pid_t pid = deploy_until_daemons("dns-three-pops");
  ASSERT_GT(pid, 0);
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_EQ(leftovers_settled("dns-three-pops"), std::vector<std::string>{});
}

// A stop asked for while a big lab's daemons start is acted on within a
// few of them (a deploy hands them to the backend one at a time), not after
// all of them:
// the 100 routers of internet-100 take seconds to start. Counted from the
// journal, watched until anylab exits; then nothing of the lab is left.
TEST_F(Deploy, SigtermDuringABigDeployStopsStartingDaemonsAtOnce) {
  uses("internet-100");
  const pid_t pid = deploy_until_daemons("internet-100");
  ASSERT_GT(pid, 0);
  const std::string journal = "/run/anylab/internet-100/journal";
  auto daemons = [&] {
    const std::string j = test::read_file(journal);
    size_t n = 0;
    for (size_t at = j.find("\npid "); at != std::string::npos; at = j.find("\npid ", at + 1)) ++n;
    return n;
  };
  const size_t at_signal = daemons();
  const auto signalled = std::chrono::steady_clock::now();
  ::kill(pid, SIGTERM);
  size_t most = at_signal;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    most = std::max(most, daemons());
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - signalled).count();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  RecordProperty("daemons_at_signal", static_cast<int>(at_signal));
  RecordProperty("daemons_at_most", static_cast<int>(most));
  EXPECT_LE(most - at_signal, 32u) << at_signal << " daemons at the signal, " << most << " at most after it";
  EXPECT_LT(took, 30.0);
  EXPECT_EQ(leftovers_settled("internet-100"), std::vector<std::string>{});
}

// A client that vanished is not probed from anywhere else (the host): the
// scenario fails and says which client and why.
TEST_F(Deploy, AScenarioWhoseClientVanishedFailsNamingIt) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  ASSERT_EQ(test::run({"ip", "netns", "delete", "anylab-quickstart_client-eu"}).exit_code, 0);
  auto r = test::run({kAnylab, "run", "quickstart", "--scenario", "baseline"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("ERR   open the clients' namespaces: cannot open client client-eu's network namespace "
                       "/run/netns/anylab-quickstart_client-eu"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

// A namespace of the lab's name that anylab did not make is in the way: the
// deploy refuses before building anything, names it, and neither the
// deploy nor a destroy of the lab touches it.
TEST_F(Deploy, ANamespaceInTheWayIsNamedAndLeftAlone) {
  uses("quickstart");
  const std::string ns = "anylab-quickstart_pop-ams";
  struct Remove {  // the test's own namespace goes, whatever happens
    std::string ns;
    ~Remove() { test::run({"ip", "netns", "delete", ns}); }
  } remove{ns};
  ASSERT_EQ(test::run({"ip", "netns", "add", ns}).exit_code, 0);
  ASSERT_EQ(test::run({"ip", "-n", ns, "link", "add", "mine0", "type", "veth", "peer", "name", "mine1"}).exit_code, 0);
  auto d = test::run({kAnylab, "deploy", lab_file("quickstart")});
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_NE(d.err.find("the network namespace /run/netns/" + ns + " already exists, and no deploy of lab quickstart "
                       "made it: anylab leaves it alone"),
            std::string::npos)
      << d.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
  EXPECT_EQ(test::run({kAnylab, "test", lab_file("quickstart")}).exit_code, 3);
  EXPECT_EQ(test::run({"ip", "-n", ns, "link", "show", "mine0"}).exit_code, 0) << "the namespace was touched";
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{"/run/netns/" + ns});
}

// The netns runtime cannot honour image:, and says so once, naming the FRR
// it runs instead; the lab still runs.
TEST_F(Deploy, ALabNamingImagesIsToldTheNetnsRuntimeRunsTheHostsFrr) {
  uses("frr-upgrade");
  auto d = test::run({kAnylab, "deploy", lab_file("frr-upgrade")});
  EXPECT_EQ(d.exit_code, 0) << d.err;
  const std::string notice = "the lab names container images, which the netns runtime cannot run: it uses this "
                             "machine's FRR (";
  EXPECT_NE(d.err.find(notice), std::string::npos) << d.err;
  EXPECT_EQ(d.err.find(notice), d.err.rfind(notice)) << "said more than once: " << d.err;
  EXPECT_EQ(test::run({kAnylab, "destroy", "frr-upgrade"}).exit_code, 0);
}

// With the kernel merging pages, the routers' daemons are offered to it and
// laid out alike, and identical pages are shared; without, left alone.
TEST_F(Deploy, RoutersShareIdenticalPagesOnlyWhenTheKernelMergesThem) {
  if (!fs::exists("/sys/kernel/mm/ksm/run")) GTEST_SKIP() << "this kernel has no same-page merging";
  uses("quickstart");
  test::expect_pages_shared_only_with_ksm("quickstart");
}

TEST_F(Deploy, SecondDeployOfTheSameLabIsRefused) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  auto again = test::run({kAnylab, "deploy", lab_file("quickstart")});
  EXPECT_EQ(again.exit_code, 3);
  EXPECT_NE(again.err.find("already deployed"), std::string::npos) << again.err;
  EXPECT_EQ(inspect("quickstart")["clients"].size(), 2u) << "the running lab is untouched";
}

// Two CI jobs deploying the same lab at the same moment: exactly one builds
// it, the other exits 3 (the lab is in use, or already deployed) and touches
// nothing: the winner's lab keeps every process and answers every client.
// Then, with the lab running and watched, two more jobs' `anylab test` and a
// `destroy` of it are refused, and its clients see no outage.
TEST_F(Deploy, ConcurrentJobsOfOneLabExactlyOneDeploysTheOtherTouchesNothing) {
  uses("quickstart");
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto a = std::async(std::launch::async, [] { return test::run({kAnylab, "deploy", lab_file("quickstart")}); });
    auto b = std::async(std::launch::async, [] { return test::run({kAnylab, "deploy", lab_file("quickstart")}); });
    const test::RunResult ra = a.get(), rb = b.get();
    const test::RunResult& loser = ra.exit_code == 0 ? rb : ra;
    ASSERT_EQ((ra.exit_code == 0) + (rb.exit_code == 0), 1) << ra.err << "\n---\n" << rb.err;
    EXPECT_EQ(loser.exit_code, 3) << loser.err;
    EXPECT_TRUE(loser.err.find("is in use by another anylab (pid ") != std::string::npos ||
                loser.err.find("already deployed") != std::string::npos)
        << loser.err;
    EXPECT_EQ(loser.err.find("destroyed"), std::string::npos) << "the loser removed something: " << loser.err;
    auto j = inspect("quickstart");
    for (const auto& n : j["nodes"]) {
      for (const auto& p : n["processes"]) {
        EXPECT_TRUE(p["running"].get<bool>()) << n.dump();
      }
    }
    for (const auto& c : j["clients"]) {
      EXPECT_FALSE(c["instance"].is_null()) << c.dump();
    }
    if (round < 2) {
      ASSERT_EQ(test::run({kAnylab, "destroy", "quickstart"}).exit_code, 0);
    }
  }
  auto watch = std::async(std::launch::async, [] { return test::run({kAnylab, "watch", "quickstart", "--for", "6"}); });
  std::this_thread::sleep_for(1s);
  auto t1 = std::async(std::launch::async, [] { return test::run({kAnylab, "test", lab_file("quickstart")}); });
  auto t2 = std::async(std::launch::async, [] { return test::run({kAnylab, "test", lab_file("quickstart")}); });
  EXPECT_EQ(t1.get().exit_code, 3);
  EXPECT_EQ(t2.get().exit_code, 3);
  const test::RunResult w = watch.get();
  ASSERT_EQ(w.exit_code, 0) << w.err;
  EXPECT_EQ(w.out.find("NO ANSWER"), std::string::npos) << w.out;
  EXPECT_NE(w.out.find("longest outage 0.000s"), std::string::npos) << w.out;
}

// A lab held by a running `anylab test` (here: one stopped with SIGSTOP in
// the middle of its scenarios) is not destroyed under it: destroy exits 3
// naming the holder's pid.
TEST_F(Deploy, DestroyOfALabAnotherAnylabHoldsIsRefusedNamingIt) {
  uses("quickstart");
  ASSERT_EQ(test::run({kAnylab, "deploy", lab_file("quickstart")}).exit_code, 0);
  const pid_t holder = ::fork();
  if (holder == 0) {
    // Holds the claim as another anylab would: flock on the lock file, until killed.
    const int fd = ::open("/run/anylab/quickstart.lock", O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) ::_exit(1);
    ::pause();
    ::_exit(0);
  }
  std::this_thread::sleep_for(300ms);
  auto d = test::run({kAnylab, "destroy", "quickstart"});
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  EXPECT_EQ(d.exit_code, 3) << d.err;
  EXPECT_NE(d.err.find("lab quickstart is in use by another anylab"), std::string::npos) << d.err;
  EXPECT_EQ(inspect("quickstart")["clients"].size(), 2u) << "the lab is untouched";
}

TEST_F(Deploy, NotRootExits3AndCreatesNothing) {
  uses("quickstart");
  auto r = test::run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", kAnylab, "deploy",
                      lab_file("quickstart")});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("run it with sudo"), std::string::npos) << r.err;
  EXPECT_EQ(leftovers("quickstart"), std::vector<std::string>{});
}

// A delay needs netem. Where the kernel lacks it (this project's own
// machine), `anylab test` must say so and build nothing; where it has it,
// the lab runs and the delay shows in the probes.
TEST_F(Deploy, DelayWithoutNetemExits3NamingIt) {
  uses("delay-check");
  const bool netem = test::run({"unshare", "--net", "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay",
                                "1ms"}).exit_code == 0;
  std::string lab = test::read_file(lab_file("quickstart"));
  lab.replace(lab.find("name: quickstart"), 16, "name: delay-check");
  lab = lab.substr(0, lab.find("scenarios:")) +
        "scenarios:\n  - name: slow\n    steps:\n"
        "      - impair: {link: [client-eu, edge-ams], delay: 30ms}\n"
        "      - expect: {client: client-eu, reaches: pop-ams, stable: 1s}\n";
  const fs::path file = fs::temp_directory_path() / ("delay-check-" + std::to_string(getpid()) + ".yaml");
  std::ofstream(file) << lab;
  auto r = test::run({kAnylab, "test", file.string()});
  fs::remove(file);
  if (netem) {
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  } else {
    EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
    EXPECT_NE(r.err.find("sch_netem"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was built"), std::string::npos) << r.err;
  }
  EXPECT_EQ(leftovers_settled("delay-check"), std::vector<std::string>{});
}

}  // namespace
}  // namespace anylab
