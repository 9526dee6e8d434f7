#pragma once

#include <string>

#include "model/lab.h"

namespace anylab {

// The lab as a Mininet 2.3 Python script, for people whose testbeds are
// Mininet: Mininet hosts joined directly by the lab's links (no switch, no
// controller), and in them, in the plan's order, what `anylab deploy` does:
// addresses, routes, sysctls, the node's files, FRR, ExaBGP with its health
// check, the responder. The programs are this machine's, at the paths the
// lab was resolved with (as on the netns runtime). The script:
//   sudo /usr/bin/python3 FILE           builds the lab and opens Mininet's CLI;
//                                        leaving it removes everything
//   sudo /usr/bin/python3 FILE --check   builds it, waits until each client is
//                                        answered as the lab's first scenario
//                                        expects (any instance where it expects
//                                        nothing), prints who answers each, and
//                                        removes everything; exit 0 only when all
//                                        were answered as expected
std::string export_mininet(const Lab& lab);

}  // namespace anylab
