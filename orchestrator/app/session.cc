// What the lab workflows share: Ctrl-C handling, loading a lab on its
// runtime, finding a deployed lab, and how destroy is reported.
#include "app/session.h"

#include <signal.h>

#include <filesystem>

#include <fmt/format.h>

#include "core/diagnostic.h"
#include "app/own_configs.h"
#include "load/loader.h"
#include "plan/resolve.h"
#include "runtime/journal.h"
#include "runtime/runtimes.h"

namespace anylab {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// The one token a signal can reach: a handler sees only what is static.
Cancel signalled;

void on_signal(int sig) {
  signalled.signal = sig;
  signalled.requested = true;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

// Whose programs the nodes' configs name: the runtime's choice, or fixed
// for an export.
enum class PathsFor { kRuntime, kImages, kHost };

std::expected<Lab, int> load(const std::string& path, const std::string& runtime, PathsFor paths_for,
                             Messages& messages, FilesFrom files_from = FilesFrom::kBesideLabFile,
                             bool own_configs = true) {
  auto source = read_source(path);
  if (!source) {
    messages.text(source.error() + "\n");
    return std::unexpected(kExitInvalidLab);
  }
  auto spec = load_lab(*source, files_from);
  if (!spec) {
    const size_t n = spec.error().sorted().size();
    messages.text(format_diagnostics(*source, spec.error()) +
                  fmt::format("{}: {} error{}; nothing was built\n", source->name(), n, n == 1 ? "" : "s"));
    return std::unexpected(kExitInvalidLab);
  }
  const std::string lab_dir = Journal::lab_dir(host_paths().runtime_root, spec->name.value);
  const std::string chosen =
      recorded_runtime(lab_dir).value_or(runtime.empty() ? std::string(default_runtime()) : runtime);
  const NodeRuntime* rt = runtime_named(chosen);
  if (!rt) {
    messages.problem(fmt::format("there is no runtime \"{}\"; the runtimes are {}", chosen, joined(runtime_names())));
    return std::unexpected(kExitInvalidLab);
  }
  const bool host = paths_for == PathsFor::kHost || (paths_for == PathsFor::kRuntime && rt->runs_host_programs());
  auto lab = resolve(std::move(*spec), host_paths(host));
  if (!lab) {
    messages.text(format_diagnostics(*source, lab.error()));
    return std::unexpected(kExitInvalidLab);
  }
  if (const Diagnostics own = own_configs ? apply_own_configs(*lab) : Diagnostics{}; !own.empty()) {
    const size_t n = own.sorted().size();
    messages.text(format_diagnostics(*source, own) +
                  fmt::format("{}: {} error{} in the nodes' own configs; nothing was built\n", source->name(), n, n == 1 ? "" : "s"));
    return std::unexpected(kExitInvalidLab);
  }
  lab->runtime = chosen;
  return std::move(*lab);
}

}  // namespace

Cancel& catch_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return signalled;
}

int exit_code_of(const Error& e) { return e.kind == Error::Kind::kInput ? kExitInvalidLab : kExitEnvironment; }

std::vector<std::string> runtime_choices() { return runtime_names(); }
std::string default_runtime_name() { return std::string(default_runtime()); }

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

Paths host_paths(bool nodes_run_host_programs) {
  Paths p;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) p.host_helper_dir = self.parent_path().string();
  if (nodes_run_host_programs) p.helper_dir = p.host_helper_dir;
  return p;
}

std::expected<Lab, int> load_lab_file(const std::string& path, Messages& messages, const std::string& runtime) {
  return load(path, runtime, PathsFor::kRuntime, messages);
}

std::expected<Lab, int> load_lab_unrendered(const std::string& path, Messages& messages) {
  return load(path, "", PathsFor::kRuntime, messages, FilesFrom::kBesideLabFile, false);
}

std::expected<Lab, int> load_lab_for_images(const std::string& path, Messages& messages) {
  return load(path, "", PathsFor::kImages, messages);
}
std::expected<Lab, int> load_lab_for_host(const std::string& path, Messages& messages) {
  return load(path, "", PathsFor::kHost, messages);
}

std::expected<Lab, int> find_lab(const std::string& lab_or_name, Messages& messages) {
  // A name is made into a path below: only a lab's name is taken as one.
  if (fs::exists(lab_or_name) || !valid_lab_name(lab_or_name)) return load_lab_file(lab_or_name, messages);
  const std::string copy = lab_file(Journal::lab_dir(host_paths().runtime_root, lab_or_name), LabFile::kLabCopy);
  if (!fs::exists(copy)) {
    messages.problem(fmt::format("no lab file and no deployed lab named \"{}\"", lab_or_name));
    return std::unexpected(kExitInvalidLab);
  }
  return load(copy, "", PathsFor::kRuntime, messages, FilesFrom::kDeployedInstances);
}

}  // namespace anylab
