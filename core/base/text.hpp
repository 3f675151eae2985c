// Small string, time and digest helpers shared by every module. Digests come from OpenSSL (EVP), never
// hand-written; times are UTC epoch seconds throughout credsh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

std::string_view trim(std::string_view s); // spaces, tabs, CR, LF at both ends
std::string to_lower(std::string_view s);  // ASCII only
bool iequals(std::string_view a, std::string_view b);
std::vector<std::string_view> split(std::string_view s, char sep);

// Bytes as lowercase hex, two digits each (digests, random tokens).
std::string hex_encode(std::string_view bytes);

// Lowercase hex digests of arbitrary bytes.
std::string sha256_hex(std::string_view data);
std::string sha1_hex(std::string_view data);

// ISO 8601 / RFC 3339 in UTC as the AWS tools write it: "2026-01-02T03:04:05Z", with optional fractional
// seconds, a numeric offset ("+00:00"), or the old CLI's "UTC" suffix. Returns epoch seconds.
std::optional<std::int64_t> parse_iso8601(std::string_view s);
std::string format_iso8601(std::int64_t epoch); // "%Y-%m-%dT%H:%M:%SZ"

// "****WXYZ": the last four characters of an access key id, the only part of a credential credsh prints.
std::string redact(std::string_view secret);

// Escape a path or other untrusted text for a one-line message shown on a terminal: C0 controls, ESC,
// DEL, backslash and bytes that are not well-formed UTF-8 become \xHH; the C1 controls U+0080-U+009F and
// the bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) become \uXXXX. So a file name
// or a server's text cannot forge or hide output, retitle the terminal or reorder a line
// (docs/security.md 16, 34).
std::string printable(std::string_view s);

// The last line of defence for everything credsh writes to stderr (Context::err and warn): the same escapes
// as printable() except that newlines, tabs and backslashes are kept, so text printable() already escaped
// passes unchanged and a raw control character that reached a message anyway (a server's text, a name from
// a file) is still shown inert (docs/security.md 34).
std::string terminal_safe(std::string_view s);

// Human duration: "54m", "2h05m", "3d", "expired".
std::string human_duration(std::int64_t seconds);

// The C library's text for an errno value ("No such file or directory"), thread-safe; the one way credsh
// and its plugins turn errno into words.
std::string errno_text(int err);

} // namespace credsh
