#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "plan/plan.h"
#include "runtime/backend.h"
#include "runtime/page_merging.h"

namespace anylab {

class Journal;

// The one loop over a plan, whatever the backend (ninja's shape: a dry run
// changes only the backend). It hands the backend runs of consecutive
// actions of one kind, records in the journal what each run is about to
// create before it does, and stops between runs when `cancel` is set (runs
// of daemon starts are short, so that it stops within a few of them).
class Executor {
 public:
  using Progress = std::function<void(size_t done, size_t total, const Action& last)>;
  // pace_starts (a deploy's build): daemons are handed over one at a time,
  // each once the CPUs take it (wait_for_cpu) and, where the kernel merges
  // pages, once it has merged most of what the last ones took (MergePacer);
  // a scenario's restore is timed and must not wait for a busy machine, so
  // events are not paced.
  Executor(Backend& backend, Journal* journal, const std::atomic<bool>* cancel = nullptr, bool pace_starts = false);

  std::expected<void, Error> run(const std::vector<Action>& actions, const Progress& progress = {});
  const MergePacer& merge_pacer() const { return merge_pacer_; }

  // Which actions go together to the backend in one call. Every action
  // type names its batch (batch.cc has no catch-all: a new action does not
  // compile until it is given one).
  enum class Batch { kNamespaces, kVeths, kAddressing, kSysctls, kFiles, kProcesses, kSocketWaits, kChanges };
  static Batch batch_of(const ActionKind& a);
  static const char* to_string(Batch b);

 private:
  size_t most_at_once(const Action& a) const;
  std::expected<void, Error> record_intent(std::span<const Action> batch);
  std::expected<void, Error> record_run_dirs(const std::vector<Action>& actions);
  Backend& backend_;
  Journal* journal_;
  const std::atomic<bool>* cancel_;
  bool pace_starts_;
  MergePacer merge_pacer_;
};

}  // namespace anylab
