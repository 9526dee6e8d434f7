#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "model/lab.h"
#include "runtime/node_runtime.h"

namespace anylab {

// The one place that knows every runtime (runtime/netns/, runtime/docker/,
// runtime/containerlab/); everything else asks the NodeRuntime interface.

// The runtime the lab runs on (lab.runtime, a runtime's name).
const NodeRuntime& runtime_of(const Lab& lab);
// By name ("netns", "docker", "containerlab"); nullptr for none.
const NodeRuntime* runtime_named(std::string_view name);
// Every runtime, in the order destroy asks them to remove a lab's remains.
const std::vector<const NodeRuntime*>& all_runtimes();
std::vector<std::string> runtime_names();
// The default runtime's name.
const char* default_runtime();

// What a deploy records in the lab's runtime directory, so that every later
// command (and destroy, even after anylab was killed mid-deploy) drives the
// lab on the runtime that built it. nullopt: nothing recorded.
std::expected<void, Error> record_runtime(const std::string& lab_dir, const std::string& runtime);
std::optional<std::string> recorded_runtime(const std::string& lab_dir);

}  // namespace anylab
