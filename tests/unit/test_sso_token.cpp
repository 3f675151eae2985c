// aws-sso, the pure parts: cache file names and keys as the AWS CLI computes them, token and registration
// files, lenient expiry parsing, settings, endpoints, the lock directory rule, and the wire formats.
#include "test_sso_support.hpp"

#include "base/text.hpp"
#include "pipeline/cred_cache.hpp"
#include "sso_api.hpp"
#include "sso_config.hpp"
#include "sso_token.hpp"

#include <nlohmann/json.hpp>

using namespace credsh;
using namespace credsh::sso;
using credsh::test::FakeRequest;

TEST_CASE("sso: token cache file names are sha1 of the session name or the raw start URL (docs/protocols.md "
          "vectors)") {
    SsoConfig c;
    c.session_name = "my-sso";
    c.start_url = "https://my-sso-portal.awsapps.com/start";
    CHECK(token_file_name(c) == "0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    c.session_name.clear();
    CHECK(token_file_name(c) == "c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
    CHECK(sso_cache_dir("/h") == "/h/.aws/sso/cache");
    c.start_url = "https://ssotest.awsapps.com/start"; // the smithy-rs fixtures' file
    CHECK(token_file_name(c) == "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json");
}

TEST_CASE("sso: registration cache key equals botocore's json.dumps(sort_keys=True) sha1") {
    SsoConfig c = credsh::test::session_config();
    // Key of the file /usr/bin/aws 2.9.19 wrote for this session during development (checked with Python
    // too).
    CHECK(registration_cache_key(c) == "e83b78ff73aa2ebd41812af5abcc466dca567738");
    SsoConfig legacy;
    legacy.start_url = "https://example.awsapps.com/start";
    legacy.region = "us-east-1";
    CHECK(registration_cache_key(legacy) == "6c6f31f93a84fcbeca9b94bb5d13f4109559e71a");
    SsoConfig odd;
    odd.session_name = "sess-\xc3\xa9\xf0\x9f\x98\x80"; // é and an emoji: \u escapes with a surrogate pair
    odd.start_url = "https://ex.com/\"q\"\\";
    odd.region = "eu-west-1";
    odd.scopes = {"a", "sso:account:access"};
    CHECK(registration_cache_key(odd) == "f93f3f60474a40722b2d3f8cfa52c9bb34e64a5f");
    // And the same text as the core's Python-compatible dumper, for every shape used.
    for (const SsoConfig& x : {c, legacy, odd}) {
        nlohmann::json j = {{"tool", "botocore"}, {"startUrl", x.start_url}, {"region", x.region}};
        j["scopes"] = x.scopes.empty() ? nlohmann::json(nullptr) : nlohmann::json(x.scopes);
        j["session_name"] = x.legacy() ? nlohmann::json(nullptr) : nlohmann::json(x.session_name);
        CHECK(python_dumps_registration_args(x) == python_json_dumps(j));
    }
    CHECK(legacy_registration_file_name("eu-west-1") == "botocore-client-id-eu-west-1.json");
}

TEST_CASE("sso: expiresAt is parsed leniently, as dateutil does") {
    const std::int64_t t = 1640438400; // 2021-12-25T13:20:00Z
    for (const char* s :
         {"2021-12-25T13:20:00Z", "2021-12-25T13:20:00UTC", "2021-12-25T13:20:00 UTC", "2021-12-25 13:20:00Z",
          "2021-12-25T13:20:00+00:00", "2021-12-25T13:20:00+0000", "2021-12-25T13:20:00.123456Z",
          "2021-12-25T14:20:00+01:00", "2021-12-25T14:20:00+0100", " 2021-12-25T13:20:00Z "}) {
        INFO(s);
        CHECK(parse_expiry(s) == t);
    }
    for (const char* s : {"", "tomorrow", "2021-13-25T13:20:00Z", "2021-12-25", "1640438400"}) {
        INFO(s);
        CHECK_FALSE(parse_expiry(s));
    }
}

TEST_CASE("sso: token files: required fields, unknown-but-harmless fields, errors without contents") {
    auto ok = parse_token(
        R"({"accessToken":"AT-S3NT1NEL","expiresAt":"2021-12-25T13:20:00UTC","startUrl":"u","region":"r"})");
    REQUIRE(ok);
    CHECK(ok->access_token == "AT-S3NT1NEL");
    CHECK(ok->expires_at == 1640438400);
    CHECK(ok->refresh_token.empty());
    CHECK_FALSE(ok->registration_expires_at);
    for (const char* bad : {R"({"expiresAt":"2021-12-25T13:20:00Z"})", R"({"accessToken":"AT-S3NT1NEL"})",
                            R"({"accessToken":"AT-S3NT1NEL","expiresAt":"soon"})", "[1]",
                            "{\"accessToken\":\"AT-S3NT1NEL\"", "", "\x01\x02"}) {
        auto r = parse_token(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("S3NT1NEL") == std::string::npos);
    }
}

TEST_CASE("sso: token_json writes the CLI's fields and keeps registrationExpiresAt text as found") {
    Token t;
    t.start_url = "https://example.awsapps.com/start";
    t.region = "us-east-1";
    t.access_token = "at";
    t.expires_at = 1640438400;
    t.client_id = "cid";
    t.client_secret = "cs";
    t.registration_expires_text = "2022-12-25T13:30:00UTC";
    t.registration_expires_at = parse_expiry(t.registration_expires_text);
    t.refresh_token = "rt";
    auto j = nlohmann::ordered_json::parse(token_json(t));
    std::vector<std::string> keys;
    for (auto it = j.begin(); it != j.end(); ++it)
        keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"startUrl", "region", "accessToken", "expiresAt", "clientId",
                                           "clientSecret", "registrationExpiresAt", "refreshToken"});
    CHECK(j["expiresAt"] == "2021-12-25T13:20:00Z");
    CHECK(j["registrationExpiresAt"] == "2022-12-25T13:30:00UTC");
    auto back = parse_token(token_json(t));
    REQUIRE(back);
    CHECK(back->refresh_token == "rt");
    CHECK(back->registration_expires_at == t.registration_expires_at);
}

