// cli/: the `anylab` command line: argument parsing (CLI11) and printing.
// Everything it does is library code from the other folders.
#pragma once

namespace anylab {

// Exit codes, the contract with CI pipelines (lab-format.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,
  kExitInvalidLab = 2,
  kExitEnvironment = 3,
};

int run_cli(int argc, char** argv);

}  // namespace anylab
