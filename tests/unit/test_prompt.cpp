#include "prompt.hpp"
#include "credsh_config.hpp"

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
