// ~/.ask/cli_config holds LWA refresh tokens. These tests pin down what the core may learn from it (names,
// vendor ids, links, whether a refresh token exists, when the access token expires), that the ASK CLI's own
// fixtures parse as the ASK CLI reads them, and that a broken file is reported by position, never by content.
#include "config/ask_config.hpp"

#include "base/text.hpp"
#include "helpers.hpp"

#include <sys/stat.h>

using namespace credsh;
using credsh::test::TempDir;
using credsh::test::write_file;
namespace fs = std::filesystem;
using Vars = std::map<std::string, std::string>;

namespace {

const std::string kSentinel = "Atzr|SENTINEL-4d2a8c-do-not-print";

fs::path ask_fixture(const char* name) {
    return credsh::test::conformance_dir() / "ask-cli/test/unit/fixture/model" / name;
}

std::string error_of(const std::string& bytes, const std::string& path = "/home/u/.ask/cli_config") {
    auto r = parse_ask_config(path, bytes);
    REQUIRE_FALSE(r.ok());
    return r.error().message;
}

} // namespace

TEST_CASE("ASK CLI fixture app-config.json", "[ask_config]") {
    const fs::path path = ask_fixture("app-config.json");
    auto r = parse_ask_config(path.string(), credsh::test::read_file(path));
    REQUIRE(r.ok());
    REQUIRE(r->profiles.size() == 2);

    const AskProfile& test_profile = r->profiles.at("testProfile");
    CHECK(test_profile.vendor_id == "vendorId");
    CHECK(test_profile.aws_profile == "awsProfile");
    CHECK(test_profile.has_refresh_token);
    CHECK_FALSE(test_profile.token_expires_at); // "expiresAt" is not a time

    const AskProfile& def = r->profiles.at("default");
    CHECK(def.vendor_id == "wn");
    CHECK(def.aws_profile == "default");
    CHECK(def.has_refresh_token);
    CHECK(def.token_expires_at == 1536689538); // 2018-09-11T18:12:18.843Z, fraction dropped
}

TEST_CASE("ASK CLI fixture app-config-no-profiles.json", "[ask_config]") {
    const fs::path path = ask_fixture("app-config-no-profiles.json");
    auto r = parse_ask_config(path.string(), credsh::test::read_file(path));
    REQUIRE(r.ok());
    CHECK(r->profiles.empty());
}

TEST_CASE("ASK CLI fixture app-config.yaml is not a cli_config", "[ask_config]") {
    // The ASK CLI keeps a YAML twin of the fixture for another loader; ~/.ask/cli_config is JSON only, so it
    // is an error at the first byte, and the error quotes none of its tokens.
    const fs::path path = ask_fixture("app-config.yaml");
    const std::string message = error_of(credsh::test::read_file(path), path.string());
    CHECK_THAT(message, Catch::Contains("app-config.yaml: invalid JSON: syntax error at line 1, column 1"));
    for (const char* value : {"machineId", "accessToken", "refreshToken", "Atz", "vendorId", "bearer"})
        CHECK_THAT(message, !Catch::Contains(value));
}

