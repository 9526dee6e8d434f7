// app/: deploy, test and destroy as workflows, below the command line: the
// CLI parses and prints; a test can deploy a lab by calling these. The
// runtime is chosen here, once per lab (runtime_of(lab) after), and nothing
// below asks which one it is.
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <string>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "runtime/destroy.h"

namespace anylab {

// What a workflow tells the user as it goes, besides its result: app/
// writes nothing itself, the CLI prints these (cli/console.h).
class Messages {
 public:
  virtual ~Messages() = default;
  // A note, or a problem with its fix: one line.
  virtual void problem(const std::string& line) = 0;
  // A text as it is (a lab file's located errors), its lines ended.
  virtual void text(const std::string& text) = 0;
  // Deploying a lab: `done` of `total` actions carried out; then built (or
  // not), then waiting for it to be ready, at most `timeout`.
  virtual void deploying(const std::string& lab, size_t done, size_t total) = 0;
  virtual void built(const std::string& lab) = 0;
  virtual void waiting(const std::string& lab, std::chrono::seconds timeout) = 0;
  // The lab is ready: a line of what it took.
  virtual void ready(const std::string& line) = 0;
  virtual void destroyed(const std::string& lab, const DestroyReport& report) = 0;
};

// Exit codes, the contract with CI pipelines (lab-format.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,
  kExitInvalidLab = 2,
  kExitEnvironment = 3,
};

// A request to stop, passed down to every long step: long commands stop,
// clean up, and exit 128 + the signal.
struct Cancel {
  std::atomic<bool> requested{false};
  std::atomic<int> signal{0};
  explicit operator bool() const { return requested; }
  int exit_code() const { return 128 + signal; }
};
// Has SIGINT and SIGTERM request this process's stop, and returns the token
// they set.
Cancel& catch_signals();

// The exit code an error gives: 2 for the user's input, 3 for the
// environment.
int exit_code_of(const Error& e);

// The runtimes a lab can be built on, and the one used when none is named.
std::vector<std::string> runtime_choices();
std::string default_runtime_name();

double seconds_since(std::chrono::steady_clock::time_point t);

// Where things are on this machine for a lab on a runtime: anylab's helpers
// beside its own binary; a node running an image finds them where the
// images put them (Paths' default).
Paths host_paths(bool nodes_run_host_programs = true);

// Loads, checks and resolves a lab file; on failure prints every error and
// returns the exit code. A lab deployed already runs on the runtime that
// deployed it; any other on `runtime` (a runtime's name: --runtime,
// ANYLAB_RUNTIME), else the default. An unknown runtime is an error naming
// the known ones.
std::expected<Lab, int> load_lab_file(const std::string& path, Messages& messages, const std::string& runtime = "");
// The lab resolved, the nodes' own configs (`config:`) not rendered yet:
// what their templates are rendered with, for a person writing one.
std::expected<Lab, int> load_lab_unrendered(const std::string& path, Messages& messages);
// The lab resolved with the paths of anylab's images, or of this machine's
// programs, for an export.
std::expected<Lab, int> load_lab_for_images(const std::string& path, Messages& messages);
std::expected<Lab, int> load_lab_for_host(const std::string& path, Messages& messages);

// A deployed lab is found by its file or by its name: deploy keeps a copy of
// the file in the lab's runtime directory.
std::expected<Lab, int> find_lab(const std::string& lab_or_name, Messages& messages);

}  // namespace anylab
