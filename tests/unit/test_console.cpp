// The console plugin's pure parts (plugins/console/console_url.cpp): the partition's sign-in and console
// hosts (docs/security.md 50), the AWS_ENDPOINT_URL_SIGNIN override, the session JSON and the login URL. The
// wire (moto, the SSO fake, the federation fake) is in tests/shell/t_console.sh.
#include "console/console_url.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace credsh::test {

TEST_CASE("console: the partition picks the sign-in endpoint and the console", "[console]") {
    struct Row {
        const char* region;
        const char* federation;
        const char* destination;
    };
    const Row rows[] = {
        {"eu-west-1", "https://signin.aws.amazon.com/federation",
         "https://console.aws.amazon.com/console/home?region=eu-west-1"},
        {"us-east-1", "https://signin.aws.amazon.com/federation",
         "https://console.aws.amazon.com/console/home?region=us-east-1"},
        {"us-gov-west-1", "https://signin.amazonaws-us-gov.com/federation",
         "https://console.amazonaws-us-gov.com/console/home?region=us-gov-west-1"},
        {"cn-north-1", "https://signin.amazonaws.cn/federation",
         "https://console.amazonaws.cn/console/home?region=cn-north-1"},
        {"cn-northwest-1", "https://signin.amazonaws.cn/federation",
         "https://console.amazonaws.cn/console/home?region=cn-northwest-1"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.region);
        auto h = console::console_hosts(r.region);
        CHECK(h.federation == r.federation);
        CHECK(console::default_destination(h, r.region) == r.destination);
    }
}

TEST_CASE("console: AWS_ENDPOINT_URL_SIGNIN replaces the sign-in host only", "[console]") {
    auto h = console::console_hosts("us-gov-west-1", "http://127.0.0.1:8080//");
    CHECK(h.federation == "http://127.0.0.1:8080/federation");
    CHECK(h.console == "https://console.amazonaws-us-gov.com");
}

TEST_CASE("console: the session JSON and the login URL", "[console]") {
    std::string s = console::session_json("ASIAKEY", "se\"cret", "tok+en/=");
    CHECK(s == R"({"sessionId":"ASIAKEY","sessionKey":"se\"cret","sessionToken":"tok+en/="})");
    CHECK(nlohmann::json::parse(s)["sessionKey"] == "se\"cret");
    CHECK(console::login_url("https://signin.aws.amazon.com/federation", "credsh",
                             "https://console.aws.amazon.com/s3/?region=eu-west-1&x=1", "T0K+/=") ==
          "https://signin.aws.amazon.com/federation?Action=login&Issuer=credsh&Destination=https%3A%2F%2F"
          "console.aws.amazon.com%2Fs3%2F%3Fregion%3Deu-west-1%26x%3D1&SigninToken=T0K%2B%2F%3D");
}

} // namespace credsh::test