TEST_CASE("ASK config shapes the ASK CLI tolerates", "[ask_config]") {
    auto parse = [](const std::string& bytes) {
        auto r = parse_ask_config("cli_config", bytes);
        REQUIRE(r.ok());
        return std::move(r).value();
    };
    CHECK(parse("{}").profiles.empty());
    // No "profiles": `ask configure` has not run yet.
    CHECK(parse(R"({"machine_id":"m","share_usage":true})").profiles.empty());
    CHECK(parse(R"({"profiles":null})").profiles.empty());
    CHECK(parse(R"({"profiles":[]})").profiles.empty());
    CHECK(parse(R"({"profiles":"x"})").profiles.empty());

    // A profile without a token (configured for env mode, or half-written) is fine.
    auto no_token = parse(R"({"profiles":{"p":{"vendor_id":"V1","aws_profile":"ap"}}})");
    REQUIRE(no_token.profiles.count("p") == 1);
    CHECK(no_token.profiles["p"].vendor_id == "V1");
    CHECK(no_token.profiles["p"].aws_profile == "ap");
    CHECK_FALSE(no_token.profiles["p"].has_refresh_token);
    CHECK_FALSE(no_token.profiles["p"].token_expires_at);

    // Oddly typed fields read as absent, as ramda's lensPath reads them in the ASK CLI.
    auto odd = parse(R"({"profiles":{
        "a":{"vendor_id":123,"aws_profile":null,"token":"not-an-object"},
        "b":{"token":{"refresh_token":"","expires_at":1536689538}},
        "c":{"token":{"refresh_token":7,"expires_at":"2030-01-01T00:00:00Z"}},
        "d":{},
        "skipped-null":null, "skipped-string":"x", "skipped-array":[1]}})");
    CHECK(odd.profiles.size() == 4);
    CHECK(odd.profiles["a"].vendor_id.empty());
    CHECK(odd.profiles["a"].aws_profile.empty());
    CHECK_FALSE(odd.profiles["a"].has_refresh_token);
    CHECK_FALSE(odd.profiles["b"].has_refresh_token); // empty refresh token: nothing to refresh with
    CHECK_FALSE(odd.profiles["b"].token_expires_at);
    CHECK_FALSE(odd.profiles["c"].has_refresh_token);
    CHECK(odd.profiles["c"].token_expires_at == parse_iso8601("2030-01-01T00:00:00Z"));
    CHECK(odd.profiles.count("d") == 1);

    // A UTF-8 BOM is accepted (the ASK CLI's jsonfile strips one), and so are CRLF line ends and
    // non-ASCII profile names.
    auto bom = parse("\xef\xbb\xbf{\r\n\"profiles\":{\"d\xc3\xa9v\":{\"vendor_id\":\"V\"}}\r\n}\r\n");
    CHECK(bom.profiles.count("d\xc3\xa9v") == 1);

    // Duplicate keys: the last one wins, as in JSON.parse.
    CHECK(
        parse(R"({"profiles":{"p":{"vendor_id":"old"},"p":{"vendor_id":"new"}}})").profiles["p"].vendor_id ==
        "new");
}

