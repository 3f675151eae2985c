// The rules every plugin shares for hostile servers and settings (plugins/common): the one redaction
// (docs/security.md 35), NUL values at the plugin boundary (36), regions and hosts that become URLs (39),
// bounded JSON parsing (41, core/json_limits), CA bundles and URL user information (45), expiries (46). The
// same rules against live fakes: tests/shell/t_net_hostile.sh.
#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "expiry.hpp"
#include "lwa.hpp"
#include "plugin_support.hpp"
#include "redact.hpp"
#include "secretsmanager/secret_format.hpp"
#include "test_sso_support.hpp"

#include <catch2/catch.hpp>

#include <climits>
#include <limits>
#include <map>

using namespace credsh;
using namespace credsh::plugin;

namespace {

// Records what a plugin hands the host.
struct Captured {
    std::map<std::string, std::string> out;
    std::vector<std::string> said;
};
extern "C" void cap_put(void* ctx, const char* k, const char* v) {
    static_cast<Captured*>(ctx)->out[k] = v;
}
extern "C" void cap_say(void* ctx, const char* line) {
    static_cast<Captured*>(ctx)->said.push_back(line);
}

// An echo of a whole request as a hostile server would send it back, in several encodings at once.
std::string echo_of(const std::vector<std::string>& secrets) {
    std::string e = "POST / HTTP/1.1 |";
    for (const auto& s : secrets)
        e += " raw=" + s + " form=" + url_encode(s) + " json=" + nlohmann::json(s).dump();
    return e;
}

} // namespace

TEST_CASE("redact: every form of every secret, URL user information, nothing else", "[net][redact]") {
    const std::string token = "Atzr|S3CR3T/refresh+token=\"x\"";
    const std::string code = "493817";
    std::string text = echo_of({token, code}) + " https://user:S3CR3T-pw@host.example/path ok";
    std::string r = redact(text, {token, code});
    CHECK_THAT(r, !Catch::Contains("S3CR3T"));
    CHECK_THAT(r, !Catch::Contains("493817"));
    CHECK_THAT(r, Catch::Contains("https://****@host.example/path ok"));
    // Lower-case percent escapes and printable()-escaped text too.
    CHECK_THAT(redact("a%7cS3CR3T%2frefresh", {"|S3CR3T/refresh"}), !Catch::Contains("S3CR3T"));
    CHECK_THAT(redact(printable("x\\S3CR3T\x1b"), {"x\\S3CR3T\x1b"}), !Catch::Contains("S3CR3T"));
    // Short values are not masked (they would mangle words); text without secrets is unchanged.
    CHECK(redact("abc true", {"abc", ""}) == "abc true");
    CHECK(redact("http://host/a@b", {}) == "http://host/a@b");
    // A cut never leaves part of a secret: redaction comes first.
    std::string long_secret(400, 'Z');
    CHECK_THAT(server_text("err " + long_secret, {long_secret}, 100), !Catch::Contains("ZZZZZ"));
    CHECK(server_text("first\nsecond", {}) == "first");
    // An escape next to ordinary bytes must not spell a secret either (fuzz_sts_xml found "\x94" + "93817").
    CHECK_THAT(server_text("TokenCode=\x94"
                           "93817",
                           {"493817"}),
               !Catch::Contains("493817"));
}

TEST_CASE("Output: messages and say() lines are redacted; a NUL in a value is an error", "[net][redact]") {
    Captured c;
    credsh_host host{sizeof(credsh_host), &c, cap_put, cap_say, nullptr};
    std::vector<credsh_kv> src = {{"aws_access_key_id", "AKIAS3CR3T0001"},
                                  {"aws_secret_access_key", "S3CR3T-secret-key"},
                                  {"aws_session_token", "S3CR3T-session/token+x"}};
    std::vector<credsh_kv> args = {{"token_code", "493817"}};
    credsh_request req{};
    req.struct_size = sizeof req;
    req.operation = "credentials";
    req.source = {src.data(), src.size()};
    req.args = {args.data(), args.size()};
    auto fn = [](const Request&, const Output& out) -> int32_t {
        out.add_secret("S3CR3T-added-later");
        out.say("server said: " + echo_of({"S3CR3T-session/token+x", "493817", "S3CR3T-added-later"}));
        return out.error("HTTP 400: " + echo_of({"AKIAS3CR3T0001", "S3CR3T-secret-key"}));
    };
    CHECK(guarded_call(fn, &req, &host) == CREDSH_ERROR);
    REQUIRE(c.said.size() == 1);
    CHECK_THAT(c.said[0], !Catch::Contains("S3CR3T") && !Catch::Contains("493817"));
    CHECK_THAT(c.out["message"], Catch::StartsWith("HTTP 400") && !Catch::Contains("S3CR3T"));

    Captured n;
    credsh_host host2{sizeof(credsh_host), &n, cap_put, cap_say, nullptr};
    auto nul = [](const Request&, const Output& out) -> int32_t {
        out.put("aws_access_key_id", "ASIA");
        out.put("env.TEAM_VALUE", std::string("before\0after", 12));
        return CREDSH_OK;
    };
    CHECK(guarded_call(nul, &req, &host2) == CREDSH_ERROR);
    CHECK_THAT(n.out["message"], Catch::Contains("TEAM_VALUE contains a NUL byte"));
    CHECK(n.out.count("env.TEAM_VALUE") == 0);
}

