// fish: inside '...' only \\ and \' are escapes, so those two are escaped and every other byte is literal.
// fish decodes its input into wide characters, but bytes that do not decode (invalid UTF-8, or whatever the
// locale's decoder refuses) and characters in its own private-use range are kept as "encoded direct" code
// points and written back as the same bytes, so raw bytes inside quotes round-trip in every locale with no
// \xHH escapes: tests/unit/test_shell_roundtrip.cpp proves it with every single byte and random strings under
// C and C.UTF-8. `set -gx` exports a global; `set -eg` erases the global (the hook runs in a function, whose
// locals would otherwise shadow). The hook script is shell/hook.fish.
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookFish;

namespace {
std::string quote(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('\'');
    for (char c : value) {
        if (c == '\\' || c == '\'') out.push_back('\\');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}
std::string export_var(std::string_view name, std::string_view value) {
    return "set -gx " + std::string(name) + " " + quote(value) + "\n";
}
std::string unset_var(std::string_view name) {
    return "set -eg " + std::string(name) + "\n";
}
std::string set_local(std::string_view name, std::string_view value) {
    return "set -g " + std::string(name) + " " + quote(value) + "\n";
}
} // namespace

const Shell kFish{"fish", quote, export_var, unset_var, set_local, no_nul, kHookFish};

} // namespace credsh
