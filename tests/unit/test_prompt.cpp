#include "config/credsh_config.hpp"
#include "pipeline/prompt.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("prompt format: tokens, conditional groups, escapes", "[prompt]") {
    PromptValues v{"dev", "eu-west-1", "54m", "", "", ""};
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev (eu-west-1) 54m");
    v.region.clear();
    v.time_left.clear();
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev");
    v.scope_marker = "*";
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev*");
    v.blocked = "blocked";
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev* blocked");
    CHECK(format_prompt("%p %% %a %q", PromptValues{"x", "", "", "", "", "skills"}) == "x % skills %q");
    CHECK(format_prompt("[%p(|%a)]", PromptValues{"x", "", "", "", "", ""}) == "[x]");
    CHECK(format_prompt("\\(%p\\)", PromptValues{"x", "", "", "", "", ""}) == "(x)");
    CHECK(format_prompt(kDefaultPromptFormat, PromptValues{}) == ""); // nothing active: no segment at all
}

TEST_CASE("prompt text is inert: control characters and shell expansions from values are escaped",
          "[prompt]") {
    // Values come from files and servers (profile names, regions, ASK vendor ids).
    PromptValues v{"dev", "", "", "", "", ""};
    v.region = "\x1b]0;pwned\x07";
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev (\\x1b]0;pwned\\x07)");
    v.region = "$(touch PWNED)`id`";
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev (\\x24(touch PWNED)\\x60id\\x60)");
    v.region = "\\[x\\]\xc2\x9b\xe2\x80\xae";
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:dev (\\x5c[x\\x5c]\\u009b\\u202e)");
    PromptValues a{"", "", "", "", "", "skill"};
    a.ask_vendor_id = "M1\x1b[2J%F{red}";
    CHECK(format_prompt("%a %v", a) == "skill M1\\x1b[2J%F{red}"); // '%' is zsh's hook's to double
    // The format is the user's own setting: its text is escaped as printable() does, nothing more, and a
    // multi-byte character in it stays whole.
    CHECK(format_prompt("\xe2\x98\x81 %p$\x1b", PromptValues{"x", "", "", "", "", ""}) ==
          "\xe2\x98\x81 x$\\x1b");
    // The time-left placeholder the shells fill in survives.
    PromptValues t{"x", "", std::string(kTimePlaceholder), "", "", ""};
    CHECK(format_prompt("%p %t", t) == "x " + std::string(kTimePlaceholder));
}

TEST_CASE("prompt token %e: the error mark in the default format, ! failed, !login needs a login",
          "[prompt]") {
    PromptValues v{"admin", "eu-west-1", "", "*", "", ""};
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:admin* (eu-west-1)"); // healthy: no mark
    v.error = std::string(kErrorMark);
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:admin* ! (eu-west-1)");
    v.error = std::string(kLoginMark);
    CHECK(format_prompt(kDefaultPromptFormat, v) == "aws:admin* !login (eu-west-1)");
    CHECK(format_prompt("%p[%e]", v) == "admin[!login]");
    CHECK(format_prompt("%p(<%e>)", PromptValues{"dev", "", "", "", "", ""}) == "dev"); // group dropped
    // A profile that failed before it could be named still shows its mark.
    PromptValues only;
    only.error = std::string(kErrorMark);
    CHECK(format_prompt("err:%e", only) == "err:!");
}
