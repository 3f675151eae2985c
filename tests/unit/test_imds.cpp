// The imds plugin's pure parts (plugins/imds/imds_config.hpp, metadata_json.hpp): container endpoint rules,
// including every case of smithy-rs's ecs-tests.json read in place; the EC2 metadata endpoint and switches;
// the credentials document, including the recorded IMDS and ECS bodies of the default-chain suite.
#include "helpers.hpp"

#include "imds_config.hpp"
#include "metadata_json.hpp"

#include <nlohmann/json.hpp>

#include <map>

using namespace credsh;
using namespace credsh::imds;

namespace {

using Vars = std::map<std::string, std::string>;

Lookup lookup(const Vars& vars) {
    return [vars](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end() || it->second.empty()) return std::nullopt;
        return it->second;
    };
}

std::filesystem::path smithy_test_data() {
    return credsh::test::conformance_dir() / "smithy-rs/aws/rust-runtime/aws-config/test-data";
}

} // namespace

TEST_CASE("container_url: smithy-rs ecs-tests.json, all cases", "[imds]") {
    auto doc = nlohmann::json::parse(credsh::test::read_file(smithy_test_data() / "ecs-tests.json"));
    const auto& tests = doc.at("tests");
    REQUIRE(tests.size() == 11);
    for (const auto& t : tests) {
        INFO(t.at("docs").get<std::string>());
        Vars env;
        for (const auto& [k, v] : t.at("env").items())
            env[k] = v.get<std::string>();
        auto r = container_url(lookup(env));
        const auto& want = t.at("result");
        if (want.contains("Ok")) {
            REQUIRE(r);
            CHECK(*r == want.at("Ok").get<std::string>());
        } else {
            REQUIRE_FALSE(r);
            CHECK_THAT(r.error().message, Catch::Contains(want.at("ErrorContains").get<std::string>()));
        }
    }
}

