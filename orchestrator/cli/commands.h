// cli/: the `anylab` command line: argument parsing (CLI11) and printing.
// Everything it does is library code from the other folders.
#pragma once

#include "app/session.h"  // the exit codes

namespace anylab {

int run_cli(int argc, char** argv);

}  // namespace anylab
