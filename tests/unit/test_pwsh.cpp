// The PowerShell emitter, statement by statement, for each character class that is special to PowerShell
// (docs/security.md 1-3). PowerShell cannot run here, so these tables are the proof of what `credsh export
// pwsh` prints; tests/shell/t_pwsh_scripts.sh then has the tree-sitter grammar parse and decode the same
// output from the real binary. In a single-quoted PowerShell string only ' and the curly single quotes
// U+2018..U+201B are special (each ends the string; doubled, it is one literal character): '$', backtick,
// newlines, double quotes and every other character stand for themselves.
#include "shell.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace credsh;

namespace {

struct Row {
    const char* what;
    std::string value;
    std::string literal; // what kPwsh.quote must produce
};

const std::string kQ18 = "\xe2\x80\x98", kQ19 = "\xe2\x80\x99", kQ1A = "\xe2\x80\x9a", kQ1B = "\xe2\x80\x9b";

std::vector<Row> pwsh_table() {
    return {
        {"empty", "", "''"},
        {"single quote", "'", "''''"},
        {"single quotes around text", "'a'", "'''a'''"},
        {"U+2018 left single quote", kQ18, "'" + kQ18 + kQ18 + "'"},
        {"U+2019 right single quote", "it" + kQ19 + "s", "'it" + kQ19 + kQ19 + "s'"},
        {"U+201A low single quote", kQ1A + "x", "'" + kQ1A + kQ1A + "x'"},
        {"U+201B reversed single quote", "x" + kQ1B, "'x" + kQ1B + kQ1B + "'"},
        {"all four curly quotes and '", kQ18 + kQ19 + kQ1A + kQ1B + "'",
         "'" + kQ18 + kQ18 + kQ19 + kQ19 + kQ1A + kQ1A + kQ1B + kQ1B + "'''"},
        {"curly-quote injection", "x" + kQ19 + "; New-Item PWNED; " + kQ19,
         "'x" + kQ19 + kQ19 + "; New-Item PWNED; " + kQ19 + kQ19 + "'"},
        {"dollar variable", "$env:HOME", "'$env:HOME'"},
        {"dollar subexpression", "$(New-Item PWNED)", "'$(New-Item PWNED)'"},
        {"dollar brace", "${x}", "'${x}'"},
        {"backtick escape", "a`nb", "'a`nb'"},
        {"trailing backtick", "a`", "'a`'"},
        {"backtick before quote", "`'", "'`'''"},
        {"LF", "a\nb", "'a\nb'"},
        {"CRLF", "a\r\nb", "'a\r\nb'"},
        {"trailing LF", "a\n", "'a\n'"},
        {"double quotes", "\"a\"", "'\"a\"'"},
        {"curly double quotes (not special in '...')",
         "\xe2\x80\x9c"
         "a"
         "\xe2\x80\x9d",
         "'\xe2\x80\x9c"
         "a"
         "\xe2\x80\x9d'"},
        {"non-ASCII", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xd0\x96",
         "'caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xd0\x96'"},
        {"hash and semicolon", "#; a", "'#; a'"},
        {"at sign and comma", "@a,b", "'@a,b'"},
    };
}

} // namespace

TEST_CASE("pwsh: each tricky character class quotes exactly as tabled", "[shell][pwsh]") {
    for (const Row& row : pwsh_table()) {
        INFO("class: " << row.what);
        CHECK(kPwsh.representable(row.value));
        CHECK(kPwsh.quote(row.value) == row.literal);
        CHECK(kPwsh.export_var("AWS_SESSION_TOKEN", row.value) ==
              "${env:AWS_SESSION_TOKEN} = " + row.literal + "\n");
        CHECK(kPwsh.set_local("__credsh_state", row.value) ==
              "$global:__credsh_state = " + row.literal + "\n");
    }
}

TEST_CASE("pwsh: removal is Remove-Item -LiteralPath Env:NAME, never an assignment", "[shell][pwsh]") {
    for (const char* name : {"AWS_PROFILE", "AWS_SECRET_ACCESS_KEY", "ASK_REFRESH_TOKEN", "CREDSH_SCOPE"}) {
        INFO(name);
        // -LiteralPath: no wildcard expansion of the name; SilentlyContinue: removing what is absent is fine.
        CHECK(kPwsh.unset_var(name) ==
              std::string("Remove-Item -LiteralPath 'Env:") + name + "' -ErrorAction SilentlyContinue\n");
    }
    // An empty value is an assignment of '' (PowerShell 7.5 keeps it; older versions remove the variable,
    // a documented limit), not a removal.
    CHECK(kPwsh.export_var("AWS_PROFILE", "") == "${env:AWS_PROFILE} = ''\n");
}

TEST_CASE("pwsh: values .NET cannot hold are refused, not mangled", "[shell][pwsh]") {
    CHECK_FALSE(kPwsh.representable(std::string("a\0b", 3)));
    CHECK_FALSE(kPwsh.representable("\xff"));
    CHECK_FALSE(kPwsh.representable("\xed\xa0\x80")); // a UTF-16 surrogate
    CHECK(kPwsh.representable("\xf0\x9f\x94\x91"));   // a supplementary character: a surrogate pair in .NET
}
