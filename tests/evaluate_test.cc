#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "evaluate.h"
#include "route.h"
#include "test_paths.h"

namespace anylab::checks {
namespace {

using std::chrono::milliseconds;

// A timeline from segments: each answered by someone (or "" for nobody) for
// a duration, one probe every `interval` starting at `phase`.
ClientTimeline make(std::vector<std::pair<int, std::string>> segments_ms, Micros interval = milliseconds(10),
                    Micros phase = Micros(0)) {
  ClientTimeline t;
  Micros seg_start{0};
  for (const auto& [ms, who] : segments_ms) {
    const Micros seg_end = seg_start + milliseconds(ms);
    for (Micros s = phase; s < seg_end; s += interval)
      if (s >= seg_start) t.push_back({s, who.empty() ? std::nullopt : std::optional<std::string>(who)});
    seg_start = seg_end;
  }
  return t;
}

const Micros kEvent = milliseconds(500);
const Micros kEnd = milliseconds(3000);

// Early judgement: an expectation is decided as soon as its outcome is
// certain. The timelines are cut at `end`, as the prober gives them while it
// runs: only what was decided by then.
ClientTimeline until(const ClientTimeline& t, Micros end) {
  ClientTimeline out;
  for (const Probe& p : t)
    if (p.sent < end) out.push_back(p);
  return out;
}

TEST(Decide, ReachesPassesOnceStableNotWhenTheBoundHasPassed) {
  const auto t = make({{500, "a"}, {300, ""}, {9200, "b"}});  // b from +0.3s after the event
  const Micros within = milliseconds(10000), stable = milliseconds(500), deadline = kEvent + within + stable;
  EXPECT_FALSE(decide_reaches(until(t, milliseconds(1290)), kEvent, milliseconds(1290), "b", within, stable, deadline).final);
  Decision d = decide_reaches(until(t, milliseconds(1310)), kEvent, milliseconds(1310), "b", within, stable, deadline);
  EXPECT_TRUE(d.final);
  EXPECT_TRUE(d.verdict.pass) << d.verdict.measured;
  EXPECT_EQ(d.verdict.convergence, milliseconds(300));
}

TEST(Decide, ReachesFailsAtOnceWhenTheBoundPassesWithoutIt) {
  const auto t = make({{500, "a"}, {5000, "a"}});  // never b
  const Micros within = milliseconds(1000), stable = milliseconds(500), deadline = kEvent + within + stable;
  EXPECT_FALSE(decide_reaches(until(t, milliseconds(1490)), kEvent, milliseconds(1490), "b", within, stable, deadline).final);
  Decision d = decide_reaches(until(t, milliseconds(1510)), kEvent, milliseconds(1510), "b", within, stable, deadline);
  EXPECT_TRUE(d.final);
  EXPECT_FALSE(d.verdict.pass);
  EXPECT_EQ(d.verdict.measured, "answered by a at the end, not b");
}

TEST(Decide, ARunThatStartedInTimeIsWaitedForAndAFlapCounts) {
  const Micros within = milliseconds(1000), stable = milliseconds(500), deadline = kEvent + within + stable;
  // b from +0.9s: in time, so the judgement waits until it has lasted 0.5s.
  const auto late = make({{500, "a"}, {900, ""}, {3000, "b"}});
  EXPECT_FALSE(decide_reaches(until(late, milliseconds(1700)), kEvent, milliseconds(1700), "b", within, stable, deadline).final);
  Decision d = decide_reaches(until(late, milliseconds(1910)), kEvent, milliseconds(1910), "b", within, stable, deadline);
  EXPECT_TRUE(d.final && d.verdict.pass) << d.verdict.measured;
  // b from +0.2s, lost at +0.5s, back at +1.2s: the run that counts began too late.
  const auto flap = make({{500, "a"}, {200, ""}, {300, "b"}, {700, ""}, {3000, "b"}});
  Decision f = decide_reaches(until(flap, milliseconds(1550)), kEvent, milliseconds(1550), "b", within, stable, deadline);
  EXPECT_TRUE(f.final);
  EXPECT_FALSE(f.verdict.pass);
}

TEST(Decide, WithoutABoundItWaitsUntilTheDeadline) {
  const auto t = make({{500, "a"}, {9500, "a"}});
  const Micros deadline = kEvent + milliseconds(3000);
  EXPECT_FALSE(decide_reaches(until(t, milliseconds(3400)), kEvent, milliseconds(3400), "b", std::nullopt,
                              milliseconds(500), deadline).final);
  Decision d = decide_reaches(until(t, milliseconds(3500)), kEvent, milliseconds(3500), "b", std::nullopt,
                              milliseconds(500), deadline);
  EXPECT_TRUE(d.final);
  EXPECT_FALSE(d.verdict.pass);
  // unreachable: the same, for nobody.
  const auto dark = make({{500, "a"}, {100, "a"}, {5000, ""}});
  Decision u = decide_unreachable(until(dark, milliseconds(1200)), kEvent, milliseconds(1200), milliseconds(2000),
                                  milliseconds(500), kEvent + milliseconds(2500));
  EXPECT_TRUE(u.final && u.verdict.pass) << u.verdict.measured;
  EXPECT_EQ(u.verdict.convergence, milliseconds(100));
}

TEST(Decide, MaxOutageFailsOnceExceededAndPassesOnceAnsweredAndStable) {
  const Micros bound = milliseconds(500), stable = milliseconds(500), deadline = kEvent + milliseconds(30000);
  const auto t = make({{500, "a"}, {100, "a"}, {800, ""}, {5000, "b"}});  // dark from +0.1s to +0.9s
  EXPECT_FALSE(decide_max_outage(until(t, milliseconds(1000)), kEvent, milliseconds(1000), bound, stable, deadline).final);
  Decision over = decide_max_outage(until(t, milliseconds(1120)), kEvent, milliseconds(1120), bound, stable, deadline);
  EXPECT_TRUE(over.final);
  EXPECT_FALSE(over.verdict.pass);
  const Micros wide = milliseconds(1000);
  // Answered again from 1.4 s: stable once most of the last 0.5 s was.
  EXPECT_FALSE(decide_max_outage(until(t, milliseconds(1410)), kEvent, milliseconds(1410), wide, stable, deadline).final);
  EXPECT_FALSE(decide_max_outage(until(t, milliseconds(1640)), kEvent, milliseconds(1640), wide, stable, deadline).final);
  Decision ok = decide_max_outage(until(t, milliseconds(1700)), kEvent, milliseconds(1700), wide, stable, deadline);
  EXPECT_TRUE(ok.final && ok.verdict.pass) << ok.verdict.measured;
  EXPECT_EQ(ok.verdict.longest_outage, milliseconds(800));
}

// On a lossy link no run of answers lasts: stable means every answer from
// one instance and most probes answered.
TEST(Decide, MaxOutageOnALossyLinkPassesOnceMostProbesAreAnswered) {
  ClientTimeline t;
  for (int i = 0; i < 300; ++i) t.push_back({milliseconds(10 * i), i % 3 == 2 ? std::nullopt : std::optional<std::string>("a")});
  Decision d = decide_max_outage(until(t, milliseconds(1100)), kEvent, milliseconds(1100), milliseconds(500),
                                 milliseconds(500), kEvent + milliseconds(30000));
  EXPECT_TRUE(d.final && d.verdict.pass) << d.verdict.measured;
  EXPECT_EQ(d.verdict.longest_outage, milliseconds(10));
}

TEST(Reaches, MeasuresConvergenceFromTheEvent) {
  auto t = make({{500, "a"}, {300, ""}, {2200, "b"}});
  Verdict v = reaches(t, kEvent, kEnd, "b", milliseconds(1000), std::nullopt);
  EXPECT_TRUE(v.pass) << v.measured;
  EXPECT_EQ(v.convergence, milliseconds(300));
  EXPECT_EQ(v.instance, "b");
  EXPECT_EQ(v.measured, "b from +0.300s, for 2.200s");
}

TEST(Reaches, TooSlowSaysByHowMuch) {
  auto t = make({{500, "a"}, {300, ""}, {2200, "b"}});
  Verdict v = reaches(t, kEvent, kEnd, "b", milliseconds(200), std::nullopt);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.measured, "b from +0.300s, for 2.200s (later than 0.200s)");
}

TEST(Reaches, NotStableLongEnough) {
  auto t = make({{500, "a"}, {1800, "b"}, {700, "b"}});
  EXPECT_TRUE(reaches(t, kEvent, kEnd, "b", std::nullopt, milliseconds(2500)).pass);
  EXPECT_FALSE(reaches(t, kEvent, kEnd, "b", std::nullopt, milliseconds(2600)).pass);
}

TEST(Reaches, AFlapBackCountsFromTheLastSwitch) {
  auto t = make({{500, "a"}, {200, "b"}, {100, "a"}, {2200, "b"}});
  Verdict v = reaches(t, kEvent, kEnd, "b", std::nullopt, std::nullopt);
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.convergence, milliseconds(300));
}

