// aws-sso against the cross-SDK suites in ../shared/conformance (read in place; docs/protocols.md §3):
//  - botocore sso-token-provider-tests: resolution cases (which settings make an SSO token provider) and
//  refresh
//    cases (cached token, clock, CreateToken reply -> token, write-back, or error);
//  - Kotlin sso-token-cache-behavior-tests: the same refresh cases with Kotlin's error text;
//  - the SSO cases of smithy-rs default-credential-provider-chain / profile-provider and Kotlin's
//    default-provider-chain, with their recorded http-traffic.json replayed by a fake transport that checks
//    each request (method, scheme, host, path, query, bearer header) before answering with the recorded
//    response;
//  - smithy-rs default-token-provider-chain (the bearer token of a token-only sso-session profile);
//  - aws-sdk-go ssocreds token files (valid, expired, malformed, each field missing), judged by their names.
// One deliberate difference, checked explicitly: when a refresh reply has no refreshToken, botocore writes
// the entry without one; credsh keeps the old refresh token (docs/protocols.md §1), so the next refresh still
// works.
#include "test_sso_support.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>

using namespace credsh;
using namespace credsh::sso;
namespace fs = std::filesystem;
using credsh::test::SsoHarness;
using nlohmann::json;

namespace {

json load_json(const fs::path& p) {
    std::string text = credsh::test::read_file(p);
    INFO(p);
    REQUIRE_FALSE(text.empty());
    return json::parse(text);
}

// The settings the host would pass for `profile` (resolve.cpp step_settings): its keys lower-cased and the
// referenced [sso-session]'s as "sso-session.KEY".
std::map<std::string, std::string> settings_for(const json& profiles, const json& sessions,
                                                const std::string& profile) {
    std::map<std::string, std::string> s;
    if (!profiles.contains(profile)) return s;
    for (auto& [k, v] : profiles[profile].items())
        s[to_lower(k)] = v.get<std::string>();
    if (s.count("sso_session") && sessions.contains(s["sso_session"]))
        for (auto& [k, v] : sessions[s["sso_session"]].items())
            s["sso-session." + to_lower(k)] = v.get<std::string>();
    return s;
}

std::int64_t at(const std::string& iso) {
    auto t = parse_iso8601(iso);
    REQUIRE(t);
    return *t;
}

// Runs one refresh case; `expired_text` says how an expected exception must read (botocore names a class).
void run_refresh_case(const json& c, const std::string& session, bool kotlin) {
    INFO(c["documentation"].get<std::string>());
    SsoConfig cfg;
    cfg.session_name = session;
    cfg.start_url = "https://d-123.awsapps.com/start";
    cfg.region = "us-west-2";
    cfg.scopes = {"sso:account:access"};
    SsoHarness h(cfg, "test");
    h.clock = at(c["currentTime"]);
    if (session == "admin") REQUIRE(token_file_name(cfg) == "d033e22ae348aeb5660fc2140aec35850c4da997.json");
    std::string cached = c["cachedToken"].dump();
    REQUIRE(write_private_file(h.token_path(), cached));
    bool has_reply = c.contains("refreshResponse");
    h.http.fn = [&](const HttpRequest&) {
        if (has_reply) return credsh::test::response(200, c["refreshResponse"].dump());
        return credsh::test::aws_error(400, "InvalidGrantException", "invalid_grant");
    };
    TokenOutcome r = current_token(h.ctx);

    if (c.contains("expectedToken")) {
        REQUIRE(r.token);
        CHECK(r.token->access_token == c["expectedToken"]["token"].get<std::string>());
        CHECK(r.token->expires_at == at(c["expectedToken"]["expiration"]));
    }
    if (c.contains("expectedTokenWriteback")) {
        REQUIRE(h.http.calls.size() == 1);
        auto body = json::parse(h.http.calls[0].body);
        CHECK(body == json({{"grantType", "refresh_token"},
                            {"clientId", c["cachedToken"]["clientId"]},
                            {"clientSecret", c["cachedToken"]["clientSecret"]},
                            {"refreshToken", c["cachedToken"]["refreshToken"]}}));
        json ours = json::parse(credsh::test::read_file(h.token_path()));
        json expected = c["expectedTokenWriteback"];
        if (!expected.contains("refreshToken") && c["cachedToken"].contains("refreshToken")) {
            // credsh's one departure: the old refresh token is kept.
            CHECK(ours["refreshToken"] == c["cachedToken"]["refreshToken"]);
            ours.erase("refreshToken");
        }
        CHECK(ours == expected);
    } else {
        CHECK(credsh::test::read_file(h.token_path()) == cached); // nothing written
        CHECK(h.http.calls.empty());                              // and nothing asked
    }
    if (c.contains("expectedException")) {
        REQUIRE_FALSE(r.token);
        std::string want = c["expectedException"];
        // No usable token is always "a person must sign in" for credsh: the prompt shows one login hint.
        CHECK(r.failure.status == CREDSH_NEEDS_LOGIN);
        CHECK(r.failure.hint == "credsh login test");
        if (kotlin) {
            CHECK(r.failure.message.find(want) != std::string::npos);
        } else if (want == "TokenRetrievalError") {
            CHECK(r.failure.message.find("SSO token for sso-session: admin is expired") != std::string::npos);
        } else {
            REQUIRE(want == "SSOTokenLoadError");
            CHECK(r.failure.message.find("the token file has no") != std::string::npos);
        }
    }
}

} // namespace

