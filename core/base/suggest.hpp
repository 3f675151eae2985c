// "Did you mean": the names a mistyped command or profile name was probably meant as.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace credsh {

// The candidates closest to `word` by edit distance (insertions, deletions, substitutions and swaps of two
// neighbours, ASCII case ignored), at most 3, sorted, only when close enough to be a typo (distance <= 1 for
// words of up to 4 characters, else <= a third of the word, at most 3). Empty when nothing is that close.
// Exact matches are not suggestions.
std::vector<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'a' or 'b'?)" for did_you_mean's answer, escaped for a terminal; "" for none.
std::string did_you_mean_text(const std::vector<std::string>& suggestions);

} // namespace credsh