TEST_CASE("sso: fresh, refreshable and the refresh write-back") {
    Token t;
    t.access_token = "at";
    t.expires_at = 10000;
    CHECK(token_fresh(t, 10000 - 901));
    CHECK_FALSE(token_fresh(t, 10000 - 900));
    CHECK_FALSE(token_refreshable(t, 0)); // nothing to refresh with
    t.refresh_token = "rt";
    t.client_id = "c";
    t.client_secret = "s";
    CHECK_FALSE(token_refreshable(t, 0)); // no registration expiry: botocore refuses too
    t.registration_expires_at = 20000;
    CHECK(token_refreshable(t, 19999));
    CHECK_FALSE(token_refreshable(t, 20000));
    SsoConfig cfg = credsh::test::session_config();
    Token n = refreshed_token(t, cfg, {"new-at", 3600, ""}, 5000);
    CHECK(n.access_token == "new-at");
    CHECK(n.expires_at == 8600);
    CHECK(n.refresh_token == "rt"); // kept when the reply has none
    CHECK(n.start_url == cfg.start_url);
    CHECK(n.region == cfg.region);
    CHECK(refreshed_token(t, cfg, {"a", 1, "rt2"}, 0).refresh_token == "rt2");
}

TEST_CASE("sso: registrations: parse, write, reuse until the refresh window") {
    auto r = parse_registration(
        R"({"clientId":"c","clientSecret":"s","expiresAt":"2022-12-25T13:30:00UTC","scopes":["sso:account:access"]})");
    REQUIRE(r);
    CHECK(r->scopes == std::vector<std::string>{"sso:account:access"});
    CHECK(registration_usable(*r, r->expires_at - 901));
    CHECK_FALSE(registration_usable(*r, r->expires_at - 900));
    auto again = parse_registration(registration_json(*r));
    REQUIRE(again);
    CHECK(again->client_id == "c");
    CHECK(again->expires_at == r->expires_at);
    CHECK_FALSE(parse_registration(R"({"clientId":"c","expiresAt":"2022-12-25T13:30:00Z"})"));
}

