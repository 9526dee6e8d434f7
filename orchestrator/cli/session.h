// cli/: what the lab commands share (not a public interface).
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <string>

#include "cli/lab_commands.h"
#include "runtime/destroy.h"
#include "runtime/lab_claim.h"

namespace anylab {

// Set by SIGINT or SIGTERM once catch_signals() ran: long commands stop,
// clean up, and exit 128 + the signal.
extern std::atomic<bool> g_cancel;
extern std::atomic<int> g_signal;
void catch_signals();

double seconds_since(std::chrono::steady_clock::time_point t);

// A deployed lab is found by its file or by its name: deploy keeps a copy of
// the file in the lab's runtime directory.
std::expected<Lab, int> find_lab(const std::string& lab_or_name);

void print_destroy(const std::string& name, const DestroyReport& report);

// A lab claimed for this command (runtime/lab_claim.h); when another anylab
// holds it, says who and gives the exit code (3).
std::expected<LabClaim, int> claim_lab(const std::string& root, const std::string& lab);
// What the machine lacks to run the lab, said with the fix (exit 3), before
// anything is claimed or touched.
int check_machine(const Lab& lab);
// Deploys a loaded lab this command has claimed.
int deploy_claimed(const Lab& lab, const std::string& lab_file, const DeployOptions& options);

}  // namespace anylab
