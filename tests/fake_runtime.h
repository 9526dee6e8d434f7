// A NodeRuntime that runs nothing and says what it was asked, for unit
// tests of destroy and events without root (issue 27): every node
// operation, and every action its backend is handed (as plan.h describes
// it), in one log, in order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "runtime/node_runtime.h"
#include "runtime/process.h"

namespace anylab::test {

class FakeRuntime : public NodeRuntime {
 public:
  const char* name() const override { return "fake"; }
  std::string netns_path(const Node& n) const override { return "/nonexistent/" + n.netns; }
  std::expected<ProcessSpec, Error> process_in(const Node&) const override {
    return fail("no nodes in the fake runtime");
  }
  std::vector<pid_t> processes(const Node&) const override { return {}; }
  Result kill_all(const Node& n) const override { return said("kill every process of " + n.name); }
  Result freeze(const Node& n) const override { return said("freeze " + n.name); }
  void thaw(const Node& n) const override { (void)said("continue " + n.name); }
  std::unique_ptr<Backend> backend(const Lab&) const override { return std::make_unique<Logging>(log); }
  std::vector<std::string> missing(const Lab&) const override { return {}; }
  std::vector<std::string> in_the_way(const Lab&) const override { return {}; }
  bool has_remains(const std::string& lab) const override { return lab == remains_of; }
  void remove(const std::string& lab, RemoveReport& report) const override {
    removed.push_back(lab);
    recorded_alive_at_remove = process_alive(recorded);
    report.containers = 2;
  }

  std::string remains_of;  // the lab whose remains it says it has
  pid_t recorded = 0;      // a process that must be stopped before remove()
  mutable std::vector<std::string> removed;
  mutable bool recorded_alive_at_remove = true;
  mutable std::vector<std::string> log;

 private:
  class Logging : public Backend {
   public:
    explicit Logging(std::vector<std::string>& log) : log_(log) {}
    std::expected<std::vector<Spawned>, Error> apply(std::span<const Action> batch) override {
      for (const Action& a : batch) log_.push_back(describe(a.what));
      return std::vector<Spawned>{};
    }

   private:
    std::vector<std::string>& log_;
  };
  Result said(std::string what) const {
    log.push_back(std::move(what));
    return {};
  }
};

}  // namespace anylab::test
