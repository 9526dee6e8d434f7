#pragma once

#include <expected>
#include <string>

#include "core/diagnostic.h"
#include "model/lab_spec.h"

namespace anylab {

// Reads a lab file; the name is kept exactly as given, for error messages.
// An unreadable file is an error about the file as a whole.
std::expected<SourceFile, std::string> read_source(const std::string& path);

// Loads and checks a lab in three phases: YAML syntax, the YANG schema,
// semantic checks. Each phase reports all of its errors; a phase runs only if
// the one before it passed, so no error is a consequence of an earlier one.
std::expected<LabSpec, Diagnostics> load_lab(const SourceFile& file);

}  // namespace anylab