TEST_CASE("sso conformance: botocore token provider resolution cases") {
    json suite =
        load_json(credsh::test::conformance_dir() / "botocore/sso-token-provider-tests.botocore.json");
    int n = 0;
    for (const auto& c : suite["sso_provider_resolution_cases"]) {
        INFO(c["documentation"].get<std::string>());
        const json& cfg = c["config"];
        auto s = settings_for(cfg["profiles"], cfg.value("sso_sessions", json::object()), "test");
        auto r = sso_config_from(
            [&](std::string_view k) -> std::optional<std::string> {
                auto it = s.find(std::string(k));
                return it == s.end() ? std::nullopt : std::optional<std::string>(it->second);
            },
            "test");
        if (c["resolves"].get<bool>()) {
            CHECK(r.ok());
        } else if (c.contains("expectedException")) {
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().kind == ErrorKind::failed); // InvalidConfigError: a configuration error, reported
        } else {
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().kind == ErrorKind::not_found); // not an SSO profile: skipped, no error
        }
        ++n;
    }
    CHECK(n == 6);
}

TEST_CASE("sso conformance: botocore token provider refresh cases") {
    json suite =
        load_json(credsh::test::conformance_dir() / "botocore/sso-token-provider-tests.botocore.json");
    int n = 0;
    for (const auto& c : suite["sso_provider_refresh_cases"]) {
        run_refresh_case(c, "admin", false);
        ++n;
    }
    CHECK(n == 8);
}

TEST_CASE("sso conformance: Kotlin token cache behaviour cases") {
    json suite = load_json(credsh::test::conformance_dir() /
                           "aws-sdk-kotlin/sso-token-cache-behavior-tests.kotlin.json");
    int n = 0;
    for (const auto& c : suite["cases"]) {
        run_refresh_case(c, "test-session", true);
        ++n;
    }
    CHECK(n == 6);
}

namespace {

struct Recorded {
    std::string method, uri;
    std::map<std::string, std::string> headers; // lower-cased names
    long status = 0;
    std::string body;
};

std::vector<Recorded> load_traffic(const fs::path& p) {
    json j = load_json(p);
    std::vector<Recorded> out;
    auto first = [](const json& v) { return v.is_array() ? v[0].get<std::string>() : v.get<std::string>(); };
    if (j.is_array()) { // Kotlin
        for (const auto& e : j) {
            Recorded r{e["request"]["method"],
                       e["request"]["uri"],
                       {},
                       e["response"]["status"],
                       e["response"].value("body", "")};
            for (auto& [k, v] : e["request"]["headers"].items())
                r.headers[to_lower(k)] = first(v);
            out.push_back(r);
        }
        return out;
    }
    for (const auto& ev : j["events"]) { // smithy-rs
        const json& a = ev["action"];
        if (a.contains("Request")) {
            Recorded r;
            r.method = a["Request"]["request"]["method"];
            r.uri = a["Request"]["request"]["uri"];
            for (auto& [k, v] : a["Request"]["request"]["headers"].items())
                r.headers[to_lower(k)] = first(v);
            out.push_back(r);
        } else if (a.contains("Response")) {
            out.back().status = a["Response"]["response"]["Ok"]["status"];
        } else if (a.contains("Data") && a["Data"]["direction"] == "Response") {
            out.back().body += a["Data"]["data"].value("Utf8", "");
        }
    }
    return out;
}

// scheme://host/path and the query parameters as a set (recordings order them differently).
std::pair<std::string, std::set<std::string>> split_url(const std::string& url) {
    auto q = url.find('?');
    std::set<std::string> params;
    if (q != std::string::npos)
        for (auto p : split(std::string_view(url).substr(q + 1), '&'))
            params.insert(std::string(p));
    return {url.substr(0, q), params};
}

struct ChainCase {
    const char* dir;
    const char* error_substring; // for an ErrorContains result: what credsh's message says instead
};

} // namespace

