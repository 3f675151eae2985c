// The profile file parser is held to the cross-SDK suites, read in place from the shared conformance
// directory: smithy-rs's copy is the spec (65 cases), Kotlin's copy adds [services] and edge cases (67 cases)
// and is compared semantically, with its few true departures listed below and each asserted to be exactly
// that departure. The malformed-input tests are docs/security.md item 17: no crash, no hang, and an error
// that names "file:line" but never the value on that line (values are secrets).
#include "config/profile_file.hpp"
#include "config/profile_index_cache.hpp"

#include "helpers.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <functional>
#include <set>
#include <tuple>

using namespace credsh;
using credsh::test::conformance_dir;
using credsh::test::TempDir;
using credsh::test::write_file;
using json = nlohmann::json;

namespace {

constexpr const char* kConfigPath = "suite/config";
constexpr const char* kCredentialsPath = "suite/credentials";
constexpr const char* kSecret = "SENTINEL-SECRET-7f3a9c";

json load_json(const std::filesystem::path& p) {
    INFO("reading " << p);
    REQUIRE(std::filesystem::is_regular_file(p));
    return json::parse(credsh::test::read_file(p));
}

std::optional<ProfileSource> source_of(const json& input, const char* key, const char* path) {
    if (!input.contains(key)) return std::nullopt;
    return ProfileSource{path, input.at(key).get<std::string>()};
}

// The index (what `credsh export` reads) against the full parse of the same files: the same error, or, for
// every profile selected alone, exactly the full parse's sections for it and for what it names, and every
// profile name in all_names.
// Every profile selected alone from `index` gives exactly `full`'s sections for it and for what it names,
// and every profile name in all_names; all() gives `full`.
void check_selects_agree(const ProfileIndex& index, const ProfileSet& full) {
    std::vector<std::string> names;
    for (const auto& [name, props] : full.profiles)
        names.push_back(name);
    auto same_entries = [](const std::map<std::string, Properties>& part,
                           const std::map<std::string, Properties>& whole) {
        for (const auto& [name, props] : part) {
            INFO("section " << name);
            REQUIRE(whole.count(name));
            CHECK(props == whole.at(name));
        }
    };
    for (const std::string& name : names) {
        INFO("selected alone: " << name);
        ProfileSet sel = index.select({name});
        REQUIRE(sel.profiles.count(name));
        CHECK(sel.profiles.at(name) == full.profiles.at(name));
        same_entries(sel.profiles, full.profiles);
        same_entries(sel.sso_sessions, full.sso_sessions);
        same_entries(sel.services, full.services);
        same_entries(sel.config_file, full.config_file);
        same_entries(sel.credentials_file, full.credentials_file);
        for (const auto& [n, props] : full.config_file)
            if (n == name) CHECK(sel.config_file.count(n));
        for (const auto& [n, props] : full.credentials_file)
            if (n == name) CHECK(sel.credentials_file.count(n));
        CHECK(profile_names(sel) == names);
    }
    CHECK(index.names() == names); // what `credsh profiles` lists
    auto all = index.all();
    REQUIRE(all.ok());
    CHECK(all->profiles == full.profiles);
    CHECK(all->sso_sessions == full.sso_sessions);
}

constexpr std::int64_t kLongAfter = 4'000'000'000; // "now" for a file written moments ago: not racy

// The index (what `credsh export` reads) against the full parse of the same files: the same error, or the
// same sections (check_selects_agree) -- built from the text, and read back through the on-disk cache that
// a first load_profile_index writes and a second one uses.
void check_index_agrees(const std::optional<ProfileSource>& config,
                        const std::optional<ProfileSource>& credentials) {
    auto full = parse_profile_files(config, credentials);
    auto index = ProfileIndex::build(config, credentials);
    REQUIRE(index.ok() == full.ok());
    if (auto names_only = parse_profile_names(config, credentials); names_only && index.ok()) {
        std::vector<std::string> listed; // what `credsh profiles` listed before it read the index
        for (const auto& [name, origins] : *names_only)
            listed.push_back(name);
        CHECK(index->names() == listed);
    }
    if (!full.ok())
        CHECK(index.error().message == full.error().message);
    else
        check_selects_agree(*index, *full);

    TempDir dir;
    Env env({{"HOME", dir.str()},
             {"AWS_CONFIG_FILE", dir.str() + "/config"},
             {"AWS_SHARED_CREDENTIALS_FILE", dir.str() + "/credentials"}});
    std::optional<ProfileSource> on_disk[2];
    for (auto [src, name, i] :
         {std::tuple{&config, "/config", 0}, std::tuple{&credentials, "/credentials", 1}})
        if (*src) {
            write_file(dir.str() + name, (*src)->text);
            on_disk[i] = ProfileSource{dir.str() + name, (*src)->text};
        }
    auto disk_full = parse_profile_files(on_disk[0], on_disk[1]);
    std::string cache = dir.str() + "/index";
    auto first = load_profile_index(env, cache, kLongAfter);
    REQUIRE(first.ok() == full.ok());
    if (first.ok()) CHECK_FALSE(first->cached());
    auto second = load_profile_index(env, cache, kLongAfter);
    REQUIRE(second.ok() == full.ok());
    if (!full.ok()) {
        CHECK(second.error().message == disk_full.error().message);
        CHECK_FALSE(std::filesystem::exists(cache)); // a broken file is never indexed
        return;
    }
    CHECK(second->cached() == (config || credentials));
    check_selects_agree(*second, *disk_full);
}

Result<ProfileSet> parse_case(const json& tcase) {
    const json& input = tcase.at("input");
    auto config = source_of(input, "configFile", kConfigPath);
    auto credentials = source_of(input, "credentialsFile", kCredentialsPath);
    check_index_agrees(config, credentials);
    return parse_profile_files(config, credentials);
}

// Does the message start with "<path>:<line>: "?
bool names_location(const std::string& msg, const std::string& path, std::size_t line) {
    return msg.starts_with(path + ":" + std::to_string(line) + ": ");
}

// "<one of our two paths>:<digits>: ", for suite cases that do not say which line is wrong.
bool names_some_location(const std::string& msg) {
    for (const std::string p : {kConfigPath, kCredentialsPath}) {
        if (!msg.starts_with(p + ":")) continue;
        std::size_t i = p.size() + 1, digits = 0;
        while (i < msg.size() && std::isdigit(static_cast<unsigned char>(msg[i])))
            ++i, ++digits;
        return digits > 0 && msg.compare(i, 2, ": ") == 0;
    }
    return false;
}

// Sections in smithy-rs's shape: every value a raw string.
json raw_json(const std::map<std::string, Properties>& sections) {
    json out = json::object();
    for (const auto& [name, props] : sections) {
        json p = json::object();
        for (const auto& [k, v] : props)
            p[k] = v;
        out[name] = p;
    }
    return out;
}

// Sections in Kotlin's shape: a value whose first line is empty is a map of its sub-properties.
json nested_json(const std::map<std::string, Properties>& sections) {
    json out = json::object();
    for (const auto& [name, props] : sections) {
        json p = json::object();
        for (const auto& [k, v] : props) {
            if (v.starts_with('\n')) {
                json sub = json::object();
                for (const auto& [sk, sv] : sub_properties(v))
                    sub[sk] = sv;
                p[k] = sub;
            } else {
                p[k] = v;
            }
        }
        out[name] = p;
    }
    return out;
}

json kotlin_shape(const ProfileSet& set) {
    return json{{"profiles", nested_json(set.profiles)},
                {"sso-sessions", nested_json(set.sso_sessions)},
                {"services", nested_json(set.services)}};
}

json kotlin_expected(const json& output) {
    json exp = json::object();
    for (const char* key : {"profiles", "sso-sessions", "services"})
        exp[key] = output.contains(key) ? output.at(key) : json::object();
    return exp;
}

// Kotlin cases whose expectation conflicts with smithy-rs (the spec here) or that credsh deliberately does
// not model. Each check asserts credsh's side of the difference, so a change in behaviour fails loudly.
struct KnownDifference {
    const char* name;
    const char* why;
    std::function<void(const json& tcase, const Result<ProfileSet>& got)> check;
};

const std::vector<KnownDifference>& kotlin_known_differences() {
    static const std::vector<KnownDifference> list = {
        {"All valid property name characters are supported.",
         "Kotlin keeps the key's case; smithy-rs lowercases property keys (its case of the same name expects "
         "the lowercase key, and 'Duplicate properties ... (case insensitive)' depends on it).",
         [](const json& tcase, const Result<ProfileSet>& got) {
             CHECK(got.ok());
             if (!got.ok()) return;
             json exp = kotlin_expected(tcase.at("output"));
             json lowered = json::object();
             for (auto& [profile, props] : exp["profiles"].items()) {
                 json p = json::object();
                 for (auto& [k, v] : props.items()) {
                     std::string lk = k;
                     for (char& c : lk)
                         c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                     CHECK(lk != k); // the difference is really about case
                     p[lk] = v;
                 }
                 lowered[profile] = p;
             }
             exp["profiles"] = lowered;
             CHECK(kotlin_shape(*got) == exp);
         }},
        {"SSO Session in credentials file is invalid",
         "Kotlin fails the whole file; smithy-rs ignores every prefixed section in a credentials file "
         "(normalize.rs valid_for), as the suite's 'Credentials profiles with prefix are ignored' and "
         "'Invalid profile names are ignored' require for the same shape of input.",
         [](const json&, const Result<ProfileSet>& got) {
             CHECK(got.ok());
             if (!got.ok()) return;
             CHECK(got->profiles.empty());
             CHECK(got->sso_sessions.empty());
             CHECK(got->services.empty());
         }},
        {"Unknown section is successfully parsed",
         "Kotlin (and smithy-rs, as 'other sections') keep sections with unknown prefixes; credsh has no "
         "use for them and drops them. Only the 'unknown' part differs: profiles must match exactly.",
         [](const json& tcase, const Result<ProfileSet>& got) {
             CHECK(got.ok());
             if (!got.ok()) return;
             const json& output = tcase.at("output");
             CHECK(output.contains("unknown"));
             CHECK(kotlin_shape(*got) == kotlin_expected(output));
         }},
    };
    return list;
}

// Env's constructor from a braced list is ambiguous with its copy constructor.
Env make_env(std::map<std::string, std::string> vars) {
    return Env(std::move(vars));
}

std::string text_of(const Result<ProfileSet>& r) {
    return r.ok() ? std::string("(ok)") : r.error().message;
}

} // namespace

