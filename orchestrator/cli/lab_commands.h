#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "app/deploy.h"
#include "app/operate.h"
#include "app/run.h"
#include "model/lab.h"

namespace anylab {

// The commands on labs; deploy and destroy are app/deploy.h's workflows.
int inspect(const std::string& lab_or_name, bool json);
// The catchment under each setting of one or two knobs (app/sweep.h).
int sweep_lab(const std::string& lab_or_name, const std::vector<std::string>& vary,
              const std::optional<std::string>& json_file);
// Which instance answers a client, and why, hop by hop (app/why.h).
int why(const std::string& lab_or_name, const std::string& client, const std::optional<std::string>& service,
        const std::optional<std::string>& family);
// Changes what a running instance announces, through ExaBGP's API.
int announce(const std::string& lab_or_name, const std::string& node, const AnnounceOptions& options);

// Probes every service from every client of a running lab and prints who
// answers, and each change as it happens, for `seconds` (0: until Ctrl-C).
int watch(const std::string& lab_or_name, double seconds);

// Breaks (fail) or mends (restore) a node or a link of a running lab.
int fail_or_restore(const std::string& lab_or_name, const EventOptions& options);

// Runs the lab's scenarios (or one) on the deployed lab; exit 0 if every
// expectation held (in every run), else 1.
int run_scenarios(const std::string& lab_or_name, const ScenarioOptions& options);
// Deploy, run every scenario, destroy (also when a check fails or on
// Ctrl-C): the CI entry point.
int test_lab(const std::string& lab_file, const DeployOptions& deploy_options, const ScenarioOptions& options);

int exec_in_node(const std::string& lab_or_name, const std::string& node, const std::vector<std::string>& command);

}  // namespace anylab