TEST_CASE("sso conformance: default-chain and profile-provider SSO cases, recorded traffic replayed") {
    const fs::path root = credsh::test::conformance_dir();
    const ChainCase cases[] = {
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/default-credential-provider-chain/sso_assume_role",
         nullptr},
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/default-credential-provider-chain/"
         "e2e_fips_and_dual_stack_sso",
         nullptr},
        // smithy-rs: "failed to read `.../dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json`: No such file": the
        // same file.
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/default-credential-provider-chain/"
         "sso_no_token_file",
         "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json"},
        // smithy-rs: "an error occurred while loading credentials"; credsh names the operation and status.
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/default-credential-provider-chain/sso_server_error",
         "GetRoleCredentials (portal.sso.us-east-2.amazonaws.com): HTTP 503"},
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider/sso_credentials", nullptr},
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider/sso_override_global_env_url",
         nullptr},
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider/invalid_sso_credentials_config",
         "selected profile will resolve an access token instead of credentials"},
        {"smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider/sso_token",
         "selected profile will resolve an access token instead of credentials"},
        {"aws-sdk-kotlin/aws-runtime/aws-config/common/test-resources/default-provider-chain/legacy_sso_role",
         nullptr},
        {"aws-sdk-kotlin/aws-runtime/aws-config/common/test-resources/default-provider-chain/sso_session",
         nullptr},
    };
    for (const ChainCase& cc : cases) {
        fs::path dir = root / cc.dir;
        INFO(cc.dir);
        json tc = load_json(dir / "test-case.json");
        json env = load_json(dir / "env.json");
        auto traffic = load_traffic(dir / "http-traffic.json");

        // The case's HOME in a scratch copy (a refresh or lock must never write into the suite).
        credsh::test::TempDir home;
        fs::copy(dir / "fs/home", home.path, fs::copy_options::recursive);
        std::optional<ProfileSource> config, creds;
        if (fs::exists(home.path / ".aws/config"))
            config = ProfileSource{"config", credsh::test::read_file(home.path / ".aws/config")};
        if (fs::exists(home.path / ".aws/credentials"))
            creds = ProfileSource{"credentials", credsh::test::read_file(home.path / ".aws/credentials")};
        auto profiles = parse_profile_files(config, creds);
        REQUIRE(profiles);
        std::string name = env.value("AWS_PROFILE", "default");
        auto chain = plan_chain(*profiles, CredshConfig{}, name);
        REQUIRE(chain);
        REQUIRE(chain->size() == 1);
        REQUIRE(chain->front().kind == StepKind::sso);

        credsh::test::FakeRequest fr;
        fr.profile = name;
        fr.home = home.str();
        for (auto& [k, v] : env.items())
            fr.env[k] = v.get<std::string>();
        fr.env["HOME"] = home.str();
        for (const auto& [k, v] : profiles->profiles.at(name))
            fr.settings[to_lower(k)] = v;
        if (fr.settings.count("sso_session"))
            for (const auto& [k, v] : profiles->sso_sessions.at(fr.settings["sso_session"]))
                fr.settings["sso-session." + to_lower(k)] = v;
        auto req = fr.view();
        auto cfg = sso_config_from(req);
        REQUIRE(cfg);

        SsoHarness h(*cfg, name);
        h.ctx.cache_dir = sso_cache_dir(home.str());
        h.ctx.endpoints = sso_endpoints(req, cfg->region);
        h.ctx.interactive = false;
        bool ok_case = tc["result"].contains("Ok");
        h.clock = ok_case ? tc["result"]["Ok"]["expiry"].get<std::int64_t>() - 3600 : 1640000000;
        std::size_t served = 0;
        h.http.fn = [&](const HttpRequest& r) {
            if (served >= traffic.size())
                return credsh::test::response(599, R"({"message":"unexpected request"})");
            const Recorded& want = traffic[served++];
            CHECK(r.method == want.method);
            CHECK(split_url(r.url) == split_url(want.uri));
            for (const char* hname : {"x-amz-sso_bearer_token"})
                if (want.headers.count(hname))
                    CHECK(credsh::test::header_value(r, hname) == want.headers.at(hname));
            return credsh::test::response(want.status, want.body);
        };
        Outcome o = get_credentials(h.ctx);
        CHECK(served == traffic.size()); // every recorded request was made, and no other
        if (ok_case) {
            const json& want = tc["result"]["Ok"];
            REQUIRE(o.status == CREDSH_OK);
            std::map<std::string, std::string> out(o.out.begin(), o.out.end());
            CHECK(out["aws_access_key_id"] == want["access_key_id"].get<std::string>());
            CHECK(out["aws_secret_access_key"] == want["secret_access_key"].get<std::string>());
            CHECK(out["aws_session_token"] == want["session_token"].get<std::string>());
            CHECK(out["expiration"] == format_iso8601(want["expiry"].get<std::int64_t>()));
            std::string account = want.contains("account_id") ? want["account_id"] : want["accountId"];
            CHECK(out["account_id"] == account);
        } else {
            REQUIRE(cc.error_substring);
            CHECK(o.status != CREDSH_OK);
            INFO("message: " << o.message);
            CHECK(o.message.find(cc.error_substring) != std::string::npos);
        }
    }
}

