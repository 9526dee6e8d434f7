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
std::expected<Lab, int> load_lab_file(const std::string& path, const std::string& runtime = "");
// The lab resolved with the paths of anylab's images, or of this machine's
// programs, for an export.
std::expected<Lab, int> load_lab_for_images(const std::string& path);
std::expected<Lab, int> load_lab_for_host(const std::string& path);

// A deployed lab is found by its file or by its name: deploy keeps a copy of
// the file in the lab's runtime directory.
std::expected<Lab, int> find_lab(const std::string& lab_or_name);

void print_destroy(const std::string& name, const DestroyReport& report);

}  // namespace anylab
