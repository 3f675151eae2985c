// See posix_quote.hpp for why single quotes alone are enough in bash.
#include "posix_quote.hpp"

namespace credsh {

std::string posix_single_quote(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('\'');
    // The text between quotes in one piece: the state and the prompt's text are kilobytes at every export.
    for (std::size_t at = 0;;) {
        std::size_t q = value.find('\'', at);
        out.append(value.substr(at, q == std::string_view::npos ? std::string_view::npos : q - at));
        if (q == std::string_view::npos) break;
        out += "'\\''"; // close, a backslash-escaped quote, reopen
        at = q + 1;
    }
    out.push_back('\'');
    return out;
}

bool no_nul(std::string_view value) {
    return value.find('\0') == std::string_view::npos;
}

} // namespace credsh
