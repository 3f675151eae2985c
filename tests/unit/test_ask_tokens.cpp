// ASK CLI tokens: the ask plugin's write-back of a refreshed token into ~/.ask/cli_config (every unrelated
// part of the file kept, in order, checked on the ASK CLI's own fixture), and the core's environment-mode
// decision: a valid token in cli_config is exported without loading any plugin, profile mode exports no token
// at all, environment mode exports the token, the vendor id and the linked AWS keys together, and
// ASK_REFRESH_TOKEN never. The plugin's network path is exercised in tests/shell/t_ask.sh.
#include "ask/cli_config_tokens.hpp"
#include "base/text.hpp"
#include "config/ask_config.hpp"
#include "config/credsh_config.hpp"
#include "pipeline/exporter.hpp"

#include "helpers.hpp"

#include <nlohmann/json.hpp>

using namespace credsh;
using credsh::test::TempDir;
using credsh::test::write_file;
namespace fs = std::filesystem;

namespace {

fs::path fixture(const char* name) {
    return credsh::test::conformance_dir() / "ask-cli/test/unit/fixture/model" / name;
}

plugin::LwaToken lwa_token(const std::string& body) {
    plugin::LwaToken t;
    t.body = nlohmann::ordered_json::parse(body);
    t.access_token = t.body.value("access_token", "");
    t.refresh_token = t.body.value("refresh_token", "");
    t.expires_in = t.body.value("expires_in", 0);
    return t;
}

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z

// A home with an AWS profile, an ASK profile linked to it, and credsh's config.
struct World {
    TempDir dir;
    Env env;
    std::string home;
    explicit World(const std::string& credsh_config, std::int64_t token_expires_at,
                   const std::string& vendor = "M1VENDOR") {
        home = dir.str() + "/home";
        env = Env({{"HOME", home},
                   {"XDG_CONFIG_HOME", home + "/.config"},
                   {"XDG_CACHE_HOME", home + "/.cache"},
                   {"XDG_DATA_HOME", home + "/.local/share"}});
        write_file(home + "/.aws/config", "[profile lambda]\nregion = eu-west-1\n");
        write_file(home + "/.aws/credentials",
                   "[lambda]\naws_access_key_id = AKIALAMBDA\naws_secret_access_key = lambda-secret\n");
        nlohmann::ordered_json cfg = {{"machine_id", "m-1"},
                                      {"profiles",
                                       {{"skills",
                                         {{"aws_profile", "lambda"},
                                          {"token",
                                           {{"access_token", "Atza|VALID-ACCESS"},
                                            {"refresh_token", "Atzr|SENTINEL-REFRESH"},
                                            {"token_type", "bearer"},
                                            {"expires_in", 3600},
                                            {"expires_at", ask::js_iso_string(token_expires_at)}}},
                                          {"vendor_id", vendor}}}}}};
        write_file(home + "/.ask/cli_config", cfg.dump(2));
        write_file(home + "/.config/credsh/config", credsh_config);
    }
    ExportPlan plan(const std::string& profile) const {
        ExportRequest req;
        req.env = env;
        req.cwd = home;
        req.now = kNow;
        req.command_profile = profile;
        req.plugins = nullptr; // any attempt to refresh would fail loudly: these tests must not need one
        return plan_export(req);
    }
};

} // namespace

