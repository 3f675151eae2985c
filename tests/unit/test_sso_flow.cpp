// aws-sso operations with a scripted transport and a fake clock: the device flow (interval, slow_down,
// authorization_pending, expired_token, access_denied, Ctrl-C), registration reuse, role credentials, refresh
// (single-flight: the token is re-read after the lock), logout, account listing, and the cache files' modes.
#include "test_sso_support.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

using namespace credsh;
using namespace credsh::sso;
using credsh::test::aws_error;
using credsh::test::response;
using credsh::test::SsoHarness;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const char* kRegister =
    R"({"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1700000000,"clientSecretExpiresAt":1707776000})";
const char* kDevice =
    R"({"deviceCode":"dcode","userCode":"ABCD-EFGH","verificationUri":"https://device.sso.us-east-1.amazonaws.com/",
                          "verificationUriComplete":"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH","expiresIn":600,"interval":1})";
const char* kToken =
    R"({"accessToken":"AT-new","tokenType":"Bearer","expiresIn":28800,"refreshToken":"RT-new"})";
const char* kRole =
    R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"rs","sessionToken":"rt","expiration":1700003600000}})";

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

void write_token(const SsoHarness& h, const std::string& access, std::int64_t expires, bool refreshable,
                 const std::string& refresh = "RT-old") {
    Token t;
    t.start_url = h.ctx.cfg.start_url;
    t.region = h.ctx.cfg.region;
    t.access_token = access;
    t.expires_at = expires;
    if (refreshable) {
        t.client_id = "cid";
        t.client_secret = "csecret";
        t.registration_expires_at = h.clock + 86400;
        t.refresh_token = refresh;
    }
    REQUIRE(write_private_file(h.token_path(), token_json(t)));
}

} // namespace