TEST_CASE("sso: settings: sso-session and legacy profiles, what is missing, scopes") {
    FakeRequest fr;
    fr.settings = {{"sso_session", "my-sso"},
                   {"sso_account_id", "1"},
                   {"sso_role_name", "R"},
                   {"sso-session.sso_start_url", "https://s/start"},
                   {"sso-session.sso_region", "eu-west-1"},
                   {"sso-session.sso_registration_scopes", " a , sso:account:access,, "}};
    auto c = sso_config_from(fr.view());
    REQUIRE(c);
    CHECK(c->session_name == "my-sso");
    CHECK(c->token_key() == "my-sso");
    CHECK(c->scopes == std::vector<std::string>{"a", "sso:account:access"});
    fr.settings.erase("sso-session.sso_registration_scopes");
    CHECK(sso_config_from(fr.view())->scopes == std::vector<std::string>{"sso:account:access"});
    fr.settings.erase("sso-session.sso_region");
    auto missing = sso_config_from(fr.view());
    REQUIRE_FALSE(missing);
    CHECK(missing.error().message.find("sso_region") != std::string::npos);

    fr.settings = {{"sso_start_url", "https://s/start"},
                   {"sso_region", "us-east-2"},
                   {"sso_account_id", "1"},
                   {"sso_role_name", "R"}};
    auto legacy = sso_config_from(fr.view());
    REQUIRE(legacy);
    CHECK(legacy->legacy());
    CHECK(legacy->token_key() == "https://s/start");
    CHECK(legacy->scopes.empty());
    fr.settings.erase("sso_role_name");
    CHECK_FALSE(sso_config_from(fr.view()));
    fr.settings = {{"region", "us-east-1"}};
    auto none = sso_config_from(fr.view());
    REQUIRE_FALSE(none);
    CHECK(none.error().kind == ErrorKind::not_found);
}

