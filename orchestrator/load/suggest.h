#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace anylab {

// The candidate closest to `word` by edit distance, if it is close enough to
// be what the user meant (a typo, not a different word).
std::optional<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates);

// `did you mean "x"?` or `expected one of: a, b, c`: the tail of an error
// message about an unknown word.
std::string suggestion_tail(std::string_view word, const std::vector<std::string>& candidates,
                            std::string_view what = "one of");

}  // namespace anylab
