#include "base/suggest.hpp"

#include "base/text.hpp"

#include <algorithm>

namespace credsh {

namespace {

// Optimal string alignment distance (Damerau-Levenshtein without repeated edits of one substring), ASCII case
// ignored; stops early once every entry of a row exceeds `limit` (the answer is then "too far").
std::size_t typo_distance(std::string_view a, std::string_view b, std::size_t limit) {
    const std::size_t n = a.size(), m = b.size();
    if ((n > m ? n - m : m - n) > limit) return limit + 1;
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j)
        prev[j] = j;
    for (std::size_t i = 1; i <= n; ++i) {
        cur[0] = i;
        std::size_t row_min = cur[0];
        for (std::size_t j = 1; j <= m; ++j) {
            std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) && lower(a[i - 2]) == lower(b[j - 1]))
                cur[j] = std::min(cur[j], prev2[j - 2] + 1);
            row_min = std::min(row_min, cur[j]);
        }
        if (row_min > limit) return limit + 1;
        prev2.swap(prev);
        prev.swap(cur);
    }
    return prev[m];
}

} // namespace

std::vector<std::string> did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    // A typo, not a different word: short words allow one edit, longer ones about one in three, never more
    // than three. Names longer than 256 bytes are not compared (they are not typed by hand).
    if (word.empty() || word.size() > 256) return {};
    const std::size_t limit = word.size() <= 4 ? 1 : std::min<std::size_t>(3, word.size() / 3);
    std::size_t best = limit + 1;
    std::vector<std::string> out;
    for (const std::string& c : candidates) {
        if (c == word || c.size() > 256) continue;
        std::size_t d = typo_distance(word, c, std::min(limit, best));
        if (d > limit || d > best) continue;
        if (d < best) {
            best = d;
            out.clear();
        }
        if (out.size() < 3 && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string did_you_mean_text(const std::vector<std::string>& suggestions) {
    if (suggestions.empty()) return "";
    std::string s = " (did you mean ";
    for (std::size_t i = 0; i < suggestions.size(); ++i) {
        if (i) s += i + 1 == suggestions.size() ? " or " : ", ";
        s += "'" + printable(suggestions[i]) + "'";
    }
    return s + "?)";
}

} // namespace credsh
