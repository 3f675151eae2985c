#include "base/text.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("digests come from OpenSSL and match the docs/protocols.md vectors", "[text]") {
    CHECK(sha1_hex("my-sso") == "0ad374308c5a4e22f723adf10145eafad7c4031c");
    CHECK(sha1_hex("https://my-sso-portal.awsapps.com/start") == "c7aaaf71fcc8777ae2475525ed049d39fe16c484");
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(hex_encode(std::string("\x00\x0f\xa5\xff", 4)) == "000fa5ff");
    CHECK(hex_encode("") == "");
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

TEST_CASE("printable escapes what a terminal would act on, table", "[text]") {
    struct Row {
        const char* in;
        const char* out;
    };
    const Row rows[] = {
        // C0, ESC, DEL: an OSC that would retitle the terminal stays visible and inert.
        {"\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07"},
        {"a\x7f"
         "b",
         "a\\x7fb"},
        {"\r\t", "\\x0d\\x09"},
        // C1 controls as valid UTF-8 (CSI U+009B, OSC U+009D, NEL U+0085, U+0080, U+009F).
        {"\xc2\x9b"
         "31m",
         "\\u009b31m"},
        {"\xc2\x9d"
         "0;x\xc2\x9c",
         "\\u009d0;x\\u009c"},
        {"\xc2\x80|\xc2\x85|\xc2\x9f", "\\u0080|\\u0085|\\u009f"},
        // Bidi controls: LRM, RLM, LRE..RLO, LRI..PDI, ALM.
        {"\xe2\x80\x8e\xe2\x80\x8f", "\\u200e\\u200f"},
        {"\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad\xe2\x80\xae",
         "\\u202a\\u202b\\u202c\\u202d\\u202e"},
        {"\xe2\x81\xa6\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9", "\\u2066\\u2067\\u2068\\u2069"},
        {"\xd8\x9c", "\\u061c"},
        {"evil\xe2\x80\xaetxt.exe", "evil\\u202etxt.exe"},
        // Their neighbours are ordinary text and stay as they are.
        {"\xc2\xa0\xc2\xa9", "\xc2\xa0\xc2\xa9"},                 // U+00A0, U+00A9
        {"\xe2\x80\x8d\xe2\x80\xaf", "\xe2\x80\x8d\xe2\x80\xaf"}, // U+200D, U+202F
        {"\xe2\x81\xa5\xe2\x81\xaa", "\xe2\x81\xa5\xe2\x81\xaa"}, // U+2065, U+206A
        {"\xf0\x9f\x94\x91", "\xf0\x9f\x94\x91"},                 // U+1F511
        // Not well-formed UTF-8: every byte escaped, so no C1 hides behind an overlong or broken form.
        {"\xc1\x9b", "\\xc1\\x9b"},                   // overlong ESC [
        {"\xe0\x82\x9b", "\\xe0\\x82\\x9b"},          // overlong U+009B
        {"\xed\xa0\x80", "\\xed\\xa0\\x80"},          // surrogate
        {"\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80"}, // above U+10FFFF
        {"\xc2", "\\xc2"},                            // truncated
        {"\x9b", "\\x9b"},                            // a bare 8-bit CSI byte
        {"\xe2\x80", "\\xe2\\x80"},
    };
    for (const auto& r : rows) {
        INFO("input escaped: " << printable(r.in));
        CHECK(printable(r.in) == r.out);
    }
}

TEST_CASE("human durations", "[text]") {
    CHECK(human_duration(0) == "expired");
    CHECK(human_duration(59) == "59s");
    CHECK(human_duration(54 * 60 + 3) == "54m");
    CHECK(human_duration(2 * 3600 + 5 * 60) == "2h05m");
    CHECK(human_duration(5 * 86400) == "5d");
}

TEST_CASE("terminal_safe keeps lines and escapes, makes raw controls inert", "[text]") {
    CHECK(terminal_safe("a\nb\tc\\d") == "a\nb\tc\\d");
    CHECK(terminal_safe("x\x1b]0;pwned\x07y\r") == "x\\x1b]0;pwned\\x07y\\x0d");
    CHECK(terminal_safe("\xc2\x9b"
                        "2J \xe2\x80\xae!") == "\\u009b2J \\u202e!");
    CHECK(terminal_safe("\x9b\xff") == "\\x9b\\xff");
    CHECK(terminal_safe("caf\xc3\xa9") == "caf\xc3\xa9");
    // What printable() made of any text passes unchanged: messages are never escaped twice.
    for (std::string_view s : {"a\nb", "\x1b[31m\\", "\xc2\x9b\xe2\x80\xae", "bad\xff\x01", "plain"})
        CHECK(terminal_safe(printable(s)) == printable(s));
}
