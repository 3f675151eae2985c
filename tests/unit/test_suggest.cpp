#include "base/suggest.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("did you mean: typos of commands and profile names, nothing for other words", "[text][suggest]") {
    const std::vector<std::string> commands = {"allow",    "completion", "deny",   "exec",   "export",
                                               "hook",     "login",      "logout", "pin",    "plugins",
                                               "profiles", "prompt",     "sso",    "status", "use"};
    using V = std::vector<std::string>;
    CHECK(did_you_mean("stauts", commands) == V{"status"});    // two neighbours swapped
    CHECK(did_you_mean("prifles", commands) == V{"profiles"}); // one letter dropped... and one changed
    CHECK(did_you_mean("exce", commands) == V{"exec"});
    CHECK(did_you_mean("loign", commands) == V{"login"});
    CHECK(did_you_mean("xyzzy", commands).empty());
    CHECK(did_you_mean("status", commands).empty()); // an exact name is not a suggestion
    const V profiles = {"dev", "prod", "prod-eu", "staging", "team=ops,eu@x"};
    CHECK(did_you_mean("prdo", profiles) == V{"prod"});
    CHECK(did_you_mean("Prod", profiles) ==
          V{"prod"}); // case is ignored when comparing, kept when suggesting
    CHECK(did_you_mean("stagign", profiles) == V{"staging"});
    CHECK(did_you_mean("nosuch", profiles).empty());
    CHECK(did_you_mean("", profiles).empty());
    // Ties: every name at the smallest distance, sorted, at most three.
    CHECK(did_you_mean("dev1", V{"dev3", "dev2", "dev", "dev4"}) == V{"dev", "dev2", "dev3"});
    CHECK(did_you_mean(std::string(300, 'a'), V{std::string(300, 'a') + "b"}).empty()); // not typed by hand
    CHECK(did_you_mean_text({}).empty());
    CHECK(did_you_mean_text(V{"status"}) == " (did you mean 'status'?)");
    CHECK(did_you_mean_text(V{"a", "b", "c"}) == " (did you mean 'a', 'b' or 'c'?)");
    CHECK(did_you_mean_text(V{"x\x1b[2J"}) == " (did you mean 'x\\x1b[2J'?)"); // escaped for the terminal
}
