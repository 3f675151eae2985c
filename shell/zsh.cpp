// zsh: like bash, single quotes keep every byte but ' literal (in every locale; zsh's internal "Meta"
// encoding of bytes >= 0x83 is undone on output). One difference: a user's `setopt CSH_JUNKIE_QUOTES` (also set
// by `emulate csh`) makes a raw newline inside '...' a syntax error, so newlines go outside the quotes as
// $'\n', which no option changes. A plain '...' run is never empty and is never followed by another ', so
// RC_QUOTES (where '' inside quotes means ') has nothing to misread; zsh does not apply it to $'...'. `export` is `typeset -gx`, global from inside the hook function;
// `unset -v` names parameters only. The hook script is shell/hook.zsh.
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookZsh;

namespace {
// 'run' for ordinary bytes, \' for a quote, $'\n...' for newlines: "a'b\n" gives 'a'\''b'$'\n'.
std::string quote(std::string_view value) {
    if (value.empty()) return "''";
    std::string out;
    out.reserve(value.size() + 2);
    size_t i = 0;
    while (i < value.size()) {
        if (value[i] == '\'') {
            out += "\\'";
            ++i;
        } else if (value[i] == '\n') {
            out += "$'";
            for (; i < value.size() && value[i] == '\n'; ++i)
                out += "\\n";
            out.push_back('\'');
        } else {
            out.push_back('\'');
            for (; i < value.size() && value[i] != '\'' && value[i] != '\n'; ++i)
                out.push_back(value[i]);
            out.push_back('\'');
        }
    }
    return out;
}
std::string export_var(std::string_view name, std::string_view value) {
    return "export " + std::string(name) + "=" + quote(value) + "\n";
}
std::string unset_var(std::string_view name) { return "unset -v " + std::string(name) + "\n"; }
std::string set_local(std::string_view name, std::string_view value) {
    return std::string(name) + "=" + quote(value) + "\n";
}
} // namespace

const Shell kZsh{"zsh", quote, export_var, unset_var, set_local, no_nul, kHookZsh};

} // namespace credsh