TEST_CASE("Secrets Manager errors: the echo is redacted before it is cut", "[net][redact][secretsmanager]") {
    const std::string session = "S3CR3T-" + std::string(280, 's'); // straddles the 300-byte cut
    std::string body =
        nlohmann::json{{"__type", "EchoException"}, {"message", "x-amz-security-token: " + session}}.dump();
    auto e = secretsmanager::parse_service_error(400, body, "", {session});
    CHECK(e.type == "EchoException");
    CHECK_THAT(e.message, !Catch::Contains("S3CR3T") && !Catch::Contains("ssssss"));
    CHECK_THAT(e.raw_message, !Catch::Contains("S3CR3T"));
}

TEST_CASE("SSO-OIDC: an echo of CreateToken never shows the code, the verifier or the client secret",
          "[net][redact][sso]") {
    sso::Registration reg{"cid", "S3CR3T-client-secret", 1800000000, {}, {}};
    sso::HttpRequest req = sso::create_token_auth_code_request("https://oidc.test", reg, "S3CR3T-auth-code",
                                                               "http://127.0.0.1:1/oauth/callback",
                                                               "S3CR3T-pkce-verifier-0123456789", 1000);
    auto echo = test::response(
        400, nlohmann::json{{"error", "invalid_request"}, {"error_description", req.body}}.dump());
    auto e = sso::api_error("CreateToken", {req, echo});
    CHECK_THAT(e.message, Catch::Contains("invalid_request"));
    CHECK_THAT(e.message, !Catch::Contains("S3CR3T"));

    sso::HttpRequest dev =
        sso::create_token_device_request("https://oidc.test", reg, "S3CR3T-device-code", 1000);
    auto echo2 = test::response(400, nlohmann::json{{"message", dev.body}}.dump());
    CHECK_THAT(sso::api_error("CreateToken", {dev, echo2}).message, !Catch::Contains("S3CR3T"));
    sso::HttpRequest start = sso::start_device_authorization_request("https://oidc.test", reg,
                                                                     "https://x.awsapps.com/start", 1000);
    auto echo3 = test::response(400, nlohmann::json{{"message", start.body}}.dump());
    CHECK_THAT(sso::api_error("StartDeviceAuthorization", {start, echo3}).message,
               !Catch::Contains("S3CR3T"));
}

TEST_CASE("regions and hosts from settings", "[net][endpoints]") {
    for (const char* ok : {"us-east-1", "eu-west-2", "cn-north-1", "us-gov-west-1", "local"})
        CHECK(valid_region(ok));
    const std::string too_long(64, 'a'); // outlives the loop (a temporary in the list would not)
    for (const char* bad : {"", "x@127.0.0.1:8080/#", "us-east-1/../x", "us-east-1.evil.com", "US-EAST-1",
                            "us east", "us-east-1\n", too_long.c_str()})
        CHECK_FALSE(valid_region(bad));
    CHECK_THROWS_AS(default_service_url("portal.sso", "x@127.0.0.1:1/#", {}), PluginError);
    CHECK(default_service_url("oidc", "eu-west-1", {}) == "https://oidc.eu-west-1.amazonaws.com");

    CHECK(checked_https_url("https://api.amazon.com/auth/o2/token", "t"));
    CHECK(checked_https_url("http://127.0.0.1:8080/x", "t"));
    CHECK(checked_https_url("http://[::1]:8080/x", "t"));
    CHECK(checked_https_url("http://localhost:8080/x", "t"));
    CHECK_FALSE(checked_https_url("http://api.amazon.com/auth/o2/token", "t"));
    CHECK_FALSE(checked_https_url("https://good@evil.example/", "t"));
    auto pw = checked_https_url("https://user:S3CR3T@evil.example/", "t");
    REQUIRE_FALSE(pw);
    CHECK_THAT(pw.error().message, Catch::Contains("user information") && !Catch::Contains("S3CR3T"));
    CHECK_FALSE(checked_https_url("ftp://host/", "t"));

    // ASK_LWA_TOKEN_HOST: no scheme is https; http only to loopback; never user information.
    CHECK(*lwa_token_url_for_host("api.amazon.co.uk") == "https://api.amazon.co.uk/auth/o2/token");
    CHECK(*lwa_token_url_for_host("127.0.0.1:9") == "https://127.0.0.1:9/auth/o2/token");
    CHECK_FALSE(lwa_token_url_for_host("http://lwa.example"));
    CHECK_FALSE(lwa_token_url_for_host("https://good@127.0.0.1:9"));
}

