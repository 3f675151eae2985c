// credsh completion SHELL: prints the completion script shipped in completions/ (embedded at build time).
#include "base/text.hpp"
#include "cli/cli.hpp"

namespace credsh {

extern const std::string_view kCompletionBash, kCompletionZsh, kCompletionFish, kCompletionPwsh;

int cmd_completion(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string shell;
    desc.add_options()("shell", po::value(&shell)->required(), "bash, zsh, fish or pwsh");
    po::positional_options_description pos;
    pos.add("shell", 1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "completion SHELL",
        "Prints the tab-completion script for SHELL (the hook includes it; make install also puts it "
        "where the shell looks).\n"
        "  bash: source <(credsh completion bash)   fish: credsh completion fish | source",
        rc);
    if (!vm) return rc;
    std::string_view text = shell == "bash"   ? kCompletionBash
                            : shell == "zsh"  ? kCompletionZsh
                            : shell == "fish" ? kCompletionFish
                            : shell == "pwsh" ? kCompletionPwsh
                                              : std::string_view();
    if (text.empty()) {
        ctx.warn("completion: unknown shell '" + printable(shell) + "' (bash, zsh, fish or pwsh)");
        return 2;
    }
    ctx.out(text);
    return 0;
}

} // namespace credsh