TEST(Reaches, WrongInstanceNamesWhoAnswered) {
  auto t = make({{3000, "a"}});
  Verdict v = reaches(t, kEvent, kEnd, "b", milliseconds(2000), std::nullopt);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.instance, "a");
  EXPECT_EQ(v.measured, "answered by a at the end, not b");
}

// Under loss (an overloaded instance answers one probe in ~19): the
// verdict fails, and says who answered what was answered and what share was
// lost, not "answered by nobody" (issue 26).
ClientTimeline lossy(const std::string& instance, int probes, int every, Micros from) {
  ClientTimeline t;
  for (int i = 0; i < probes; ++i)
    t.push_back({from + milliseconds(10 * i), i % every == 3 ? std::optional<std::string>(instance) : std::nullopt});
  return t;
}

TEST(Reaches, UnderLossSaysWhoAnsweredAndWhatWasLost) {
  const ClientTimeline t = lossy("pop-west", 300, 19, Micros(0));  // 16 of 300 answered; the last one not
  const Micros end = milliseconds(3000);
  Verdict v = reaches(t, Micros(0), end, "pop-west", milliseconds(5000), milliseconds(500));
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.measured, "answered only by pop-west: 16 of 300 probes, 94.7% lost; never 0.500s in a row (longest 0.010s)");
  ASSERT_TRUE(v.answers);
  EXPECT_EQ(v.answers->probes, 300u);
  EXPECT_EQ(v.answers->lost(), 284u);
  EXPECT_EQ(v.answers->by, (std::map<std::string, size_t>{{"pop-west", 16}}));
  // The same, judged as the probes come in: final at the deadline, same words.
  Decision d = decide_reaches(t, Micros(0), end, "pop-west", std::nullopt, milliseconds(500), end);
  EXPECT_TRUE(d.final);
  EXPECT_EQ(d.verdict.measured, v.measured);
}

