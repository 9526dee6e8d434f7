#include <set>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "report/compare.h"
#include "report/html.h"
#include "report/report.h"
#include "report_sample.h"
#include "test_paths.h"

namespace anylab {
namespace {

using std::chrono::milliseconds;

TEST(Spread, MinMedianMax) {
  EXPECT_FALSE(spread({}));
  auto odd = spread({milliseconds(30), milliseconds(10), milliseconds(20)});
  EXPECT_EQ(odd->min, milliseconds(10));
  EXPECT_EQ(odd->median, milliseconds(20));
  EXPECT_EQ(odd->max, milliseconds(30));
  auto even = spread({milliseconds(40), milliseconds(10), milliseconds(20), milliseconds(30)});
  EXPECT_EQ(even->median, milliseconds(25));  // the mean of the two middle values
  EXPECT_EQ(even->p95, milliseconds(40)) << "of 4 runs, the 4th smallest (ceil 3.8)";
}

// Percentiles by nearest rank: each is a value some run measured.
TEST(Spread, PercentilesByNearestRank) {
  std::vector<checks::Micros> twenty, hundred_one;
  for (int i = 20; i >= 1; --i) twenty.push_back(milliseconds(i));
  const auto s = spread(twenty);
  EXPECT_EQ(s->p95, milliseconds(19));  // ceil(0.95 * 20) = 19th smallest
  EXPECT_EQ(s->p99, milliseconds(20));  // ceil(0.99 * 20) = 20th
  for (int i = 1; i <= 101; ++i) hundred_one.push_back(milliseconds(i));
  const auto h = spread(hundred_one);
  EXPECT_EQ(h->median, milliseconds(51));
  EXPECT_EQ(h->p95, milliseconds(96));   // ceil(95.95) = 96th
  EXPECT_EQ(h->p99, milliseconds(100));  // ceil(99.99) = 100th
  EXPECT_EQ(h->max, milliseconds(101));
  const auto one = spread({milliseconds(7)});
  EXPECT_EQ(one->p95, milliseconds(7));
  EXPECT_EQ(one->p99, milliseconds(7));
}

TEST(Expectations, HoldOnlyIfTheyHeldInEveryRun) {
  const TestReport r = test::sample_report();
  const auto e = expectations(r.scenarios[1]);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].runs, 2);
  EXPECT_EQ(e[0].passed, 1);
  EXPECT_EQ(e[0].failed_runs, std::vector<int>{2});
  EXPECT_EQ(e[0].convergence->min, milliseconds(90));
  EXPECT_EQ(e[0].convergence->max, milliseconds(2400));
  EXPECT_EQ(e[1].passed, 2);
  EXPECT_FALSE(r.scenarios[1].pass());
  EXPECT_TRUE(r.scenarios[0].pass());
  EXPECT_FALSE(r.pass());
}

// A run a signal cut short: the baseline passed, the interrupted scenario's
// steps are errors of type "interrupted" in JUnit (never a pass, nor a
// measured failure), JSON says pass false and interrupted, HTML INTERRUPTED.
TEST(Reports, AnInterruptedRunNeverReadsAsPass) {
  TestReport r = test::sample_report();
  r.repeat = 1;
  ScenarioOutcome& run = r.scenarios.at(1).runs.at(0);
  r.scenarios.at(1).runs.resize(1);
  run.steps.at(1).status = Status::kInterrupted;
  run.steps.at(1).measured = "interrupted before it was decided (so far: no answer for 0.500s)";
  run.steps.at(2).status = Status::kInterrupted;
  r.interrupted = true;
  EXPECT_FALSE(r.pass());
  EXPECT_EQ(run.status(), Status::kInterrupted);
  const Tally t = tally_of(r);
  EXPECT_EQ(t.failed, 0u);
  EXPECT_EQ(t.interrupted, 2u);
  const std::string junit = junit_report(r);
  EXPECT_NE(junit.find("<error message=\"interrupted before it was decided (so far: no answer for 0.500s)\" "
                       "type=\"interrupted\">"),
            std::string::npos)
      << junit;
  EXPECT_EQ(junit.find("<failure"), std::string::npos) << junit;
  EXPECT_NE(junit.find("<testsuites name=\"anylab sample\" tests=\"4\" failures=\"0\" errors=\"3\""),
            std::string::npos)
      << junit;
  const std::string json = json_report(r);
  EXPECT_NE(json.find("\"pass\": false,\n  \"interrupted\": true"), std::string::npos) << json;
  EXPECT_NE(json.find("\"status\": \"interrupted\""), std::string::npos);
  EXPECT_NE(html_report(r).find("<title>anylab sample: INTERRUPTED</title>"), std::string::npos);
  // Interrupted after its last step (while the lab was put back): every
  // testcase judged, and the run itself still an error, never all green.
  for (StepOutcome& st : run.steps) st.status = Status::kPass;
  const std::string late = junit_report(r);
  EXPECT_NE(late.find("failures=\"0\" errors=\"1\" time"), std::string::npos) << late;
  EXPECT_NE(late.find("<testcase classname=\"sample.run\" name=\"the run\""), std::string::npos) << late;
}