TEST_CASE(
    "sso conformance: smithy-rs default-token-provider-chain (the bearer token of an sso-session profile)") {
    const fs::path root = credsh::test::conformance_dir() /
                          "smithy-rs/aws/rust-runtime/aws-config/test-data/default-token-provider-chain";
    int n = 0;
    for (const char* name : {"profile_keys", "profile_keys_case_insensitive", "profile_name"}) {
        INFO(name);
        fs::path dir = root / name;
        json tc = load_json(dir / "test-case.json");
        json env = load_json(dir / "env.json");
        auto profiles = parse_profile_files(
            ProfileSource{"config", credsh::test::read_file(dir / "fs/home/.aws/config")}, std::nullopt);
        REQUIRE(profiles);
        std::string profile = env.value("AWS_PROFILE", "default");
        credsh::test::FakeRequest fr;
        fr.profile = profile;
        for (const auto& [k, v] : profiles->profiles.at(profile))
            fr.settings[to_lower(k)] = v;
        for (const auto& [k, v] : profiles->sso_sessions.at(fr.settings.at("sso_session")))
            fr.settings["sso-session." + to_lower(k)] = v;
        auto cfg = sso_config_from(fr.view());
        REQUIRE(cfg);
        SsoHarness h(*cfg, profile);
        h.ctx.cache_dir =
            (dir / "fs/home/.aws/sso/cache").string(); // read only: a fresh token is never written
        h.clock = 1700000000;
        TokenOutcome t = current_token(h.ctx);
        REQUIRE(t.token);
        CHECK(t.token->access_token == tc["result"]["Ok"]["token"].get<std::string>());
        CHECK(t.token->expires_at == at(tc["result"]["Ok"]["expiration"]));
        CHECK(h.http.calls.empty()); // recorded traffic: none
        ++n;
    }
    CHECK(n == 3);
}

TEST_CASE("sso conformance: aws-sdk-go ssocreds token files parse, or fail, as their names say") {
    const fs::path dir = credsh::test::conformance_dir() / "aws-sdk-go/aws/credentials/ssocreds/testdata";
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        std::string name = e.path().filename().string();
        INFO(name);
        auto tok = parse_token(credsh::test::read_file(e.path()));
        // No token without accessToken and a readable expiresAt (f7f7ff32... has both empty, invalid_json is
        // cut).
        bool must_fail = name == "invalid_json.json" || name == "missing_accessToken.json" ||
                         name == "missing_expiresAt.json" || name.rfind("f7f7ff32", 0) == 0;
        CHECK(tok.ok() == !must_fail);
        if (tok && name.rfind("missing_", 0) == 0)
            CHECK_FALSE(token_refreshable(*tok, 0)); // missing_clientId / _clientSecret / _refreshToken
        if (tok && name == "expired_token.json") CHECK(tok->refresh_token == "refresh token");
        ++n;
    }
    CHECK(n >= 12);
}