TEST(Reaches, UnderLossWithAnotherInstanceNamesBoth) {
  ClientTimeline t = lossy("pop-west", 200, 10, Micros(0));
  for (int i = 0; i < 100; ++i)  // then pop-east answers now and then, the last probe answered
    t.push_back({milliseconds(2000 + 10 * i), i % 4 == 3 ? std::optional<std::string>("pop-east") : std::nullopt});
  Verdict v = reaches(t, Micros(0), milliseconds(3000), "pop-west", std::nullopt, milliseconds(500));
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.measured,
            "answered by pop-east at the end, not pop-west; answered by pop-east (25) and pop-west (20): "
            "45 of 300 probes, 85.0% lost; pop-west never 0.500s in a row (longest 0.010s)");
  // A final run that lasts, but too short: the loss before it is said too.
  ClientTimeline late = lossy("pop-west", 280, 10, Micros(0));
  for (int i = 0; i < 20; ++i) late.push_back({milliseconds(2800 + 10 * i), std::optional<std::string>("pop-west")});
  Verdict short_run = reaches(late, Micros(0), milliseconds(3000), "pop-west", std::nullopt, milliseconds(500));
  EXPECT_FALSE(short_run.pass);
  EXPECT_EQ(short_run.measured,
            "pop-west from +2.800s, for 0.200s (shorter than 0.500s); answered only by pop-west: 48 of 300 probes, "
            "84.0% lost; never 0.500s in a row (longest 0.200s)");
}

