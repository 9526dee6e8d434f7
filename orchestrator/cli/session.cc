// What the lab commands share: Ctrl-C handling, finding a deployed lab,
// and how destroy is reported.
#include "cli/session.h"

#include <signal.h>

#include <filesystem>
#include <iostream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "runtime/journal.h"

namespace anylab {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::atomic<bool> g_cancel{false};
std::atomic<int> g_signal{0};

namespace {

void on_signal(int sig) {
  g_signal = sig;
  g_cancel = true;
}

}  // namespace

void catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// A deployed lab is found by its file or by its name: deploy keeps a copy of
// the file in the lab's runtime directory.
std::expected<Lab, int> find_lab(const std::string& lab_or_name) {
  // A name is made into a path below: only a lab's name is taken as one.
  if (fs::exists(lab_or_name) || !valid_lab_name(lab_or_name)) return load_lab_file(lab_or_name);
  const std::string copy = Journal::lab_dir(host_paths().runtime_root, lab_or_name) + "/lab.yaml";
  if (!fs::exists(copy)) {
    std::cerr << fmt::format("anylab: no lab file and no deployed lab named \"{}\"\n", lab_or_name);
    return std::unexpected(kExitInvalidLab);
  }
  return load_lab_file(copy);
}

void print_destroy(const std::string& name, const DestroyReport& r) {
  if (!r.found) {
    std::cerr << fmt::format("lab {}: nothing to destroy\n", name);
    return;
  }
  std::cerr << fmt::format("lab {} destroyed: {} processes stopped, {} namespaces removed{}\n", name, r.processes,
                           r.namespaces, r.containers ? fmt::format(", {} containers removed", r.containers) : "");
  for (const std::string& p : r.problems) std::cerr << "  problem: " << p << "\n";
}

}  // namespace anylab
