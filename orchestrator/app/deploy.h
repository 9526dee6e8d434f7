#pragma once

#include <chrono>
#include <expected>
#include <string>

#include "app/session.h"
#include "runtime/lab_claim.h"

namespace anylab {

struct DeployOptions {
  // How long ready may take; 0: the lab's default (ready_timeout).
  std::chrono::seconds timeout{0};
  bool keep_on_failure = false;
  std::string runtime;  // a runtime's name; "" for the default
};

// 60 s, and a second more per 2000 background routes: a full table takes
// its time to cross the lab (measured: 200 000 routes over six routers
// ready in about 35 s).
std::chrono::seconds ready_timeout(const Lab& lab);

// What the machine lacks to run the lab, said with the fix (exit 3), before
// anything is claimed or touched; and what the user should know of the
// runtime for this lab.
int check_machine(const Lab& lab, Messages& messages);
// A lab claimed for this command (runtime/lab_claim.h); when another anylab
// holds it, says who and gives the exit code (3).
std::expected<LabClaim, int> claim_lab(const std::string& root, const std::string& lab, Messages& messages);
// Deploys a loaded lab this command has claimed: refused when something is
// in the way; the plan carried out on the lab's runtime and recorded in its
// journal; the runtime recorded; ready waited for. Whatever fails, what was
// made is removed (unless options.keep_on_failure and only readiness
// failed).
// Stops at `cancel` (exit 128 + its signal), removing what was made.
int deploy_claimed(const Lab& lab, const DeployOptions& options, const Cancel& cancel, Messages& messages);
// Load, check the machine, claim, deploy.
int deploy_lab_file(const std::string& lab_file, const DeployOptions& options, const Cancel& cancel,
                    Messages& messages);
// Destroys one lab (by file or name) or every deployed lab, each claimed.
int destroy_labs(const std::string& lab_or_name, bool all, Messages& messages);

}  // namespace anylab
