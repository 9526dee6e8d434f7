#pragma once

#include "core/diagnostic.h"
#include "model/lab_spec.h"

namespace anylab {

// The rules a schema cannot say well: addresses inside prefixes, what each
// node kind may carry, which kinds may be linked, that a scenario names real
// links, sessions, clients and instances. All errors are collected.
void check_semantics(const LabSpec& spec, Diagnostics& diagnostics);

}  // namespace anylab
