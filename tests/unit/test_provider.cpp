#include "pipeline/provider.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

namespace {
// Profiles as if they came from the config file only, plus `creds` sections from the credentials file.
ProfileSet set_of(std::map<std::string, Properties> profiles, std::map<std::string, Properties> creds = {}) {
    ProfileSet s;
    s.config_file = profiles;
    s.profiles = std::move(profiles);
    for (auto& [name, props] : creds) {
        for (auto& [k, v] : props)
            s.profiles[name][k] = v;
        s.credentials_file[name] = props;
    }
    return s;
}
} // namespace

TEST_CASE("a profile that needs a plugin is a clear error, not a crash", "[provider]") {
    CredshConfig config;
    Env env;
    auto s = set_of(
        {{"role", {{"role_arn", "arn:aws:iam::1:role/r"}, {"credential_source", "Ec2InstanceMetadata"}}}});
    ResolveContext ctx{s, config, env, 0}; // no plugin host
    auto r = resolve_credentials(ctx, "role");
    REQUIRE_FALSE(r);
    CHECK(r.error().message ==
          "profile role: needs plugin imds (credential_source), which is not installed in this build");
}

TEST_CASE("resolve_target links ASK profiles and their AWS profiles", "[provider]") {
    auto s = set_of({{"dev", {}}, {"lambda", {}}});
    AskConfig ask;
    ask.profiles["dev"] = AskProfile{"V1", "lambda", std::nullopt, true};
    ask.profiles["skills"] = AskProfile{"V2", "lambda", std::nullopt, true};
    CredshConfig config;
    auto dev = resolve_target("dev", std::nullopt, s, ask, config);
    REQUIRE(dev);
    CHECK(dev->aws_profile == "dev");
    CHECK(dev->ask_profile == "dev");
    auto skills = resolve_target("skills", std::nullopt, s, ask, config);
    REQUIRE(skills);
    CHECK(skills->aws_profile == "lambda"); // an ASK-only name brings its linked AWS profile
    CHECK(skills->ask_profile == "skills");
    auto other = resolve_target("dev", std::string("skills"), s, ask, config);
    REQUIRE(other);
    CHECK(other->ask_profile == "skills");
    CHECK_FALSE(resolve_target("nosuch", std::nullopt, s, ask, config));
    CHECK_FALSE(resolve_target("dev", std::string("nosuch"), s, ask, config));
}

TEST_CASE("static keys and their token come from one file, as botocore reads them", "[provider]") {
    CredshConfig config;
    Env env;
    auto s = set_of(
        {{"tok_in_config", {{"aws_session_token", "CONFIGTOKEN"}}},
         {"split", {{"aws_secret_access_key", "S"}}},
         {"legacy",
          {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"aws_security_token", "OLD"}}}},
        {{"tok_in_config", {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}}},
         {"split", {{"aws_access_key_id", "AK"}}}});
    ResolveContext ctx{s, config, env, 0};
    auto a = resolve_credentials(ctx, "tok_in_config");
    REQUIRE(a);
    CHECK(a->access_key_id == "AK");
    CHECK(a->session_token.empty()); // the config file's token does not pair with the credentials file's keys
    auto split = resolve_credentials(ctx, "split");
    REQUIRE_FALSE(split);
    CHECK(split.error().message == "profile split: partial credentials in the credentials file "
                                   "(aws_access_key_id without aws_secret_access_key)");
    auto legacy = resolve_credentials(ctx, "legacy");
    REQUIRE(legacy);
    CHECK(legacy->session_token == "OLD"); // aws_security_token, the legacy name
}