TEST_CASE("smithy-rs profile-parser-tests.json: every case", "[profile_file][conformance]") {
    json suite = load_json(conformance_dir() /
                           "smithy-rs/aws/rust-runtime/aws-runtime/test-data/profile-parser-tests.json");
    const json& tests = suite.at("tests");
    REQUIRE(tests.size() == 65);
    std::size_t checked = 0, errors = 0;
    for (std::size_t i = 0; i < tests.size(); ++i) {
        const json& tcase = tests[i];
        ++checked;
        INFO("smithy-rs case " << i + 1 << "/" << tests.size() << ": "
                               << tcase.at("name").get<std::string>());
        auto got = parse_case(tcase);
        const json& output = tcase.at("output");
        if (output.contains("errorContaining")) {
            ++errors;
            INFO("message: " << text_of(got));
            CHECK_FALSE(got.ok()); // keep going: every failing case gets reported
            if (got.ok()) continue;
            CHECK_THAT(got.error().message, Catch::Contains(output.at("errorContaining").get<std::string>()));
            CHECK(names_some_location(got.error().message));
        } else {
            INFO("error: " << text_of(got));
            CHECK(got.ok());
            if (!got.ok()) continue;
            json exp = output.at("config");
            if (!exp.contains("sso_sessions")) exp["sso_sessions"] = json::object();
            exp["services"] = json::object(); // the suite has no [services] cases: none may appear
            json actual = {{"profiles", raw_json(got->profiles)},
                           {"sso_sessions", raw_json(got->sso_sessions)},
                           {"services", raw_json(got->services)}};
            CHECK(actual == exp);
        }
    }
    INFO("checked " << checked << " smithy-rs cases, " << errors << " of them error cases");
    CHECK(checked == 65);
    CHECK(errors == 10);
}

