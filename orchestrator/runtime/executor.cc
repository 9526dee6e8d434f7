#include "runtime/executor.h"

#include "runtime/journal.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>

namespace anylab {

int Executor::batch_kind(const ActionKind& a) {
  return std::visit(
      [](const auto& x) -> int {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, CreateNamespace>) return 0;
        else if constexpr (std::is_same_v<T, CreateVeth>) return 1;
        else if constexpr (std::is_same_v<T, AddAddress> || std::is_same_v<T, SetLinkUp> ||
                           std::is_same_v<T, AddRoute>)
          return 2;
        else if constexpr (std::is_same_v<T, SetSysctl>) return 3;
        else if constexpr (std::is_same_v<T, CreateDirectory> || std::is_same_v<T, WriteFile>) return 4;
        else if constexpr (std::is_same_v<T, WaitForSocket>) return 6;
        else return 5;
      },
      a);
}

void Executor::record_intent(std::span<const Action> batch) {
  if (!journal_) return;
  for (const Action& a : batch) {
    if (const auto* n = std::get_if<CreateNamespace>(&a.what)) journal_->netns(n->netns);
    if (const auto* d = std::get_if<CreateDirectory>(&a.what)) journal_->directory(d->path);
    if (const auto* p = std::get_if<StartProcess>(&a.what)) {
      // FRR's -N <name> makes /var/run/frr/<name>/: destroy removes it.
      for (size_t i = 0; i + 1 < p->argv.size(); ++i)
        if (p->argv[i] == "-N") journal_->run_dir(frr_run_dir(p->argv[i + 1]));
    }
  }
}

std::expected<void, std::string> Executor::run(const std::vector<Action>& actions, const Progress& progress) {
  size_t i = 0;
  while (i < actions.size()) {
    if (cancel_ && cancel_->load()) return std::unexpected("interrupted");
    size_t j = i + 1;
    while (j < actions.size() && batch_kind(actions[j].what) == batch_kind(actions[i].what)) ++j;
    std::span<const Action> batch(actions.data() + i, j - i);
    record_intent(batch);
    auto t0 = std::chrono::steady_clock::now();
    auto spawned = backend_.apply(batch);
    if (std::getenv("ANYLAB_TIMING"))
      std::fprintf(stderr, "batch kind %d: %zu actions in %.3fs\n", batch_kind(actions[i].what), batch.size(),
                   std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (!spawned) return std::unexpected(spawned.error());
    if (journal_)
      for (const Spawned& s : *spawned) journal_->process(s.pid, s.start_time, s.node, s.name);
    i = j;
    if (progress) progress(i, actions.size(), actions[i - 1]);
  }
  return {};
}

}  // namespace anylab
