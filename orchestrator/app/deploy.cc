// The deploy and destroy workflows (app/deploy.h).
#include "app/deploy.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "plan/plan.h"
#include "runtime/destroy.h"
#include "runtime/executor.h"
#include "runtime/journal.h"
#include "runtime/page_merging.h"
#include "runtime/preflight.h"
#include "runtime/process.h"
#include "runtime/runtimes.h"
#include "runtime/status.h"

namespace anylab {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// "" (with the error said) when it is neither a lab file nor a lab's name.
std::string lab_name_of(const std::string& lab_or_name, Messages& messages) {
  if (!fs::exists(lab_or_name) && valid_lab_name(lab_or_name)) return lab_or_name;
  auto lab = load_lab_file(lab_or_name, messages);
  return lab ? lab->name : "";
}

}  // namespace

namespace {

// Where ksmd scans too slowly for a big lab's deploy, which waits for its
// passes (MergePacer): how long a pass over the routers' daemons takes at
// its rate (~15 MB a router before merging), and the setting.
void say_merging_rate(size_t routers, Messages& messages) {
  constexpr double kPagesPerRouter = 15.0 * 1024 * 1024 / 4096;
  constexpr double kQuickPass = 30;  // seconds
  const auto rate = ksm_pages_per_second();
  const double pages = static_cast<double>(routers) * kPagesPerRouter;
  const auto lag = static_cast<double>(MergePacer::lag_from_environment());
  if (!rate || lag == 0 || pages * 4096 <= lag) return;  // deploy would not wait
  const double pass = pages / *rate;
  if (pass <= kQuickPass) return;
  messages.problem(fmt::format(
      "the kernel merges pages at {:.0f} a second (/sys/kernel/mm/ksm/pages_to_scan every sleep_millisecs): "
      "a pass over {} routers' daemons takes ~{:.0f}s, and deploy waits for its passes beyond {:.3g} GiB unmerged (up "
      "to 60s a time); as root, `echo 5000 > /sys/kernel/mm/ksm/pages_to_scan` (README: Memory)",
      *rate, routers, pass, lag / (1 << 30)));
}

// A lab big enough for memory to matter, on a machine that does not merge
// identical pages: said once, with the switch (the machine's, not anylab's).
void say_page_merging(const Lab& lab, Messages& messages) {
  constexpr size_t kBigLab = 50;
  const size_t routers = static_cast<size_t>(
      std::ranges::count_if(lab.nodes, [](const Node& n) { return n.kind == NodeKind::kRouter; }));
  if (routers < kBigLab) return;
  if (page_merging_on()) return say_merging_rate(routers, messages);
  messages.problem(fmt::format(
      "{} routers; their FRR daemons share most of their memory when the kernel merges identical pages: "
      "as root, `echo 1 > /sys/kernel/mm/ksm/run` (README: Memory)",
      routers));
}

// What stands between a claimed lab and its deploy: a deploy of the lab
// already there, or names of the lab's that are someone else's. Nothing is
// created.
int check_deployable(const Lab& lab, const NodeRuntime& runtime, Messages& messages) {
  if (fs::exists(lab_file(Journal::lab_dir(lab.paths.runtime_root, lab.name), LabFile::kJournal))) {
    messages.problem(fmt::format("lab {} is already deployed; run `anylab destroy {}` first", lab.name, lab.name));
    return kExitEnvironment;
  }
  if (auto blocking = in_the_way(lab, runtime); !blocking.empty()) {
    for (const std::string& b : blocking) messages.problem(b);
    messages.problem("nothing was built");
    return kExitEnvironment;
  }
  return kExitOk;
}

// "lab X ready in 12.3s (...): N BGP sessions Established, M clients
// answered", with the background tables and the waits for page merging.
std::string ready_text(const Lab& lab, double ready_s, size_t actions, double build_s, const MergePacer& merging) {
  size_t sessions = 0, clients = 0;
  std::string tables;
  for (const Node& n : lab.nodes) {
    if (n.kind == NodeKind::kRouter) sessions += n.neighbors.size();
    if (n.kind == NodeKind::kClient) ++clients;
    if (n.background_routes) tables += fmt::format("{} {} {}", tables.empty() ? "; background tables:" : ",", n.name, n.background_routes);
  }
  const std::string merge_waits =
      merging.waits() ? fmt::format(", {:.1f}s of it waiting {} time{} for the kernel to merge pages{}",
                                    merging.waited().count(), merging.waits(), merging.waits() == 1 ? "" : "s",
                                    merging.gave_up() ? " (then no more: it scans too slowly to catch up)" : "")
                      : "";
  return fmt::format("lab {} ready in {:.1f}s ({} actions in {:.1f}s{}): {} BGP session{} Established, "
                             "{} client{} answered{}{}",
                             lab.name, ready_s, actions, build_s, merge_waits, sessions,
                             sessions == 1 ? "" : "s", clients, clients == 1 ? "" : "s", tables,
                             tables.empty() ? "" : " routes");
}

struct Built {
  int rc = kExitOk;
  std::string failure;  // why, when rc is not kExitOk
};

// Builds the lab from its plan (recorded in its journal as it goes) and
// waits until it is ready.
Built build_and_wait(const Lab& lab, const NodeRuntime& runtime, const DeployOptions& options, const Cancel& cancel, Messages& messages) {
  const auto start = Clock::now();
  const std::string root = lab.paths.runtime_root;
  auto journal = Journal::open(root, lab.name);
  if (!journal) return {kExitEnvironment, journal.error().message};
  if (auto recorded = record_runtime(Journal::lab_dir(root, lab.name), lab.runtime); !recorded)
    return {kExitEnvironment, recorded.error().message};
  const std::string copy = lab_file(Journal::lab_dir(root, lab.name), LabFile::kLabCopy);
  // The text that was loaded (a file, or standard input), not the file
  // again: it may have changed since, or be a pipe that is spent.
  std::ofstream(copy, std::ios::binary | std::ios::trunc) << lab.spec.source_text;
  if (fs::file_size(copy) != lab.spec.source_text.size())
    return {kExitEnvironment, fmt::format("cannot keep a copy of the lab in {}", copy)};
  auto backend = runtime.backend(lab);
  Executor executor(*backend, &*journal, &cancel.requested, /*pace_starts=*/true);
  const auto actions = plan_deploy(lab);
  auto built = executor.run(
      actions, [&](size_t done, size_t total, const Action&) { messages.deploying(lab.name, done, total); });
  messages.built(lab.name);
  if (!built) return {cancel ? cancel.exit_code() : kExitEnvironment, built.error().message};
  const double build_s = seconds_since(start);
  const auto timeout = options.timeout.count() > 0 ? options.timeout : ready_timeout(lab);
  messages.waiting(lab.name, timeout);
  const auto ready = wait_ready(lab, Clock::now() + timeout, &cancel.requested);
  if (cancel) return {cancel.exit_code(), "interrupted"};
  if (!ready) return {kExitCheckFailed, fmt::format("not ready after {}s:\n{}", timeout.count(), ready.error())};
  messages.ready(ready_text(lab, seconds_since(start), actions.size(), build_s, executor.merge_pacer()));
  return {};
}

}  // namespace