TEST_CASE("Kotlin profile-parser-tests.kotlin.json: every case, known differences asserted",
          "[profile_file][conformance]") {
    json suite = load_json(conformance_dir() / "aws-sdk-kotlin/profile-parser-tests.kotlin.json");
    const json& tests = suite.at("tests");
    REQUIRE(tests.size() == 67);

    std::map<std::string, const KnownDifference*> known;
    for (const auto& d : kotlin_known_differences())
        known[d.name] = &d;
    std::set<std::string> known_seen;
    std::size_t checked = 0, errors = 0;

    for (std::size_t i = 0; i < tests.size(); ++i) {
        const json& tcase = tests[i];
        ++checked;
        std::string name = tcase.at("name").get<std::string>();
        INFO("Kotlin case " << i + 1 << "/" << tests.size() << ": " << name);
        auto got = parse_case(tcase);
        INFO("result: " << text_of(got));
        const json& output = tcase.at("output");
        if (auto it = known.find(name); it != known.end()) {
            INFO("known difference: " << it->second->why);
            it->second->check(tcase, got);
            known_seen.insert(name);
        } else if (output.contains("errorContaining")) {
            // Kotlin's texts are its own ("Encountered unexpected token"): only that it fails, and where.
            ++errors;
            CHECK_FALSE(got.ok()); // keep going: every failing case gets reported
            if (got.ok()) continue;
            CHECK(names_some_location(got.error().message));
        } else {
            for (auto& [key, value] : output.items()) {
                INFO("output key " << key);
                CHECK((key == "profiles" || key == "sso-sessions" || key == "services"));
            }
            CHECK(got.ok());
            if (!got.ok()) continue;
            CHECK(kotlin_shape(*got) == kotlin_expected(output));
        }
    }
    INFO("checked " << checked << " Kotlin cases, " << errors << " error cases, " << known_seen.size()
                    << " known differences");
    CHECK(checked == 67);
    CHECK(errors == 9); // the tenth error case is a known difference
    // Every listed difference must still exist in the suite, so the list cannot go stale silently.
    CHECK(known_seen.size() == kotlin_known_differences().size());
}

TEST_CASE("file-location suites (smithy-rs and Kotlin), linux and windows", "[profile_file][conformance]") {
    struct Suite {
        const char* path;
        std::size_t cases;
    };
    for (const Suite& s :
         {Suite{"smithy-rs/aws/rust-runtime/aws-runtime/test-data/file-location-tests.json", 9},
          Suite{"aws-sdk-kotlin/file-location-tests.kotlin.json", 11}}) {
        INFO("suite " << s.path);
        json suite = load_json(conformance_dir() / s.path);
        const json& tests = suite.at("tests");
        REQUIRE(tests.size() == s.cases);
        std::size_t checked = 0;
        for (std::size_t i = 0; i < tests.size(); ++i) {
            const json& tcase = tests[i];
            INFO("case " << i + 1 << "/" << tests.size() << ": " << tcase.at("name").get<std::string>());
            std::map<std::string, std::string> vars;
            for (auto& [k, v] : tcase.at("environment").items())
                vars[k] = v.get<std::string>();
            Env env(vars);
            const std::string platform = tcase.at("platform").get<std::string>();
            REQUIRE((platform == "linux" || platform == "windows"));
            std::optional<std::string> fallback;
            if (tcase.contains("languageSpecificHome"))
                fallback = tcase.at("languageSpecificHome").get<std::string>();
            auto loc = locate_profile_files(env, platform == "windows", fallback);
            CHECK(loc.config == tcase.at("configLocation").get<std::string>());
            CHECK(loc.credentials == tcase.at("credentialsLocation").get<std::string>());
            if (tcase.contains("profile"))
                CHECK(sdk_profile_name(env) == tcase.at("profile").get<std::string>());
            ++checked;
        }
        INFO("checked " << checked << " cases");
        CHECK(checked == s.cases);
    }
}

// ---- behaviour the suites do not pin down ----

