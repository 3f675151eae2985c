// Exact quoting tables for every shell (docs/security.md 1-3). The round-trip test in
// test_shell_roundtrip.cpp proves bash, zsh and fish by running them; these tables pin the exact text so a
// change in quoting is a deliberate, reviewed change -- and they are the only proof for PowerShell's curly
// quotes, which neither a real pwsh (not installable here) nor the tree-sitter grammar can check.
#include "shell.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace credsh;

namespace {

// U+2018..U+201B, which PowerShell treats like ' inside '...', and U+201C, which it does not.
const std::string kLsquo = "\xe2\x80\x98"; // ‘
const std::string kRsquo = "\xe2\x80\x99"; // ’
const std::string kSbquo = "\xe2\x80\x9a"; // ‚
const std::string kRevq = "\xe2\x80\x9b";  // ‛
const std::string kLdquo = "\xe2\x80\x9c"; // “

struct Row {
    const char* what;
    std::string in;
    std::string bash; // bash's '...' quoting
    std::string zsh;  // like bash, but a value with a newline as $'...' (see zsh.cpp)
    std::string fish;
    std::string pwsh;
};

// Every tricky character class, alone and in context.
std::vector<Row> quote_table() {
    return {
        {"empty string", "", "''", "''", "''", "''"},
        {"plain", "AKIAEXAMPLE", "'AKIAEXAMPLE'", "'AKIAEXAMPLE'", "'AKIAEXAMPLE'", "'AKIAEXAMPLE'"},
        {"single quote", "'", R"(''\''')", R"(''\''')", R"('\'')", "''''"},
        {"single quote inside", "a'b", R"('a'\''b')", R"('a'\''b')", R"('a\'b')", "'a''b'"},
        {"two single quotes", "''", R"(''\'''\''')", R"(''\'''\''')", R"('\'\'')", "''''''"},
        {"double quote", "\"", "'\"'", "'\"'", "'\"'", "'\"'"},
        {"backslash", "\\", R"('\')", R"('\')", R"('\\')", R"('\')"},
        {"backslash then quote", "\\'", R"('\'\''')", R"('\'\''')", R"('\\\'')", R"('\''')"},
        {"trailing backslash", "a\\", R"('a\')", R"('a\')", R"('a\\')", R"('a\')"},
        {"dollar", "$HOME", "'$HOME'", "'$HOME'", "'$HOME'", "'$HOME'"},
        {"dollar-brace", "${HOME}", "'${HOME}'", "'${HOME}'", "'${HOME}'", "'${HOME}'"},
        {"command substitution", "$(touch PWNED)", "'$(touch PWNED)'", "'$(touch PWNED)'", "'$(touch PWNED)'",
         "'$(touch PWNED)'"},
        {"fish command substitution", "(touch PWNED)", "'(touch PWNED)'", "'(touch PWNED)'",
         "'(touch PWNED)'", "'(touch PWNED)'"},
        {"backtick", "`touch PWNED`", "'`touch PWNED`'", "'`touch PWNED`'", "'`touch PWNED`'",
         "'`touch PWNED`'"},
        {"history bang", "!!", "'!!'", "'!!'", "'!!'", "'!!'"},
        {"glob star", "*", "'*'", "'*'", "'*'", "'*'"},
        {"glob question", "?", "'?'", "'?'", "'?'", "'?'"},
        {"glob bracket", "[a]", "'[a]'", "'[a]'", "'[a]'", "'[a]'"},
        {"tilde", "~root", "'~root'", "'~root'", "'~root'", "'~root'"},
        {"hash", "#x", "'#x'", "'#x'", "'#x'", "'#x'"},
        {"semicolon", "a;b", "'a;b'", "'a;b'", "'a;b'", "'a;b'"},
        {"ampersand", "a&b", "'a&b'", "'a&b'", "'a&b'", "'a&b'"},
        {"pipe", "a|b", "'a|b'", "'a|b'", "'a|b'", "'a|b'"},
        {"less than", "<x", "'<x'", "'<x'", "'<x'", "'<x'"},
        {"greater than", ">x", "'>x'", "'>x'", "'>x'", "'>x'"},
        {"braces", "{a,b}", "'{a,b}'", "'{a,b}'", "'{a,b}'", "'{a,b}'"},
        {"leading dash", "-e", "'-e'", "'-e'", "'-e'", "'-e'"},
        {"space", "a b", "'a b'", "'a b'", "'a b'", "'a b'"},
        {"CR", "a\rb", "'a\rb'", "'a\rb'", "'a\rb'", "'a\rb'"},
        {"LF", "a\nb", "'a\nb'", R"($'a\nb')", "'a\nb'", "'a\nb'"},
        {"trailing LF", "a\n", "'a\n'", R"($'a\n')", "'a\n'", "'a\n'"},
        {"only LFs", "\n\n", "'\n\n'", R"($'\n\n')", "'\n\n'", "'\n\n'"},
        {"CRLF", "a\r\n", "'a\r\n'", "$'a\r\\n'", "'a\r\n'", "'a\r\n'"},
        {"LF next to quote", "'\n'", "''\\''\n'\\'''", R"($'\'\n\'')", "'\\'\n\\''", "'''\n'''"},
        {"LF after backslash", "\\\n", "'\\\n'", R"($'\\\n')", "'\\\\\n'", "'\\\n'"},
        {"ESC", "\x1b[31m", "'\x1b[31m'", "'\x1b[31m'", "'\x1b[31m'", "'\x1b[31m'"},
        {"tab", "a\tb", "'a\tb'", "'a\tb'", "'a\tb'", "'a\tb'"},
        {"control bytes", "\x01\x7f", "'\x01\x7f'", "'\x01\x7f'", "'\x01\x7f'", "'\x01\x7f'"},
        {"invalid UTF-8", "\xff\xfe\xc3(", "'\xff\xfe\xc3('", "'\xff\xfe\xc3('", "'\xff\xfe\xc3('",
         "'\xff\xfe\xc3('"},
        {"non-ASCII", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91",
         "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91'", "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91'",
         "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91'", "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91'"},
        {"U+2018", kLsquo, "'" + kLsquo + "'", "'" + kLsquo + "'", "'" + kLsquo + "'",
         "'" + kLsquo + kLsquo + "'"},
        {"U+2019", kRsquo, "'" + kRsquo + "'", "'" + kRsquo + "'", "'" + kRsquo + "'",
         "'" + kRsquo + kRsquo + "'"},
        {"U+201A", kSbquo, "'" + kSbquo + "'", "'" + kSbquo + "'", "'" + kSbquo + "'",
         "'" + kSbquo + kSbquo + "'"},
        {"U+201B", kRevq, "'" + kRevq + "'", "'" + kRevq + "'", "'" + kRevq + "'", "'" + kRevq + kRevq + "'"},
        {"U+201C is not a single quote", kLdquo, "'" + kLdquo + "'", "'" + kLdquo + "'", "'" + kLdquo + "'",
         "'" + kLdquo + "'"},
        {"PowerShell curly-quote injection", "x" + kRsquo + "; New-Item PWNED; " + kRsquo,
         "'x" + kRsquo + "; New-Item PWNED; " + kRsquo + "'",
         "'x" + kRsquo + "; New-Item PWNED; " + kRsquo + "'",
         "'x" + kRsquo + "; New-Item PWNED; " + kRsquo + "'",
         "'x" + kRsquo + kRsquo + "; New-Item PWNED; " + kRsquo + kRsquo + "'"},
        {"curly quote next to '", "'" + kLsquo + "'", R"(''\''‘'\''')", R"(''\''‘'\''')", R"('\'‘\'')",
         "'''‘‘'''"},
        // E2 80 without its third byte, then E2 E2 80 98: the pwsh scan must not skip or pair wrongly.
        {"truncated curly quote", "\xe2\x80", "'\xe2\x80'", "'\xe2\x80'", "'\xe2\x80'", "'\xe2\x80'"},
        {"curly quote after stray lead byte", "\xe2" + kLsquo, "'\xe2" + kLsquo + "'", "'\xe2" + kLsquo + "'",
         "'\xe2" + kLsquo + "'", "'\xe2" + kLsquo + kLsquo + "'"},
    };
}

} // namespace

