// The prompt segment. Format tokens: %p profile, %r region, %t time left, %s scope marker (* session, ✋ set
// by hand, ~ ambient, ! command), %b blocked marker, %e error mark (`!` while the active profile's
// credentials failed, `!login` while it needs a `credsh login`), %a ASK profile, %v its vendor id, %% a
// percent sign. A group in parentheses is shown only if some token inside it is non-empty (starship's rule);
// \( \) \\ are literal. The result is display text, safe on a terminal and inside a prompt (docs/security.md
// 34): control characters, C1 and bidi controls and backslashes are escaped as printable() does, and in token
// values also
// `$` and '`' (\x24, \x60); zsh's hook doubles '%' on top.
// The hook keeps a pre-rendered CREDSH_PROMPT current without spawning anything: `credsh export` renders
// every token but %t, which it leaves as kTimePlaceholder for the shell to fill in from $EPOCHSECONDS.
#pragma once

#include <string>
#include <string_view>

namespace credsh {

inline constexpr std::string_view kTimePlaceholder = "@@T@@";

struct PromptValues {
    std::string profile, region, time_left, scope_marker, blocked, ask_profile;
    std::string ask_vendor_id =
        {};                 // last, with an initializer: existing aggregate initializers stay complete
    std::string error = {}; // %e: "" or kErrorMark / kLoginMark
};

inline constexpr std::string_view kErrorMark = "!";
inline constexpr std::string_view kLoginMark = "!login";

std::string format_prompt(std::string_view format, const PromptValues& v);

} // namespace credsh
