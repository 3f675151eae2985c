// See posix_quote.hpp for why single quotes alone are enough in bash.
#include "posix_quote.hpp"

namespace credsh {

std::string posix_single_quote(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('\'');
    for (char c : value) {
        if (c == '\'')
            out += "'\\''"; // close, a backslash-escaped quote, reopen
        else
            out.push_back(c);
    }
    out.push_back('\'');
    return out;
}

bool no_nul(std::string_view value) {
    return value.find('\0') == std::string_view::npos;
}

} // namespace credsh
