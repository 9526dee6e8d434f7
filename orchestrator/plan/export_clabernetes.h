#pragma once

#include <map>
#include <string>

#include "model/lab.h"

namespace anylab {

// The lab as a clabernetes (containerlab on Kubernetes) resource, in the
// shape clabernetes v0.6.0's own converter (clabverter) writes: one
// ConfigMap per node holding the files the node's directory binds (its
// configs and start.sh, as `anylab export --containerlab` writes them), and
// a `Topology` (clabernetes.containerlab.dev/v1alpha1) whose definition is
// the containerlab topology of the export and whose filesFromConfigMap puts
// each file back where that topology's binds expect it, relative to the
// topology. Nothing names a namespace: `kubectl apply -n NS -f` chooses it.
// The lab must be resolved with the images' paths (Paths{}). Returns file
// contents by path relative to the export directory
// (`<lab>.clabernetes.yaml`).
std::map<std::string, std::string> export_clabernetes(const Lab& lab);

}  // namespace anylab
