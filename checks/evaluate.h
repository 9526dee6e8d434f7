#pragma once

#include <map>
#include <optional>
#include <string>

#include "timeline.h"

namespace anylab::checks {

// Who answered a window's probes: how many were sent (and decided), and how
// many each instance answered; the rest were lost.
struct Answers {
  size_t probes = 0;
  std::map<std::string, size_t> by{};
  size_t answered() const;
  size_t lost() const { return probes - answered(); }
  double lost_percent() const;
};
Answers answers_of(const ClientTimeline& probes, Micros from, Micros to);

// What an expectation measured, and whether it held. Every verdict says what
// was seen, not only pass or fail.
struct Verdict {
  bool pass = false;
  std::string measured{};  // e.g. "pop-sin from +1.23s (converged in 1.23s), stable for 4.1s"
  std::optional<Micros> convergence{};     // event -> the answers settled on the instance
  std::optional<Micros> longest_outage{};  // longest run without an answer
  std::optional<std::string> instance{};   // who answers in the end
  std::optional<double> percent{};          // a share measured (load, loss), in percent
  std::optional<double> rate{};             // queries a second measured (load, with offered load)
  std::optional<Answers> answers{};         // reaches, unreachable: who answered the window's probes
  // The harness could not measure it (probes not sent, a router that does
  // not answer): the cause. Such a verdict is neither a pass nor a fail.
  std::optional<std::string> error{};
};

// The harness's failures among the probes sent in [from, to): "3 of 40
// probes could not be sent: <the first cause>", or nothing.
std::optional<std::string> unsent_probes(const ClientTimeline& probes, Micros from, Micros to);

// `reaches`: from some moment on, every probe is answered by `instance`.
// Convergence is measured from `event` to the first probe of that final run;
// it must be at most `within` (if given), and the run must last at least
// `stable` (if given) before the window ends. A probe is sent every interval,
// so the time is exact to one probe interval. On a lossy path (an impaired
// link, an overloaded instance) no run may last: a failure then says who
// answered the answered probes, what share was lost, and the longest run.
Verdict reaches(const ClientTimeline& probes, Micros event, Micros end, const std::string& instance,
                std::optional<Micros> within, std::optional<Micros> stable);

// `unreachable`: from some moment on, no probe is answered (a blackhole),
// with the same `within` and `stable` as reaches.
Verdict unreachable(const ClientTimeline& probes, Micros event, Micros end, std::optional<Micros> within,
                    std::optional<Micros> stable);

// `max-outage`: the longest run of unanswered probes in [event, end), from
// the first lost probe to the next answered one (or to `end`).
Verdict max_outage(const ClientTimeline& probes, Micros event, Micros end, Micros bound);

// Who answers each client at the end of the window (its last answered probe
// in the window's last quarter, or nobody), for the catchment map.
std::optional<std::string> answering_at_end(const ClientTimeline& probes, Micros event, Micros end);

// `catchment`: every client listed under an instance is answered by it at the end.
Verdict catchment(const std::map<std::string, ClientTimeline>& probes, Micros event, Micros end,
                  const std::map<std::string, std::string>& expected /* client -> instance */);

// Judging while the probes come in: an expectation is decided as soon as
// its outcome is certain, not once its bound has passed. `end`: the probes
// sent before it are decided (older than the probe timeout). Not `final`:
// wait for more probes.
struct Decision {
  bool final = false;
  Verdict verdict;
};

// `reaches` (and `unreachable`, for nobody): passes once the final run of
// matching probes started within `within` (if given) and has lasted
// `stable`; fails once no run can do that any more (the bound passed with
// no matching run under way, or one that started too late), or at
// `deadline`, judged as it stands then.
Decision decide_reaches(const ClientTimeline& probes, Micros event, Micros end, const std::string& instance,
                        std::optional<Micros> within, Micros stable, Micros deadline);
Decision decide_unreachable(const ClientTimeline& probes, Micros event, Micros end, std::optional<Micros> within,
                            Micros stable, Micros deadline);

// `max-outage`: fails once an outage longer than `bound` was seen (it can
// only grow); passes once the client is answered again and stable: for the
// last `stable` (and at least `stable` after the event), every answer from
// the instance answering now, and most probes answered (a lossy link loses
// some); at `deadline`, as it stands, and only if the client is answered.
Decision decide_max_outage(const ClientTimeline& probes, Micros event, Micros end, Micros bound, Micros stable,
                           Micros deadline);

std::string format_seconds(Micros t);

// `loss`: of the probes sent from `from` and decided by `end` (or sent
// before `until`, if given), the share left unanswered is at most
// `at_most` percent (and at least `at_least`: a failure the lab proves).
// Decided once the window is over (with `until`), or at once on what the
// window holds (at least `min_probes` of them).
// Bounds on a share, in percent (loss, flows moved).
struct ShareBounds {
  std::optional<double> at_most, at_least;
};
Decision decide_loss(const ClientTimeline& probes, Micros from, Micros end, std::optional<Micros> until, ShareBounds bounds,
                     size_t min_probes, Micros deadline);

// `flips`: how many times the instance answering the client changed among
// the probes sent in [from, until or end), from the last one answering
// before `from` (a failover is one flip; an unanswered probe between two
// answers of one instance is none). Fails as soon as there are more than
// at_most; passes at once without `until`, else when the window is over.
Decision decide_flips(const ClientTimeline& probes, Micros from, Micros end, std::optional<Micros> until,
                      uint32_t at_most, Micros deadline);

// `load`: the share of the clients' weight that `instance` serves at the
// end (each client counted for the instance answering it then), within
// the bounds (percent). Says the share and who makes it up.
Verdict load_share(const std::map<std::string, ClientTimeline>& probes, const std::map<std::string, uint32_t>& weights,
                   Micros event, Micros end, const std::string& instance, std::optional<double> at_most,
                   std::optional<double> at_least);

// Flows (a client probing from several source ports). Who answered each
// flow's last probe sent in [from, before) (nothing: unanswered, or no
// probe then); with `answered`, who last answered it then (the instance its
// connections were on).
using FlowAnswers = std::vector<std::optional<std::string>>;
FlowAnswers answers_between(const std::vector<ClientTimeline>& flows, Micros from, Micros before,
                            bool answered = false);

// `spread`: every flow answered, by the listed instances only, each a share
// of them within its bounds (percent). Says every instance's share, and the
// bounds an instance's share broke.
struct InstanceShare {
  std::string instance;
  ShareBounds bounds;
};
Verdict spread(const FlowAnswers& answers, const std::vector<InstanceShare>& instances);

// `moved`: the share of the flows answered before that another instance
// answers now, within the bounds (percent). Says how many left an instance
// that answers no flow now (gone) and how many were re-hashed away from one
// that still answers others: the connections anycast did not have to break.
Verdict moved(const FlowAnswers& before, const FlowAnswers& now, ShareBounds all, ShareBounds healthy = {});

}  // namespace anylab::checks
