// Reading a secret (an MFA code) from the person at the terminal: /dev/tty, never stdin (which may be a pipe
// from the hook) and never argv. Echo is off while reading and restored on every path, including Ctrl-C.
#pragma once

#include "base/result.hpp"

#include <string>

namespace credsh {

// Writes `prompt` to /dev/tty and reads one line with echo off. ErrorKind::not_found when there is no
// controlling terminal; an error "cancelled" on Ctrl-C / Ctrl-D.
Result<std::string> read_secret_from_tty(const std::string& prompt);

// Writes `text` to /dev/tty and reads one line as typed (echo on, the terminal's own line editing).
// ErrorKind::not_found when there is no controlling terminal; an error "cancelled" at end of input.
Result<std::string> read_line_from_tty(const std::string& text);

} // namespace credsh
