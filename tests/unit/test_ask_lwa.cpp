// The LWA token-endpoint response parser (plugins/common/lwa.cpp) shared by the ask and secretsmanager
// plugins: what counts as a token, how LWA's errors are classified (invalid_grant means a person must act),
// and that no token or secret reaches a message. The wire itself is exercised against tests/fakes/lwa_fake.py
// in t_ask.sh and t_secretsmanager.sh.
#include "lwa.hpp"

#include <catch2/catch.hpp>

using namespace credsh::plugin;

namespace {
const std::string kUrl = "https://api.amazon.com/auth/o2/token";
}

TEST_CASE("LWA token URL from ASK_LWA_TOKEN_HOST, as new URL(path, host) resolves it", "[ask][lwa]") {
    CHECK(*lwa_token_url_for_host("") == "https://api.amazon.com/auth/o2/token");
    CHECK(*lwa_token_url_for_host("https://api.amazon.co.uk") == "https://api.amazon.co.uk/auth/o2/token");
    CHECK(*lwa_token_url_for_host("http://127.0.0.1:8123/") == "http://127.0.0.1:8123/auth/o2/token");
    // An absolute path replaces whatever path the host had.
    CHECK(*lwa_token_url_for_host("http://127.0.0.1:8123/some/where") ==
          "http://127.0.0.1:8123/auth/o2/token");
}

TEST_CASE("LWA success: access token, expiry, optional rotated refresh token", "[ask][lwa]") {
    auto r = parse_lwa_response(
        kUrl, 200,
        R"({"access_token":"Atza|A1","refresh_token":"Atzr|R2","token_type":"bearer","expires_in":3600})");
    REQUIRE(r);
    CHECK(r.token->access_token == "Atza|A1");
    CHECK(r.token->refresh_token == "Atzr|R2");
    CHECK(r.token->expires_in == 3600);
    CHECK(r.token->body.begin().key() == "access_token"); // kept in the order LWA sent it

    auto no_rotation = parse_lwa_response(
        kUrl, 200, R"({"access_token":"Atza|A1","token_type":"bearer","expires_in":"3600"})");
    REQUIRE(no_rotation);
    CHECK(no_rotation.token->refresh_token.empty());
    CHECK(no_rotation.token->expires_in == 3600);
}

TEST_CASE("LWA responses that are not a usable token", "[ask][lwa]") {
    for (const char* body : {R"({"token_type":"bearer","expires_in":3600})", R"({"access_token":"Atza|A1"})",
                             R"({"access_token":"Atza|A1","expires_in":0})", "[]", "not json", ""}) {
        auto r = parse_lwa_response(kUrl, 200, body);
        CHECK_FALSE(r);
        CHECK(r.failure == LwaFailure::other);
        CHECK_THAT(r.message, Catch::Contains("api.amazon.com"));
    }
}

TEST_CASE("LWA errors are classified and never echo secrets", "[ask][lwa]") {
    const std::string refresh = "Atzr|SENTINEL-refresh-9f8e";
    const std::string secret = "SENTINEL-client-secret-77";
    auto grant = parse_lwa_response(
        kUrl, 400,
        R"({"error":"invalid_grant","error_description":"bad refresh_token Atzr|SENTINEL-refresh-9f8e"})",
        {refresh, secret});
    CHECK(grant.failure == LwaFailure::invalid_grant);
    CHECK_THAT(grant.message, Catch::Contains("invalid_grant") && Catch::Contains("HTTP 400"));
    CHECK_THAT(grant.message, !Catch::Contains("SENTINEL"));

    auto client = parse_lwa_response(
        kUrl, 401, R"({"error":"invalid_client","error_description":"Client authentication failed"})",
        {refresh, secret});
    CHECK(client.failure == LwaFailure::invalid_client);
    CHECK_THAT(client.message, Catch::Contains("Client authentication failed"));

    auto html = parse_lwa_response(kUrl, 502, "<html>Bad Gateway</html>");
    CHECK(html.failure == LwaFailure::other);
    CHECK_THAT(html.message, Catch::Contains("HTTP 502"));

    // A control character in LWA's text cannot forge a line of output.
    auto forged = parse_lwa_response(kUrl, 400, R"({"error":"x\ncredsh: all good"})");
    CHECK_THAT(forged.message, !Catch::Contains("\n"));
}
