// Every shell's quoting round-trips: the literal each emitter writes is decoded here by that shell's own
// rules and must give back exactly the input bytes (docs/security.md 1-2, 19). The real shells check the same
// property in tests/unit/test_shell_roundtrip.cpp; this runs it over millions of inputs.
#include "shell.hpp"

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>

namespace {

// bash and zsh: '...' literal; \X outside quotes; zsh also $'...' with \\ \' \n.
std::optional<std::string> decode_posix(std::string_view s) {
    std::string out;
    size_t i = 0;
    while (i < s.size()) {
        if (s[i] == '\'') {
            size_t end = s.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            out.append(s.substr(i + 1, end - i - 1));
            i = end + 1;
        } else if (s[i] == '\\' && i + 1 < s.size()) {
            out.push_back(s[i + 1]);
            i += 2;
        } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '\'') {
            i += 2;
            for (;;) {
                if (i >= s.size()) return std::nullopt;
                if (s[i] == '\'') break;
                if (s[i] == '\\') {
                    if (i + 1 >= s.size()) return std::nullopt;
                    char e = s[i + 1];
                    if (e == 'n')
                        out.push_back('\n');
                    else if (e == '\\' || e == '\'')
                        out.push_back(e);
                    else
                        return std::nullopt; // credsh never writes any other escape
                    i += 2;
                } else {
                    out.push_back(s[i++]);
                }
            }
            ++i;
        } else {
            return std::nullopt; // anything unquoted would be subject to expansion
        }
    }
    return out;
}

// fish: inside '...', \\ and \' are escapes; any other backslash is literal.
std::optional<std::string> decode_fish(std::string_view s) {
    if (s.size() < 2 || s.front() != '\'' || s.back() != '\'') return std::nullopt;
    std::string out;
    for (size_t i = 1; i + 1 < s.size(); ++i) {
        if (s[i] == '\\' && i + 2 < s.size() && (s[i + 1] == '\\' || s[i + 1] == '\'')) {
            out.push_back(s[++i]);
        } else if (s[i] == '\'') {
            return std::nullopt;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

// pwsh: '...' where ' and U+2018..U+201B each end the string unless doubled.
size_t pwsh_quote_len(std::string_view s, size_t i) {
    if (s[i] == '\'') return 1;
    if (s[i] == '\xe2' && i + 2 < s.size() && s[i + 1] == '\x80' &&
        static_cast<unsigned char>(s[i + 2]) >= 0x98 && static_cast<unsigned char>(s[i + 2]) <= 0x9b)
        return 3;
    return 0;
}
std::optional<std::string> decode_pwsh(std::string_view s) {
    if (s.size() < 2 || s.front() != '\'' || s.back() != '\'') return std::nullopt;
    std::string_view body = s.substr(1, s.size() - 2);
    std::string out;
    for (size_t i = 0; i < body.size();) {
        size_t q = pwsh_quote_len(body, i);
        if (q == 0) {
            out.push_back(body[i++]);
            continue;
        }
        if (body.substr(i + q, q) != body.substr(i, q))
            return std::nullopt; // an undoubled quote ends the string
        out.append(body.substr(i, q));
        i += 2 * q;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string value(reinterpret_cast<const char*>(data), size);
    for (const credsh::Shell* sh : credsh::all_shells()) {
        if (!sh->representable(value)) {
            if (value.find('\0') == std::string::npos && sh->name != "pwsh") std::abort();
            continue;
        }
        std::string lit = sh->quote(value);
        std::optional<std::string> back = sh->name == "fish"   ? decode_fish(lit)
                                          : sh->name == "pwsh" ? decode_pwsh(lit)
                                                               : decode_posix(lit);
        if (!back || *back != value) std::abort();
    }
    return 0;
}