TEST_CASE("credentials win over config; origins record both files", "[profile_file]") {
    auto r = parse_profile_files(
        ProfileSource{kConfigPath, "[default]\nregion = eu-west-1\n[profile dev]\nregion = us-east-1\n"
                                   "[profile only-config]\n[sso-session corp]\nsso_region = eu-west-1\n"},
        ProfileSource{kCredentialsPath, "[default]\nregion = ap-south-1\naws_access_key_id = AKIDEXAMPLE\n"
                                        "[only-creds]\n"});
    REQUIRE(r.ok());
    CHECK(r->profiles.at("default").at("region") == "ap-south-1");
    CHECK(r->profiles.at("default").at("aws_access_key_id") == "AKIDEXAMPLE");
    CHECK(r->origins.at("default") == std::vector<std::string>{"config", "credentials"});
    CHECK(r->origins.at("dev") == std::vector<std::string>{"config"});
    CHECK(r->origins.at("only-config") == std::vector<std::string>{"config"});
    CHECK(r->origins.at("only-creds") == std::vector<std::string>{"credentials"});
    CHECK(r->origins.count("corp") == 0); // an sso-session is not a profile
    CHECK(r->sso_sessions.at("corp").at("sso_region") == "eu-west-1");
}

TEST_CASE("values keep ';', '#' and '=' unless a comment is separated by whitespace", "[profile_file]") {
    auto r =
        parse_profile_files(ProfileSource{kConfigPath, "[profile a]\n"
                                                       "aws_session_token = IQoJb3JpZ2luX2VjE;x#y==\n"
                                                       "endpoint_url = https://h/p?a=b;c ; trailing comment\n"
                                                       "tab_comment = v\t# comment\n"
                                                       "nbsp_comment = v\xc2\xa0# comment\n"},
                            std::nullopt);
    REQUIRE(r.ok());
    const auto& p = r->profiles.at("a");
    CHECK(p.at("aws_session_token") == "IQoJb3JpZ2luX2VjE;x#y==");
    CHECK(p.at("endpoint_url") == "https://h/p?a=b;c");
    CHECK(p.at("tab_comment") == "v");
    CHECK(p.at("nbsp_comment") == "v\xc2\xa0"); // Rust's is_whitespace() counts U+00A0; trimming does not
}

TEST_CASE("ProfileIndex::select parses the selected profiles and what they name, nothing else",
          "[profile_file]") {
    ProfileSource config{kConfigPath,
                         "[profile app]\nsource_profile = base\nrole_arn = arn:aws:iam::1:role/r\n"
                         "services = local\n"
                         "[profile base]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n"
                         "[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n"
                         "[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\n"
                         "[profile unrelated]\nregion = us-east-1\n[profile other]\nregion = base\n"
                         "[default]\nregion = eu-west-2\n"
                         "[profile named-by-credsh]\nregion = eu-north-1\n"
                         "[sso-session lonely]\nsso_start_url = https://y\n"};
    ProfileSource credentials{kCredentialsPath, "[base]\naws_access_key_id = AKIDBASE\n"
                                                "[keysonly]\naws_access_key_id = AKIDONLY\n"};
    auto index = ProfileIndex::build(config, credentials);
    REQUIRE(index.ok());
    ProfileSet sel = index->select({"app"});
    std::set<std::string> got;
    for (const auto& [n, p] : sel.profiles)
        got.insert(n);
    // app, what it names (base, and through base's value "corp" the sso-session), and default; "other"
    // names base in a value but nothing names "other".
    CHECK(got == std::set<std::string>{"app", "base", "default"});
    CHECK(sel.sso_sessions.count("corp"));
    CHECK_FALSE(sel.sso_sessions.count("lonely"));
    CHECK(sel.services.count("local"));
    CHECK(sel.credentials_file.count("base"));
    CHECK(sel.profiles.at("base").at("aws_access_key_id") == "AKIDBASE"); // credentials merged in
    CHECK(sel.profiles.at("default").at("region") == "eu-west-2");
    CHECK(sel.origins.count("app"));
    CHECK_FALSE(sel.origins.count("unrelated"));
    // Every name is still known, for suggestions, without parsing the rest.
    CHECK(profile_names(sel) == std::vector<std::string>{"app", "base", "default", "keysonly",
                                                         "named-by-credsh", "other", "unrelated"});

    // credsh's own settings of a profile can name another one.
    ProfileSet more = index->select({"keysonly"}, [](const std::string& name) {
        return name == "keysonly" ? std::vector<std::string>{"named-by-credsh"} : std::vector<std::string>{};
    });
    CHECK(more.profiles.count("named-by-credsh"));
    CHECK(more.profiles.at("keysonly").at("aws_access_key_id") == "AKIDONLY");
    CHECK_FALSE(more.profiles.count("app"));

    // A name that is nowhere: nothing but default, and the set says so.
    ProfileSet none = index->select({"nosuch"});
    CHECK_FALSE(none.profiles.count("nosuch"));
    CHECK(none.profiles.size() == 1);

    // A broken line in a section nobody selects still fails the whole file, as in every SDK.
    ProfileSource broken{kConfigPath, config.text + "[profile far]\nthis line has no equals sign\n"};
    auto bad = ProfileIndex::build(broken, credentials);
    REQUIRE_FALSE(bad.ok());
    CHECK(names_location(bad.error().message, kConfigPath, 26));
    check_index_agrees(broken, credentials);
    check_index_agrees(config, credentials);
}

TEST_CASE("ProfileIndex::select follows a long source_profile chain only as deep as a chain may be",
          "[profile_file][limits]") {
    // 10,000 hops (a generated or hostile file): the rounds stop past kMaxChainProfiles, each value is looked
    // up once, so selecting costs a bounded number of passes instead of one per hop.
    std::string text;
    const std::size_t n = 10000;
    for (std::size_t i = 0; i < n; ++i)
        text += "[profile p" + std::to_string(i) + "]\nsource_profile = p" + std::to_string(i + 1) + "\n";
    auto index = ProfileIndex::build(ProfileSource{kConfigPath, text}, std::nullopt);
    REQUIRE(index.ok());
    ProfileSet sel = index->select({"p0"});
    CHECK(sel.profiles.count("p0"));
    CHECK(sel.profiles.count("p" + std::to_string(kMaxChainProfiles))); // what the planner's error names
    CHECK(sel.profiles.size() >= kMaxChainProfiles + 1);
    CHECK(sel.profiles.size() <= kMaxChainProfiles + 5);
    CHECK_FALSE(sel.profiles.count("p1000"));
}