TEST(Reports, LongestOutageComesFromTheTimelinesEvenUnasked) {
  TestReport r = test::sample_report();
  checks::ClientTimeline dark;
  for (int i = 0; i < 100; ++i)  // answered, then 25 probes (250 ms) unanswered, then answered
    dark.push_back({milliseconds(10 * i), i >= 40 && i < 65 ? std::nullopt : std::optional<std::string>("pop-ams")});
  r.scenarios[0].runs[0].timelines.push_back({"client-ap", "dns", Family::kIpv4, dark});
  auto w = longest_outage(r);
  ASSERT_TRUE(w);
  EXPECT_EQ(w->time, milliseconds(250));
  EXPECT_EQ(w->where, "baseline: client-ap (dns)");
  EXPECT_EQ(slowest_convergence(r)->time, milliseconds(2400));
}

// A reaches that failed under loss: JSON carries who answered and what was
// lost, JUnit's failure says it in words (issue 26).
TEST(Reports, AnswersUnderLossAreInJsonAndJunit) {
  TestReport r = test::sample_report();
  r.repeat = 1;
  r.scenarios.at(1).runs.resize(1);
  StepOutcome& st = r.scenarios.at(1).runs.at(0).steps.at(1);
  st.status = Status::kFail;
  st.measured = "answered only by pop-sin: 16 of 300 probes, 94.7% lost; never 0.500s in a row (longest 0.010s)";
  st.answers = checks::Answers{.probes = 300, .by = {{"pop-sin", 16}}};
  const std::string json = json_report(r);
  EXPECT_NE(json.find(R"("answers": {
                "probes": 300,
                "lost": 284,
                "lost_percent": 94.7,
                "by": {
                  "pop-sin": 16
                }
              })"),
            std::string::npos)
      << json;
  EXPECT_NE(junit_report(r).find("<failure message=\"answered only by pop-sin: 16 of 300 probes, 94.7% lost; never "
                                 "0.500s in a row (longest 0.010s)\""),
            std::string::npos);
}

TEST(Reports, JsonIsGolden) {
  test::expect_golden(test::source_dir() + "/tests/golden/reports/sample.json", json_report(test::sample_report()));
}

TEST(Reports, JunitIsGolden) {
  test::expect_golden(test::source_dir() + "/tests/golden/reports/sample.xml", junit_report(test::sample_report()));
}

TEST(Reports, HtmlIsGolden) {
  test::expect_golden(test::source_dir() + "/tests/golden/reports/sample.html", html_report(test::sample_report()));
}

