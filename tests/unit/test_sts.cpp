// The mfa-sts plugin's pure parts (plugins/mfa-sts/sts_xml, sts_request), without dlopen or network: the
// XML shapes STS and moto send, the settings checks, the endpoint rules, and scrubbing of server messages.
#include "sts_request.hpp"
#include "sts_xml.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

namespace {
// The documented AssumeRole reply (docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html), trimmed.
const char* kAssumeRole = R"(<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
  <SourceIdentity>DevUser123</SourceIdentity>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/demo/John</Arn>
      <AssumedRoleId>ARO123EXAMPLE123:John</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <SessionToken>
       AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGd
      </SessionToken>
      <Expiration>2019-11-09T13:34:41Z</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </AssumeRoleResult>
  <ResponseMetadata>
    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>
  </ResponseMetadata>
</AssumeRoleResponse>)";
} // namespace

TEST_CASE("STS replies: credentials and the assumed role user", "[sts]") {
    auto r = sts::parse_reply(kAssumeRole);
    CHECK(r.has_credentials());
    CHECK_FALSE(r.is_error());
    CHECK(r.access_key_id == "ASIAIOSFODNN7EXAMPLE");
    CHECK(r.secret_access_key == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
    CHECK(r.session_token.rfind("AQoDYXdzEPT//", 0) == 0); // surrounding whitespace trimmed
    CHECK(r.session_token.back() == 'd');
    CHECK(r.expiration == "2019-11-09T13:34:41Z");
    CHECK(r.assumed_role_arn == "arn:aws:sts::123456789012:assumed-role/demo/John");
    CHECK(r.assumed_role_id == "ARO123EXAMPLE123:John");

    // moto's GetSessionToken (one line, fractional seconds), as captured from moto 5.2.1.
    auto g = sts::parse_reply(
        "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetSessionTokenResult>"
        "<Credentials><AccessKeyId>AKIAIOSFODNN7EXAMPLE</AccessKeyId><SecretAccessKey>s/k</SecretAccessKey>"
        "<SessionToken>AQo+/=</SessionToken><Expiration>2026-11-22T18:05:32.578475Z</Expiration></"
        "Credentials>"
        "</GetSessionTokenResult><ResponseMetadata><RequestId>x</RequestId></ResponseMetadata>"
        "</GetSessionTokenResponse>");
    CHECK(g.has_credentials());
    CHECK(g.session_token == "AQo+/=");
    CHECK(g.expiration == "2026-11-22T18:05:32.578475Z");
    CHECK(g.assumed_role_arn.empty());
}

TEST_CASE("STS replies: both error shapes", "[sts]") {
    // AWS (and moto 5.2.1): ErrorResponse/Error/{Type,Code,Message}.
    auto aws = sts::parse_reply(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
        "<Code>AccessDenied</Code><Message>MultiFactorAuthentication failed with invalid MFA one time pass "
        "code."
        "</Message></Error><RequestId>r</RequestId></ErrorResponse>");
    CHECK(aws.is_error());
    CHECK_FALSE(aws.has_credentials());
    CHECK(aws.error_code == "AccessDenied");
    CHECK(aws.error_message == "MultiFactorAuthentication failed with invalid MFA one time pass code.");
    // Older moto: ErrorResponse/Errors/Error.
    auto moto =
        sts::parse_reply("<ErrorResponse><Errors><Error><Code>ValidationError</Code><Message>bad</Message>"
                         "</Error></Errors></ErrorResponse>");
    CHECK(moto.error_code == "ValidationError");
    CHECK(moto.error_message == "bad");
    // An unsigned request that moto answers as S3: neither credentials nor an error.
    auto s3 = sts::parse_reply(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListAllMyBucketsResult "
        "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01\"><Owner><ID>bcaf1ffd86f41161ca5fb16fd081034f"
        "</ID><DisplayName>webfile</DisplayName></Owner><Buckets></Buckets></ListAllMyBucketsResult>");
    CHECK_FALSE(s3.has_credentials());
    CHECK_FALSE(s3.is_error());
}

TEST_CASE("the XML reader is tolerant but expands nothing it should not", "[sts]") {
    auto r = sts::parse_reply("<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY boom \"EXPANDED\">]>\n<!-- "
                              "<Credentials> in a comment -->"
                              "<sts:AssumeRoleResponse xmlns:sts=\"urn:x\"><sts:Credentials a='1>2' b=\"x\">"
                              "<sts:AccessKeyId>AK&amp;&lt;&gt;&quot;&apos;&#65;&#x42;</sts:AccessKeyId>"
                              "<SecretAccessKey><![CDATA[sec<ret>&amp;]]></SecretAccessKey>"
                              "<SessionToken>&boom;&#0;&#xD800;&bogus</SessionToken><Expiration/></"
                              "sts:Credentials></sts:AssumeRoleResponse>");
    CHECK(r.access_key_id == "AK&<>\"'AB");
    CHECK(r.secret_access_key == "sec<ret>&amp;"); // CDATA is literal
    CHECK(r.session_token ==
          "&boom;&#0;&#xD800;&bogus"); // unknown entities and invalid references kept as written
    CHECK(r.expiration.empty());

    // Truncated or garbage input: no crash, no invented values.
    CHECK_FALSE(sts::parse_reply("<AssumeRoleResponse><Credentials><AccessKeyId>AK").has_credentials());
    CHECK_FALSE(sts::parse_reply("").has_credentials());
    CHECK_FALSE(sts::parse_reply("<<<>>></></>&&&").has_credentials());
    CHECK_FALSE(sts::parse_reply(std::string(100000, '<')).has_credentials());
    std::string deep;
    for (int i = 0; i < 1000; ++i)
        deep += "<a>";
    CHECK(sts::leaf_elements(deep).empty());
    // Stray and unclosed tags: the values that were closed are read.
    auto t = sts::leaf_elements(
        "<R><Credentials><AccessKeyId>A</AccessKeyId><Junk></Credentials></X><Code>c</Code></R>");
    REQUIRE(t.size() == 3);
    CHECK(t[0] == std::pair<std::string, std::string>{"R/Credentials/AccessKeyId", "A"});
    CHECK(t[1].first == "R/Credentials/Junk");
    CHECK(t[2] == std::pair<std::string, std::string>{"R/Code", "c"});
}

TEST_CASE("settings checks give clear errors", "[sts]") {
    CHECK(*sts::parse_duration("3600", 900, 43200) == 3600);
    CHECK(*sts::parse_duration(" 900 ", 900, 43200) == 900);
    CHECK(*sts::parse_duration("43200", 900, 43200) == 43200);
    for (const char* bad : {"899", "43201", "", "1h", "-900", "3600.0", "99999999999999999999"}) {
        INFO(bad);
        auto d = sts::parse_duration(bad, 900, 43200);
        REQUIRE_FALSE(d);
        CHECK(d.error().message.find("from 900 to 43200") != std::string::npos);
    }
    CHECK(sts::parse_duration("129600", sts::kSessionMinDuration, sts::kSessionMaxDuration));

    CHECK(sts::check_token_code("123456"));
    for (const char* bad : {"12345", "1234567", "12345a", "", "12 456"}) {
        INFO(bad);
        auto c = sts::check_token_code(bad);
        REQUIRE_FALSE(c);
        CHECK(c.error().message.find("exactly 6 digits") != std::string::npos);
        if (std::string(bad).size() >= 5)
            CHECK(c.error().message.find(bad) == std::string::npos); // never echoed
    }
    CHECK(sts::check_session_name("my_session-1.a@b=c,d+e"));
    CHECK_FALSE(sts::check_session_name("x"));
    CHECK_FALSE(sts::check_session_name(std::string(65, 'a')));
    CHECK_FALSE(sts::check_session_name("has space"));
    CHECK_FALSE(sts::check_session_name("slash/no"));
    CHECK(sts::check_external_id("ab"));
    CHECK_FALSE(sts::check_external_id("a"));
    CHECK(sts::default_session_name(1700000000) == "credsh-session-1700000000");
}

TEST_CASE("STS endpoints follow botocore's regional/legacy rules", "[sts]") {
    CHECK(*sts::default_endpoint("eu-west-1", "") == "https://sts.eu-west-1.amazonaws.com");
    CHECK(*sts::default_endpoint("eu-west-1", "regional") == "https://sts.eu-west-1.amazonaws.com");
    CHECK(*sts::default_endpoint("eu-west-1", "legacy") == "https://sts.amazonaws.com");
    CHECK(*sts::default_endpoint("us-east-1", "LEGACY") == "https://sts.amazonaws.com");
    // Regions newer than regional endpoints have no global fallback.
    CHECK(*sts::default_endpoint("ap-east-1", "legacy") == "https://sts.ap-east-1.amazonaws.com");
    CHECK(*sts::default_endpoint("aws-global", "") == "https://sts.amazonaws.com");
    CHECK(*sts::default_endpoint("cn-north-1", "") == "https://sts.cn-north-1.amazonaws.com.cn");
    CHECK(*sts::default_endpoint("", "") == "https://sts.us-east-1.amazonaws.com");
    CHECK_FALSE(sts::default_endpoint("eu-west-1", "global"));
    CHECK_FALSE(sts::default_endpoint("evil.example.com/x", ""));
    // FIPS and dual stack (use_fips_endpoint / use_dualstack_endpoint): never the legacy global endpoint.
    using credsh::plugin::EndpointVariant;
    CHECK(*sts::default_endpoint("us-east-1", "", EndpointVariant{true, true}) ==
          "https://sts-fips.us-east-1.api.aws");
    CHECK(*sts::default_endpoint("us-east-1", "legacy", EndpointVariant{true, false}) ==
          "https://sts-fips.us-east-1.amazonaws.com");
    CHECK(*sts::default_endpoint("eu-west-1", "", EndpointVariant{false, true}) ==
          "https://sts.eu-west-1.api.aws");
    CHECK(*sts::default_endpoint("aws-global", "", EndpointVariant{true, false}) ==
          "https://sts-fips.us-east-1.amazonaws.com");
    CHECK(*sts::default_endpoint("us-gov-west-1", "", EndpointVariant{true, false}) ==
          "https://sts.us-gov-west-1.amazonaws.com");
    CHECK(*sts::default_endpoint("cn-north-1", "", EndpointVariant{false, true}) ==
          "https://sts.cn-north-1.api.amazonwebservices.com.cn");
    CHECK(sts::signing_region("https://sts.amazonaws.com", "eu-west-1") == "us-east-1");
    CHECK(sts::signing_region("https://sts.eu-west-1.amazonaws.com", "eu-west-1") == "eu-west-1");
    CHECK(sts::account_from_arn("arn:aws:sts::123456789012:assumed-role/R/s") == "123456789012");
    CHECK(sts::account_from_arn("not-an-arn").empty());
}

TEST_CASE("server messages reach the terminal without secrets", "[sts]") {
    std::string token = "FQoGZXIvYXdzSESSIONTOKEN";
    std::string msg =
        "The request signature we calculated does not match the signature you provided.\n\n"
        "The Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:" +
        token + "'";
    std::string safe = sts::safe_message(msg, {token, "123456"});
    CHECK(safe == "The request signature we calculated does not match the signature you provided.");
    CHECK(sts::safe_message("code 123456 and " + token + " inline", {token, "123456"}) ==
          "code **** and **** inline");
    CHECK(sts::safe_message(std::string(1000, 'x'), {}).size() == 303);
    CHECK(sts::safe_message("esc\x1b[31m", {}) == "esc\\x1b[31m");
}