TEST_CASE("every shell quotes each tricky character class exactly as tabled", "[shell]") {
    for (const Row& row : quote_table()) {
        INFO("class: " << row.what);
        CHECK(kBash.quote(row.in) == row.bash);
        CHECK(kZsh.quote(row.in) == row.zsh);
        CHECK(kFish.quote(row.in) == row.fish);
        CHECK(kPwsh.quote(row.in) == row.pwsh);
    }
}

TEST_CASE("statements have the exact shape the hooks expect", "[shell]") {
    CHECK(kBash.export_var("AWS_PROFILE", "a'b") == "export AWS_PROFILE='a'\\''b'\n");
    CHECK(kBash.unset_var("AWS_PROFILE") == "unset -v AWS_PROFILE\n");
    CHECK(kBash.set_local("__credsh_state", "x y") == "__credsh_state='x y'\n");

    CHECK(kZsh.export_var("AWS_PROFILE", "a'b") == "export AWS_PROFILE='a'\\''b'\n");
    CHECK(kZsh.unset_var("AWS_PROFILE") == "unset -v AWS_PROFILE\n");
    CHECK(kZsh.set_local("__credsh_state", "x y") == "__credsh_state='x y'\n");
    CHECK(kZsh.set_local("__credsh_state", "x\ny") == "__credsh_state=$'x\\ny'\n");

    CHECK(kFish.export_var("AWS_PROFILE", "a'b") == "set -gx AWS_PROFILE 'a\\'b'\n");
    CHECK(kFish.unset_var("AWS_PROFILE") == "set -eg AWS_PROFILE\n");
    CHECK(kFish.set_local("__credsh_state", "x y") == "set -g __credsh_state 'x y'\n");

    CHECK(kPwsh.export_var("AWS_PROFILE", "a'b") == "${env:AWS_PROFILE} = 'a''b'\n");
    CHECK(kPwsh.unset_var("AWS_PROFILE") ==
          "Remove-Item -LiteralPath 'Env:AWS_PROFILE' -ErrorAction SilentlyContinue\n");
    CHECK(kPwsh.set_local("__credsh_state", "x y") == "$global:__credsh_state = 'x y'\n");

    // An empty value is set, not unset (docs/security.md 8: empty stays distinct from unset).
    CHECK(kBash.export_var("AWS_PROFILE", "") == "export AWS_PROFILE=''\n");
    CHECK(kZsh.export_var("AWS_PROFILE", "") == "export AWS_PROFILE=''\n");
    CHECK(kFish.export_var("AWS_PROFILE", "") == "set -gx AWS_PROFILE ''\n");
    CHECK(kPwsh.export_var("AWS_PROFILE", "") == "${env:AWS_PROFILE} = ''\n");
}

