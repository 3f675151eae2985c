// One emitter per shell (direnv's shell_<name>.go idea): quoting lives with its shell, and the registry in
// registry.cpp is a sorted const table, checked by a test. Emitters are pure functions of their arguments.
//
// Contract for every emitter: for any name accepted by valid_var_name() and any value without NUL, the
// code produced, when evaluated by that shell (bash/zsh: eval; fish: source; pwsh: Invoke-Expression), sets
// the variable to exactly those bytes -- quotes, $(...), backticks, newlines, invalid UTF-8 and PowerShell's
// curly quotes included (docs/security.md 1-3). Values a shell cannot hold exactly are refused by
// `representable`.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace credsh {

struct Shell {
    std::string_view name;
    // A literal that evaluates to exactly `value`.
    std::string (*quote)(std::string_view value);
    // Statements, each ending in a newline.
    std::string (*export_var)(std::string_view name, std::string_view value); // exported to children
    std::string (*unset_var)(std::string_view name);                          // exported or not
    std::string (*set_local)(std::string_view name, std::string_view value);  // shell-only variable
    // False if this shell cannot carry the value exactly (pwsh: invalid UTF-8). NUL is refused everywhere.
    bool (*representable)(std::string_view value);
    // The hook script (shell/hook.<name>), embedded at build time; "@CREDSH@" marks where the absolute
    // path of the credsh binary goes, already quoted for the shell.
    std::string_view hook_template;
};

// Sorted by name: bash, fish, pwsh, zsh.
std::span<const Shell* const> all_shells();
const Shell* find_shell(std::string_view name);

// Names credsh will ever emit: [A-Za-z_][A-Za-z0-9_]*, and additionally on the allow-list (AWS_*, ASK_*,
// CREDSH_*, the hook's own __credsh_* variables). Anything else -- PATH, LD_PRELOAD -- is refused.
bool valid_var_name(std::string_view name);

// Per-shell emitters, defined in bash.cpp, zsh.cpp, fish.cpp, pwsh.cpp.
extern const Shell kBash;
extern const Shell kZsh;
extern const Shell kFish;
extern const Shell kPwsh;

} // namespace credsh