TEST_CASE("sub_properties splits the raw value the way the spec describes", "[profile_file]") {
    CHECK(sub_properties("").empty());
    CHECK(sub_properties("plain").empty());
    CHECK(sub_properties("value1\nvalue2 = 12").empty()); // a continued value, not sub-properties
    CHECK(sub_properties("\nname = value") == Properties{{"name", "value"}});
    CHECK(sub_properties("\nname =") == Properties{{"name", ""}});
    CHECK(sub_properties("\nin valid = x\nvalid = y") == Properties{{"valid", "y"}});
    CHECK(sub_properties("\nurl = https://h/?a=b # kept") == Properties{{"url", "https://h/?a=b # kept"}});
    CHECK(sub_properties("\na = 1\na = 2\nnoequals") == Properties{{"a", "2"}});

    auto r = parse_profile_files(ProfileSource{kConfigPath,
                                               "[services s]\ns3 =\n  endpoint_url = http://127.0.0.1:9000\n"
                                               "  addressing_style = path\n"},
                                 std::nullopt);
    REQUIRE(r.ok());
    CHECK(sub_properties(r->services.at("s").at("s3")) ==
          Properties{{"endpoint_url", "http://127.0.0.1:9000"}, {"addressing_style", "path"}});
}

TEST_CASE("section names: empty, prefixed in credentials, services only in config", "[profile_file]") {
    auto r = parse_profile_files(ProfileSource{kConfigPath, "[]\nx = 1\n[ ]\n[profile]\ny = 2\n[services]\n"},
                                 ProfileSource{kCredentialsPath, "[]\nx = 1\n[services s]\nz = 3\n"});
    REQUIRE(r.ok());
    CHECK(r->profiles.empty());
    CHECK(r->services.empty());
    CHECK(r->origins.empty());
}

TEST_CASE("a thousand profiles parse in one pass", "[profile_file]") {
    std::string text;
    for (int i = 0; i < 1000; ++i) {
        std::string n = std::to_string(i);
        text += "[profile p" + n + "]\nregion = eu-west-1\nrole_arn = arn:aws:iam::123456789012:role/r" + n +
                "\nsource_profile = base\n# comment\n\n";
    }
    auto r = parse_profile_files(ProfileSource{kConfigPath, text}, std::nullopt);
    REQUIRE(r.ok());
    CHECK(r->profiles.size() == 1000);
    CHECK(r->profiles.at("p999").at("role_arn") == "arn:aws:iam::123456789012:role/r999");
}

// ---- malformed input (docs/security.md 17) ----

namespace {

// The error names exactly "path:line: " and carries nothing of the secret on the offending line.
void check_rejected(const std::string& text, std::size_t line, bool in_credentials = false) {
    ProfileSource src{in_credentials ? kCredentialsPath : kConfigPath, text};
    auto r = in_credentials ? parse_profile_files(std::nullopt, src) : parse_profile_files(src, std::nullopt);
    REQUIRE_FALSE(r.ok());
    auto index =
        in_credentials ? ProfileIndex::build(std::nullopt, src) : ProfileIndex::build(src, std::nullopt);
    REQUIRE_FALSE(index.ok());
    CHECK(index.error().message == r.error().message);
    const std::string& msg = r.error().message;
    INFO("message: " << msg);
    CHECK(names_location(msg, src.path, line));
    CHECK(msg.find("SENTINEL") == std::string::npos);
    CHECK(msg.find("7f3a9c") == std::string::npos);
    CHECK(msg.size() < 200);
    // Printable ASCII only: no raw byte from the file reaches a terminal.
    CHECK(std::all_of(msg.begin(), msg.end(), [](char c) { return c >= 0x20 && c < 0x7f; }));
}

} // namespace

TEST_CASE("malformed files fail with file:line and never echo the value", "[profile_file]") {
    const std::string s = kSecret;
    SECTION("missing closing bracket") {
        check_rejected("[default]\nregion = x\n[profile dev " + s + "\naws_secret_access_key = " + s, 3);
    }
    SECTION("bracket then trailing junk") {
        check_rejected("[profile dev] junk " + s, 1);
    }
    SECTION("lone bracket") {
        check_rejected("[", 1);
    }
    SECTION("property without '='") {
        check_rejected("[default]\naws_secret_access_key " + s, 2);
    }
    SECTION("property without a name") {
        check_rejected("[default]\n= " + s, 2);
    }
    SECTION("property before any section") {
        check_rejected("aws_secret_access_key = " + s, 1);
    }
    SECTION("continuation without a property") {
        check_rejected("[default]\n  " + s, 2);
    }
    SECTION("continuation before any section") {
        check_rejected("\t" + s, 1);
    }
    SECTION("bad sub-property") {
        check_rejected("[default]\ns3 =\n  a = 1\n  " + s, 4);
    }
    SECTION("sub-property without a name") {
        check_rejected("[default]\ns3 =\n  = " + s, 3);
    }
    SECTION("errors inside ignored sections still count") {
        check_rejected("[nope]\n" + s, 2);
    }
    SECTION("credentials file is named") {
        check_rejected("[default]\nkey = v\nbroken " + s, 3, true);
    }
    SECTION("NUL byte") {
        check_rejected("[default]\nregion = x\naws_secret_access_key = SENTI" + std::string(1, '\0') +
                           "NEL-SECRET-7f3a9c\n",
                       3);
    }
    SECTION("CRLF line endings keep line numbers") {
        check_rejected("[default]\r\nregion = x\r\n\r\nbad line " + s + "\r\n", 4);
    }
    SECTION("BOM does not shift line numbers") {
        check_rejected("\xef\xbb\xbf[default]\nbroken " + s, 2);
    }
    SECTION("invalid UTF-8 on the offending line") {
        check_rejected("[default]\n\xff\xfe\xc3 " + s + " \x80", 2);
    }
    SECTION("1 MB line without '='") {
        check_rejected("[default]\n" + std::string(1 << 20, 'A') + s, 2);
    }
    SECTION("1 MB header without ']'") {
        check_rejected("[profile " + std::string(1 << 20, 'a') + s, 1);
    }
    SECTION("control bytes in the path are escaped") {
        auto r = parse_profile_files(ProfileSource{"dir\n\x1b[31mfake", "junk"}, std::nullopt);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.starts_with("dir\\x0a\\x1b[31mfake:1: "));
    }
}

