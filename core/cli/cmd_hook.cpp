// credsh hook SHELL: prints the hook script for the shell, with this binary's absolute path baked in so the
// hook never depends on $PATH at prompt time, and the shell's completion script in it, so that the hook line
// alone gives Tab completion wherever credsh is installed (no $fpath, $XDG_DATA_DIRS or bash-completion).
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "shell.hpp"

namespace credsh {

extern const std::string_view kCompletionBash, kCompletionZsh, kCompletionFish, kCompletionPwsh;

int cmd_hook(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string shell_name;
    desc.add_options()("shell", po::value(&shell_name)->required(), "bash, zsh, fish or pwsh");
    po::positional_options_description pos;
    pos.add("shell", 1);
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, pos, "hook SHELL",
                         "Prints the hook for SHELL. Install it in your rc file:\n"
                         "  bash  (~/.bashrc):  eval \"$(credsh hook bash)\"\n"
                         "  zsh   (~/.zshrc):   eval \"$(credsh hook zsh)\"\n"
                         "  fish  (config.fish): credsh hook fish | source\n"
                         "  pwsh  ($PROFILE):   Invoke-Expression (& credsh hook pwsh | Out-String)\n"
                         "Installing it twice is harmless. The hook brings Tab completion along.",
                         rc);
    if (!vm) return rc;
    const Shell* shell = require_shell(ctx, shell_name);
    if (!shell) return 2;
    std::string text(shell->hook_template);
    // The completion script goes where the hook marks it (bash: inside its install function, so that `set -a`
    // exports none of its functions), before the path goes in, so that a path cannot hold that marker.
    // PowerShell has no directory it loads completion scripts from, and its module's -ProfileName completers
    // use the helpers defined there: its hook ends with the script.
    const std::string completion_marker = "@COMPLETION@\n";
    std::string_view completion = shell == &kBash   ? kCompletionBash
                                  : shell == &kZsh  ? kCompletionZsh
                                  : shell == &kFish ? kCompletionFish
                                                    : std::string_view();
    if (auto p = text.find(completion_marker); p != std::string::npos)
        text.replace(p, completion_marker.size(), completion);
    const std::string marker = "@CREDSH@";
    std::string quoted = shell->quote(ctx.self);
    for (auto p = text.find(marker); p != std::string::npos; p = text.find(marker, p + quoted.size()))
        text.replace(p, marker.size(), quoted);
    if (shell == &kPwsh) text += kCompletionPwsh;
    ctx.out(text);
    return 0;
}

} // namespace credsh
