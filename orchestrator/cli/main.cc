#include <sys/prctl.h>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // What the lab's daemons leave behind when they die (ExaBGP's relay and
  // healthcheck) becomes anylab's to reap, not init's: `anylab test` then
  // destroys a lab without waiting for init to get round to it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  try {
    return anylab::run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Expected failures are values; an exception here is a bug or a fatal
    // environment problem.
    std::fprintf(stderr, "anylab: fatal: %s\n", e.what());
    return anylab::kExitEnvironment;
  }
}