TEST_CASE("sso: endpoints: defaults (FIPS, dual stack, China), then the configured-endpoint rules") {
    CHECK(default_endpoints("us-east-2", false, false).portal ==
          "https://portal.sso.us-east-2.amazonaws.com");
    CHECK(default_endpoints("us-east-2", false, false).oidc == "https://oidc.us-east-2.amazonaws.com");
    CHECK(default_endpoints("us-east-2", true, true).portal == "https://portal.sso-fips.us-east-2.api.aws");
    CHECK(default_endpoints("us-east-2", false, true).oidc == "https://oidc.us-east-2.api.aws");
    CHECK(default_endpoints("cn-north-1", false, false).portal ==
          "https://portal.sso.cn-north-1.amazonaws.com.cn");

    FakeRequest fr;
    fr.settings = {{"sso_session", "s"}};
    CHECK(sso_endpoints(fr.view(), "eu-west-1").portal == "https://portal.sso.eu-west-1.amazonaws.com");
    fr.env["AWS_ENDPOINT_URL"] = "http://global";
    CHECK(sso_endpoints(fr.view(), "eu-west-1").portal == "http://global");
    CHECK(sso_endpoints(fr.view(), "eu-west-1").oidc == "http://global");
    fr.settings["services.sso_oidc.endpoint_url"] = "http://oidc-from-services";
    CHECK(sso_endpoints(fr.view(), "eu-west-1").oidc == "http://oidc-from-services");
    fr.env["AWS_ENDPOINT_URL_SSO"] = "http://portal-env";
    fr.env["AWS_ENDPOINT_URL_SSO_OIDC"] = "http://oidc-env";
    CHECK(sso_endpoints(fr.view(), "eu-west-1").portal == "http://portal-env");
    CHECK(sso_endpoints(fr.view(), "eu-west-1").oidc == "http://oidc-env");
    fr.env["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true";
    CHECK(sso_endpoints(fr.view(), "eu-west-1").portal == "https://portal.sso.eu-west-1.amazonaws.com");
    fr.env.clear();
    fr.env["AWS_USE_FIPS_ENDPOINT"] = "true";
    CHECK(sso_endpoints(fr.view(), "us-east-1").portal == "https://portal.sso-fips.us-east-1.amazonaws.com");
}

TEST_CASE("sso: the plugin's lock directory is the core's (cache_dirs().locks)") {
    for (auto vars : std::vector<std::map<std::string, std::string>>{
             {{"HOME", "/h"}},
             {{"HOME", "/h"}, {"XDG_CACHE_HOME", "/c"}},
             {{"HOME", "/h"}, {"XDG_CACHE_HOME", "relative"}},
             {{"HOME", "/h"}, {"XDG_RUNTIME_DIR", "/run/user/1"}, {"XDG_CACHE_HOME", "/c"}},
             {{"HOME", "/h"}, {"XDG_RUNTIME_DIR", "rel"}}}) {
        Env env(vars);
        auto lookup = [&](std::string_view k) { return env.get_nonempty(k); };
        CHECK(locks_dir(lookup, env.home()) == cache_dirs(env).locks);
    }
}

TEST_CASE("sso: wire format: GetRoleCredentials request and reply") {
    auto req = get_role_credentials_request("http://p/", "TOK", "012345678901", "Admin Role", 1234);
    CHECK(req.method == "GET");
    CHECK(req.url == "http://p/federation/credentials?account_id=012345678901&role_name=Admin%20Role");
    CHECK(credsh::test::header_value(req, "x-amz-sso_bearer_token") == "TOK");
    CHECK(req.timeout_ms == 1234);
    auto ok = credsh::test::response(
        200,
        R"({"roleCredentials":{"accessKeyId":"ASIA","secretAccessKey":"s","sessionToken":"t","expiration":1651516560000}})");
    auto rc = read_role_credentials({req, ok});
    REQUIRE(rc.value);
    CHECK(rc.value->expiration == 1651516560);
    auto partial =
        credsh::test::response(200, R"({"roleCredentials":{"accessKeyId":"ASIA","expiration":1}})");
    CHECK(read_role_credentials({req, partial}).error.kind == ApiErrorKind::other);
    auto unauth = credsh::test::aws_error(401, "UnauthorizedException");
    CHECK(read_role_credentials({req, unauth}).error.kind == ApiErrorKind::unauthorized);
    auto bare401 = credsh::test::response(401, "");
    CHECK(read_role_credentials({req, bare401}).error.kind == ApiErrorKind::unauthorized);
    auto e503 = credsh::test::response(503, "");
    auto err = read_role_credentials({req, e503}).error;
    CHECK(err.kind == ApiErrorKind::other);
    CHECK(err.message.find("503") != std::string::npos);
    CHECK(err.message.find("(p)") != std::string::npos); // names the host
}

TEST_CASE("sso: wire format: OIDC error codes from the header, __type, or the OAuth body") {
    Registration reg{"cid", "SECRET-S3NT1NEL", 0, {}, {}};
    auto req = create_token_device_request("http://o", reg, "DEVICE-S3NT1NEL", 1000);
    auto body = nlohmann::json::parse(req.body);
    CHECK(body["grantType"] == "urn:ietf:params:oauth:grant-type:device_code");
    CHECK(body["deviceCode"] == "DEVICE-S3NT1NEL");
    CHECK(req.url == "http://o/token");
    struct Case {
        sso::HttpResult res;
        ApiErrorKind kind;
    };
    using credsh::test::aws_error;
    using credsh::test::response;
    std::vector<Case> cases{
        {aws_error(400, "AuthorizationPendingException"), ApiErrorKind::authorization_pending},
        {response(400, R"({"error":"authorization_pending"})"), ApiErrorKind::authorization_pending},
        {response(400, R"({"__type":"com.amazonaws#SlowDownException"})"), ApiErrorKind::slow_down},
        {aws_error(400, "ExpiredTokenException", "expired_token"), ApiErrorKind::expired_token},
        {aws_error(400, "AccessDeniedException", "access_denied"), ApiErrorKind::access_denied},
        {aws_error(400, "InvalidGrantException", "invalid_grant"), ApiErrorKind::invalid_grant},
        {aws_error(401, "InvalidClientException", "invalid_client"), ApiErrorKind::invalid_client},
        {response(500, "<html>"), ApiErrorKind::other},
    };
    for (auto& c : cases)
        CHECK(read_create_token({req, c.res}).error.kind == c.kind);
    sso::HttpResult down;
    down.error = "o: Connection refused";
    CHECK(read_create_token({req, down}).error.kind == ApiErrorKind::transport);
    // A server echoing what we sent cannot put a secret into a message.
    auto echo = response(
        400, R"({"error":"invalid_grant","error_description":"bad SECRET-S3NT1NEL / DEVICE-S3NT1NEL"})");
    auto e = read_create_token({req, echo}).error;
    CHECK(e.kind == ApiErrorKind::invalid_grant);
    CHECK(e.message.find("S3NT1NEL") == std::string::npos);
    auto ok = read_create_token(
        {req, response(200, R"({"accessToken":"a","expiresIn":28800,"tokenType":"Bearer"})")});
    REQUIRE(ok.value);
    CHECK(ok.value->refresh_token.empty());
    CHECK(ok.value->expires_in == 28800);
}

TEST_CASE("sso: wire format: refresh, register, device authorization, listing pages") {
    Token t;
    t.client_id = "c";
    t.client_secret = "s";
    t.refresh_token = "r";
    auto body = nlohmann::json::parse(create_token_refresh_request("http://o", t, 1).body);
    CHECK(body == nlohmann::json({{"clientId", "c"},
                                  {"clientSecret", "s"},
                                  {"grantType", "refresh_token"},
                                  {"refreshToken", "r"}}));
    auto reg =
        nlohmann::json::parse(register_client_request("http://o", "n", {"sso:account:access"}, 1).body);
    CHECK(reg == nlohmann::json(
                     {{"clientName", "n"}, {"clientType", "public"}, {"scopes", {"sso:account:access"}}}));
    CHECK_FALSE(
        nlohmann::json::parse(register_client_request("http://o", "n", {}, 1).body).contains("scopes"));
    auto dreq = start_device_authorization_request("http://o", {"c", "s", 0, {}, {}}, "https://u", 1);
    auto d = read_device_authorization(
        {dreq,
         credsh::test::response(
             200,
             R"({"deviceCode":"d","userCode":"U","verificationUri":"v","verificationUriComplete":"vc","expiresIn":600})")});
    REQUIRE(d.value);
    CHECK(d.value->interval == 5); // the RFC default when the service sends none
    auto lreq = list_accounts_request("http://p", "T", "tok 2", 1);
    CHECK(lreq.url == "http://p/assignment/accounts?next_token=tok%202");
    auto page = read_list_accounts(
        {lreq, credsh::test::response(
                   200, R"({"accountList":[{"accountId":"1","accountName":"n"}],"nextToken":"x"})")});
    CHECK(page.accounts.size() == 1);
    CHECK(page.next_token == "x");
    auto rreq = list_account_roles_request("http://p", "T", "1", "", 1);
    CHECK(rreq.url == "http://p/assignment/roles?account_id=1");
    auto roles = read_list_account_roles(
        {rreq, credsh::test::response(200, R"({"roleList":[{"roleName":"A"},{"roleName":"B"}]})")});
    CHECK(roles.roles == std::vector<std::string>{"A", "B"});
    CHECK(roles.next_token.empty());
}
