#pragma once

#include "model/lab_spec.h"

struct lyd_node;

namespace anylab {

class MarkTable;

// Reads a tree that passed schema validation (types, ranges, references and
// defaults are all in place) into a LabSpec, carrying each value's mark.
LabSpec read_spec(const lyd_node* lab, const MarkTable& marks);

}  // namespace anylab
