// Single-quote quoting for bash (and the base of zsh's): inside '...' every byte but ' is literal -- no
// history expansion, no escapes, in every locale, since the parser looks for the byte 0x27 only. So a '
// becomes '\'' and nothing else needs care. NUL cannot be carried by either shell (C strings) and is refused
// by representable(); tests/unit/test_shell_roundtrip.cpp evaluates the output in the real shells.
#pragma once

#include <string>
#include <string_view>

namespace credsh {
std::string posix_single_quote(std::string_view value);
// The `representable` of every shell that can hold any byte string without NUL.
bool no_nul(std::string_view value);
} // namespace credsh