// What an engineer must see at once in a failing run's report: the verdict
// in the title and header, then what failed, before any drawing.
TEST(Reports, HtmlPutsFailuresFirst) {
  const std::string html = html_report(test::sample_report());
  EXPECT_NE(html.find("<title>anylab sample: FAIL</title>"), std::string::npos);
  const size_t failed = html.find("What failed");
  ASSERT_NE(failed, std::string::npos);
  EXPECT_LT(failed, html.find("<svg class=\"timeline\""));
  EXPECT_NE(html.find("pop-sin from +2.400s (expected within 2s)"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos) << "self-contained: nothing to fetch";
}

// A hijacker (an instance of the service in another AS) is drawn in red,
// a colour no instance of the service's own gets, and named so in the
// legend; the JSON report says which node it is.
TEST(Reports, AHijackerHasItsOwnColour) {
  TestReport r = test::sample_report();
  r.nodes.push_back({"rogue", NodeKind::kInstance, 64666, "dns", true});
  for (checks::Probe& p : r.scenarios[1].runs[0].timelines[0].probes)
    if (p.instance == "pop-sin") p.instance = "rogue";  // the rogue answers instead
  const std::string html = html_report(r);
  EXPECT_NE(html.find("<i class=\"swatch\" style=\"background:#d62728\"></i>rogue <b>(hijacker)</b>"), std::string::npos);
  EXPECT_NE(html.find("fill=\"#d62728\""), std::string::npos) << "its answers are drawn in red";
  EXPECT_EQ(test::sample_report().nodes.size() + 1, r.nodes.size());
  EXPECT_NE(json_report(r).find("\"hijacker\": true"), std::string::npos);
}

// The ten sites of a generated Internet get ten colours in the legend (the
// palette had eight: site-9 was drawn in site-1's blue).
TEST(Reports, TenSitesTenColours) {
  TestReport r = test::sample_report();
  for (int k = 1; k <= 10; ++k) r.nodes.push_back({fmt::format("site-{}", k), NodeKind::kInstance, 64500, "dns"});
  const std::string html = html_report(r);
  std::set<std::string> colours;
  for (const ReportNode& n : r.nodes) {
    if (n.kind != NodeKind::kInstance) continue;
    const size_t at = html.find(fmt::format("\"></i>{}<", n.name));
    ASSERT_NE(at, std::string::npos) << n.name;
    colours.insert(html.substr(html.rfind("background:", at), at - html.rfind("background:", at)));
  }
  EXPECT_EQ(colours.size(), 12u) << "the sample's two instances and ten sites";
}

// A lab that weighs its clients gets each instance's share drawn over time,
// stacked, per scenario run; one that does not, no such drawing.
TEST(Reports, WeightedClientsGetTheLoadDrawn) {
  EXPECT_EQ(html_report(test::sample_report()).find("<svg class=\"load\""), std::string::npos);
  TestReport r = test::sample_report();
  for (ReportNode& n : r.nodes)
    if (n.name == "client-eu") n.weight = 5;
  const std::string html = html_report(r);
  auto count = [&](const std::string& what) {
    size_t n = 0;
    for (size_t at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(count("<svg class=\"load\""), count("<svg class=\"timeline\""));  // one beside each run's timeline
  EXPECT_GT(count("<svg class=\"load\""), 0u);
  EXPECT_NE(html.find("pop-ams 100%</title>"), std::string::npos);
  EXPECT_NE(json_report(r).find("\"weight\": 5"), std::string::npos);
  // The JSON has the same shares every 100 ms: the crash run's client is
  // pop-ams's until its probes stop being answered at +0.3 s.
  const std::string j = json_report(r);
  EXPECT_NE(j.find("\"shares\": ["), std::string::npos);
  EXPECT_NE(j.find("\"every\": 0.1"), std::string::npos);
  EXPECT_NE(j.find("\"pop-ams\": [\n"), std::string::npos);
  EXPECT_NE(j.find("\"(none)\": [\n"), std::string::npos) << "nobody answering is a share too";
  EXPECT_EQ(json_report(test::sample_report()).find("\"shares\""), std::string::npos) << "only with weights";
}

// A share an expectation measured (load, loss) is summed up over the runs
// as min/median/max, in the JSON and JUnit reports alike.
TEST(Reports, SharesSpreadOverRuns) {
  TestReport r = test::sample_report();
  for (auto& run : r.scenarios[1].runs)
    for (StepOutcome& st : run.steps)
      if (st.expectation()) st.percent = &run == &r.scenarios[1].runs[0] ? 62.5 : 70.0;
  const std::string j = json_report(r);
  EXPECT_NE(j.find("\"percent\": {\n"), std::string::npos) << j.substr(0, 2000);
  EXPECT_NE(j.find("\"max\": 70.0"), std::string::npos);
  EXPECT_NE(j.find("\"min\": 62.5"), std::string::npos);
  EXPECT_NE(junit_report(r).find("share min/median/max 62.5% / 66.2% / 70.0%"), std::string::npos);
  EXPECT_EQ(json_report(test::sample_report()).find("\"percent\""), std::string::npos) << "only where measured";
}

// Offered load: per client what it sent and had answered, per instance what
// its responder served and dropped and its busiest second, in the JSON, on
// the console and as the served chart of the HTML; rates measured by `load`
// expectations spread over the runs.
TEST(Reports, OfferedLoadIsReported) {
  TestReport r = test::sample_report();
  LoadOutcome load{.rate = 2000};
  load.clients.push_back({{"client-eu", "dns", Family::kIpv4}, 2000, 10000, 9990});
  load.instances.push_back({"pop-ams", 800.0, 1500, 700, {{milliseconds(0), 800, 0}, {milliseconds(1000), 700, 700}}});
  for (auto& run : r.scenarios[1].runs) run.load = load;
  for (auto& run : r.scenarios[1].runs)
    for (StepOutcome& st : run.steps)
      if (st.expectation()) st.rate = &run == &r.scenarios[1].runs[0] ? 800.0 : 900.0;
  const std::string j = json_report(r);
  EXPECT_NE(j.find("\"load\": {"), std::string::npos);
  EXPECT_NE(j.find("\"peak\": 800"), std::string::npos);
  EXPECT_NE(j.find("\"dropped\": 700"), std::string::npos);
  EXPECT_NE(j.find("\"answered\": 9990"), std::string::npos);
  EXPECT_NE(j.find("\"rate\": {\n"), std::string::npos) << "the rate's spread over the runs";
  EXPECT_EQ(load_text(load),
            "  pop-ams: served 1500, dropped 700; busiest second 800/s (capacity 800/s)\n"
            "  client-eu (dns ipv4): sent 10000 at 2000/s, 9990 answered (99.90%)\n");
  EXPECT_NE(junit_report(r).find("rate min/median/max 800/s / 850/s / 900/s"), std::string::npos);
  const std::string html = html_report(r);
  EXPECT_NE(html.find("pop-ams dropped 700/s (over capacity)"), std::string::npos);
  EXPECT_NE(html.find("pop-ams served 800/s (capacity 800/s)"), std::string::npos);
  EXPECT_NE(html.find("queries dropped over capacity</span>"), std::string::npos) << "in the legend";
  EXPECT_EQ(html_report(test::sample_report()).find("dropped over capacity"), std::string::npos);
}

// The map of the state before the first event shows who answered right up
// to it, even when the replies in flight when the event struck were lost
// (the probes sent in its last 30 ms here).
TEST(Reports, CatchmentBeforeTheFirstEventIsTheLastAnsweredState) {
  TestReport r = test::sample_report();
  ScenarioOutcome& run = r.scenarios.at(1).runs.at(0);
  ASSERT_EQ(run.steps.at(0).at, milliseconds(300));
  checks::ClientTimeline& t = run.timelines.at(0).probes;
  for (checks::Probe& p : t)
    if (p.sent >= milliseconds(270) && p.sent < milliseconds(300)) p.instance.reset();
  const std::string html = html_report(r);
  const size_t caption = html.find("before the first event (+0.300 s)");
  ASSERT_NE(caption, std::string::npos);
  const size_t figure = html.rfind("<figure", caption);
  const std::string map = html.substr(figure, caption - figure);
  EXPECT_NE(map.find("<title>client-eu: pop-ams</title>"), std::string::npos) << map;
}

// Events are numbered alike in the drawing, the steps table and the maps; a
// wait is not an event and takes no number.
TEST(Reports, WaitsTakeNoEventNumber) {
  TestReport r = test::sample_report();
  ScenarioOutcome& run = r.scenarios.at(1).runs.at(1);  // the failing run, which the page shows
  StepOutcome wait{.text = "wait 1s", .kind = StepKind::kWait, .at = milliseconds(1300), .line = 17};
  StepOutcome restore{.text = "restore node pop-ams", .measured = "applied at +2.500s", .at = milliseconds(2500),
                      .line = 18};
  run.steps = {run.steps.at(0), wait, restore, run.steps.at(1)};  // still failing: the page shows it
  const std::string html = html_report(r);
  EXPECT_NE(html.find("after <b>2</b> restore node pop-ams"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"\"><td></td><td>17</td><td>wait 1s</td>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"evnum \">2</span></td><td>18</td><td>restore node pop-ams"), std::string::npos);
}

TEST(Reports, JunitEscapesWhatUsersWrote) {
  TestReport r = test::sample_report();
  r.scenarios[0].name = "a<b>&\"c\"";
  const std::string xml = junit_report(r);
  EXPECT_NE(xml.find("a&lt;b&gt;&amp;&quot;c&quot;"), std::string::npos);
  EXPECT_EQ(xml.find("a<b>"), std::string::npos);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// Runs whose reaches converged in 0.1 s, 0.2 s and 3 s, every one within its
// own bound: p50 (the 2nd smallest of 3) holds 1 s, p95 (the 3rd) breaks it,
// and the report names run 3; the scenario and the lab then fail, in JSON
// and JUnit too.
TEST(Expectations, PercentileBoundsAreJudgedOverTheRuns) {
  ScenarioRuns s{.name = "crash", .description = ""};
  for (int ms : {100, 200, 3000}) {
    StepOutcome st{.text = "expect c reaches b within p50 1s, p95 1s", .kind = StepKind::kExpectation,
                   .status = Status::kPass, .measured = "b", .convergence = milliseconds(ms), .line = 9};
    st.percentiles = {{50, std::chrono::seconds(1), {}}, {95, std::chrono::seconds(1), {}}};
    ScenarioOutcome o;
    o.steps.push_back(st);
    s.runs.push_back(o);
  }
  const auto e = expectations(s);
  ASSERT_EQ(e.size(), 1u);
  ASSERT_EQ(e[0].bounds.size(), 2u);
  EXPECT_EQ(e[0].passed, 3);
  EXPECT_TRUE(e[0].bounds[0].held());
  EXPECT_EQ(e[0].bounds[0].measured, milliseconds(200));
  EXPECT_FALSE(e[0].bounds[1].held());
  EXPECT_EQ(e[0].bounds[1].measured, milliseconds(3000));
  EXPECT_EQ(e[0].bounds[1].runs_over, std::vector<int>{3});
  EXPECT_FALSE(e[0].held());
  EXPECT_EQ(e[0].worst, Status::kFail);
  EXPECT_EQ(bounds_text(e[0]), "; p50 0.200s within 1.000s (run 3 over it); p95 3.000s over 1.000s (run 3 over it)");
  EXPECT_FALSE(s.pass());
  TestReport r;
  r.lab = "l";
  r.repeat = 3;
  r.scenarios.push_back(s);
  EXPECT_EQ(tally_of(r).failed, 1u);
  EXPECT_FALSE(r.pass());
  EXPECT_NE(json_report(r).find("\"runs_over\": [\n                3\n"), std::string::npos) << json_report(r);
  EXPECT_NE(junit_report(r).find("<failure message=\"p50 0.200s within 1.000s (run 3 over it); p95 3.000s over"),
            std::string::npos)
      << junit_report(r);
  // HTML: listed among the failures, and a CDF with the broken bound in red.
  const std::string html = html_report(r);
  EXPECT_NE(html.find("over the runs · expect c reaches b within p50 1s, p95 1s: <b>p50 0.200s within"),
            std::string::npos);
  EXPECT_NE(html.find("<line class=\"bound bad\""), std::string::npos);
  EXPECT_NE(html.find("<line class=\"bound ok\""), std::string::npos);
  EXPECT_NE(html.find("convergence over 3 runs"), std::string::npos);
}

}  // namespace
}  // namespace anylab

namespace anylab {
namespace {

// The sample run against itself is the same throughout; against a copy
// whose convergence is slower (beyond 20% and two probe intervals), whose
// crash cost more UPDATEs and whose outage expectation broke, each is named
// and counted worse, and what only one of them has is said.
TEST(Compare, EachFigureOfBJudgedAgainstA) {
  const auto a = nlohmann::json::parse(json_report(test::sample_report()));
  const CompareOptions o;
  const auto same = compare_reports(a, "a.json", a, "a.json", o);
  ASSERT_TRUE(same) << same.error();
  EXPECT_EQ(same->regressions(), 0);
  EXPECT_GT(same->count("same"), 5);
  auto b = a;
  auto& crash = b["scenarios"][1];
  crash["expectations"][0]["convergence"]["median"] = 0.5;  // A: 1.245, the mean of 0.09 and 2.4
  crash["expectations"][1]["passed"] = 0;
  crash["expectations"][1]["status"] = "fail";
  for (auto& run : crash["runs"]) run["steps"][0]["control_plane"]["updates_sent"] = 9;
  crash["runs"][0]["steps"].push_back({{"kind", "event"}, {"text", "restore node pop-sin"}});
  const auto worse = compare_reports(a, "a.json", b, "b.json", o);
  ASSERT_TRUE(worse) << worse.error();
  EXPECT_EQ(worse->regressions(), 2);  // more UPDATEs, the outage broke
  EXPECT_EQ(worse->count("faster"), 1);  // the median convergence went down
  EXPECT_EQ(worse->count("more"), 1);
  EXPECT_EQ(worse->count("broke"), 1);
  EXPECT_EQ(worse->count("only in B"), 1);
  EXPECT_EQ(comparison_text(*same, o).find(" p95 "), std::string::npos);  // 2 runs: no p95 compared
  const std::string text = comparison_text(*worse, o);
  EXPECT_NE(text.find("    UPDATEs sent                   1         9  +8 (+800%)         WORSE more\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("compare: 2 worse (0 slower, 1 more, 1 broke), 1 better (1 faster"), std::string::npos) << text;
  const auto j = nlohmann::json::parse(comparison_json(*worse, o));
  EXPECT_EQ(j["worse"], 2);
  EXPECT_NE(comparison_html(*worse, o).find("<h1>2 worse, 1 better</h1>"), std::string::npos);
  auto slower = a;
  slower["scenarios"][1]["expectations"][0]["convergence"]["median"] = 1.6;  // +0.355 s, +29%
  EXPECT_EQ(compare_reports(a, "a.json", slower, "s.json", o)->count("slower"), 1);
  EXPECT_EQ(compare_reports(a, "a.json", slower, "s.json", {.slower_by = 0.5, .tolerance = 2})->count("slower"), 0);
}

TEST(Compare, WhatIsNotAReportOrSharesNoScenarioIsAnError) {
  const auto a = nlohmann::json::parse(json_report(test::sample_report()));
  EXPECT_EQ(compare_reports(a, "a.json", nlohmann::json::object(), "x.json", {}).error(),
            "x.json: not an anylab JSON report (anylab test --json FILE writes one)");
  auto other = a;
  other["lab"] = "other";
  for (auto& s : other["scenarios"]) s["name"] = "elsewhere";
  EXPECT_EQ(compare_reports(a, "a.json", other, "o.json", {}).error(),
            "a.json and o.json have no scenario in common (labs \"sample\" and \"other\"): compare two runs of one lab");
}

}  // namespace
}  // namespace anylab
