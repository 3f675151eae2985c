// `credsh profiles` (and so every shell's completion) lists names through parse_profile_names, a names-only
// pass that skips copying values. It must agree with the full parser everywhere: the same names, the same
// origins, the same errors -- checked over every case of both cross-SDK suites and some edges of our own.
#include "config/profile_file.hpp"

#include "helpers.hpp"

#include <nlohmann/json.hpp>

using namespace credsh;
using credsh::test::conformance_dir;
using json = nlohmann::json;

namespace {

std::optional<ProfileSource> source_of(const json& input, const char* key, const char* path) {
    if (!input.contains(key)) return std::nullopt;
    return ProfileSource{path, input.at(key).get<std::string>()};
}

// Both parsers on the same input must give the same names, origins and errors.
void check_agree(const std::optional<ProfileSource>& config,
                 const std::optional<ProfileSource>& credentials) {
    auto full = parse_profile_files(config, credentials);
    auto names = parse_profile_names(config, credentials);
    REQUIRE(full.ok() == names.ok());
    if (!full.ok()) {
        CHECK(names.error().message == full.error().message);
        return;
    }
    CHECK(*names == full->origins);
    // origins is complete: every profile the full parse produced is listed, and nothing else.
    CHECK(names->size() == full->profiles.size());
    for (const auto& [name, props] : full->profiles)
        CHECK(names->count(name) == 1);
}

void check_suite(const std::filesystem::path& file, std::size_t expected_cases) {
    INFO("suite " << file);
    REQUIRE(std::filesystem::is_regular_file(file));
    json suite = json::parse(credsh::test::read_file(file));
    const json& tests = suite.at("tests");
    REQUIRE(tests.size() == expected_cases);
    for (const json& tcase : tests) {
        INFO("case: " << tcase.at("name").get<std::string>());
        const json& input = tcase.at("input");
        check_agree(source_of(input, "configFile", "suite/config"),
                    source_of(input, "credentialsFile", "suite/credentials"));
    }
}

} // namespace

TEST_CASE("names-only parse agrees with the full parse on both cross-SDK suites",
          "[profile_file][profiles]") {
    check_suite(
        conformance_dir() / "smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json", 65);
    check_suite(conformance_dir() / "aws-sdk-kotlin/profile-parser-tests.kotlin.json", 67);
}

TEST_CASE("names-only parse: defaults, odd names, ignored sections, errors", "[profile_file][profiles]") {
    struct Row {
        const char* what;
        std::string config, credentials;
    };
    const std::vector<Row> rows = {
        {"unprefixed and prefixed default", "[default]\na = 1\n[profile default]\nb = 2\n", ""},
        {"unprefixed default only", "[default]\na = 1\n", "[default]\nx = y\n"},
        {"names the parser accepts", "[profile some-thing:long/the_one%only.foo@bar+]\n[profile foo!bar]\n",
         ""},
        {"prefixed names in credentials are ignored", "", "[profile x]\na = 1\n[y]\nb = 2\n"},
        {"sso-session and services are not profiles", "[sso-session s]\na = 1\n[services s]\nb = 2\n", ""},
        {"credentials only", "", "[c1]\na = 1\n[c2]\n"},
        {"error in an ignored section still fails", "[sso-session s]\nno equals here\n", ""},
        {"error in credentials", "[profile a]\n", "[a]\n= x\n"},
        {"continuation without a property", "[profile a]\n  x = 1\n", ""},
        {"NUL byte", std::string("[profile a]\nk = v\0x\n", 19), ""},
    };
    for (const Row& row : rows) {
        INFO(row.what);
        check_agree(ProfileSource{"t/config", row.config}, ProfileSource{"t/credentials", row.credentials});
    }
    auto r = parse_profile_names(ProfileSource{"t/config", "[profile a b]\n[profile ok]\n"}, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->size() == 1);
    CHECK(r->count("ok") == 1);
}
