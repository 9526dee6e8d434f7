#pragma once

#include <string>

#include "model/lab.h"

namespace anylab {

enum class GraphFormat { kDot, kMermaid };

// The topology as a graph: nodes shaped by kind, edges labelled with their
// interfaces and subnets; instances carry their service.
std::string render_graph(const Lab& lab, GraphFormat format);

}  // namespace anylab