TEST_CASE("representable refuses NUL everywhere and invalid UTF-8 for PowerShell only", "[shell]") {
    const std::string nul("a\0b", 3);
    for (const Shell* s : all_shells()) {
        INFO(s->name);
        CHECK_FALSE(s->representable(nul));
        CHECK_FALSE(s->representable(std::string(1, '\0')));
        CHECK(s->representable(""));
        CHECK(s->representable("caf\xc3\xa9 \xf0\x9f\x94\x91 " + kRsquo));
        CHECK(s->representable("\x01\x1b\x7f\r\n"));
    }
    struct Utf8Row {
        const char* what;
        std::string in;
        bool valid;
    };
    const std::vector<Utf8Row> utf8 = {
        {"ASCII", "abc", true},
        {"2-byte", "\xc3\xa9", true},
        {"3-byte", "\xe2\x82\xac", true},
        {"4-byte", "\xf0\x9f\x94\x91", true},
        {"U+FFFF noncharacter", "\xef\xbf\xbf", true},
        {"U+10FFFF", "\xf4\x8f\xbf\xbf", true},
        {"lone continuation", "\x80", false},
        {"0xFF", "\xff", false},
        {"0xFE", "\xfe", false},
        {"overlong 2-byte", "\xc0\xaf", false},
        {"overlong 2-byte C1", "\xc1\xbf", false},
        {"overlong 3-byte", "\xe0\x80\xaf", false},
        {"overlong 4-byte", "\xf0\x80\x80\xaf", false},
        {"surrogate", "\xed\xa0\x80", false},
        {"above U+10FFFF", "\xf4\x90\x80\x80", false},
        {"F5 lead", "\xf5\x80\x80\x80", false},
        {"truncated at end", "a\xe2\x80", false},
        {"truncated before ASCII",
         "\xe2\x80"
         "a",
         false},
        {"5-byte form", "\xf8\x88\x80\x80\x80", false},
    };
    for (const auto& row : utf8) {
        INFO(row.what);
        CHECK(kPwsh.representable(row.in) == row.valid);
        CHECK(kBash.representable(row.in));
        CHECK(kZsh.representable(row.in));
        CHECK(kFish.representable(row.in));
    }
}

