// cli/: what the lab commands share (not a public interface).
#pragma once

#include <atomic>
#include <chrono>
#include <expected>
#include <string>

#include "cli/lab_commands.h"
#include "runtime/destroy.h"

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

}  // namespace anylab
