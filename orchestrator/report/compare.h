// `anylab compare A.json B.json`: two runs of one lab side by side (two FRR
// releases, two runtimes, before and after a change), read from their JSON
// reports (anylab-report/1): per expectation whether it held and what it
// measured, per event what it cost the control plane, each figure of B
// judged against A's with a threshold, for a CI gate.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace anylab {

struct CompareOptions {
  double slower_by = 0.20;  // --slower-by 20%: B's figure is worse when above A's by this share ...
  double tolerance = 2;     // --tolerance 2i: ... and by more than this many probe intervals (counts: by more than 2)
};

// One figure of one step, in A and in B.
struct FigureDelta {
  std::string figure;           // "held", "convergence", "longest outage", "UPDATEs sent", "best-path changes", "settled"
  std::optional<double> a, b;   // seconds, or a count; held: 1 or 0
  bool seconds = true;          // a time (else a count)
  // "same", "slower", "faster", "more", "fewer", "broke" (held in A, not in
  // B), "mended", "only in A", "only in B"
  std::string verdict;
  bool regression = false;  // slower, more, broke, only in A
};

// A step of a scenario (an expectation, or an event and its cost), matched
// in A and B by its scenario, its text and its place among equal texts.
struct StepDelta {
  std::string scenario, text;
  bool event = false;
  std::vector<FigureDelta> figures;
};

struct Comparison {
  std::string lab_a, lab_b, label_a, label_b;  // label: "file (runtime, started)"
  double tolerance_seconds = 0;                // what --tolerance came to
  std::vector<StepDelta> steps;
  int regressions() const;
  int count(const std::string& verdict) const;
};

// A and B, each a parsed JSON report and how to name it; an error when one
// is not an anylab report, or they have no scenario in common.
std::expected<Comparison, std::string> compare_reports(const nlohmann::json& a, const std::string& name_a,
                                                       const nlohmann::json& b, const std::string& name_b,
                                                       const CompareOptions& options);

// For people (the console), as JSON (for pipelines) and as HTML (one page,
// A and B side by side).
std::string comparison_text(const Comparison& c, const CompareOptions& options);
std::string comparison_json(const Comparison& c, const CompareOptions& options);
std::string comparison_html(const Comparison& c, const CompareOptions& options);

}  // namespace anylab
