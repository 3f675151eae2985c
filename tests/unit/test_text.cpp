#include "text.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("digests come from OpenSSL and match the docs/protocols.md vectors", "[text]") {
    CHECK(sha1_hex("my-sso") == "0ad374308c5a4e22f723adf10145eafad7c4031c");
    CHECK(sha1_hex("https://my-sso-portal.awsapps.com/start") == "c7aaaf71fcc8777ae2475525ed049d39fe16c484");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("ISO 8601 timestamps in the forms the AWS tools write", "[text]") {
    CHECK(parse_iso8601("2026-01-02T03:04:05Z") == 1767323045);
    CHECK(parse_iso8601("2026-01-02T03:04:05.123Z") == 1767323045);
    CHECK(parse_iso8601("2026-01-02T03:04:05UTC") == 1767323045); // older AWS CLI SSO cache
    CHECK(parse_iso8601("2026-01-02T04:04:05+01:00") == 1767323045);
    CHECK(parse_iso8601("2026-01-02 03:04:05Z") == 1767323045);
    CHECK_FALSE(parse_iso8601("2026-13-02T03:04:05Z"));
    CHECK_FALSE(parse_iso8601("yesterday"));
    CHECK_FALSE(parse_iso8601("2026-01-02T03:04:05Zjunk"));
    CHECK(format_iso8601(1767323045) == "2026-01-02T03:04:05Z");
}

TEST_CASE("redaction shows only the last four characters", "[text]") {
    CHECK(redact("AKIAIOSFODNN7EXAMPLE") == "****MPLE");
    CHECK(redact("abc") == "****");
}

TEST_CASE("printable escapes control bytes, backslashes and invalid UTF-8", "[text]") {
    CHECK(printable("a\nb") == "a\\x0ab");
    CHECK(printable("\x1b[31m") == "\\x1b[31m");
    CHECK(printable("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(printable("bad\xff") == "bad\\xff");
    CHECK(printable("a\\b") == "a\\x5cb");
}

TEST_CASE("human durations", "[text]") {
    CHECK(human_duration(0) == "expired");
    CHECK(human_duration(59) == "59s");
    CHECK(human_duration(54 * 60 + 3) == "54m");
    CHECK(human_duration(2 * 3600 + 5 * 60) == "2h05m");
    CHECK(human_duration(5 * 86400) == "5d");
}
