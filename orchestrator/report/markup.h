#pragma once

#include <string>
#include <string_view>

namespace anylab {

// Text for XML (JUnit) and HTML, in content and in quoted attributes: & < >
// " ' escaped, control characters other than tab and newlines left out
// (XML 1.0 allows none of them).
std::string markup_escape(std::string_view s);

}  // namespace anylab