TEST_CASE("odd but valid bytes are accepted as data", "[profile_file]") {
    SECTION("UTF-8 BOM") {
        auto r = parse_profile_files(
            ProfileSource{kConfigPath, "\xef\xbb\xbf[default]\nregion = eu-west-1\n"}, std::nullopt);
        REQUIRE(r.ok());
        CHECK(r->profiles.at("default").at("region") == "eu-west-1");
    }
    SECTION("CRLF leaves no CR in names or values") {
        auto r = parse_profile_files(
            ProfileSource{kConfigPath, "[profile a]\r\nkey = v\r\nlong = x\r\n  y\r\ns3 =\r\n  k = w\r\n"},
            std::nullopt);
        REQUIRE(r.ok());
        const auto& p = r->profiles.at("a");
        CHECK(p.at("key") == "v");
        CHECK(p.at("long") == "x\ny");
        CHECK(p.at("s3") == "\nk = w");
    }
    SECTION("invalid UTF-8 in a value round-trips byte for byte; in a name it is an invalid name") {
        auto r = parse_profile_files(
            ProfileSource{kConfigPath, "[profile a]\nkey = \xff\xfe\xc3(\n[profile b\xff]\nk = v\n"},
            std::nullopt);
        REQUIRE(r.ok());
        CHECK(r->profiles.at("a").at("key") == "\xff\xfe\xc3(");
        CHECK(r->profiles.size() == 1);
    }
    SECTION("1 MB+ values (session tokens are long; inih's 200-byte limit is why this parser exists)") {
        std::string token(3 << 20, 'T');
        auto r = parse_profile_files(
            std::nullopt, ProfileSource{kCredentialsPath, "[default]\naws_session_token = " + token + "\n"});
        REQUIRE(r.ok());
        CHECK(r->profiles.at("default").at("aws_session_token") == token);
    }
    SECTION("no final newline, blank lines of spaces and tabs, comment-only file") {
        auto r = parse_profile_files(ProfileSource{kConfigPath, "# only\n; comments\n \t \n"},
                                     ProfileSource{kCredentialsPath, "[x]\nk = v"});
        REQUIRE(r.ok());
        CHECK(r->profiles.at("x").at("k") == "v");
    }
}

// ---- locations and loading ----

TEST_CASE("locate_profile_files: empty variables are unset, '~' expands, no home means no file",
          "[profile_file]") {
    SECTION("empty HOME falls back instead of reading relative to $PWD") {
        Env env = make_env({{"HOME", ""}});
        auto loc = locate_profile_files(env, false, std::string("/fallback"));
        CHECK(loc.config == "/fallback/.aws/config");
    }
    SECTION("empty AWS_CONFIG_FILE is the default") {
        Env env = make_env({{"HOME", "/h"}, {"AWS_CONFIG_FILE", ""}});
        CHECK(locate_profile_files(env).config == "/h/.aws/config");
    }
    SECTION("'~/' in an override expands; '~user/' does not") {
        Env env = make_env({{"HOME", "/h"},
                            {"AWS_CONFIG_FILE", "~/cfg/config"},
                            {"AWS_SHARED_CREDENTIALS_FILE", "~x/creds"}});
        auto loc = locate_profile_files(env);
        CHECK(loc.config == "/h/cfg/config");
        CHECK(loc.credentials == "~x/creds");
    }
    SECTION("windows rewrites separators after '~'") {
        Env env = make_env({{"USERPROFILE", "C:\\Users\\me"}, {"AWS_CONFIG_FILE", "~/cfg/config"}});
        CHECK(locate_profile_files(env, true).config == "C:\\Users\\me\\cfg\\config");
    }
    SECTION("without any home, '~' is left unexpanded (load_profile_files then reads nothing)") {
        Env env;
        auto loc = locate_profile_files(env, false, std::nullopt);
        CHECK(loc.config == "~/.aws/config");
        CHECK(loc.credentials == "~/.aws/credentials");
    }
    SECTION("sdk_profile_name") {
        CHECK(sdk_profile_name(Env()) == "default");
        CHECK(sdk_profile_name(make_env({{"AWS_PROFILE", ""}})) == "default");
        CHECK(sdk_profile_name(make_env({{"AWS_PROFILE", "dev"}})) == "dev");
    }
}

