#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  // What the lab's daemons leave behind when they die (ExaBGP's relay and
  // healthcheck) becomes anylab's to reap, not init's: `anylab test` then
  // destroys a lab without waiting for init to get round to it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
  // A peer that closed its end (the engine's socket, a relay's FIFO) is an
  // error to handle where it happens, never a death that skips clean-up.
  // The processes anylab starts get the default back.
  ::signal(SIGPIPE, SIG_IGN);
  // What anylab creates has the modes it asks for, whatever the caller's umask.
  ::umask(022);
  try {
    return anylab::run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Expected failures are values; an exception here is a bug or a fatal
    // environment problem.
    std::fprintf(stderr, "anylab: fatal: %s\n", e.what());
    return anylab::kExitEnvironment;
  }
}
