// The secretsmanager plugin's pure parts (plugins/secretsmanager/secret_format.cpp) and what the core does
// for it: a plugin profile with source_profile becomes a two-step chain, and a plugin's env-only reply (an
// LWA access token) is cached like credentials, 0600, so later prompts load no plugin. The wire (moto, the
// LWA fake, write-back counted through AWSPREVIOUS) is in tests/shell/t_secretsmanager.sh.
#include "secretsmanager/secret_format.hpp"

#include "base/text.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/cred_cache.hpp"

#include "helpers.hpp"

using namespace credsh;
using namespace credsh::secretsmanager;
using credsh::test::TempDir;

TEST_CASE("secretsmanager settings", "[secretsmanager]") {
    auto s = read_settings({{"secret_id", "asp/lwa"}, {"region", "eu-west-1"}});
    REQUIRE(s);
    CHECK(s->format == Format::lwa);
    CHECK(s->variables == std::vector<std::string>{"ASK_ACCESS_TOKEN"}); // the default for an LWA secret
    CHECK(s->refresh_interval == 3600);

    auto env = read_settings(
        {{"secret_id", "x"}, {"format", "env"}, {"variables", "ASK_VENDOR_ID, AWS_X  CREDSH_Y"}});
    REQUIRE(env);
    CHECK(env->variables == std::vector<std::string>{"ASK_VENDOR_ID", "AWS_X", "CREDSH_Y"});

    CHECK_THAT(read_settings({}).error().message, Catch::Contains("secret_id"));
    CHECK_THAT(read_settings({{"secret_id", "x"}, {"format", "yaml"}}).error().message,
               Catch::Contains("lwa, aws or env"));
    CHECK_THAT(read_settings({{"secret_id", "x"}, {"format", "env"}}).error().message,
               Catch::Contains("allow-list"));
    CHECK_THAT(read_settings({{"secret_id", "x"}, {"variables", "A;rm"}}).error().message,
               Catch::Contains("not a variable name"));
    CHECK_FALSE(read_settings({{"secret_id", "x"}, {"refresh_interval", "5"}}));
    CHECK_FALSE(read_settings({{"secret_id", "x"}, {"refresh_interval", "1h"}}));
}

TEST_CASE("the asp-cli LWA secret, and its write-back keeping every other key in place", "[secretsmanager]") {
    const std::string text =
        R"({"lwa-client-id":"amzn1.application-oa2-client.abc","lwa-client-secret":"S3CRET",)"
        R"("lwa-auth-url":"http://127.0.0.1:9/auth/o2/token","lwa-auth-scope":"alexa::enterprise:management profile",)"
        R"("lwa-refresh-token":"Atzr|OLD","team":"alexa-sp","n":7})";
    auto s = parse_lwa_secret("asp/lwa", text);
    REQUIRE(s);
    CHECK(s->client_id == "amzn1.application-oa2-client.abc");
    CHECK(s->auth_url == "http://127.0.0.1:9/auth/o2/token");
    CHECK(s->scope == "alexa::enterprise:management profile");
    CHECK(s->refresh_token == "Atzr|OLD");

    std::string put = rotated_secret_string(*s, "Atzr|NEW");
    auto expected = nlohmann::ordered_json::parse(text);
    expected["lwa-refresh-token"] = "Atzr|NEW";
    CHECK(nlohmann::ordered_json::parse(put) == expected); // same keys, same order, one value changed

    auto defaults =
        parse_lwa_secret("s", R"({"lwa-client-id":"c","lwa-client-secret":"x","lwa-refresh-token":"r"})");
    REQUIRE(defaults);
    CHECK(defaults->auth_url == "https://api.amazon.com/auth/o2/token");
    CHECK(defaults->scope.empty());

    auto missing = parse_lwa_secret("asp/lwa", R"({"lwa-client-id":"c","lwa-client-secret":"SENTINEL-x"})");
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("lwa-refresh-token") && !Catch::Contains("SENTINEL"));
    auto garbage = parse_lwa_secret("asp/lwa", "SENTINEL not json");
    REQUIRE_FALSE(garbage);
    CHECK_THAT(garbage.error().message, Catch::Contains("not a JSON object") && !Catch::Contains("SENTINEL"));
}

TEST_CASE("ClientRequestToken: one per rotation, deterministic, within the API's 32-64 characters",
          "[secretsmanager]") {
    std::string a = client_request_token("Atzr|NEW-1");
    CHECK(a == client_request_token("Atzr|NEW-1"));
    CHECK(a != client_request_token("Atzr|NEW-2"));
    CHECK(a.size() == 36);
    CHECK(a[8] == '-');
    CHECK(a.find("Atzr") == std::string::npos);
}