TEST_CASE("the shell registry is sorted and find_shell finds exactly the four shells", "[shell]") {
    auto shells = all_shells();
    REQUIRE(shells.size() == 4);
    CHECK(std::is_sorted(shells.begin(), shells.end(),
                         [](const Shell* a, const Shell* b) { return a->name < b->name; }));
    CHECK(std::adjacent_find(shells.begin(), shells.end(), [](const Shell* a, const Shell* b) {
              return a->name == b->name;
          }) == shells.end());
    CHECK(shells[0]->name == "bash");
    CHECK(shells[1]->name == "fish");
    CHECK(shells[2]->name == "pwsh");
    CHECK(shells[3]->name == "zsh");
    CHECK(find_shell("bash") == &kBash);
    CHECK(find_shell("zsh") == &kZsh);
    CHECK(find_shell("fish") == &kFish);
    CHECK(find_shell("pwsh") == &kPwsh);
    CHECK(find_shell("sh") == nullptr);
    CHECK(find_shell("") == nullptr);
    CHECK(find_shell("Bash") == nullptr);
    CHECK(find_shell("bash ") == nullptr);
    CHECK(find_shell("powershell") == nullptr);
    for (const Shell* s : shells) {
        INFO(s->name);
        CHECK(s->quote != nullptr);
        CHECK(s->export_var != nullptr);
        CHECK(s->unset_var != nullptr);
        CHECK(s->set_local != nullptr);
        CHECK(s->representable != nullptr);
        CHECK(s->hook_template.find("@CREDSH@") != std::string_view::npos);
    }
}

TEST_CASE("valid_var_name allows only the credsh, AWS and ASK names", "[shell]") {
    for (const char* ok : {"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "ASK_DEFAULT_PROFILE",
                           "CREDSH_PROFILE", "__credsh_state", "__credsh_session", "AWS_VAULT"}) {
        INFO(ok);
        CHECK(valid_var_name(ok));
    }
    for (const char* bad : {"PATH",
                            "LD_PRELOAD",
                            "LD_LIBRARY_PATH",
                            "HOME",
                            "PS1",
                            "PROMPT_COMMAND",
                            "BASH_ENV",
                            "ENV",
                            "IFS",
                            "SHELL",
                            "",
                            "AWS_PROFILE=x",
                            "AWS PROFILE",
                            "AWS_PROFILE ",
                            " AWS_PROFILE",
                            "AWS-PROFILE",
                            "1AWS",
                            "AWS_PROFILE\n",
                            "AWS_$(id)",
                            "aws_profile",
                            "AWS",
                            "__credsh",
                            "_credsh_state",
                            "CREDSH",
                            "AWS_\xc3\xa9",
                            "AWS_\xe9"}) {
        INFO(bad);
        CHECK_FALSE(valid_var_name(bad));
    }
    CHECK_FALSE(valid_var_name(std::string("AWS_A\0B", 7)));
    CHECK_FALSE(valid_var_name("AWS_" + std::string(200, 'A')));
}