std::chrono::seconds ready_timeout(const Lab& lab) {
  size_t routes = 0;
  for (const Node& n : lab.nodes) routes += n.background_routes;
  return std::chrono::seconds(60 + routes / 2000);
}

// What the machine lacks to run the lab (exit 3 with the fix): asked before
// anything, the lab's claim included, is touched.
int check_machine(const Lab& lab, Messages& messages) {
  const NodeRuntime& runtime = runtime_of(lab);
  for (const std::string& note : runtime.notes(lab)) messages.problem(note);
  say_page_merging(lab, messages);
  if (auto problems = preflight(lab, runtime); !problems.empty()) {
    for (const std::string& p : problems) messages.problem(p);
    messages.problem("this machine cannot run the lab; nothing was built");
    return kExitEnvironment;
  }
  return kExitOk;
}

std::expected<LabClaim, int> claim_lab(const std::string& root, const std::string& lab, Messages& messages) {
  auto claim = LabClaim::take(root, lab);
  if (claim) return std::move(*claim);
  messages.problem(claim.error().message);
  return std::unexpected(kExitEnvironment);
}

int deploy_claimed(const Lab& lab, const DeployOptions& options, const Cancel& cancel, Messages& messages) {
  const NodeRuntime& runtime = runtime_of(lab);
  if (int rc = check_deployable(lab, runtime, messages); rc != kExitOk) return rc;
  // Whatever fails while building (a short journal write, an image without
  // the frr user, a copy that fails: some throw), what was made is removed.
  Built b;
  try {
    b = build_and_wait(lab, runtime, options, cancel, messages);
  } catch (const std::exception& e) {
    b = {kExitEnvironment, e.what()};
  }
  if (b.rc != kExitOk) {
    messages.problem(fmt::format("deploy of {} failed: {}", lab.name, b.failure));
    if (options.keep_on_failure && b.rc == kExitCheckFailed)
      messages.problem(fmt::format("the lab is left as it is; `anylab destroy {}` removes it", lab.name));
    else
      messages.destroyed(lab.name, destroy_lab(lab.paths.runtime_root, lab.name));
  }
  return b.rc;
}

int deploy_lab_file(const std::string& lab_file, const DeployOptions& options, const Cancel& cancel,
                    Messages& messages) {
  auto lab = load_lab_file(lab_file, messages, options.runtime);
  if (!lab) return lab.error();
  if (int rc = check_machine(*lab, messages); rc != kExitOk) return rc;
  auto claim = claim_lab(lab->paths.runtime_root, lab->name, messages);
  if (!claim) return claim.error();
  return deploy_claimed(*lab, options, cancel, messages);
}

int destroy_labs(const std::string& lab_or_name, bool all, Messages& messages) {
  const std::string root = host_paths().runtime_root;
  std::vector<std::string> names =
      all ? deployed_labs(root) : std::vector<std::string>{lab_name_of(lab_or_name, messages)};
  if (all && names.empty()) messages.text("no deployed labs\n");
  int rc = kExitOk;
  for (const std::string& name : names) {
    if (name.empty()) return kExitInvalidLab;
    // A lab another anylab is deploying or testing is theirs to remove.
    auto claim = claim_lab(root, name, messages);
    if (!claim) {
      rc = claim.error();
      continue;
    }
    DestroyReport r = destroy_lab(root, name);
    messages.destroyed(name, r);
    if (!r.problems.empty()) rc = kExitEnvironment;
  }
  return rc;
}

}  // namespace anylab
