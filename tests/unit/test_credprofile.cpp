// .credprofile grammar (docs/security.md 9, 10, 13, 17): table tests of what is accepted, what is refused
// with file:line, and that no refusal repeats the offending value.
#include "helpers.hpp"

#include "base/text.hpp"
#include "config/credprofile.hpp"

#include <random>

using namespace credsh;
using namespace std::string_literals;

namespace {

CredProfile must_parse(std::string_view bytes) {
    auto r = parse_credprofile("/p/.credprofile", bytes);
    INFO("input: " << printable(bytes));
    INFO("error: " << (r ? std::string() : r.error().message));
    REQUIRE(r.ok());
    return *r;
}

// The error for `bytes`, checked for the things every error must have: "path:line: " first, one line,
// no control characters, and none of the `forbidden` text (the offending value).
std::string must_fail(std::string_view bytes, int line, std::string_view forbidden = {}) {
    const std::string path = "/p/.credprofile";
    auto r = parse_credprofile(path, bytes);
    INFO("input: " << printable(bytes));
    REQUIRE_FALSE(r.ok());
    const std::string& m = r.error().message;
    INFO("message: " << printable(m));
    CHECK(m.rfind(path + ":" + std::to_string(line) + ": ", 0) == 0);
    for (char c : m)
        CHECK(static_cast<unsigned char>(c) >= 0x20);
    if (!forbidden.empty()) CHECK(m.find(forbidden) == std::string::npos);
    return m;
}

} // namespace

TEST_CASE("profile names: ^[A-Za-z0-9._@+=,-]{1,64}$", "[credprofile]") {
    for (std::string ok :
         {"dev"s, "Prod-2"s, "a.b_c@d+e=f,g-H9"s, "x"s, std::string(64, 'a'), "123"s, "-"s, "..."s})
        CHECK(valid_profile_name(ok));
    for (std::string bad : {""s,
                            std::string(65, 'a'),
                            "a b"s,
                            "a/b"s,
                            "../../x"s,
                            "/abs"s,
                            "$(id)"s,
                            "`id`"s,
                            "a;b"s,
                            "a\nb"s,
                            "a#b"s,
                            "a'b"s,
                            "a\"b"s,
                            "a\\b"s,
                            "a*b"s,
                            "~root"s,
                            "a:b"s,
                            "d\xD0\xB5v"s,                           // Cyrillic small ie
                            "\xEF\xBD\x84\xEF\xBD\x85\xEF\xBD\x96"s, // fullwidth "dev"
                            "dev\xC2\xA0"s,                          // no-break space
                            "de\0v"s,
                            "dev\r"s,
                            "\xff"s})
        CHECK_FALSE(valid_profile_name(bad));
}

TEST_CASE("regions: ^[a-z]{2}(-[a-z]+)+-\\d{1,2}$", "[credprofile]") {
    for (std::string ok : {"eu-west-1", "us-east-1", "us-gov-west-1", "ap-southeast-2", "cn-north-1",
                           "us-isob-east-1", "il-central-1", "eu-west-12", "ab-c-0"})
        CHECK(valid_region(ok));
    for (std::string bad : {"", "eu-west", "eu-1", "e-west-1", "eur-west-1", "EU-west-1", "eu-West-1",
                            "eu-west-123", "eu--west-1", "eu-west-1-", "-eu-west-1", "eu_west_1",
                            "eu-west-1a", "eu-west-", "eu-west-1 ", "eu-w3st-1", "eu-west-\xd9\xa1"})
        CHECK_FALSE(valid_region(bad));
}