TEST(Reaches, NothingAnsweredAndNothingLostReadAsBefore) {
  EXPECT_EQ(reaches(make({{3000, ""}}), Micros(0), milliseconds(3000), "b", std::nullopt, std::nullopt).measured,
            "answered by nobody at the end, not b; none of 300 probes answered");
  Verdict clean = reaches(make({{3000, "a"}}), kEvent, kEnd, "b", std::nullopt, std::nullopt);
  EXPECT_EQ(clean.measured, "answered by a at the end, not b");
  EXPECT_EQ(clean.answers->lost(), 0u);
}

TEST(Unreachable, ABlackhole) {
  auto t = make({{600, "a"}, {2400, ""}});
  Verdict v = unreachable(t, kEvent, kEnd, milliseconds(500), milliseconds(2000));
  EXPECT_TRUE(v.pass) << v.measured;
  EXPECT_EQ(v.convergence, milliseconds(100));
  EXPECT_FALSE(unreachable(make({{3000, "a"}}), kEvent, kEnd, std::nullopt, std::nullopt).pass);
}

TEST(MaxOutage, LongestRunWithoutAnswer) {
  auto t = make({{700, "a"}, {300, ""}, {500, "b"}, {100, ""}, {1400, "b"}});
  Verdict v = max_outage(t, kEvent, kEnd, milliseconds(300));
  EXPECT_TRUE(v.pass);
  EXPECT_EQ(v.longest_outage, milliseconds(300));
  EXPECT_FALSE(max_outage(t, kEvent, kEnd, milliseconds(290)).pass);
  EXPECT_EQ(v.measured, "longest outage 0.300s");
}

TEST(MaxOutage, AnOutageStillOpenAtTheEndCountsToTheEnd) {
  auto t = make({{2500, "a"}, {500, ""}});
  EXPECT_EQ(max_outage(t, kEvent, kEnd, milliseconds(100)).longest_outage, milliseconds(500));
}

TEST(Catchment, EveryClientAtItsInstance) {
  std::map<std::string, ClientTimeline> t{{"eu", make({{3000, "ams"}})}, {"ap", make({{1000, "ams"}, {2000, "sin"}})}};
  Verdict ok = catchment(t, kEvent, kEnd, {{"eu", "ams"}, {"ap", "sin"}});
  EXPECT_TRUE(ok.pass) << ok.measured;
  Verdict bad = catchment(t, kEvent, kEnd, {{"eu", "sin"}, {"ap", "sin"}});
  EXPECT_FALSE(bad.pass);
  EXPECT_EQ(bad.measured, "ap -> sin, eu -> ams (expected sin)");
}

// Against a known switch time, wherever it falls between probes, the
// measured convergence is never early and at most one probe interval late.
TEST(Resolution, ErrorIsWithinOneProbeInterval) {
  std::mt19937 rng(42);
  const Micros interval = milliseconds(10);
  for (int i = 0; i < 1000; ++i) {
    const Micros phase(std::uniform_int_distribution<int64_t>(0, interval.count() - 1)(rng));
    const int64_t switch_us = std::uniform_int_distribution<int64_t>(600'000, 2'000'000)(rng);
    ClientTimeline t;
    for (Micros s = phase; s < kEnd; s += interval)
      t.push_back({s, s.count() < switch_us ? std::optional<std::string>("a") : std::optional<std::string>("b")});
    const Micros truth = Micros(switch_us) - kEvent;
    Verdict v = reaches(t, kEvent, kEnd, "b", std::nullopt, std::nullopt);
    ASSERT_TRUE(v.convergence.has_value());
    EXPECT_GE(*v.convergence, truth);
    EXPECT_LT(*v.convergence - truth, interval);
  }
}

}  // namespace
}  // namespace anylab::checks