TEST_CASE("sso login: register, show the code, poll with interval and slow_down, write the token") {
    SsoHarness h(credsh::test::session_config());
    h.http.queue = {response(200, kRegister),
                    response(200, kDevice),
                    aws_error(400, "AuthorizationPendingException", "authorization_pending"),
                    aws_error(400, "SlowDownException", "slow_down"),
                    aws_error(400, "AuthorizationPendingException", "authorization_pending"),
                    response(200, kToken),
                    response(200, kRole)};
    std::vector<std::string> opened;
    h.ctx.io.open_browser = [&](const std::string& url) {
        opened.push_back(url);
        return true;
    };
    Outcome o = login(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    // interval 1, then 1 + 5 after slow_down, kept from then on (RFC 8628 §3.5).
    CHECK(h.sleeps == std::vector<std::int64_t>{1, 1, 6, 6});
    CHECK(h.http.count("/token") == 4);
    CHECK(opened ==
          std::vector<std::string>{"https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH"});
    std::string shown;
    for (const auto& s : h.said)
        shown += s + "\n";
    CHECK(shown.find("ABCD-EFGH") != std::string::npos);
    CHECK(shown.find("https://device.sso.us-east-1.amazonaws.com/") != std::string::npos);
    CHECK(shown.find("csecret") == std::string::npos);
    CHECK(shown.find("dcode") == std::string::npos);

    auto reg_body = json::parse(h.http.calls[0].body);
    CHECK(reg_body["scopes"] == json::array({"sso:account:access"}));
    CHECK(reg_body["clientType"] == "public");
    auto tok = json::parse(credsh::test::read_file(h.token_path()));
    CHECK(tok["accessToken"] == "AT-new");
    CHECK(tok["refreshToken"] == "RT-new");
    CHECK(tok["clientId"] == "cid");
    CHECK(tok["startUrl"] == "https://example.awsapps.com/start");
    CHECK(tok["region"] == "us-east-1");
    CHECK(tok["expiresAt"] == format_iso8601(h.clock + 28800));
    CHECK(tok["registrationExpiresAt"] == format_iso8601(1707776000));
    CHECK(credsh::test::mode_of(h.token_path()) == 0600);
    CHECK(credsh::test::mode_of(h.ctx.cache_dir) == 0700);
    std::string reg_file = h.ctx.cache_dir + "/" + registration_cache_key(h.ctx.cfg) + ".json";
    CHECK(json::parse(credsh::test::read_file(reg_file))["clientId"] == "cid");
    CHECK(files_in(h.ctx.cache_dir).size() == 2); // token + registration, no temp files left

    // A second login reuses the cached registration.
    h.http.calls.clear();
    h.http.queue = {response(200, kDevice), response(200, kToken), response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/client/register") == 0);
}

TEST_CASE("sso login: a legacy profile registers without scopes; an old per-region registration is reused") {
    SsoConfig cfg = credsh::test::session_config();
    cfg.session_name.clear();
    cfg.scopes.clear();
    SsoHarness h(cfg);
    h.http.queue = {response(200, kRegister), response(200, kDevice), response(200, kToken),
                    response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK_FALSE(json::parse(h.http.calls[0].body).contains("scopes"));
    std::vector<std::string> want{registration_cache_key(cfg) + ".json", token_file_name(cfg)};
    std::sort(want.begin(), want.end());
    CHECK(files_in(h.ctx.cache_dir) == want);

    SsoHarness old(cfg);
    Registration r{"old-cid", "old-secret", old.clock + 86400, {}, {}};
    REQUIRE(
        write_private_file(old.ctx.cache_dir + "/botocore-client-id-us-east-1.json", registration_json(r)));
    old.http.queue = {response(200, kDevice), response(200, kToken), response(200, kRole)};
    REQUIRE(login(old.ctx).status == CREDSH_OK);
    CHECK(json::parse(old.http.calls[0].body)["clientId"] == "old-cid");
}

TEST_CASE("sso login: expired_token, access_denied, Ctrl-C and non-interactive requests write nothing") {
    auto run = [](std::vector<sso::HttpResult> script, bool cancel, bool interactive, const char* expect) {
        SsoHarness h(credsh::test::session_config());
        h.http.queue = {response(200, kRegister), response(200, kDevice)};
        for (auto& s : script)
            h.http.queue.push_back(s);
        h.cancel_on_sleep = cancel;
        h.ctx.interactive = interactive;
        Outcome o = login(h.ctx);
        INFO(expect);
        CHECK(o.status == CREDSH_ERROR);
        CHECK(o.message.find(expect) != std::string::npos);
        CHECK_FALSE(fs::exists(h.token_path()));
        for (const auto& f : files_in(h.ctx.cache_dir))
            CHECK(f.find(".tmp") == std::string::npos);
        return h.http.calls.size();
    };
    run({aws_error(400, "AuthorizationPendingException", "authorization_pending"),
         aws_error(400, "ExpiredTokenException", "expired_token")},
        false, true, "expired before it was approved");
    run({aws_error(400, "AccessDeniedException", "access_denied")}, false, true, "declined");
    run({}, true, true, "cancelled");
    CHECK(run({}, false, false, "needs a person") == 0); // no HTTP at all without a person
}

TEST_CASE("sso login: polling stops when the device code's lifetime is over") {
    SsoHarness h(credsh::test::session_config());
    h.http.queue = {
        response(200, kRegister),
        response(
            200,
            R"({"deviceCode":"d","userCode":"U","verificationUri":"https://device.sso.us-east-1.amazonaws.com/","expiresIn":3,"interval":2})")};
    h.http.fn = nullptr;
    for (int i = 0; i < 10; ++i)
        h.http.queue.push_back(aws_error(400, "AuthorizationPendingException", "authorization_pending"));
    Outcome o = login(h.ctx);
    CHECK(o.status == CREDSH_ERROR);
    CHECK(h.http.count("/token") == 2);
}

TEST_CASE("sso credentials: a fresh token goes straight to GetRoleCredentials") {
    SsoHarness h(credsh::test::session_config());
    write_token(h, "AT-fresh", h.clock + 3600, true);
    h.http.queue = {response(200, kRole)};
    Outcome o = get_credentials(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    REQUIRE(h.http.calls.size() == 1);
    CHECK(credsh::test::header_value(h.http.calls[0], "x-amz-sso_bearer_token") == "AT-fresh");
    CHECK(h.http.calls[0].url ==
          "https://portal.test/federation/credentials?account_id=111111111111&role_name=Admin");
    std::map<std::string, std::string> out(o.out.begin(), o.out.end());
    CHECK(out["aws_access_key_id"] == "ASIAROLE");
    CHECK(out["expiration"] == format_iso8601(1700003600));
    CHECK(out["account_id"] == "111111111111");
}

TEST_CASE("sso credentials: inside the window the token is refreshed, rotated, written back") {
    SsoHarness h(credsh::test::session_config());
    write_token(h, "AT-old", h.clock + 600, true);
    h.http.queue = {response(200, R"({"accessToken":"AT-2","expiresIn":3600,"refreshToken":"RT-2"})"),
                    response(200, kRole)};
    REQUIRE(get_credentials(h.ctx).status == CREDSH_OK);
    CHECK(json::parse(h.http.calls[0].body)["refreshToken"] == "RT-old");
    CHECK(credsh::test::header_value(h.http.calls[1], "x-amz-sso_bearer_token") == "AT-2");
    auto tok = parse_token(credsh::test::read_file(h.token_path()));
    REQUIRE(tok);
    CHECK(tok->refresh_token == "RT-2");
    CHECK(tok->expires_at == h.clock + 3600);
    CHECK(credsh::test::mode_of(h.token_path()) == 0600);

    // No refreshToken in the reply: the old one stays.
    SsoHarness k(credsh::test::session_config());
    write_token(k, "AT-old", k.clock - 10, true, "RT-keep");
    k.http.queue = {response(200, R"({"accessToken":"AT-3","expiresIn":3600})"), response(200, kRole)};
    REQUIRE(get_credentials(k.ctx).status == CREDSH_OK);
    CHECK(parse_token(credsh::test::read_file(k.token_path()))->refresh_token == "RT-keep");
}

TEST_CASE("sso credentials: missing, expired, rejected tokens need a login; other failures are errors") {
    SsoHarness none(credsh::test::session_config());
    Outcome o = get_credentials(none.ctx);
    CHECK(o.status == CREDSH_NEEDS_LOGIN);
    CHECK(o.hint == "credsh login dev");
    CHECK(none.http.calls.empty());

    SsoHarness expired(credsh::test::session_config());
    write_token(expired, "AT", expired.clock - 1, false);
    CHECK(get_credentials(expired.ctx).status == CREDSH_NEEDS_LOGIN);
    CHECK(expired.http.calls.empty()); // never a device flow, never a call

    SsoHarness grant(credsh::test::session_config());
    write_token(grant, "AT", grant.clock - 1, true);
    grant.http.queue = {aws_error(400, "InvalidGrantException", "invalid_grant")};
    o = get_credentials(grant.ctx);
    CHECK(o.status == CREDSH_NEEDS_LOGIN);
    CHECK(grant.http.calls.size() == 1);

    SsoHarness valid_but_failing(credsh::test::session_config());
    write_token(valid_but_failing, "AT-still", valid_but_failing.clock + 300, true);
    valid_but_failing.http.queue = {response(500, ""), response(200, kRole)};
    CHECK(get_credentials(valid_but_failing.ctx).status ==
          CREDSH_OK); // refresh failed: the valid token is used
    CHECK(credsh::test::header_value(valid_but_failing.http.calls[1], "x-amz-sso_bearer_token") ==
          "AT-still");
    CHECK(valid_but_failing.said.size() == 1);

    SsoHarness rejected(credsh::test::session_config());
    write_token(rejected, "AT", rejected.clock + 3600, false);
    rejected.http.queue = {aws_error(401, "UnauthorizedException")};
    CHECK(get_credentials(rejected.ctx).status == CREDSH_NEEDS_LOGIN);

    SsoHarness down(credsh::test::session_config());
    write_token(down, "AT", down.clock + 3600, false);
    down.http.queue = {response(503, "")};
    o = get_credentials(down.ctx);
    CHECK(o.status == CREDSH_ERROR);
    CHECK(o.message.find("503") != std::string::npos);

    SsoHarness corrupt(credsh::test::session_config());
    REQUIRE(write_private_file(corrupt.token_path(), "{\"accessToken\": \"AT-S3NT1NEL\", \"expi"));
    o = get_credentials(corrupt.ctx);
    CHECK(o.status == CREDSH_NEEDS_LOGIN);
    CHECK(o.message.find("S3NT1NEL") == std::string::npos);

    SsoConfig token_only = credsh::test::session_config();
    token_only.account_id.clear();
    token_only.role_name.clear();
    SsoHarness t(token_only);
    CHECK(get_credentials(t.ctx).status == CREDSH_ERROR);
}

TEST_CASE("sso credentials: single-flight: a refresher waiting on the lock re-reads the token first") {
    SsoHarness h(credsh::test::session_config());
    write_token(h, "AT-old", h.clock + 60, true);
    h.ctx.timeout_ms = 10000;
    h.http.fn = [](const HttpRequest& r) {
        if (r.url.find("/token") != std::string::npos)
            return response(200, R"({"accessToken":"AT-dup","expiresIn":3600})");
        return response(200, kRole);
    };
    credsh::test::Watchdog dog(20);
    std::optional<Outcome> result;
    // Another process holds the lock and is refreshing.
    auto acquired = FileLock::acquire(h.ctx.locks_dir, "sso-token-" + sha1_hex("my-sso"), 1000);
    REQUIRE(acquired);
    std::optional<FileLock> held;
    held.emplace(std::move(*acquired));
    std::thread t([&] { result = get_credentials(h.ctx); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    write_token(h, "AT-by-other", h.clock + 7200, true, "RT-by-other"); // what the other process wrote
    held.reset(); // its refresh is done: the waiting one proceeds
    t.join();
    REQUIRE(result);
    CHECK(result->status == CREDSH_OK);
    CHECK(h.http.count("/token") == 0); // no second refresh: it used what the other process wrote
    CHECK(credsh::test::header_value(h.http.calls.at(0), "x-amz-sso_bearer_token") == "AT-by-other");
}

TEST_CASE("sso credentials: a lock that stays held: a still-valid token is used, an expired one errors") {
    SsoHarness h(credsh::test::session_config());
    h.ctx.timeout_ms = 200;
    auto held = FileLock::acquire(h.ctx.locks_dir, "sso-token-" + sha1_hex("my-sso"), 1000);
    REQUIRE(held);
    write_token(h, "AT-valid", h.clock + 300, true);
    h.http.queue = {response(200, kRole)};
    CHECK(get_credentials(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/token") == 0);
    write_token(h, "AT-expired", h.clock - 1, true);
    CHECK(get_credentials(h.ctx).status == CREDSH_ERROR);
    CHECK(h.http.count("/token") == 0);
}

TEST_CASE("sso logout: the Logout call with the token, then the file is gone; twice is fine") {
    SsoHarness h(credsh::test::session_config());
    write_token(h, "AT-bye", h.clock + 3600, true);
    h.http.queue = {response(200, "{}")};
    Outcome o = logout(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    CHECK(h.http.calls.at(0).method == "POST");
    CHECK(h.http.calls.at(0).url == "https://portal.test/logout");
    CHECK(credsh::test::header_value(h.http.calls.at(0), "x-amz-sso_bearer_token") == "AT-bye");
    CHECK_FALSE(fs::exists(h.token_path()));
    CHECK(std::find(o.out.begin(), o.out.end(), std::pair<std::string, std::string>{"removed", "1"}) !=
          o.out.end());
    Outcome again = logout(h.ctx);
    CHECK(again.status == CREDSH_OK);
    CHECK(std::find(again.out.begin(), again.out.end(),
                    std::pair<std::string, std::string>{"removed", "0"}) != again.out.end());
}

TEST_CASE("sso accounts: every page of accounts and of each account's roles") {
    SsoHarness h(credsh::test::session_config(), "");
    write_token(h, "AT", h.clock + 3600, false);
    h.http.fn = [](const HttpRequest& r) {
        if (r.url.find("/assignment/accounts") != std::string::npos) {
            if (r.url.find("next_token=p2") != std::string::npos)
                return response(
                    200, R"({"accountList":[{"accountId":"222","accountName":"b","emailAddress":"b@x"}]})");
            return response(
                200,
                R"({"accountList":[{"accountId":"111","accountName":"a","emailAddress":"a@x"}],"nextToken":"p2"})");
        }
        if (r.url.find("account_id=111") != std::string::npos &&
            r.url.find("next_token") == std::string::npos)
            return response(200, R"({"roleList":[{"roleName":"Admin"}],"nextToken":"r2"})");
        if (r.url.find("account_id=111") != std::string::npos)
            return response(200, R"({"roleList":[{"roleName":"Dev"}]})");
        return response(200, R"({"roleList":[{"roleName":"ReadOnly"}]})");
    };
    Outcome o = list_accounts(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    REQUIRE(o.out.size() == 1);
    auto j = json::parse(o.out[0].second);
    CHECK(j ==
          json::parse(R"([{"accountId":"111","accountName":"a","emailAddress":"a@x","roles":["Admin","Dev"]},
                               {"accountId":"222","accountName":"b","emailAddress":"b@x","roles":["ReadOnly"]}])"));
    CHECK(h.http.calls.size() == 5);

    SsoHarness na(credsh::test::session_config(), "");
    Outcome n = list_accounts(na.ctx);
    CHECK(n.status == CREDSH_NEEDS_LOGIN);
    CHECK(n.hint == "credsh login --sso-session my-sso");
}

TEST_CASE("sso files: 0600 files in a 0700 directory whatever the umask; loose modes are tightened") {
    credsh::test::TempDir d;
    credsh::test::Umask u(0);
    std::string dir = d.str() + "/a/sso/cache";
    REQUIRE(write_private_file(dir + "/t.json", "{}"));
    CHECK(credsh::test::mode_of(dir) == 0700);
    CHECK(credsh::test::mode_of(dir + "/t.json") == 0600);
    ::chmod(dir.c_str(), 0755);
    ::chmod((dir + "/t.json").c_str(), 0644);
    REQUIRE(write_private_file(dir + "/t.json", "{\"x\":1}"));
    CHECK(credsh::test::mode_of(dir) == 0700);
    CHECK(credsh::test::mode_of(dir + "/t.json") == 0600);
    CHECK(credsh::test::read_file(dir + "/t.json") == "{\"x\":1}");
    CHECK(files_in(dir) == std::vector<std::string>{"t.json"});
    CHECK(read_state_file_noting(dir + "/missing", kStateFileCap).error().kind == ErrorKind::not_found);
    REQUIRE(::mkfifo((dir + "/fifo").c_str(), 0600) == 0);
    credsh::test::Watchdog dog(5);
    CHECK_FALSE(read_state_file_noting(dir + "/fifo", kStateFileCap)); // never blocks on a FIFO
}

TEST_CASE("sso credentials: a token refused before its time is refreshed once and tried again") {
    // Revoked at the service (or a clock that is off): 401 for a token that has an hour left here.
    SsoHarness h(credsh::test::session_config());
    write_token(h, "AT-revoked", h.clock + 3600, true);
    h.http.queue = {aws_error(401, "UnauthorizedException", "Session token not found or invalid"),
                    response(200, R"({"accessToken":"AT-2","expiresIn":3600,"refreshToken":"RT-2"})"),
                    response(200, kRole)};
    Outcome o = get_credentials(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    REQUIRE(h.http.calls.size() == 3);
    CHECK(json::parse(h.http.calls[1].body)["refreshToken"] == "RT-old");
    CHECK(credsh::test::header_value(h.http.calls[2], "x-amz-sso_bearer_token") == "AT-2");
    CHECK(parse_token(credsh::test::read_file(h.token_path()))->access_token == "AT-2");

    // Refused again after the refresh: a login, and no third try.
    SsoHarness twice(credsh::test::session_config());
    write_token(twice, "AT-revoked", twice.clock + 3600, true);
    twice.http.queue = {aws_error(401, "UnauthorizedException"),
                        response(200, R"({"accessToken":"AT-2","expiresIn":3600})"),
                        aws_error(401, "UnauthorizedException")};
    CHECK(get_credentials(twice.ctx).status == CREDSH_NEEDS_LOGIN);
    CHECK(twice.http.calls.size() == 3);

    // The refresh itself fails (a revoked session revokes its refresh token too): a login, with both reasons;
    // the refused token is never used again although it has not expired.
    SsoHarness dead(credsh::test::session_config());
    write_token(dead, "AT-revoked", dead.clock + 3600, true);
    dead.http.queue = {aws_error(401, "UnauthorizedException"),
                       aws_error(400, "InvalidGrantException", "invalid_grant")};
    o = get_credentials(dead.ctx);
    CHECK(o.status == CREDSH_NEEDS_LOGIN);
    CHECK(o.message.find("was rejected and cannot be refreshed") != std::string::npos);
    CHECK(dead.http.calls.size() == 2);

    // No refresh token: straight to a login, no refresh attempted.
    SsoHarness plain(credsh::test::session_config());
    write_token(plain, "AT-revoked", plain.clock + 3600, false);
    plain.http.queue = {aws_error(401, "UnauthorizedException")};
    CHECK(get_credentials(plain.ctx).status == CREDSH_NEEDS_LOGIN);
    CHECK(plain.http.calls.size() == 1);
}

// --- the authorization-code flow (PKCE) --------------------------------------------------------------------

namespace {
// What the browser would bring back: a scripted callback that reads the state out of the URL it was shown.
struct ScriptedBrowser {
    std::string url;
    std::string mode = "approve"; // approve | wrong_state | deny | none
    std::string query(const std::string& key) const {
        auto q = url.find('?');
        for (auto part : split(std::string_view(url).substr(q + 1), '&')) {
            auto eq = part.find('=');
            if (part.substr(0, eq) == key) return std::string(part.substr(eq + 1));
        }
        return "";
    }
};

void with_browser(SsoHarness& h, ScriptedBrowser& b) {
    h.ctx.io.open_browser = [&b](const std::string& url) {
        b.url = url;
        return true;
    };
    h.ctx.io.listen = []() -> Result<int> { return 49152; };
    h.ctx.io.await_callback = [&b](std::int64_t, const std::string&) -> std::optional<AuthCallback> {
        if (b.mode == "none") return std::nullopt;
        if (b.mode == "deny") return AuthCallback{"", b.query("state"), "access_denied", "the user said no"};
        return AuthCallback{"the-code", b.mode == "wrong_state" ? "other" : b.query("state"), "", ""};
    };
}
} // namespace

TEST_CASE(
    "sso login, authorization code: register for it, send the browser, exchange the code with the verifier") {
    SsoHarness h(credsh::test::session_config());
    ScriptedBrowser b;
    with_browser(h, b);
    h.http.queue = {response(200, kRegister), response(200, kToken), response(200, kRole)};
    Outcome o = login(h.ctx);
    REQUIRE(o.status == CREDSH_OK);
    CHECK(h.http.count("/device_authorization") == 0);
    auto reg = json::parse(h.http.calls[0].body);
    CHECK(reg["grantTypes"] == json::array({"authorization_code", "refresh_token"}));
    CHECK(reg["redirectUris"] == json::array({"http://127.0.0.1/oauth/callback"}));
    CHECK(reg["issuerUrl"] == "https://example.awsapps.com/start");
    CHECK(reg["scopes"] == json::array({"sso:account:access"}));
    // The browser's URL: OIDC's /authorize with the loopback port, S256, the state and the scopes.
    CHECK(b.url.rfind(h.ctx.endpoints.oidc + "/authorize?response_type=code&client_id=cid&", 0) == 0);
    CHECK(b.query("redirect_uri") == "http%3A%2F%2F127.0.0.1%3A49152%2Foauth%2Fcallback");
    CHECK(b.query("code_challenge_method") == "S256");
    CHECK(b.query("scopes") == "sso%3Aaccount%3Aaccess");
    CHECK(b.query("state").size() == 32);
    CHECK(b.query("code_challenge").size() == 43);
    auto tok_req = json::parse(h.http.calls[1].body);
    CHECK(tok_req["grantType"] == "authorization_code");
    CHECK(tok_req["code"] == "the-code");
    CHECK(tok_req["redirectUri"] == "http://127.0.0.1:49152/oauth/callback");
    // The verifier sent is the one the challenge in the URL was made from.
    CHECK(pkce_challenge(tok_req["codeVerifier"].get<std::string>()) == b.query("code_challenge"));
    auto tok = json::parse(credsh::test::read_file(h.token_path()));
    CHECK(tok["accessToken"] == "AT-new");
    CHECK(tok["refreshToken"] == "RT-new");
    std::string reg_file = h.ctx.cache_dir + "/" + registration_cache_key(h.ctx.cfg) + ".json";
    CHECK(json::parse(credsh::test::read_file(reg_file))["grantTypes"] ==
          json::array({"authorization_code", "refresh_token"}));

    // The next sign-in reuses that registration; a device-code sign-in does not (botocore's rule) ...
    h.http.calls.clear();
    h.http.queue = {response(200, kToken), response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/client/register") == 0);
    h.http.calls.clear();
    h.ctx.use_device_code = true;
    h.http.queue = {response(200, kRegister), response(200, kDevice), response(200, kToken),
                    response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/client/register") == 1);
    CHECK_FALSE(json::parse(h.http.calls[0].body).contains("grantTypes"));
    // ... and an authorization-code sign-in does not reuse the device client it wrote.
    h.http.calls.clear();
    h.ctx.use_device_code = false;
    h.http.queue = {response(200, kRegister), response(200, kToken), response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/client/register") == 1);
}

TEST_CASE("sso login, authorization code: a wrong state, a refusal or no answer writes nothing") {
    for (const char* mode : {"wrong_state", "deny", "none"}) {
        SsoHarness h(credsh::test::session_config());
        ScriptedBrowser b;
        b.mode = mode;
        with_browser(h, b);
        h.http.queue = {response(200, kRegister), response(200, kToken), response(200, kRole)};
        Outcome o = login(h.ctx);
        INFO(mode);
        CHECK(o.status == CREDSH_ERROR);
        CHECK(h.http.count("/token") == 0); // the code is never exchanged
        CHECK_FALSE(fs::exists(h.token_path()));
        if (std::string(mode) == "wrong_state") CHECK(o.message.find("state differs") != std::string::npos);
        if (std::string(mode) == "deny")
            CHECK(o.message.find("declined (access_denied") != std::string::npos);
        if (std::string(mode) == "none") CHECK(o.message.find("within 10 minutes") != std::string::npos);
    }
}

TEST_CASE("sso login: a legacy profile and --use-device-code take the device code even with a browser") {
    SsoConfig legacy = credsh::test::session_config();
    legacy.session_name.clear();
    legacy.scopes.clear();
    SsoHarness h(legacy);
    ScriptedBrowser b;
    with_browser(h, b);
    h.http.queue = {response(200, kRegister), response(200, kDevice), response(200, kToken),
                    response(200, kRole)};
    REQUIRE(login(h.ctx).status == CREDSH_OK);
    CHECK(h.http.count("/device_authorization") == 1);
    CHECK(b.url == "https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH");
}

TEST_CASE("pkce: verifier, challenge (python hashlib's answer), state") {
    CHECK(pkce_challenge("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-.") ==
          "aIvau3ndcAe9_iM1ADlIcVlcudWGuhxW51yx26LjINM");
    std::string v = pkce_verifier();
    CHECK(v.size() == 64);
    CHECK(v.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~") ==
          std::string::npos);
    CHECK(pkce_verifier() != v);
    CHECK(random_state().size() == 32);
    CHECK(random_state() != random_state());
}

TEST_CASE("loopback: the callback's request target") {
    auto cb = parse_callback_target("/oauth/callback?code=a%2Bb+c&state=s1");
    REQUIRE(cb);
    CHECK(cb->code == "a+b c");
    CHECK(cb->state == "s1");
    cb = parse_callback_target("/oauth/callback?error=access_denied&error_description=no%21&state=s");
    REQUIRE(cb);
    CHECK(cb->error == "access_denied");
    CHECK(cb->error_description == "no!");
    CHECK_FALSE(parse_callback_target("/favicon.ico"));
    CHECK_FALSE(parse_callback_target("/oauth/callback"));
    CHECK_FALSE(parse_callback_target("/oauth/callback?code=x"));          // no state
    CHECK_FALSE(parse_callback_target("/oauth/callbackX?code=x&state=y")); // another path
    CHECK(parse_callback_target("/oauth/callback?code=%zz&state=y")->code == "%zz");
}

TEST_CASE("loopback: a real listener on 127.0.0.1 answers the browser and reports the code") {
    auto l = LoopbackListener::open();
    REQUIRE(l);
    REQUIRE(l->port() > 0);
    std::string page;
    std::thread browser([port = l->port(), &page] {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        std::string cmd = "curl -s 'http://127.0.0.1:" + std::to_string(port) + "/favicon.ico' >/dev/null; " +
                          "curl -s 'http://127.0.0.1:" + std::to_string(port) +
                          "/oauth/callback?code=C&state=S'";
        if (FILE* p = ::popen(cmd.c_str(), "r")) {
            char buf[512];
            while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
                page.append(buf, n);
            ::pclose(p);
        }
    });
    auto cb = l->wait(10, "S", [] { return false; });
    browser.join();
    REQUIRE(cb);
    CHECK(cb->code == "C");
    CHECK(cb->state == "S");
    CHECK(page.find("Signed in") != std::string::npos);
    // Ctrl-C: the wait ends with nothing (no timing asserted here; the shell test drives a real login).
    CHECK_FALSE(l->wait(10, "S", [] { return true; }));
}