TEST_CASE("accepted .credprofile forms", "[credprofile]") {
    SECTION("bare names") {
        for (std::string_view in :
             {"dev", "dev\n", "  dev  \r\n", "\n\n# which profile\ndev\n\n",
              "\xEF\xBB\xBF"
              "dev\n",
              "dev   # a comment", "dev # a=b: comment", "; comment\r\ndev\r\n", "\tdev\t"}) {
            CredProfile cp = must_parse(in);
            CHECK(cp.profile == "dev");
            CHECK_FALSE(cp.region);
            CHECK_FALSE(cp.ask_profile);
        }
    }
    SECTION("the INI form of docs/design.md, comments and all") {
        CredProfile cp = must_parse("profile = dev            # AWS profile; also the ASK profile\n"
                                    "region = eu-west-1       # optional\n"
                                    "ask_profile = skills     ; a different ASK CLI profile\n");
        CHECK(cp.profile == "dev");
        CHECK(cp.region == "eu-west-1");
        CHECK(cp.ask_profile == "skills");
    }
    SECTION("CRLF, BOM, no trailing newline, tight spacing, ':' separator") {
        CredProfile a = must_parse("\xEF\xBB\xBFprofile=dev\r\nregion=eu-west-1\r\n");
        CHECK(a.profile == "dev");
        CHECK(a.region == "eu-west-1");
        CHECK(must_parse("profile = dev").profile == "dev");
        CHECK(must_parse("profile: dev\n").profile == "dev");
        CHECK(must_parse("# c\n\n  profile = dev\n\n# end\n").profile == "dev");
    }
    SECTION("names with every allowed punctuation, including '=' in the INI form") {
        CHECK(must_parse("profile = a.b_c@d+e=f,g-H9\n").profile == "a.b_c@d+e=f,g-H9");
    }
    SECTION("only an ASK profile") {
        CredProfile cp = must_parse("ask_profile = skills\n");
        CHECK(cp.profile.empty());
        CHECK(cp.ask_profile == "skills");
    }
}

TEST_CASE("rejected values name file:line and never echo the value", "[credprofile]") {
    struct Case {
        std::string in;
        int line;
        std::string forbidden;
    };
    const Case cases[] = {
        {"profile = ../../x\n", 1, "../../x"},
        {"../../x\n", 1, "../../x"},
        {"/abs/profile\n", 1, "/abs"},
        {"profile = /abs\n", 1, "/abs"},
        {"profile = $(id)\n", 1, "$(id)"},
        {"$(id)\n", 1, "$(id)"},
        {"profile = `id`\n", 1, "`id`"},
        {"profile = dev;id\n", 1, "dev;id"},
        {"dev;id\n", 1, "dev;id"},
        {"profile = dev && id\n", 1, "&& id"},
        {"profile = 'dev'\n", 1, "'dev'"},
        {"profile = d\xD0\xB5v\n", 1, "\xD0\xB5"},                           // Cyrillic lookalike
        {"d\xD0\xB5v\n", 1, "\xD0\xB5"},                                     // ... in the bare form
        {"profile = \xEF\xBD\x84\xEF\xBD\x85\xEF\xBD\x96\n", 1, "\xEF\xBD"}, // fullwidth
        {"profile = dev\xE2\x80\x8B\n", 1, "\xE2\x80\x8B"},                  // zero-width space
        {"profile = \xff\xfe\n", 1, "\xff"},                                 // invalid UTF-8
        {"region = eu-west-1\nprofile = " + std::string(65, 'a') + "\n", 2, std::string(65, 'a')},
        {"profile = dev\nregion = EU-WEST-1\n", 2, "EU-WEST-1"},
        {"profile = dev\nregion = eu-west-1;id\n", 2, ";id"},
        {"profile = dev\nregion = ../eu-west-1\n", 2, "../eu"},
        {"profile = dev\nask_profile = $(id)\n", 2, "$(id)"},
        {"profile =\n", 1, ""},
    };
    for (const Case& c : cases)
        must_fail(c.in, c.line, c.forbidden);
}

TEST_CASE("a newline inside a value is an error on the line it continues to", "[credprofile]") {
    must_fail("profile = de\nv\n", 2, "");
    // inih would join a continuation into "de\nv"; it is refused as such, not as some later symptom.
    CHECK(must_fail("profile = de\n  v\n", 2).find("next line") != std::string::npos);
    CHECK(must_fail("profile = dev\n\tregion = x\n", 2).find("next line") != std::string::npos);
    must_fail("dev\nprod\n", 1); // two bare names: not the bare form, not key = value
}

TEST_CASE("redirection and unknown keys are refused (docs/security.md 10, 13)", "[credprofile]") {
    for (std::string key : {"AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
                            "AWS_ENDPOINT_URL_STS", "AWS_CA_BUNDLE", "credential_process", "endpoint_url",
                            "ca_bundle", "aws_config_file", "web_identity_token_file", "AWS_PROFILE"}) {
        std::string m = must_fail("profile = dev\n" + key + " = /tmp/evil --flag\n", 2, "/tmp/evil");
        CHECK(m.find(key) != std::string::npos); // the key is named, so the user knows what to remove
        CHECK(m.find("not allowed") != std::string::npos);
    }
    std::string trusted = must_fail("profile = dev\ntrusted = true\n", 2);
    CHECK(trusted.find("credsh allow") != std::string::npos);
    must_fail("trusted=true\nprofile = dev\n", 1);
    std::string unknown = must_fail("profile = dev\nrole_arn = arn:aws:iam::1:role/x\n", 2, "arn:aws");
    CHECK(unknown.find("unknown key 'role_arn'") != std::string::npos);
    // A key that is itself hostile text is not echoed either.
    std::string hostile = must_fail("$(touch PWNED) = 1\nprofile = dev\n", 1, "PWNED");
    CHECK(hostile.find("unknown key") != std::string::npos);
    must_fail("Profile = dev\n", 1); // keys are exact
    must_fail("= dev\n", 1);
}