TEST_CASE("JSON limits: members, depth, size and NUL are refused before any document is built",
          "[net][json]") {
    CHECK(json_limit_violation(R"({"a":[1,2,{"b":null}]})").empty());
    std::string many = "{";
    for (int i = 0; i < 20000; ++i)
        many += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
    many += "}";
    CHECK_THAT(json_limit_violation(many), Catch::Contains("more than 2000 members (the limit)"));
    auto parsed = parse_json_limited<nlohmann::ordered_json>(many, "the secret");
    REQUIRE_FALSE(parsed);
    CHECK_THAT(parsed.error().message, Catch::StartsWith("the secret refused: more than 2000 members"));
    CHECK_THAT(json_limit_violation(std::string(100, '[') + std::string(100, ']')),
               Catch::Contains("deeper than 64 levels"));
    CHECK_THAT(json_limit_violation(std::string("{}\0{\"x\":1}", 10)), Catch::Contains("NUL"));
    CHECK_THAT(json_limit_violation(std::string(2 * 1024 * 1024, ' ')), Catch::Contains("bytes (the limit)"));
    // Invalid JSON is not a limit: the real parse reports it.
    CHECK(json_limit_violation("{not json").empty());
    CHECK_FALSE(parse_json_limited("{not json", "x"));
    // The escaped NUL of JSON ("\u0000") is valid JSON; what cannot be exported is refused where it is put.
    CHECK(parse_json_limited(R"({"a":"x\u0000y"})", "x"));
}

TEST_CASE("expiries: past refused, absurd lifetimes refused without overflow, dates past year 9999 clamped",
          "[net][expiry]") {
    const std::int64_t now = 1700000000;
    CHECK(*checked_expiry(now + 3600, now, "c") == now + 3600);
    auto past = checked_expiry(1577836800, now, "the credentials");
    REQUIRE_FALSE(past);
    CHECK(past.error().message == "the credentials expired at 2020-01-01T00:00:00Z");
    CHECK_FALSE(checked_expiry(now, now, "c"));
    // A real date is kept, however far (the AWS CLI exports it unchanged); one no ISO 8601 reader takes is
    // clamped.
    CHECK(*checked_expiry(4102444800, now, "c") == 4102444800); // 2100-01-01
    CHECK(*checked_expiry(INT64_MAX, now, "c") == kMaxExpiry);
    CHECK(format_iso8601(*checked_expiry(INT64_MAX / 1000, now, "c")) == "9999-12-31T23:59:59Z");

    using J = nlohmann::json;
    CHECK(*lifetime_seconds(J(3600), "expires_in") == 3600);
    CHECK(*lifetime_seconds(J("3600"), "expires_in") == 3600);
    CHECK(*lifetime_seconds(J(3600.9), "expires_in") == 3600);
    for (const J& bad :
         {J(1e30), J(INT64_MAX), J(UINT64_MAX), J(0), J(-5), J(-1e30), J("1e30"), J("99999999999999999999"),
          J(nullptr), J("abc"), J(std::numeric_limits<double>::quiet_NaN())}) {
        auto r = lifetime_seconds(bad, "expiresIn");
        CHECK_FALSE(r);
        if (!r) CHECK_THAT(r.error().message, Catch::StartsWith("expiresIn"));
    }
    CHECK_FALSE(bounded_integer(J(1e30), INT64_MIN / 2, INT64_MAX / 2));
    CHECK(*bounded_integer(J(1700000000000), 0, INT64_MAX / 2) == 1700000000000);

    auto lwa = parse_lwa_response("https://api.amazon.com/auth/o2/token", 200,
                                  R"({"access_token":"Atza|A","expires_in":1e30})");
    CHECK_FALSE(lwa);
    CHECK_THAT(lwa.message, Catch::Contains("expires_in"));
    auto nul = parse_lwa_response("https://api.amazon.com/auth/o2/token", 200,
                                  R"({"access_token":"Atza|A\u0000B","expires_in":3600})");
    CHECK_FALSE(nul);
}
