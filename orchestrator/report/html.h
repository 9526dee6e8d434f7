#pragma once

#include <string>

#include "report/report.h"

namespace anylab {

// The report as one self-contained HTML page (inline CSS and SVG, no
// script, nothing fetched), made from the same TestReport as the JSON: a
// summary with every failure first, then per scenario a timeline per client
// (a band coloured by the instance that answered, gaps where nothing did),
// every event marked, every expectation drawn as its window with its
// verdict and measured times, and the catchment map before and after each
// event.
std::string html_report(const TestReport& report);

}  // namespace anylab