TEST_CASE("structure errors: sections, duplicates, NUL, empty files, long lines", "[credprofile]") {
    CHECK(must_fail("[default]\nprofile = dev\n", 1).find("section") != std::string::npos);
    CHECK(must_fail("profile = dev\n[x\n", 2).find("section") != std::string::npos);
    CHECK(must_fail("profile = dev\nregion = eu-west-1\nprofile = prod\n", 3).find("duplicate") !=
          std::string::npos);
    must_fail("region = eu-west-1\nregion = eu-west-2\nprofile = dev\n", 2);
    must_fail("ask_profile = a\nask_profile = a\n", 2);

    CHECK(must_fail("profile = dev\nregion = eu-we\0st-1\n"s, 2).find("NUL") != std::string::npos);
    CHECK(must_fail("dev\0"s, 1).find("NUL") != std::string::npos);
    CHECK(must_fail("# comment\n\0"s, 2).find("NUL") != std::string::npos);

    for (std::string_view empty : {"", "\n", "   \r\n\t\n", "# nothing here\n; nor here\n", "\xEF\xBB\xBF"})
        CHECK(must_fail(empty, 1).find("names no profile") != std::string::npos);
    CHECK(must_fail("region = eu-west-1\n", 1).find("names no profile") != std::string::npos);

    // inih's 200-byte buffer would parse the tail of a long comment as a line of its own.
    const std::string smuggled = "# " + std::string(250, 'a') + "profile = evil\nprofile = dev\n";
    must_fail(smuggled, 1);
    const std::string ten_mb = "profile = " + std::string(10 << 20, 'a') + "\n";
    CHECK(must_fail(ten_mb, 1, "aaaa").find("longer than") != std::string::npos);
}

TEST_CASE("messages escape the path", "[credprofile]") {
    auto r = parse_credprofile("/x/evil\n\x1b[2Jdir/.credprofile", "profile = $(id)\n");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().message.rfind("/x/evil\\x0a\\x1b[2Jdir/.credprofile:1: ", 0) == 0);
}

TEST_CASE("render_credprofile round-trips", "[credprofile]") {
    const CredProfile fixed[] = {
        {"dev", std::nullopt, std::nullopt},
        {"dev", "eu-west-1", std::nullopt},
        {"dev", "us-gov-west-1", "skills"},
        {"", std::nullopt, "skills"},
        {"a=b,c@d+e.f_g-h", "ap-southeast-2", "=,=,"},
        {std::string(64, 'Z'), std::nullopt, std::nullopt},
    };
    for (const CredProfile& cp : fixed) {
        std::string text = render_credprofile(cp);
        INFO(text);
        CredProfile back = must_parse(text);
        CHECK(back.profile == cp.profile);
        CHECK(back.region == cp.region);
        CHECK(back.ask_profile == cp.ask_profile);
    }

    std::mt19937 rng(1234);
    const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@+=,-";
    auto name = [&] {
        std::string s(std::uniform_int_distribution<std::size_t>(1, 64)(rng), 'x');
        for (char& c : s)
            c = alphabet[std::uniform_int_distribution<std::size_t>(0, alphabet.size() - 1)(rng)];
        return s;
    };
    const char* regions[] = {"eu-west-1", "us-east-2", "us-gov-west-1", "me-south-1", "eu-central-12"};
    for (int i = 0; i < 1000; ++i) {
        CredProfile cp{name(), std::nullopt, std::nullopt};
        if (rng() % 2) cp.region = regions[rng() % 5];
        if (rng() % 2) cp.ask_profile = name();
        REQUIRE(valid_profile_name(cp.profile));
        auto back = parse_credprofile("/p/.credprofile", render_credprofile(cp));
        INFO(render_credprofile(cp));
        REQUIRE(back.ok());
        CHECK(back->profile == cp.profile);
        CHECK(back->region == cp.region);
        CHECK(back->ask_profile == cp.ask_profile);
    }
}