TEST_CASE("container_url: plain http only to loopback literals, localhost and the agents", "[imds]") {
    auto url = [](const std::string& full) {
        return container_url(lookup({{"AWS_CONTAINER_CREDENTIALS_FULL_URI", full}}));
    };
    for (const char* ok :
         {"http://127.0.0.1/creds", "http://127.0.0.1:51679/creds", "http://127.200.3.4/x",
          "http://[::1]:8080/creds", "http://[0:0:0:0:0:0:0:1]/x", "HTTP://127.0.0.1/upper-scheme",
          "http://localhost:8080/creds", "http://169.254.170.2/v2/x", "http://169.254.170.23/v1/x",
          "http://[fd00:ec2::23]/v1/x", "http://[fd00:ec2:0::23]/v1/x", "https://example.com/x",
          "https://169.254.169.254/x"}) {
        INFO(ok);
        auto r = url(ok);
        REQUIRE(r);
        CHECK(*r == ok);
    }
    const std::string rule = "plain http is allowed only to a loopback address";
    for (const char* bad : {"http://example.com/x", "http://169.254.169.254/latest", "http://10.0.0.1/x",
                            "http://169.254.170.2.example.com/x", "http://localhost.example.com/x",
                            "http://[fd00:ec2::24]/x", "http://[::ffff:127.0.0.1]/x", "http://128.0.0.1/x"}) {
        INFO(bad);
        auto r = url(bad);
        REQUIRE_FALSE(r);
        CHECK_THAT(r.error().message, Catch::Contains(rule));
        CHECK_THAT(r.error().message, Catch::StartsWith("AWS_CONTAINER_CREDENTIALS_FULL_URI "));
    }
    // The authority's user part would move the real host behind the '@'.
    auto userinfo = url("http://127.0.0.1@example.com/x");
    REQUIRE_FALSE(userinfo);
    CHECK_THAT(userinfo.error().message, Catch::Contains("must not contain user information"));
    auto scheme = url("ftp://127.0.0.1/x");
    REQUIRE_FALSE(scheme);
    CHECK_THAT(scheme.error().message, Catch::Contains("only http and https"));
    auto no_host = url("http:///x");
    REQUIRE_FALSE(no_host);

    auto relative = container_url(lookup({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "creds"}}));
    REQUIRE_FALSE(relative);
    CHECK(relative.error().message == "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI creds must start with /");
    // An empty variable is unset (the full URI is then used).
    auto empty_rel = container_url(lookup({{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", ""},
                                           {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1/c"}}));
    REQUIRE(empty_rel);
    CHECK(*empty_rel == "http://127.0.0.1/c");
}

TEST_CASE("is_loopback_literal and url_origin", "[imds]") {
    CHECK(is_loopback_literal("127.0.0.1"));
    CHECK(is_loopback_literal("127.255.255.254"));
    CHECK(is_loopback_literal("::1"));
    CHECK_FALSE(is_loopback_literal("localhost"));
    CHECK_FALSE(is_loopback_literal("126.0.0.1"));
    CHECK_FALSE(is_loopback_literal("127.1")); // not a literal inet_pton accepts: refused, never guessed
    CHECK_FALSE(is_loopback_literal("::2"));
    CHECK(url_origin("http://169.254.170.2/v2/credentials/secret-id?x=1") == "http://169.254.170.2");
    CHECK(url_origin("https://h:8443?q") == "https://h:8443");
    CHECK(url_origin("http://[fd00:ec2::254]") == "http://[fd00:ec2::254]");
}

TEST_CASE("check_header_value refuses CR and LF", "[imds]") {
    CHECK(check_header_value("Bearer abc.def", "T"));
    CHECK(check_header_value("sometoken", "T"));
    auto lf = check_header_value("sometoken\n", "the token in F");
    REQUIRE_FALSE(lf);
    CHECK(lf.error().message ==
          "the token in F contains a line break (CR or LF), which is not a legal header value");
    CHECK_FALSE(check_header_value("a\rb", "T"));
    CHECK_FALSE(check_header_value("a\r\nX-Injected: 1", "T"));
}

TEST_CASE("ec2_config: endpoint, mode, and the v1 and disable switches", "[imds]") {
    auto cfg = [](const Vars& env, const Vars& settings) {
        return ec2_config(lookup(env), lookup(settings));
    };
    auto d = cfg({}, {});
    REQUIRE(d);
    CHECK(d->endpoint == "http://169.254.169.254");
    CHECK_FALSE(d->v1_disabled);

    for (const char* v : {"true", "True", "TRUE"}) {
        auto off = cfg({{"AWS_EC2_METADATA_DISABLED", v}}, {});
        REQUIRE_FALSE(off);
        CHECK(off.error().message == "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)");
    }
    CHECK(cfg({{"AWS_EC2_METADATA_DISABLED", "false"}}, {}));
    CHECK(cfg({{"AWS_EC2_METADATA_DISABLED", "1"}}, {})); // botocore: only "true" disables

    CHECK(cfg({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}}, {})->endpoint ==
          "http://[fd00:ec2::254]");
    CHECK(cfg({}, {{"ec2_metadata_service_endpoint_mode", "ipv6"}})->endpoint == "http://[fd00:ec2::254]");
    CHECK(cfg({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv4"}},
              {{"ec2_metadata_service_endpoint_mode", "IPv6"}})
              ->endpoint == "http://169.254.169.254");
    auto bad_mode = cfg({}, {{"ec2_metadata_service_endpoint_mode", "IPv5"}});
    REQUIRE_FALSE(bad_mode);
    CHECK(bad_mode.error().message == "ec2_metadata_service_endpoint_mode is IPv5, expected IPv4 or IPv6");

    // An endpoint beats the mode; the variable beats the setting; a trailing slash is dropped.
    CHECK(cfg({{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}},
              {{"ec2_metadata_service_endpoint", "http://127.0.0.1:1234/"}})
              ->endpoint == "http://127.0.0.1:1234");
    CHECK(cfg({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://[::1]:9"}},
              {{"ec2_metadata_service_endpoint", "http://127.0.0.1:1234"}})
              ->endpoint == "http://[::1]:9");
    auto bad_ep = cfg({{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "169.254.169.254"}}, {});
    REQUIRE_FALSE(bad_ep);
    CHECK(bad_ep.error().message ==
          "AWS_EC2_METADATA_SERVICE_ENDPOINT 169.254.169.254: URI did not specify a host");

    CHECK(cfg({{"AWS_EC2_METADATA_V1_DISABLED", "true"}}, {})->v1_disabled);
    CHECK(cfg({}, {{"ec2_metadata_v1_disabled", "True"}})->v1_disabled);
    CHECK_FALSE(cfg({{"AWS_EC2_METADATA_V1_DISABLED", "false"}}, {{"ec2_metadata_v1_disabled", "true"}})
                    ->v1_disabled);
    CHECK_FALSE(cfg({}, {{"ec2_metadata_v1_disabled", "no"}})->v1_disabled);
}

TEST_CASE("parse_metadata_credentials: the recorded IMDS and ECS documents", "[imds]") {
    // The bodies the default-chain cases recorded, read in place: the last JSON response of each.
    auto body_of = [](const std::string& case_dir) {
        auto traffic = nlohmann::json::parse(credsh::test::read_file(
            smithy_test_data() / "default-credential-provider-chain" / case_dir / "http-traffic.json"));
        std::string body;
        for (const auto& e : traffic.at("events")) {
            const auto& a = e.at("action");
            if (a.contains("Data") && a["Data"]["direction"] == "Response") {
                std::string s = a["Data"]["data"]["Utf8"].get<std::string>();
                if (s.find("AccessKeyId") != std::string::npos && s.front() == '{') body = s;
            }
        }
        REQUIRE_FALSE(body.empty());
        return body;
    };
    auto imds = parse_metadata_credentials(body_of("imds_default_chain_success"));
    REQUIRE(imds);
    CHECK(imds->access_key_id == "ASIARTEST");
    CHECK(imds->secret_access_key == "testsecret");
    CHECK(imds->token == "testtoken"); // the field is Token
    CHECK(imds->expiration == 1632197813);
    CHECK(imds->account_id.empty());
    auto ecs = parse_metadata_credentials(body_of("ecs_credentials"));
    REQUIRE(ecs);
    CHECK(ecs->access_key_id == "ASIARCORRECT");
    CHECK(ecs->token == "tokencorrect");
    CHECK(ecs->account_id == "012345678901");
    CHECK(ecs->expiration == 1234567890);
}

TEST_CASE("parse_metadata_credentials: errors are clear and never quote a secret", "[imds]") {
    const std::string secret = "SENTINEL-SECRET-1234";
    auto err = [](const std::string& body) {
        auto r = parse_metadata_credentials(body);
        REQUIRE_FALSE(r);
        return r.error().message;
    };
    CHECK(err("not json " + secret) == "the credentials response is not a JSON object");
    CHECK(err("[1,2]") == "the credentials response is not a JSON object");
    CHECK(err(R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role x"})") ==
          "the credentials response says AssumeRoleUnauthorizedAccess: EC2 cannot assume the role x");
    std::string base =
        R"("AccessKeyId":"ASIAX","SecretAccessKey":")" + secret + R"(","Expiration":"2030-01-01T00:00:00Z")";
    CHECK(err("{" + base + "}") == "the credentials response has no Token");
    CHECK(err("{" + base + R"(,"SessionToken":"t"})") ==
          "the credentials response has no Token"); // not an alias
    CHECK(err("{" + base + R"(,"Token":""})") == "the credentials response has no Token");
    CHECK(err("{" + base + R"(,"Token":5})") == "the credentials response has no Token");
    CHECK(err(R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T"})") ==
          "the credentials response has no Expiration");
    CHECK(err(R"({"AccessKeyId":"A","SecretAccessKey":"S","Token":"T","Expiration":"soon"})") ==
          "the credentials response has an unreadable Expiration: soon");
    CHECK(err(R"({"SecretAccessKey":")" + secret + R"(","Token":"T","Expiration":"2030-01-01T00:00:00Z"})") ==
          "the credentials response has no AccessKeyId");
    auto ok = parse_metadata_credentials("{" + base + R"(,"Token":"T","Code":"Success","Type":"AWS-HMAC"})");
    REQUIRE(ok);
    CHECK(ok->expiration == 1893456000);
}