namespace anylab::checks {
namespace {

// `route`, on FRR's own JSON: `show ip bgp 192.0.2.0/24 json` captured from
// edge-ams in the quick-start lab (two paths, the one from pop-ams best).
std::string frr_sample() {
  std::ifstream in(anylab::test::source_dir() + "/tests/golden/frr/show-ip-bgp-prefix.json");
  return {std::istreambuf_iterator<char>(in), {}};
}

TEST(Route, ReadsTheBestPathFromFrrJson) {
  auto best = best_path(frr_sample());
  ASSERT_TRUE(best);
  EXPECT_EQ(best->as_path, "64500");
  EXPECT_EQ(best->peer, "198.18.0.5");
  EXPECT_EQ(best->reason, "AS Path");
  EXPECT_FALSE(best_path("{\n}\n"));  // FRR's answer when it has no route
  EXPECT_FALSE(best_path("% Unknown command"));
}

TEST(Route, JudgesViaAndAsPath) {
  auto best = best_path(frr_sample());
  EXPECT_TRUE(route(best, "pop-ams", "pop-ams", "198.18.0.5", "64500").pass);
  EXPECT_TRUE(route(best, "pop-ams", std::nullopt, std::nullopt, std::nullopt).pass);
  Verdict wrong_via = route(best, "pop-ams", "edge-sin", "198.18.0.9", std::nullopt);
  EXPECT_FALSE(wrong_via.pass);
  EXPECT_EQ(wrong_via.measured, "best path via pop-ams, AS path \"64500\" (expected via edge-sin); FRR chose it by: AS Path");
  Verdict wrong_path = route(best, "pop-ams", std::nullopt, std::nullopt, "65020 64500");
  EXPECT_FALSE(wrong_path.pass);
  EXPECT_EQ(wrong_path.measured, "best path via pop-ams, AS path \"64500\" (expected AS path \"65020 64500\"); FRR chose it by: AS Path");
  BestPath tie{"65020 64500", "198.18.0.5", "Older Path", ""};
  Verdict by_age = route(tie, "transit-a", "edge-sin", "198.18.0.9", std::nullopt);
  EXPECT_FALSE(by_age.pass);
  EXPECT_EQ(by_age.measured,
            "best path via transit-a, AS path \"65020 64500\" (expected via edge-sin); FRR chose it by: Older Path, a tie "
            "up to age that the first session up wins: make the lab decide it (prepend, local-pref, or bgp bestpath "
            "compare-routerid)");
  EXPECT_TRUE(route(tie, "transit-a", "transit-a", "198.18.0.5", std::nullopt).pass);
  Verdict none = route(std::nullopt, "", "pop-ams", "198.18.0.5", std::nullopt);
  EXPECT_FALSE(none.pass);
  EXPECT_EQ(none.measured, "no route");
}

// Why there is no best path: none held, or held and unusable (an
// inaccessible next hop: zebra has no route to it).
TEST(Route, SaysWhyThereIsNoBestPath) {
  EXPECT_EQ(no_best_path_note("{\n}\n"), "FRR holds no path");
  EXPECT_EQ(no_best_path_note(frr_sample()), "");
  nlohmann::json j = nlohmann::json::parse(frr_sample());
  for (auto& p : j["paths"]) {
    p.erase("bestpath");
    p.erase("valid");
  }
  j["paths"][0]["nexthops"][0]["accessible"] = false;
  const std::string note = no_best_path_note(j.dump());
  EXPECT_TRUE(note.starts_with("FRR holds 2 paths, none best: from ")) << note;
  EXPECT_NE(note.find(" inaccessible"), std::string::npos) << note;
  EXPECT_NE(note.find("not valid"), std::string::npos) << note;
}

// `rpki:` reads FRR's state of the best path ("not found" is notfound).
TEST(Route, RpkiStateOfTheBestPath) {
  nlohmann::json j = nlohmann::json::parse(frr_sample());
  for (auto& p : j["paths"]) p["rpkiValidationState"] = "not found";
  auto best = best_path(j.dump());
  ASSERT_TRUE(best);
  EXPECT_EQ(best->rpki, "notfound");
  EXPECT_TRUE(route_rpki(best, "pop-ams", "notfound").pass);
  Verdict wrong = route_rpki(best, "pop-ams", "invalid");
  EXPECT_FALSE(wrong.pass);
  EXPECT_EQ(wrong.measured, "best path via pop-ams, AS path \"64500\", RPKI notfound (expected RPKI invalid)");
  EXPECT_EQ(route_rpki(best_path(frr_sample()), "pop-ams", "valid").measured,
            "best path via pop-ams, AS path \"64500\", not validated (expected RPKI valid)");
  EXPECT_EQ(route_rpki(std::nullopt, "", "valid").measured, "no route");
}

// `load`: the share of the weight an instance serves, from who answers each
// client at the end; a failure names the share and who makes it up.
TEST(Load, ShareOfTheWeightServed) {
  std::map<std::string, ClientTimeline> t;
  auto answered_by = [](const char* who) {
    ClientTimeline c;
    for (int i = 0; i < 20; ++i) c.push_back({Micros(i * 10'000), std::string(who)});
    return c;
  };
  t["client-eu"] = answered_by("pop-ams");
  t["client-us"] = answered_by("pop-iad");
  t["client-ap"] = answered_by("pop-ams");
  const std::map<std::string, uint32_t> w{{"client-eu", 5}, {"client-us", 3}, {"client-ap", 2}};
  Verdict v = load_share(t, w, Micros(0), Micros(200'000), "pop-ams", 70.0, 70.0);
  EXPECT_TRUE(v.pass) << v.measured;
  EXPECT_EQ(v.measured, "pop-ams serves 70.0% of the clients' weight (client-ap 2, client-eu 5 of 10)");
  Verdict low = load_share(t, w, Micros(0), Micros(200'000), "pop-iad", std::nullopt, 50.0);
  EXPECT_FALSE(low.pass);
  EXPECT_EQ(low.measured, "pop-iad serves 30.0% of the clients' weight (client-us 3 of 10) (expected at least 50%)");
  EXPECT_FALSE(load_share(t, w, Micros(0), Micros(200'000), "pop-sin", 60.0, 10.0).pass);
}

// `loss`: the share of probes unanswered in the window; with `over`,
// decided once the window is over, without it on what the window holds.
TEST(Loss, ShareOfProbesUnanswered) {
  ClientTimeline t;
  for (int i = 0; i < 200; ++i)
    t.push_back({Micros(i * 10'000), i >= 50 && i < 53 ? std::nullopt : std::optional<std::string>("pop-ams")});
  Decision half = decide_loss(t, Micros(0), Micros(1'000'000), Micros(2'000'000), {1.0, {}}, 10, Micros(5'000'000));
  EXPECT_FALSE(half.final) << "the window is not over yet";
  Decision d = decide_loss(t, Micros(0), Micros(2'000'000), Micros(2'000'000), {1.0, {}}, 10, Micros(5'000'000));
  EXPECT_TRUE(d.final);
  EXPECT_FALSE(d.verdict.pass);
  EXPECT_EQ(d.verdict.measured, "lost 3 of 200 probes (1.50%) from +0s to +2.000s (expected at most 1%)");
  EXPECT_TRUE(decide_loss(t, Micros(0), Micros(2'000'000), Micros(2'000'000), {2.0, {}}, 10, Micros(5'000'000)).verdict.pass);
  Decision proven = decide_loss(t, Micros(0), Micros(2'000'000), Micros(2'000'000), {{}, 20.0}, 10, Micros(5'000'000));
  EXPECT_FALSE(proven.verdict.pass) << "at-least: a loss the lab must show";
  EXPECT_EQ(proven.verdict.measured, "lost 3 of 200 probes (1.50%) from +0s to +2.000s (expected at least 20%)");
  EXPECT_TRUE(decide_loss(t, Micros(0), Micros(2'000'000), Micros(2'000'000), {{}, 1.5}, 10, Micros(5'000'000)).verdict.pass);
  Decision now = decide_loss(t, Micros(600'000), Micros(900'000), std::nullopt, {0.0, {}}, 10, Micros(5'000'000));
  EXPECT_TRUE(now.final);
  EXPECT_TRUE(now.verdict.pass) << now.verdict.measured;
}

// `absent: true`: no route passes; a route fails, naming what is there.
TEST(Route, AbsentHoldsOnlyWithoutARoute) {
  Verdict gone = route_absent(best_path("{\n}\n"), "");
  EXPECT_TRUE(gone.pass);
  EXPECT_EQ(gone.measured, "no route");
  Verdict there = route_absent(best_path(frr_sample()), "pop-ams");
  EXPECT_FALSE(there.pass);
  EXPECT_EQ(there.measured, "best path via pop-ams, AS path \"64500\" (expected no route)");
}


// Flows: probe i of every flow in one round, answered by these (""
// unanswered), one round every 10 ms.
std::vector<ClientTimeline> flows_of(const std::vector<std::vector<std::string>>& rounds) {
  std::vector<ClientTimeline> flows(rounds.front().size());
  for (size_t r = 0; r < rounds.size(); ++r)
    for (size_t f = 0; f < rounds[r].size(); ++f)
      flows[f].push_back({Micros(milliseconds(10 * static_cast<int>(r))),
                          rounds[r][f].empty() ? std::nullopt : std::optional(rounds[r][f])});
  return flows;
}

// The flows as one timeline holds "every flow": one instance when all
// agree, nobody when one is lost, "a+b" when they are split.
TEST(Flows, MergedIsEveryFlowOrNobody) {
  const auto flows = flows_of({{"a", "a", "a"}, {"a", "", "a"}, {"b", "a", "b"}});
  const ClientTimeline merged = merge_flows(flows);
  ASSERT_EQ(merged.size(), 3u);
  EXPECT_EQ(merged[0].instance, "a");
  EXPECT_EQ(merged[1].instance, std::nullopt);
  EXPECT_EQ(merged[2].instance, "a+b");
  EXPECT_EQ(merged[2].sent, Micros(milliseconds(20)));
}

// Flips: changes of the answering instance; a gap between two answers of
// one instance is none. With a window, a pass waits for its end and a
// failure is decided as soon as the flips are too many.
TEST(Flips, CountsChangesOfTheAnsweringInstanceOnly) {
  const ClientTimeline t = make({{100, "a"}, {50, ""}, {100, "a"}, {100, "b"}, {50, ""}, {100, "a"}});
  Decision once = decide_flips(t, Micros(0), milliseconds(500), std::nullopt, 2, Micros(0));
  EXPECT_TRUE(once.final);
  EXPECT_TRUE(once.verdict.pass);
  EXPECT_EQ(once.verdict.measured, "2 flips in 40 answered probes from +0s to +0.500s: a -> b at +0.250s, b -> a at +0.400s");
  Decision strict = decide_flips(t, Micros(0), milliseconds(500), std::nullopt, 1, Micros(0));
  EXPECT_FALSE(strict.verdict.pass);
  EXPECT_NE(strict.verdict.measured.find("(expected at most 1)"), std::string::npos) << strict.verdict.measured;
  Decision early = decide_flips(t, Micros(0), milliseconds(300), milliseconds(2000), 0, milliseconds(2500));
  EXPECT_TRUE(early.final) << "one flip already breaks at-most 0";
  EXPECT_FALSE(early.verdict.pass);
  Decision waits = decide_flips(make({{300, "a"}}), Micros(0), milliseconds(300), milliseconds(2000), 0, milliseconds(2500));
  EXPECT_FALSE(waits.final) << "no flip yet, and the window is not over";
  EXPECT_TRUE(waits.verdict.pass);
  EXPECT_EQ(decide_flips(t, milliseconds(250), milliseconds(500), std::nullopt, 0, Micros(0)).verdict.measured,
            "2 flips in 20 answered probes from +0s to +0.250s: a -> b at +0.000s, b -> a at +0.150s (expected at most 0)")
      << "from who answered before the event: the failover is a flip";
}

// A spread wants every flow answered, by the listed instances only, each
// within the bounds.
std::vector<InstanceShare> each(std::vector<std::string> instances, std::optional<double> at_least) {
  std::vector<InstanceShare> out;
  for (auto& i : instances) out.push_back({i, {.at_most = std::nullopt, .at_least = at_least}});
  return out;
}

TEST(Flows, SpreadIsEachListedInstancesShareOfEveryFlow) {
  const FlowAnswers even{"a", "b", "a", "b"};
  EXPECT_TRUE(spread(even, each({"a", "b"}, 40.0)).pass);
  Verdict low = spread(even, each({"a", "b"}, 60.0));
  EXPECT_FALSE(low.pass);
  EXPECT_EQ(low.measured, "a 50% (2), b 50% (2) of 4 flows (expected at least 60%) each");
  Verdict other = spread(FlowAnswers{"a", "b", "c", "b"}, each({"a", "b"}, 20.0));
  EXPECT_FALSE(other.pass) << "c answers a flow: the spread is not over a and b";
  EXPECT_NE(other.measured.find("c 25% (1, not listed)"), std::string::npos) << other.measured;
  Verdict lost = spread(FlowAnswers{"a", "b", std::nullopt, "b"}, each({"a", "b"}, 20.0));
  EXPECT_FALSE(lost.pass);
  EXPECT_NE(lost.measured.find("1 unanswered"), std::string::npos) << lost.measured;
}

// Bounds of an instance's own: the verdict names the share that broke its
// bounds, beside it.
TEST(Flows, SpreadJudgesEachInstanceByItsOwnBounds) {
  const FlowAnswers skewed{"a", "a", "a", "b"};
  const std::vector<InstanceShare> own{{"a", {.at_most = std::nullopt, .at_least = 60.0}},
                                       {"b", {.at_most = 30.0, .at_least = std::nullopt}}};
  EXPECT_TRUE(spread(skewed, own).pass);
  Verdict v = spread(FlowAnswers{"a", "b", "a", "b"}, own);
  EXPECT_FALSE(v.pass);
  EXPECT_EQ(v.measured, "a 50% (2, expected at least 60%), b 50% (2, expected at most 30%) of 4 flows");
}

// Moved: who answered each flow last before the event against now; the
// flows of an instance that still answers and moved anyway are re-hashed.
TEST(Flows, MovedTellsTheGoneFromTheRehashed) {
  const auto flows = flows_of({{"a", "b", "c", "c"}, {"a", "", "c", "c"}, {"a", "a", "c", "a"}});
  const FlowAnswers before = answers_between(flows, Micros(0), Micros(milliseconds(15)), true);
  EXPECT_EQ(before, (FlowAnswers{"a", "b", "c", "c"})) << "the last answer before the event, not the lost probe";
  const FlowAnswers now = answers_between(flows, Micros(milliseconds(15)), Micros(milliseconds(30)));
  EXPECT_EQ(now, (FlowAnswers{"a", "a", "c", "a"}));
  Verdict v = moved(before, now, {.at_most = 50.0, .at_least = std::nullopt}, {.at_most = 0.0, .at_least = std::nullopt});
  EXPECT_FALSE(v.pass) << v.measured;
  EXPECT_EQ(v.percent, 50.0);
  EXPECT_EQ(v.measured,
            "2 of 4 flows (50%) answered by another instance than before the last event: 1 from instances that "
            "answer no flow now, 1 of the 3 on instances still answering (33%, re-hashed) (expected at most 0%) of "
            "the healthy instances' flows");
  EXPECT_TRUE(moved(before, now, {.at_most = 50.0, .at_least = std::nullopt}, {.at_most = std::nullopt, .at_least = 30.0}).pass);
}

}  // namespace
}  // namespace anylab::checks
