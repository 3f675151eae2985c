// bash: values in single quotes (see posix_quote.hpp). `export` and `unset` are builtins and act on the
// global variable from inside the hook function; `unset -v` because a plain `unset NAME` removes a function
// of that name when no such variable exists. The hook script is shell/hook.bash.
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookBash;

namespace {
std::string export_var(std::string_view name, std::string_view value) {
    return "export " + std::string(name) + "=" + posix_single_quote(value) + "\n";
}
std::string unset_var(std::string_view name) {
    return "unset -v " + std::string(name) + "\n";
}
std::string set_local(std::string_view name, std::string_view value) {
    return std::string(name) + "=" + posix_single_quote(value) + "\n";
}
} // namespace

const Shell kBash{"bash", posix_single_quote, export_var, unset_var, set_local, no_nul, kHookBash};

} // namespace credsh