TEST_CASE("ask plugin reads a profile's token from the ASK CLI fixture", "[ask]") {
    const fs::path path = fixture("app-config.json");
    auto t = ask::read_profile_token(path.string(), credsh::test::read_file(path), "default");
    REQUIRE(t);
    CHECK(t->access_token == "Atza|w");
    CHECK(t->refresh_token == "Atzr|n");
    CHECK(t->vendor_id == "wn");
    CHECK(t->expires_at == 1536689538);
    auto odd = ask::read_profile_token(path.string(), credsh::test::read_file(path), "testProfile");
    REQUIRE(odd);
    CHECK_FALSE(odd->expires_at); // "expiresAt" is not a time: the token counts as expired

    auto missing = ask::read_profile_token(path.string(), credsh::test::read_file(path), "nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
    CHECK_THAT(missing.error().message, !Catch::Contains("Atz"));
}

TEST_CASE("a refreshed token is written back with every unrelated part of cli_config kept", "[ask]") {
    const fs::path path = fixture("app-config.json");
    const std::string original = credsh::test::read_file(path);
    auto before = nlohmann::ordered_json::parse(original);
    // Keys the ASK CLI might add some day, at the top, in a profile and in the token: all must survive.
    before["zz_future"] = {{"nested", {1, 2, 3}}};
    before["profiles"]["default"]["x_unknown"] = "kept";
    before["profiles"]["default"]["token"]["scope"] = "alexa::ask:skills:readwrite";

    auto fresh = lwa_token(R"({"access_token":"Atza|NEW","token_type":"bearer","expires_in":3600})");
    auto out = ask::apply_refreshed_token(path.string(), before.dump(4), "default", fresh, kNow);
    REQUIRE(out);
    auto after = nlohmann::ordered_json::parse(*out);

    auto expected = before;
    expected["profiles"]["default"]["token"]["access_token"] = "Atza|NEW";
    expected["profiles"]["default"]["token"]["expires_at"] = "2026-01-01T01:00:00.000Z";
    CHECK(after == expected); // ordered_json: equal values *and* the same key order
    CHECK(after["profiles"]["default"]["token"]["refresh_token"] ==
          "Atzr|n"); // no rotation: the old one stays
    std::vector<std::string> top;
    for (const auto& [k, v] : after.items())
        top.push_back(k);
    CHECK(top == std::vector<std::string>{"machine_id", "share_usage", "profiles", "zz_future"});
    CHECK(out->find("\n  \"machine_id\"") != std::string::npos); // JSON.stringify(content, null, 2) layout

    // A rotated refresh token replaces the old one in place.
    auto rotated = lwa_token(R"({"access_token":"Atza|N2","refresh_token":"Atzr|ROTATED","expires_in":60})");
    auto out2 = ask::apply_refreshed_token(path.string(), original, "testProfile", rotated, kNow);
    REQUIRE(out2);
    auto j2 = nlohmann::ordered_json::parse(*out2);
    CHECK(j2["profiles"]["testProfile"]["token"]["refresh_token"] == "Atzr|ROTATED");
    CHECK(j2["profiles"]["testProfile"]["token"].begin().key() == "access_token");
    CHECK(j2["profiles"]["default"] == nlohmann::ordered_json::parse(original)["profiles"]["default"]);
}

TEST_CASE("the write-back merges into the file as it is now: a refresh token LWA did not rotate never "
          "overwrites a newer one (docs/security.md 44)",
          "[ask]") {
    // What the file holds right before the write: the ASK CLI refreshed meanwhile and stored a rotated token.
    nlohmann::ordered_json now_on_disk = {
        {"profiles",
         {{"p", {{"token", {{"access_token", "Atza|CLI"}, {"refresh_token", "Atzr|NEWER-FROM-CLI"}}}}}}}};
    // LWA echoed the refresh token credsh used: not rotated.
    auto echoed = lwa_token(R"({"access_token":"Atza|OURS","refresh_token":"Atzr|USED","expires_in":3600})");
    auto out =
        ask::apply_refreshed_token("/h/.ask/cli_config", now_on_disk.dump(2), "p", echoed, kNow, "Atzr|USED");
    REQUIRE(out);
    auto j = nlohmann::json::parse(*out);
    CHECK(j["profiles"]["p"]["token"]["refresh_token"] == "Atzr|NEWER-FROM-CLI");
    CHECK(j["profiles"]["p"]["token"]["access_token"] == "Atza|OURS");
    // LWA rotated it: the rotated one is stored, or the next refresh would fail.
    auto rotated =
        lwa_token(R"({"access_token":"Atza|OURS","refresh_token":"Atzr|ROTATED","expires_in":3600})");
    auto out2 = ask::apply_refreshed_token("/h/.ask/cli_config", now_on_disk.dump(2), "p", rotated, kNow,
                                           "Atzr|USED");
    REQUIRE(out2);
    CHECK(nlohmann::json::parse(*out2)["profiles"]["p"]["token"]["refresh_token"] == "Atzr|ROTATED");
}

TEST_CASE("cli_config errors name the file, never its bytes", "[ask]") {
    auto fresh = lwa_token(R"({"access_token":"Atza|NEW","expires_in":3600})");
    auto bad = ask::apply_refreshed_token(
        "/h/.ask/cli_config", R"({"profiles":{"p":{"token":{"refresh_token":"Atzr|SENT)", "p", fresh, kNow);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message,
               Catch::Contains("/h/.ask/cli_config: invalid JSON") && !Catch::Contains("SENT"));
    CHECK(ask::js_iso_string(0) == "1970-01-01T00:00:00.000Z");
}

TEST_CASE("credsh config: ask_export and [ask NAME] export", "[ask]") {
    Env env(std::map<std::string, std::string>{{"HOME", "/h"}});
    auto c = parse_credsh_config("cfg", "[credsh]\nask_export = env\n[ask skills]\nexport = profile\n", env);
    REQUIRE(c);
    CHECK(ask_export_for(*c, "skills") == AskExport::profile);
    CHECK(ask_export_for(*c, "other") == AskExport::env);
    CHECK(ask_export_for(CredshConfig{}, "x") ==
          AskExport::profile); // the default: no token in the environment
    auto bad = parse_credsh_config("cfg", "[ask skills]\nexport = keys\n", env);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("cfg:2") && Catch::Contains("profile or env"));
    CHECK_FALSE(parse_credsh_config("cfg", "[ask skills]\ntoken = x\n", env));
}

