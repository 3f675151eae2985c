// Single-quote quoting shared by bash and zsh: inside '...' every byte but ' is literal in both shells
// (no history expansion, no escapes), so ' becomes '\'' and nothing else needs care. NUL cannot be
// carried by either shell and is refused by representable().
#pragma once

#include <string>
#include <string_view>

namespace credsh {
std::string posix_single_quote(std::string_view value);
bool no_nul(std::string_view value);
} // namespace credsh
