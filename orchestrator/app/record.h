// `anylab test LAB --record` (and `run LAB.yaml --record`): what the lab
// does when nothing is broken, measured and written into the lab file as a
// scenario of expectations for a person to review and keep: each client's
// instance per service and family, and each router's best path to each
// service prefix (its neighbour and AS path). Run again, the recorded
// scenario fails on any change: an approval test for a network change.
#pragma once

#include <expected>
#include <string>

#include "core/error.h"
#include "model/lab.h"

namespace anylab {

inline constexpr const char* kRecordedScenario = "recorded";

// The recorded scenario's YAML, items indented by `indent` (the lab's
// scenarios' own), measured on the deployed lab now.
std::expected<std::string, Error> record_steady_state(const Lab& lab, const std::string& indent,
                                                       const std::string& when);

// The lab file's text with `scenario` in place of its recorded scenario (or
// added as the last of its scenarios; `scenarios:` added when it has none).
// The rest of the file, comments and all, is left as it was.
std::string with_recorded(const std::string& lab_text, const std::string& scenario_yaml);

// The indentation of the lab file's scenario items ("  " when none).
std::string scenario_indent(const std::string& lab_text);

// Records into the lab file `file`: what was written, said in a line.
std::expected<std::string, Error> record_into(const Lab& lab, const std::string& file, const std::string& when);

}  // namespace anylab