TEST_CASE("a malformed cli_config names file and position, never content", "[ask_config]") {
    const std::string token =
        R"({"access_token":"Atza|)" + kSentinel + R"(","refresh_token":")" + kSentinel + R"("})";
    const std::string good =
        "{\n  \"profiles\": {\n    \"p\": {\n      \"token\": " + token + "\n    }\n  }\n}\n";
    REQUIRE(parse_ask_config("x", good).ok());

    // Positions are nlohmann's: the last byte read, so an unexpected token is reported at its end, and
    // running out of input at the line where the text ends.
    struct Case {
        const char* what;
        std::string bytes;
        std::string expected; // what the message must contain
    };
    const std::vector<Case> cases = {
        {"truncated", good.substr(0, good.find(kSentinel) + 10), "unexpected end of input at line 4"},
        {"truncated at end", good.substr(0, good.size() - 3), "unexpected end of input at line 6"},
        {"trailing garbage", good + kSentinel + "\n", "syntax error at line 8, column 1"},
        {"second document", good + good, "syntax error at line 8, column 1"},
        {"missing bracket", "{\n\"profiles\": {\"p\": " + token + "\n", "unexpected end of input at line 3"},
        {"missing comma", "{\"profiles\": {}\n \"x\": \"" + kSentinel + "\"}",
         "syntax error at line 2, column 4"},
        {"single quotes", "{'profiles': '" + kSentinel + "'}", "syntax error at line 1, column 2"},
        {"comment", "// " + kSentinel + "\n{}", "syntax error at line 1, column 1"},
        {"invalid UTF-8 in a value", "{\"profiles\":{\"p\":{\"vendor_id\":\"" + kSentinel + "\xff\"}}}",
         "syntax error at line 1"},
        {"raw control byte in a string",
         "{\"profiles\":{\"p\":{\"vendor_id\":\"" + kSentinel + "\x1b[2J\"}}}", "syntax error at line 1"},
        {"NUL after the document", good + std::string("\0", 1) + kSentinel, "NUL byte at line 8, column 1"},
        {"NUL inside", "{\"profiles\":" + std::string("\0", 1) + "{}}",
         "NUL byte at line 1, column 13 (byte 13)"},
        {"empty file", "", "unexpected end of input at line 1"},
        {"BOM only", "\xef\xbb\xbf", "unexpected end of input"},
        {"not an object", "[\"" + kSentinel + "\"]", "not a JSON object"},
        {"a string", "\"" + kSentinel + "\"", "not a JSON object"},
        {"number overflow", "{\"profiles\":{\"p\":{\"vendor_id\":1e999999}}}", "syntax error at line 1"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const std::string message = error_of(c.bytes, "/home/u/.ask/cli_config");
        INFO(message);
        CHECK_THAT(message, Catch::StartsWith("/home/u/.ask/cli_config: "));
        CHECK_THAT(message, Catch::Contains(c.expected));
        CHECK(message.find("SENTINEL") == std::string::npos);
        CHECK(message.find("Atz") == std::string::npos);
    }
}

TEST_CASE("cli_config paths in messages are escaped", "[ask_config]") {
    const std::string message = error_of("{", "/home/u\n\x1b[31m/.ask/cli_config");
    CHECK_THAT(message, Catch::StartsWith("/home/u\\x0a\\x1b[31m/.ask/cli_config: "));
    CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("deeply nested cli_config does not exhaust the stack", "[ask_config]") {
    const std::size_t depth = 200000;
    CHECK_THAT(error_of(std::string(depth, '[')), Catch::Contains("unexpected end of input"));
    CHECK_THAT(error_of(std::string(depth, '[') + std::string(depth, ']')),
               Catch::Contains("not a JSON object"));
    std::string nested =
        "{\"profiles\":{\"p\":{\"x\":" + std::string(depth, '[') + std::string(depth, ']') + "}}}";
    auto r = parse_ask_config("x", nested);
    REQUIRE(r.ok());
    CHECK(r->profiles.count("p") == 1);
}

TEST_CASE("ask_config_path is $HOME/.ask/cli_config", "[ask_config]") {
    CHECK(ask_config_path(Env(Vars{{"HOME", "/home/u"}})) == "/home/u/.ask/cli_config");
    CHECK(ask_config_path(Env(Vars{{"HOME", "/home/u/"}})) == "/home/u/.ask/cli_config");
    CHECK(ask_config_path(Env(Vars{{"HOME", "/"}})) == "/.ask/cli_config");
    // ASK_CONFIG_FILE is not an ASK CLI variable, so it changes nothing.
    CHECK(ask_config_path(Env(Vars{{"HOME", "/h"}, {"ASK_CONFIG_FILE", "/elsewhere"}})) ==
          "/h/.ask/cli_config");
}

// These go through safe_read_file (core/base/safe_file.cpp).
TEST_CASE("load_ask_config reads $HOME/.ask/cli_config", "[ask_config]") {
    TempDir home;
    const Env env(Vars{{"HOME", home.str()}});

    SECTION("no file is an empty config") {
        auto r = load_ask_config(env);
        REQUIRE(r.ok());
        CHECK(r->profiles.empty());
    }

    SECTION("a file is parsed") {
        write_file(home.path / ".ask/cli_config", credsh::test::read_file(ask_fixture("app-config.json")));
        ::chmod((home.path / ".ask/cli_config").c_str(), 0600);
        auto r = load_ask_config(env);
        REQUIRE(r.ok());
        CHECK(r->profiles.size() == 2);
        CHECK(r->profiles.at("default").vendor_id == "wn");
    }

    SECTION("a broken file is an error naming it") {
        write_file(home.path / ".ask/cli_config",
                   "{\"profiles\":{\"p\":{\"token\":{\"refresh_token\":\"" + kSentinel);
        ::chmod((home.path / ".ask/cli_config").c_str(), 0600);
        auto r = load_ask_config(env);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains(home.str() + "/.ask/cli_config"));
        CHECK_THAT(r.error().message, Catch::Contains("unexpected end of input at line 1"));
        CHECK(r.error().message.find("SENTINEL") == std::string::npos);
    }

    SECTION("a directory in its place is an error, not an empty config") {
        fs::create_directories(home.path / ".ask/cli_config");
        auto r = load_ask_config(env);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::failed);
    }
}
