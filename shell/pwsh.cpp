// PowerShell: single-quoted strings, where ' and the curly single quotes U+2018..U+201B all end the string
// and are escaped by doubling (docs/security.md 2). .NET strings are UTF-16, so a value that is not valid
// UTF-8 cannot be carried exactly and is refused. Variables are removed with Remove-Item -LiteralPath
// Env:NAME. PowerShell itself cannot run here: tests/pwsh/parse.mjs checks the syntax with the tree-sitter
// grammar, and the unit tables in tests/unit/test_shell.cpp and test_pwsh.cpp pin the curly-quote doubling
// the grammar does not know about; tests/shell/t_pwsh_scripts.sh parses what the binary prints. Known limit:
// PowerShell before 7.5 removes an environment variable assigned '' (7.5 keeps it empty).
#include "posix_quote.hpp"
#include "shell.hpp"

#include <string>

namespace credsh {
extern const std::string_view kHookPwsh;

namespace {
bool valid_utf8(std::string_view s) {
    size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        size_t n = c < 0x80                   ? 1
                   : (c >= 0xc2 && c <= 0xdf) ? 2
                   : (c >= 0xe0 && c <= 0xef) ? 3
                   : (c >= 0xf0 && c <= 0xf4) ? 4
                                              : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (size_t k = 1; k < n; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        if (n == 3) { // no overlongs, no surrogates
            auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 >= 0xa0)) return false;
        }
        if (n == 4) {
            auto c1 = static_cast<unsigned char>(s[i + 1]);
            if ((c == 0xf0 && c1 < 0x90) || (c == 0xf4 && c1 >= 0x90)) return false;
        }
        i += n;
    }
    return true;
}

std::string quote(std::string_view value) {
    std::string out;
    out.reserve(value.size() + 2);
    out.push_back('\'');
    for (size_t i = 0; i < value.size(); ++i) {
        char c = value[i];
        // U+2018..U+201B are E2 80 98..9B in UTF-8.
        if (c == '\xe2' && i + 2 < value.size() && value[i + 1] == '\x80' &&
            static_cast<unsigned char>(value[i + 2]) >= 0x98 &&
            static_cast<unsigned char>(value[i + 2]) <= 0x9b) {
            out.append(value.substr(i, 3));
            out.append(value.substr(i, 3));
            i += 2;
            continue;
        }
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
    return out;
}
std::string export_var(std::string_view name, std::string_view value) {
    return "${env:" + std::string(name) + "} = " + quote(value) + "\n";
}
std::string unset_var(std::string_view name) {
    return "Remove-Item -LiteralPath 'Env:" + std::string(name) + "' -ErrorAction SilentlyContinue\n";
}
std::string set_local(std::string_view name, std::string_view value) {
    return "$global:" + std::string(name) + " = " + quote(value) + "\n";
}
bool representable(std::string_view value) {
    return no_nul(value) && valid_utf8(value);
}
} // namespace

const Shell kPwsh{"pwsh", quote, export_var, unset_var, set_local, representable, kHookPwsh};

} // namespace credsh
