#pragma once

#include "core/diagnostic.h"

struct lyd_node;

namespace anylab {

class MarkTable;

// libyang's whole-tree validation (leafrefs, mandatory nodes, choices,
// element counts). libyang stops at the first error, so this validates,
// reports, prunes the offending node and validates again, until the tree is
// valid: every error of the phase is reported at once, and an error that only
// follows from one already reported (a reference to a pruned node) is not.
void validate_tree(lyd_node** tree, const MarkTable& marks, Diagnostics& diagnostics);

}  // namespace anylab