TEST_CASE("load_profile_files reads both files through safe_read_file", "[profile_file]") {
    TempDir tmp;
    Env env = make_env({{"HOME", tmp.str()}});
    SECTION("both files absent: an empty set, not an error") {
        auto r = load_profile_files(env);
        INFO("error: " << (r.ok() ? "" : r.error().message));
        REQUIRE(r.ok());
        CHECK(r->profiles.empty());
    }
    SECTION("both present and merged") {
        write_file(tmp.path / ".aws/config", "[profile dev]\nregion = eu-west-1\n");
        write_file(tmp.path / ".aws/credentials", "[dev]\naws_access_key_id = AKIDEXAMPLE\n");
        auto r = load_profile_files(env);
        INFO("error: " << (r.ok() ? "" : r.error().message));
        REQUIRE(r.ok());
        CHECK(r->profiles.at("dev") ==
              Properties{{"region", "eu-west-1"}, {"aws_access_key_id", "AKIDEXAMPLE"}});
        CHECK(r->origins.at("dev") == std::vector<std::string>{"config", "credentials"});
    }
    SECTION("overrides are honoured; a parse error names the real path") {
        write_file(tmp.path / "other", std::string("[default]\nbroken ") + kSecret + "\n");
        env.set("AWS_SHARED_CREDENTIALS_FILE", (tmp.path / "other").string());
        auto r = load_profile_files(env);
        REQUIRE_FALSE(r.ok());
        INFO("message: " << r.error().message);
        CHECK(names_location(r.error().message, (tmp.path / "other").string(), 2));
        CHECK(r.error().message.find(kSecret) == std::string::npos);
    }
    SECTION("a directory where the file should be is an error, not an empty file") {
        std::filesystem::create_directories(tmp.path / ".aws/config");
        auto r = load_profile_files(env);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains(".aws/config"));
    }
}

TEST_CASE("a broken file still gives every readable name, and the first error with file:line",
          "[profile_file]") {
    const std::string s = kSecret;
    std::optional<Error> problem;
    auto names = readable_profile_names(
        ProfileSource{kConfigPath, "[profile dev]\nregion = x\naws_secret_access_key " + s +
                                       "\n[profile prod]\n[profile ops\nregion = y\n[profile staging]\n"},
        ProfileSource{kCredentialsPath, "[keys]\naws_access_key_id = A\n"}, problem);
    std::vector<std::string> got;
    for (const auto& [name, origins] : names)
        got.push_back(name);
    CHECK(got ==
          std::vector<std::string>{"dev", "keys", "prod", "staging"}); // before and after the bad lines
    REQUIRE(problem);
    CHECK(problem->message == "suite/config:3: Expected an '=' sign defining a property"); // the first one
    CHECK(problem->message.find(s) == std::string::npos);
    // The strict parse (credentials, chains) still refuses the file with the same line.
    auto strict = parse_profile_names(
        ProfileSource{kConfigPath, "[profile dev]\nregion = x\naws_secret_access_key " + s + "\n"},
        std::nullopt);
    REQUIRE_FALSE(strict);
    CHECK(strict.error().message == problem->message);
    // A file without problems: none reported.
    std::optional<Error> none;
    readable_profile_names(ProfileSource{kConfigPath, "[profile a]\n"}, std::nullopt, none);
    CHECK_FALSE(none);
}