TEST_CASE("core token decision: valid, inside the window, expired, and no LWA client", "[ask]") {
    World w("", kNow + 3000);
    AskTokenRequest req{w.env, "skills", kNow, nullptr, true, 1000};
    AskToken valid = ask_access_token(req);
    REQUIRE(valid.access_token);
    CHECK(*valid.access_token == "Atza|VALID-ACCESS");
    CHECK(valid.refresh_at == kNow + 3000 - 900);
    CHECK(valid.messages.empty());

    // 10 minutes left, no client of one's own: keep using it until it expires, and say why it is not
    // refreshed.
    World near("", kNow + 600);
    AskTokenRequest nreq{near.env, "skills", kNow, nullptr, true, 1000};
    AskToken n = ask_access_token(nreq);
    REQUIRE(n.access_token);
    CHECK(n.refresh_at == kNow + 600);
    REQUIRE(n.messages.size() == 1);
    CHECK_THAT(n.messages[0], Catch::Contains("ASK_LWA_CLIENT_ID") && !Catch::Contains("Atz"));
    CHECK_FALSE(n.failed);

    World gone("", kNow - 1);
    AskTokenRequest greq{gone.env, "skills", kNow, nullptr, true, 1000};
    AskToken g = ask_access_token(greq);
    CHECK_FALSE(g.access_token); // never an expired token: the ASK CLI then uses ASK_DEFAULT_PROFILE
    CHECK_THAT(g.messages.at(0), Catch::Contains("has expired"));
}

TEST_CASE("profile mode: ASK_DEFAULT_PROFILE and the linked AWS profile, no token", "[ask]") {
    World w("", kNow + 3000);
    ExportPlan p = w.plan("skills");
    CHECK_FALSE(p.failed);
    CHECK(p.desired.at("ASK_DEFAULT_PROFILE") == "skills");
    CHECK(p.desired.at("AWS_PROFILE") == "lambda");
    CHECK_FALSE(p.desired.at("AWS_ACCESS_KEY_ID")); // static keys stay in the file (auto mode)
    CHECK_FALSE(p.desired.at("ASK_ACCESS_TOKEN"));
    CHECK_FALSE(p.desired.at("ASK_REFRESH_TOKEN"));
    CHECK(p.info.at("CREDSH_ASK_PROFILE") == "skills");
    CHECK(p.info.at("CREDSH_ASK_VENDOR_ID") == "M1VENDOR");
    CHECK_THAT(p.prompt_template, Catch::Contains("ask:skills M1VENDOR") && !Catch::Contains("Atz"));
}

TEST_CASE("environment mode: token, vendor id and the linked AWS keys, never the refresh token", "[ask]") {
    World w("[ask skills]\nexport = env\n", kNow + 3000);
    ExportPlan p = w.plan("skills");
    CHECK_FALSE(p.failed);
    CHECK(p.desired.at("ASK_ACCESS_TOKEN") == "Atza|VALID-ACCESS");
    CHECK(p.desired.at("ASK_VENDOR_ID") == "M1VENDOR");
    CHECK(p.desired.at("AWS_ACCESS_KEY_ID") == "AKIALAMBDA"); // static keys exported: the ASK CLI needs them
    CHECK(p.desired.at("AWS_SECRET_ACCESS_KEY") == "lambda-secret");
    CHECK(p.desired.at("ASK_DEFAULT_PROFILE") == "skills");
    CHECK_FALSE(p.desired.at("ASK_REFRESH_TOKEN"));
    for (const auto& [name, value] : p.desired)
        if (value) CHECK_THAT(*value, !Catch::Contains("SENTINEL"));
    CHECK_THAT(p.prompt_template, !Catch::Contains("Atza"));
    REQUIRE(p.refresh_at);
    CHECK(*p.refresh_at == kNow + 3000 - 900); // back in time to refresh the token before it lapses

    // The global switch, and a profile without a vendor id (then the ASK CLI could not use the environment).
    World global("[credsh]\nask_export = env\n", kNow + 3000, "");
    ExportPlan g = global.plan("skills");
    CHECK_FALSE(g.desired.at("ASK_ACCESS_TOKEN"));
    CHECK(g.desired.at("ASK_DEFAULT_PROFILE") == "skills");
    REQUIRE_FALSE(g.messages.empty());
    CHECK_THAT(g.messages[0], Catch::Contains("vendor_id"));
}
