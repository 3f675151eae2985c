// The shell table and the variable-name allow-list: credsh only ever emits names it owns or the AWS/ASK ones
// (docs/security.md 3), so a bug or a hostile config cannot make it set PATH or LD_PRELOAD in the user's
// shell.
#include "shell.hpp"

#include <array>

namespace credsh {

namespace {
// Sorted by name; tests/unit/test_shell.cpp checks the order.
const std::array<const Shell*, 4> kShells = {&kBash, &kFish, &kPwsh, &kZsh};
// Not <cctype>: its answers depend on the locale, and in a Latin-1 one isalpha(0xE9) is true.
bool ascii_alpha(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool ascii_alnum(char c) {
    return ascii_alpha(c) || (c >= '0' && c <= '9');
}
} // namespace

std::span<const Shell* const> all_shells() {
    return kShells;
}

const Shell* find_shell(std::string_view name) {
    for (const Shell* s : kShells)
        if (s->name == name) return s;
    return nullptr;
}

bool valid_var_name(std::string_view name) {
    // Portable identifier first: the emitters paste the name unquoted, so nothing but [A-Za-z0-9_] may pass.
    if (name.empty() || name.size() > 128) return false;
    if (!ascii_alpha(name[0])) return false;
    for (char c : name)
        if (!ascii_alnum(c)) return false;
    // Then the allow-list: the AWS and ASK variables, credsh's own, and those of the tools credsh clears when
    // it takes over (awsume, granted).
    for (std::string_view prefix : {"AWS_", "ASK_", "CREDSH_", "__credsh_", "AWSUME_", "GRANTED_"})
        if (name.substr(0, prefix.size()) == prefix) return true;
    return false;
}

} // namespace credsh
