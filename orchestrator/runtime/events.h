#pragma once

#include <expected>
#include <string>

#include "model/lab.h"

namespace anylab {

// Breaking a running lab on purpose, and mending it. Each takes effect at
// once; the caller stamps the moment it returned as the event's time.

// A link cut or mended: both ends down (both sides lose carrier, as with a
// pulled cable) or up.
std::expected<void, std::string> set_link(const Lab& lab, const std::string& a, const std::string& b, bool up);

// crash: every process of the node killed; freeze: stopped with SIGSTOP
// (peers notice only when their hold timer expires); service: the
// responder killed while the announcement stays.
std::expected<void, std::string> fail_node(const Lab& lab, const std::string& node, FailMode mode);

// Back to the node's deployed state, whatever broke it: stopped processes
// continued, and every planned process of the node that no longer runs
// started again (zebra waited for before bgpd), recorded in the journal.
std::expected<void, std::string> restore_node(const Lab& lab, const std::string& node);

}  // namespace anylab
