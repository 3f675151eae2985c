// zsh: like bash, single quotes keep every byte but ' literal, in every locale (zsh's internal "Meta"
// encoding of bytes >= 0x83 is undone on output). One difference: a user's `setopt CSH_JUNKIE_QUOTES` (also
// set by `emulate csh`) makes a raw newline inside '...' a syntax error, so a value with a newline is written
// as $'...' instead, where credsh writes only the escapes \\, \' and \n and every other byte stays literal.
// (Putting just the newlines outside the quotes, '...'$'\n''...', also works, but zsh evaluates many adjacent
// quoted pieces slowly.) RC_QUOTES, where '' inside quotes means ', never applies: a ' in a value is always
// written \', outside '...' or inside $'...'. `export` is `typeset -gx`, global from inside the hook
// function; `unset -v` names parameters only. The hook script is shell/hook.zsh.
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookZsh;

namespace {
std::string quote(std::string_view value) {
    if (value.find('\n') == std::string_view::npos) return posix_single_quote(value);
    std::string out = "$'";
    out.reserve(value.size() + 8);
    for (char c : value) {
        if (c == '\\' || c == '\'')
            out.push_back('\\'), out.push_back(c);
        else if (c == '\n')
            out += "\\n";
        else
            out.push_back(c);
    }
    out.push_back('\'');
    return out;
}
std::string export_var(std::string_view name, std::string_view value) {
    return "export " + std::string(name) + "=" + quote(value) + "\n";
}
std::string unset_var(std::string_view name) {
    return "unset -v " + std::string(name) + "\n";
}
std::string set_local(std::string_view name, std::string_view value) {
    return std::string(name) + "=" + quote(value) + "\n";
}
} // namespace

const Shell kZsh{"zsh", quote, export_var, unset_var, set_local, no_nul, kHookZsh};

} // namespace credsh
