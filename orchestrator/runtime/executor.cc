#include "runtime/executor.h"
#include "core/error.h"

#include "runtime/journal.h"
#include "runtime/process.h"

#include <chrono>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <set>

namespace anylab {

namespace {

struct BatchOf {
  using B = Executor::Batch;
  B operator()(const CreateNamespace&) const { return B::kNamespaces; }
  B operator()(const CreateVeth&) const { return B::kVeths; }
  B operator()(const AddAddress&) const { return B::kAddressing; }
  B operator()(const SetLinkUp&) const { return B::kAddressing; }
  B operator()(const AddRoute&) const { return B::kAddressing; }
  B operator()(const SetSysctl&) const { return B::kSysctls; }
  B operator()(const CreateDirectory&) const { return B::kFiles; }
  B operator()(const WriteFile&) const { return B::kFiles; }
  B operator()(const StartProcess&) const { return B::kProcesses; }
  B operator()(const WaitForSocket&) const { return B::kSocketWaits; }
  B operator()(const SetLinkDown&) const { return B::kAddressing; }
  B operator()(const ConfigureFrr&) const { return B::kChanges; }
  B operator()(const SendToExabgp&) const { return B::kChanges; }
  B operator()(const KillProcess&) const { return B::kChanges; }
  B operator()(const SetLoss&) const { return B::kChanges; }
  B operator()(const ClearLoss&) const { return B::kChanges; }
  B operator()(const SetDelay&) const { return B::kChanges; }
  B operator()(const ClearDelay&) const { return B::kChanges; }
};

}  // namespace

Executor::Executor(Backend& backend, Journal* journal, const std::atomic<bool>* cancel, bool pace_starts)
    : backend_(backend),
      journal_(journal),
      cancel_(cancel),
      pace_starts_(pace_starts),
      merge_pacer_(pace_starts && page_merging_on(), pace_starts ? MergePacer::lag_from_environment() : 0) {}

Executor::Batch Executor::batch_of(const ActionKind& a) { return std::visit(BatchOf{}, a); }

const char* Executor::to_string(Batch b) {
  switch (b) {
    case Batch::kNamespaces: return "namespaces";
    case Batch::kVeths: return "veths";
    case Batch::kAddressing: return "addressing";
    case Batch::kSysctls: return "sysctls";
    case Batch::kFiles: return "files";
    case Batch::kProcesses: return "processes";
    case Batch::kSocketWaits: return "socket waits";
    case Batch::kChanges: return "changes";
  }
  return "?";
}

std::expected<void, Error> Executor::record_intent(std::span<const Action> batch) {
  if (!journal_) return {};
  for (const Action& a : batch) {
    if (const auto* n = std::get_if<CreateNamespace>(&a.what))
      if (auto w = journal_->netns(n->netns); !w) return w;
    if (const auto* d = std::get_if<CreateDirectory>(&a.what))
      if (auto w = journal_->directory(d->path); !w) return w;
  }
  return {};
}

// FRR's -N <name> makes /var/run/frr/<name>/, and a container runtime makes
// it before the container that binds it, batches ahead of the daemon: every
// one the plan will use is recorded before anything is made, so that destroy
// removes it whenever anylab is stopped.
std::expected<void, Error> Executor::record_run_dirs(const std::vector<Action>& actions) {
  if (!journal_) return {};
  std::set<std::string> recorded;
  for (const Action& a : actions)
    if (const auto* p = std::get_if<StartProcess>(&a.what))
      for (size_t i = 0; i + 1 < p->argv.size(); ++i)
        if (p->argv[i] == "-N" && recorded.insert(p->argv[i + 1]).second)
          if (auto w = journal_->run_dir(frr_run_dir(p->argv[i + 1])); !w) return w;
  return {};
}

// Actions the backend does one by one (daemon starts, waits for their
// sockets, files, sysctls) go to it a few at a time (daemon starts, when
// paced, one at a time), so that a stop request is seen within a few of
// them: a thousand routers' daemons take minutes to start. What it does in
// one step (namespaces, veths, addresses) goes whole.
size_t Executor::most_at_once(const Action& a) const {
  switch (batch_of(a.what)) {
    case Batch::kProcesses: return pace_starts_ ? 1 : 16;
    case Batch::kSocketWaits:
    case Batch::kFiles:
    case Batch::kSysctls: return 16;
    default: return SIZE_MAX;
  }
}

std::expected<void, Error> Executor::run(const std::vector<Action>& actions, const Progress& progress) {
  if (auto w = record_run_dirs(actions); !w) return w;
  size_t i = 0;
  while (i < actions.size()) {
    if (cancel_ && cancel_->load()) return fail("interrupted");
    size_t j = i + 1;
    while (j < actions.size() && batch_of(actions[j].what) == batch_of(actions[i].what) && j - i < most_at_once(actions[i]))
      ++j;
    std::span<const Action> batch(actions.data() + i, j - i);
    if (pace_starts_ && batch_of(actions[i].what) == Batch::kProcesses) {
      merge_pacer_.before_start(cancel_);
      if (cancel_ && cancel_->load()) return fail("interrupted");
      wait_for_cpu();
    }
    if (auto w = record_intent(batch); !w) return w;
    auto t0 = std::chrono::steady_clock::now();
    auto spawned = backend_.apply(batch);
    if (std::getenv("ANYLAB_TIMING"))
      std::fprintf(stderr, "batch %s: %zu actions in %.3fs\n", to_string(batch_of(actions[i].what)), batch.size(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!spawned) return fail(spawned.error());
    if (journal_)
      for (const Spawned& s : *spawned)
        if (auto w = journal_->process(s.pid, s.start_time, s.node, s.name); !w) return w;
    i = j;
    if (progress) progress(i, actions.size(), actions[i - 1]);
  }
  return {};
}

}  // namespace anylab