TEST_CASE("aws and env secret formats", "[secretsmanager]") {
    auto cp = parse_aws_secret(
        "k",
        R"({"Version":1,"AccessKeyId":"AKIA1","SecretAccessKey":"s1","SessionToken":"t1","Expiration":"2030-01-01T00:00:00Z"})");
    REQUIRE(cp);
    CHECK(cp->access_key_id == "AKIA1");
    CHECK(cp->session_token == "t1");
    CHECK(cp->expiration == "2030-01-01T00:00:00Z");
    auto ini = parse_aws_secret("k", R"({"aws_access_key_id":"AKIA2","aws_secret_access_key":"s2"})");
    REQUIRE(ini);
    CHECK(ini->access_key_id == "AKIA2");
    CHECK(ini->expiration.empty()); // long-term keys: no expiry is invented
    CHECK_FALSE(parse_aws_secret("k", R"({"AccessKeyId":"AKIA1"})"));
    CHECK_FALSE(parse_aws_secret("k", R"({"AccessKeyId":"A","SecretAccessKey":"s","Expiration":"soon"})"));

    auto env = parse_env_secret("e", R"({"ASK_VENDOR_ID":"M1","PATH":"/evil","AWS_N":5,"AWS_B":true})",
                                {"ASK_VENDOR_ID", "AWS_N", "AWS_B", "AWS_MISSING"});
    REQUIRE(env);
    using Pairs = std::vector<std::pair<std::string, std::string>>;
    CHECK(env->values ==
          Pairs{{"ASK_VENDOR_ID", "M1"}, {"AWS_N", "5"}, {"AWS_B", "true"}}); // PATH: not listed
    CHECK(env->missing == std::vector<std::string>{"AWS_MISSING"});
    CHECK_FALSE(parse_env_secret("e", R"({"AWS_O":{"a":1}})", {"AWS_O"}));
}

TEST_CASE("Secrets Manager errors are keyed on __type", "[secretsmanager]") {
    auto e = parse_service_error(
        400,
        R"({"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."})");
    CHECK(e.type == "ResourceNotFoundException");
    CHECK(e.message == "Secrets Manager can't find the specified secret.");
    auto moto = parse_service_error(404, R"({"__type":"ResourceNotFoundException","message":"not found"})");
    CHECK(moto.type == "ResourceNotFoundException"); // moto says 404 where AWS says 400: the type decides
    CHECK(parse_service_error(500, "<xml/>").type == "HTTP 500");
    CHECK(parse_service_error(400, "", "AccessDeniedException:http://internal.amazon.com/").type ==
          "AccessDeniedException");
    auto xml =
        parse_service_error(403, "<ErrorResponse><Errors><Error><Code>SignatureDoesNotMatch</Code>"
                                 "<Message>The request signature we calculated does not match</Message>");
    CHECK(xml.type == "SignatureDoesNotMatch");
    CHECK_THAT(xml.message, Catch::Contains("does not match"));
}

TEST_CASE("a plugin profile with source_profile is a two-step chain", "[secretsmanager][chain]") {
    ProfileSet profiles;
    profiles.profiles["ops"] = {{"aws_access_key_id", "AKIAOPS"}, {"aws_secret_access_key", "x"}};
    profiles.credentials_file["ops"] = profiles.profiles["ops"];
    CredshConfig config;
    config.profiles["asp"] = {{"plugin", "secretsmanager"}, {"source_profile", "ops"}, {"secret_id", "s"}};
    config.profiles["lonely"] = {{"plugin", "secretsmanager"}, {"secret_id", "s"}};
    config.profiles["lost"] = {{"plugin", "secretsmanager"}, {"source_profile", "nowhere"}};
    config.profiles["self"] = {{"plugin", "secretsmanager"}, {"source_profile", "self"}};

    auto chain = plan_chain(profiles, config, "asp");
    REQUIRE(chain);
    REQUIRE(chain->size() == 2);
    CHECK((*chain)[0].kind == StepKind::access_key);
    CHECK((*chain)[0].profile == "ops");
    CHECK((*chain)[1].kind == StepKind::plugin);
    CHECK((*chain)[1].plugin == "secretsmanager");
    CHECK(plan_chain(profiles, config, "lonely")->size() == 1);
    CHECK_THAT(plan_chain(profiles, config, "lost").error().message,
               Catch::Contains("nowhere") && Catch::Contains("lost"));
    CHECK_THAT(plan_chain(profiles, config, "self").error().message, Catch::Contains("cycle"));
}

TEST_CASE("a plugin's env-only reply is cached, 0600, and read back", "[secretsmanager][cache]") {
    TempDir dir;
    Credentials c;
    c.extra_env["ASK_ACCESS_TOKEN"] = "Atza|cached";
    c.expiration = 1767225600;
    std::string path = dir.str() + "/creds/plugin-secretsmanager-x.json";
    REQUIRE(write_cached_entry(path, credentials_entry(c)));
    CHECK(credsh::test::mode_of(path) == 0600);
    auto back = read_cached_credentials(path);
    REQUIRE(back);
    CHECK(back->access_key_id.empty());
    CHECK(back->extra_env == c.extra_env);
    CHECK(back->expiration == c.expiration);

    // Keys and extras together survive too; an entry with neither is still refused.
    c.access_key_id = "AKIAX";
    c.secret_access_key = "sx";
    REQUIRE(write_cached_entry(path, credentials_entry(c)));
    auto both = read_cached_credentials(path);
    REQUIRE(both);
    CHECK(both->access_key_id == "AKIAX");
    CHECK(both->extra_env.at("ASK_ACCESS_TOKEN") == "Atza|cached");
    credsh::test::write_file(path, R"({"Credentials":{"Expiration":"2030-01-01T00:00:00Z"}})");
    CHECK_FALSE(read_cached_credentials(path));
}
