// zsh: values in single quotes (see posix_quote.hpp); `export` and `unset` are builtins in both shells
// and work from inside the hook function. The hook script is shell/hook.zsh.
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookZsh;

namespace {
std::string export_var(std::string_view name, std::string_view value) {
    return "export " + std::string(name) + "=" + posix_single_quote(value) + "\n";
}
std::string unset_var(std::string_view name) { return "unset " + std::string(name) + "\n"; }
std::string set_local(std::string_view name, std::string_view value) {
    return std::string(name) + "=" + posix_single_quote(value) + "\n";
}
} // namespace

const Shell kZsh{"zsh", posix_single_quote, export_var, unset_var, set_local, no_nul, kHookZsh};

} // namespace credsh
