#include <cstdio>
#include <exception>

#include "cli/commands.h"

int main(int argc, char** argv) {
  try {
    return anylab::run_cli(argc, argv);
  } catch (const std::exception& e) {
    // Expected failures are values; an exception here is a bug or a fatal
    // environment problem.
    std::fprintf(stderr, "anylab: fatal: %s\n", e.what());
    return anylab::kExitEnvironment;
  }
}