TEST_CASE("the profile index cache: used only for the very file it was made from, never trusted blindly",
          "[profile_file]") {
    TempDir dir;
    std::string config = dir.str() + "/config", cache = dir.str() + "/index";
    Env env({{"HOME", dir.str()},
             {"AWS_CONFIG_FILE", config},
             {"AWS_SHARED_CREDENTIALS_FILE", dir.str() + "/credentials"}});
    const std::string text = "[profile a]\nregion = eu-west-1\n[profile b]\nsource_profile = a\n"
                             "role_arn = arn:aws:iam::123456789012:role/R\n[default]\nregion = us-east-1\n";
    write_file(config, text);
    struct stat st {};
    REQUIRE(::stat(config.c_str(), &st) == 0);
    const std::int64_t changed = std::max(st.st_mtim.tv_sec, st.st_ctim.tv_sec);
    const std::string entry = index_cache_path(cache, config);
    auto region_of = [&](const ProfileIndex& index, const std::string& name) {
        auto set = index.select({name});
        auto it = set.profiles.find(name);
        const std::string* v = it == set.profiles.end() ? nullptr : find_prop(it->second, "region");
        return v ? *v : std::string("(none)");
    };

    SECTION("a file changed within the last seconds is not indexed yet (racily clean), later it is") {
        REQUIRE(load_profile_index(env, cache, changed + kIndexRacySeconds - 1).ok());
        CHECK_FALSE(std::filesystem::exists(entry));
        REQUIRE(load_profile_index(env, cache, changed + kIndexRacySeconds).ok());
        CHECK(std::filesystem::exists(entry));
        struct stat cs {};
        REQUIRE(::stat(entry.c_str(), &cs) == 0);
        CHECK((cs.st_mode & 07777) == 0600);
        REQUIRE(::stat(cache.c_str(), &cs) == 0);
        CHECK((cs.st_mode & 07777) == 0700);
        auto again = load_profile_index(env, cache, changed + 100);
        REQUIRE(again.ok());
        CHECK(again->cached());
        CHECK(region_of(*again, "a") == "eu-west-1");
        CHECK(region_of(*again, "default") == "us-east-1");
        CHECK(again->select({"b"}).profiles.count("a")); // what b names is read too
    }
    REQUIRE(load_profile_index(env, cache, kLongAfter).ok());
    REQUIRE(std::filesystem::exists(entry));

    SECTION("an edit that keeps the size and puts the mtime back is still seen (ctime)") {
        std::string edited = text;
        edited.replace(edited.find("eu-west-1"), 9, "xx-west-9");
        REQUIRE(edited.size() == text.size());
        write_file(config, edited);
        timespec times[2] = {st.st_atim, st.st_mtim};
        REQUIRE(::utimensat(AT_FDCWD, config.c_str(), times, 0) == 0);
        auto index = load_profile_index(env, cache, kLongAfter);
        REQUIRE(index.ok());
        CHECK_FALSE(index->cached());
        CHECK(region_of(*index, "a") == "xx-west-9");
    }
    SECTION("a file with a new profile: the index is made again") {
        write_file(config, text + "[profile c]\nregion = sa-east-1\n");
        auto index = load_profile_index(env, cache, kLongAfter);
        REQUIRE(index.ok());
        CHECK_FALSE(index->cached());
        CHECK(region_of(*index, "c") == "sa-east-1");
        auto next = load_profile_index(env, cache, kLongAfter);
        REQUIRE(next.ok());
        CHECK(next->cached());
        CHECK(region_of(*next, "c") == "sa-east-1");
    }
    SECTION("a damaged cache file is noticed and the file read whole: the same answers") {
        std::string bytes = credsh::test::read_file(entry);
        // Every byte in turn (the header, the bucket tables, the records): whatever it breaks, the answers
        // stay those of the file itself.
        for (std::size_t at = 0; at < bytes.size(); ++at) {
            std::string bad = bytes;
            bad[at] = static_cast<char>(bad[at] ^ 0x5a);
            write_file(entry, bad);
            ::chmod(entry.c_str(), 0600);
            INFO("byte " << at << " changed");
            auto index = load_profile_index(env, cache, changed + 1); // racy: the damage stays for the next
            REQUIRE(index.ok());
            CHECK(region_of(*index, "a") == "eu-west-1");
            CHECK(region_of(*index, "default") == "us-east-1");
            CHECK(index->select({"b"}).profiles.count("a"));
            CHECK(profile_names(index->select({"a"})) == std::vector<std::string>{"a", "b", "default"});
        }
    }
    SECTION("a cache file others can read or write is not ours: not used") {
        ::chmod(entry.c_str(), 0644);
        auto index = load_profile_index(env, cache, changed + 1);
        REQUIRE(index.ok());
        CHECK_FALSE(index->cached());
    }
    SECTION("writing an index sweeps the directory: old entries, the oldest beyond the cap, old leftovers") {
        const std::int64_t now = ::time(nullptr);
        auto put = [&](const std::string& name, std::int64_t age) {
            std::string p = cache + "/" + name;
            write_file(p, "x");
            ::chmod(p.c_str(), 0600);
            timespec times[2] = {{now - age, 0}, {now - age, 0}};
            REQUIRE(::utimensat(AT_FDCWD, p.c_str(), times, 0) == 0);
            return p;
        };
        auto hex = [](std::size_t i) {
            char b[33];
            std::snprintf(b, sizeof b, "%032zx", i);
            return std::string(b);
        };
        std::string old_index = put(std::string(32, 'a'), kIndexKeepSeconds + 60);
        std::string recent_index = put(std::string(32, 'b'), 24 * 3600);
        std::string old_leftover = put("." + std::string(32, 'c') + ".tmp-x1", 2 * 3600);
        std::string new_leftover = put("." + std::string(32, 'd') + ".tmp-x2", 60);
        std::string foreign = put("notes", kIndexKeepSeconds + 60);     // not a name credsh gives: not ours
        write_file(config, text + "[profile c]\nregion = sa-east-1\n"); // a new index is written
        REQUIRE(load_profile_index(env, cache, kLongAfter).ok());
        CHECK(std::filesystem::exists(entry));
        CHECK_FALSE(std::filesystem::exists(old_index));
        CHECK(std::filesystem::exists(recent_index));
        CHECK_FALSE(std::filesystem::exists(old_leftover));
        CHECK(std::filesystem::exists(new_leftover));
        CHECK(std::filesystem::exists(foreign));

        // More than the cap: the oldest go, the newest and the one just written stay.
        for (std::size_t i = 0; i < kIndexKeepFiles + 10; ++i)
            put(hex(i), 1000 + static_cast<std::int64_t>(kIndexKeepFiles + 10 - i)); // hex(0) the oldest
        write_file(config, text + "[profile d]\nregion = sa-east-1\n");
        REQUIRE(load_profile_index(env, cache, kLongAfter).ok());
        std::size_t indexes = 0;
        for (const auto& e : std::filesystem::directory_iterator(cache)) {
            std::string n = e.path().filename().string();
            if (n.size() == 32 && n.find_first_not_of("0123456789abcdef") == std::string::npos) ++indexes;
        }
        CHECK(indexes == kIndexKeepFiles);
        CHECK(std::filesystem::exists(entry));
        CHECK_FALSE(std::filesystem::exists(recent_index)); // a day old: among the oldest now
        CHECK_FALSE(std::filesystem::exists(cache + "/" + hex(10)));
        CHECK(std::filesystem::exists(cache + "/" + hex(11)));
        CHECK(std::filesystem::exists(cache + "/" + hex(kIndexKeepFiles + 9)));
    }
    SECTION("a broken file is never indexed, and its error is the full parse's") {
        std::filesystem::remove(entry);
        write_file(config, text + "not a property\n");
        auto index = load_profile_index(env, cache, kLongAfter);
        REQUIRE_FALSE(index.ok());
        CHECK(index.error().message == config + ":8: Expected an '=' sign defining a property");
        CHECK_FALSE(std::filesystem::exists(entry));
    }
}
