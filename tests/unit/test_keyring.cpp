// The keyring plugin's pure parts (backend choice, the secret's format), credsh's recognition of its own
// `credential_process = credsh credential-process --profile NAME` line (the chain reads the keyring instead
// of running credsh again), and the text edits credsh store / remove / --migrate make to the AWS profile
// files (issue 14, docs/security.md 29).
#include "cli/profile_edit.hpp"
#include "keyring/keyring_format.hpp"
#include "pipeline/chain.hpp"

#include <catch2/catch.hpp>

using namespace credsh;
using namespace credsh::keyring;

TEST_CASE("keyring: the backend is the setting, else the Secret Service with a bus, else pass, else an error",
          "[keyring]") {
    CHECK(*choose_backend(std::string("pass"), true, false) == Backend::pass);
    CHECK(*choose_backend(std::string("secret-service"), false, true) == Backend::secret_service);
    CHECK(*choose_backend(std::nullopt, true, true) == Backend::secret_service);
    CHECK(*choose_backend(std::string(""), false, true) == Backend::pass);
    auto none = choose_backend(std::nullopt, false, false);
    REQUIRE_FALSE(none);
    CHECK_THAT(none.error().message, Catch::Contains("never keeps keys in plaintext"));
    auto bad = choose_backend(std::string("plaintext\x1b"), true, true);
    REQUIRE_FALSE(bad);
    CHECK_THAT(bad.error().message, Catch::Contains("is not secret-service or pass"));
    CHECK(bad.error().message.find('\x1b') == std::string::npos);
}

TEST_CASE("keyring: the keys round-trip as one secret; a foreign entry is refused without quoting it",
          "[keyring]") {
    Keys k{"AKIAEXAMPLE000000001", "S3NT1NEL\"\\/\n"};
    auto back = decode_keys(encode_keys(k));
    REQUIRE(back);
    CHECK(back->access_key_id == k.access_key_id);
    CHECK(back->secret_access_key == k.secret_access_key);
    for (std::string text : {"S3NT1NEL-plain", "{\"AccessKeyId\":\"A\"}", "[\"S3NT1NEL\"]",
                             "{\"AccessKeyId\":\"\",\"SecretAccessKey\":\"S3NT1NEL\"}"}) {
        auto r = decode_keys(text);
        REQUIRE_FALSE(r);
        CHECK(r.error().message.find("S3NT1NEL") == std::string::npos);
    }
    CHECK(pass_entry("dev") == "credsh/aws/dev");
}

TEST_CASE("keyring: credsh's own credential_process line is recognised, for that profile only", "[keyring]") {
    CHECK(serves_from_keyring("credsh credential-process --profile dev", "dev"));
    CHECK(serves_from_keyring("credsh credential-process -p dev", "dev"));
    CHECK(serves_from_keyring("/usr/local/bin/credsh credential-process --profile=dev", "dev"));
    CHECK(serves_from_keyring("'credsh' credential-process --profile 'dev'", "dev"));
    CHECK(serves_from_keyring(keyring_credential_process("dev"), "dev"));
    CHECK_FALSE(serves_from_keyring("credsh credential-process --profile prod", "dev")); // another profile
    CHECK_FALSE(serves_from_keyring("credsh credential-process --profile dev --extra", "dev"));
    CHECK_FALSE(serves_from_keyring("mycredsh credential-process --profile dev", "dev"));
    CHECK_FALSE(serves_from_keyring("credsh exec -p dev -- true", "dev"));
    CHECK_FALSE(serves_from_keyring("credsh credential-process --profile 'dev", "dev")); // unbalanced quote

    CredshConfig config;
    ProfileSet s;
    s.profiles["kr"] = {{"credential_process", "credsh credential-process --profile kr"}};
    s.profiles["krm"] = {{"credential_process", "credsh credential-process -p krm"},
                         {"mfa_serial", "arn:aws:iam::1:mfa/p"}};
    s.profiles["other"] = {{"credential_process", "credsh credential-process --profile kr"}};
    s.profiles["role"] = {{"role_arn", "arn:aws:iam::1:role/R"}, {"source_profile", "krm"}};
    s.config_file = s.profiles;
    auto kr = plan_chain(s, config, "kr");
    REQUIRE(kr);
    REQUIRE(kr->size() == 1);
    CHECK((*kr)[0].kind == StepKind::plugin);
    CHECK((*kr)[0].plugin == "keyring");
    auto krm = plan_chain(s, config, "krm"); // keyring keys + mfa_serial: GetSessionToken
    REQUIRE(krm);
    REQUIRE(krm->size() == 2);
    CHECK((*krm)[1].kind == StepKind::session_token);
    CHECK((*krm)[1].keys == nullptr);
    auto other = plan_chain(s, config, "other"); // a line naming another profile is run as a process
    REQUIRE(other);
    CHECK(other->back().kind == StepKind::process);
    auto role = plan_chain(s, config, "role"); // as a source profile: its keys, no MFA session of its own
    REQUIRE(role);
    REQUIRE(role->size() == 2);
    CHECK((*role)[0].plugin == "keyring");
    CHECK((*role)[1].kind == StepKind::assume_role);
}

TEST_CASE("profile edits: append keeps the old file a byte prefix, CRLF included", "[keyring]") {
    CHECK(append_sections("", "[profile a]\nk = v\n") == "[profile a]\nk = v\n");
    CHECK(append_sections("x = 1", "[profile a]\n") == "x = 1\n\n[profile a]\n");
    CHECK(append_sections("x = 1\n", "[profile a]\n") == "x = 1\n\n[profile a]\n");
    CHECK(append_sections("x = 1\r\n", "[profile a]\nk = v\n") == "x = 1\r\n\r\n[profile a]\r\nk = v\r\n");
}

TEST_CASE("profile edits: remove and insert touch only the named section's lines", "[keyring]") {
    const std::string creds = "[before]\naws_access_key_id = B\n\n[ mig ]\n# note\naws_access_key_id = M\n"
                              "aws_secret_access_key = S3NT1NEL\n  continued\nregion = x\n[after]\nk = v\n";
    int removed = 0;
    std::string out =
        remove_properties(creds, "mig", {"aws_access_key_id", "aws_secret_access_key"}, removed);
    CHECK(removed == 2);
    CHECK(out == "[before]\naws_access_key_id = B\n\n[ mig ]\n# note\nregion = x\n[after]\nk = v\n");
    // Nothing else left in the section: the header goes, a comment stays.
    out = remove_properties(creds, "mig", {"aws_access_key_id", "aws_secret_access_key", "region"}, removed);
    CHECK(removed == 3);
    CHECK(out == "[before]\naws_access_key_id = B\n\n# note\n[after]\nk = v\n");
    // The last section of the file: the blank line before it goes too.
    out = remove_properties("x = 1\n\n[profile kr]\ncredential_process = c\n", "profile  kr",
                            {"credential_process"}, removed);
    CHECK(out == "x = 1\n");
    // A section that is not there: nothing changes.
    CHECK(remove_properties(creds, "nope", {"aws_access_key_id"}, removed) == creds);
    CHECK(removed == 0);

    auto ins = insert_after_header("[default]\r\nregion = x\r\n", "default", "credential_process = c");
    REQUIRE(ins);
    CHECK(*ins == "[default]\r\ncredential_process = c\r\nregion = x\r\n");
    CHECK_FALSE(insert_after_header("[profile a]\n", "profile b", "k = v"));
    CHECK(has_section("[ profile   a ]\n", "profile a"));
    CHECK_FALSE(has_section("[profile ab]\n", "profile a"));
}
