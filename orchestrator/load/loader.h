#pragma once

#include <expected>
#include <string>

#include "core/diagnostic.h"
#include "model/lab_spec.h"

namespace anylab {

// The most a lab file may hold. The largest lab in labs/ is under 5 KiB; a
// ring of 500 routers written out by hand about 60 KiB.
inline constexpr size_t kMaxLabFileBytes = 1024 * 1024;
// The most an MRT dump a router's `background:` names may be: room for a
// route collector's whole RIB dump, uncompressed.
inline constexpr size_t kMaxDumpBytes = size_t{2} * 1024 * 1024 * 1024;

// Reads a lab file; the name is kept exactly as given, for error messages.
// An unreadable file, one that is not a regular file (a directory, a
// device, a pipe) or one over kMaxLabFileBytes is an error about the file
// as a whole.
// "-" is standard input, named kStandardInput in messages.
std::expected<SourceFile, std::string> read_source(const std::string& path);
inline constexpr const char* kStandardInput = "<stdin>";

// Loads and checks a lab in three phases: YAML syntax, the YANG schema,
// semantic checks. Each phase reports all of its errors; a phase runs only if
// the one before it passed, so no error is a consequence of an earlier one.
// A health command's `files:` are read beside the lab file, as written; for
// the copy of a deployed lab (in its runtime directory, where the original's
// neighbours are not), from each instance's directory, where deploy put them.
enum class FilesFrom { kBesideLabFile, kDeployedInstances };
std::expected<LabSpec, Diagnostics> load_lab(const SourceFile& file, FilesFrom from = FilesFrom::kBesideLabFile);

}  // namespace anylab
