#pragma once

#include <expected>
#include <string>

#include "model/lab.h"

namespace anylab {

// Sends one API command ("announce route ...", "withdraw route ...") to a
// running instance's ExaBGP through its control channel, the FIFO its
// anylab-exabgp-relay reads. Fails at once if no relay is reading.
std::expected<void, std::string> exabgp_send(const Node& instance, const std::string& command);

}  // namespace anylab
