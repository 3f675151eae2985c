#include "config/credsh_config.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("credsh config: known keys parse, unknown keys are errors with file:line", "[credsh_config]") {
    Env env(std::map<std::string, std::string>{{"HOME", "/home/u"}});
    auto c = parse_credsh_config("/cfg",
                                 "[credsh]\ndefault_profile = dev\nexport = keys\n"
                                 "credential_process_timeout = 5\n[trust]\nprefix = ~/src/co/\n"
                                 "[profile sm]\nplugin = secretsmanager\nexport = profile\n",
                                 env);
    REQUIRE(c);
    CHECK(c->default_profile == "dev");
    CHECK(c->export_mode == ExportMode::keys);
    CHECK(c->process_timeout == std::chrono::seconds(5));
    CHECK(c->trust_prefixes == std::vector<std::string>{"/home/u/src/co"});
    CHECK(c->profiles.at("sm").at("plugin") == "secretsmanager");

    auto bad = parse_credsh_config("/cfg", "[credsh]\n\ndefualt_profile = dev\n", env);
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "/cfg:3: unknown key 'defualt_profile' in [credsh]");
    auto badmode = parse_credsh_config("/cfg", "[credsh]\nexport = everything\n", env);
    REQUIRE_FALSE(badmode);
    CHECK(badmode.error().message.find("/cfg:2:") == 0);
    CHECK_FALSE(parse_credsh_config("/cfg", "[trust]\nprefix = relative/dir\n", env));
    CHECK_FALSE(parse_credsh_config("/cfg", "[elsewhere]\nx = 1\n", env));
}

TEST_CASE("credsh config location follows XDG_CONFIG_HOME", "[credsh_config]") {
    using Vars = std::map<std::string, std::string>;
    CHECK(credsh_config_path(Env(Vars{{"HOME", "/h"}})) == "/h/.config/credsh/config");
    CHECK(credsh_config_path(Env(Vars{{"HOME", "/h"}, {"XDG_CONFIG_HOME", "/x"}})) == "/x/credsh/config");
    CHECK(credsh_config_path(Env(Vars{{"HOME", "/h"}, {"XDG_CONFIG_HOME", "rel"}})) ==
          "/h/.config/credsh/config");
}
