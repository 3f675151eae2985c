// credential_process runs real processes here, because what matters is how the runner behaves with real
// ones: a tool that hangs, one whose grandchild keeps stdout open, one that floods stdout, one that fails.
// The fixtures of the Go SDK and smithy-rs are read in place; commands that relied on a shell in those suites
// are adapted (credsh never runs a shell), and the tests say so where they do.
#include "pipeline/process.hpp"

#include "base/text.hpp"
#include "helpers.hpp"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <map>
#include <set>
#include <thread>
#include <unistd.h>

using namespace credsh;
using credsh::test::TempDir;
using credsh::test::write_file;
namespace fs = std::filesystem;
using Vars = std::map<std::string, std::string>;

namespace {

// 2026-01-02T03:04:05Z: an injected "now" so fixture expirations mean the same thing in any year.
constexpr std::int64_t kNow = 1767323045;
const std::string kSentinel = "SENTINEL-9f3c1b7e-do-not-print";

// A hang becomes a loud failure (the binary dies of SIGALRM) instead of a stuck test run.
struct Watchdog {
    explicit Watchdog(unsigned seconds = 60) { ::alarm(seconds); }
    ~Watchdog() { ::alarm(0); }
};

Env test_env() {
    return Env(Vars{{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"LC_ALL", "C"}});
}

ProcessOptions quick(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    ProcessOptions o;
    o.timeout = timeout;
    return o;
}

fs::path processcreds_dir() {
    return credsh::test::conformance_dir() / "aws-sdk-go/aws/credentials/processcreds/testdata";
}

fs::path smithy_dir() {
    return credsh::test::conformance_dir() /
           "smithy-rs/aws/rust-runtime/aws-config/test-data/profile-provider";
}

std::string quote(const std::string& s) { // single-quote for split_command_line
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The process is gone: reaped (ESRCH), or a zombie some other parent has yet to collect. Polls briefly
// because SIGKILL delivery to a reparented grandchild is asynchronous.
bool process_gone(pid_t pid) {
    for (int i = 0; i < 200; ++i) {
        if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
        std::string stat = credsh::test::read_file("/proc/" + std::to_string(pid) + "/stat");
        auto close = stat.rfind(')');
        if (close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z') return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Reaped by us: not even a zombie is left.
bool reaped(pid_t pid) {
    return ::kill(pid, 0) != 0 && errno == ESRCH;
}

pid_t read_pid(const fs::path& file) {
    for (int i = 0; i < 200; ++i) { // the shell writes it before doing anything else; allow for a slow start
        std::string text(trim(credsh::test::read_file(file)));
        if (!text.empty()) return static_cast<pid_t>(std::stol(text));
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL("no pid written to " << file);
    return -1;
}

const char* kStaticJson = R"({"Version": 1, "AccessKeyId": "AKIDSTATIC", "SecretAccessKey": "secret"})";

} // namespace

TEST_CASE("credential_process words are split like botocore's shlex.split", "[process]") {
    // Expected values were produced with Python 3's shlex.split, which botocore uses on POSIX.
    struct Case {
        std::string in;
        std::vector<std::string> out;
    };
    const std::vector<Case> cases = {
        {"cat file", {"cat", "file"}},
        {"  a   b  ", {"a", "b"}},
        {"a\tb\nc\rd", {"a", "b", "c", "d"}},
        {"a\vb", {"a\vb"}}, // \v and \f are not shlex whitespace
        {"'a b' c", {"a b", "c"}},
        {"\"a b\" c", {"a b", "c"}},
        {"a'b c'd", {"ab cd"}},
        {"'' x", {"", "x"}},
        {"x ''", {"x", ""}},
        {"\"\"", {""}},
        {"\"\"a\"\"", {"a"}},
        {"a\\ b", {"a b"}},
        {"\\'", {"'"}},
        {"\\\"a b\\\"", {"\"a", "b\""}},
        {"a\\\\b", {"a\\b"}},
        {"a\\\nb", {"a\nb"}}, // outside quotes a backslash keeps the next character, even a newline
        {"'a\\b'", {"a\\b"}}, // no escapes inside single quotes
        {"'\"'", {"\""}},
        {"\"'\"", {"'"}},
        {"\"a\\\"b\"", {"a\"b"}}, // \" and \\ are the only escapes inside double quotes...
        {"\"a\\\\b\"", {"a\\b"}},
        {"\"a\\$b\"", {"a\\$b"}}, // ...so \$, \` and \<newline> keep their backslash (sh would drop it)
        {"\"a\\`b\"", {"a\\`b"}},
        {"\"a\\\nb\"", {"a\\\nb"}},
        {"\"a\\nb\"", {"a\\nb"}},
        {"$HOME ~ *.json $(id) `id`", {"$HOME", "~", "*.json", "$(id)", "`id`"}}, // no expansions
        {"a#b # c", {"a#b", "#", "c"}},                                           // no comments
        {"echo x | base64 --decode", {"echo", "x", "|", "base64", "--decode"}},   // no pipes
        {"a;b&&c>d", {"a;b&&c>d"}},
        {"type .\\testdata\\expired.json",
         {"type", ".testdataexpired.json"}}, // Go SDK's Windows config on POSIX
        {"echo 'h\xc3\xa9llo w\xc3\xb6rld'", {"echo", "h\xc3\xa9llo w\xc3\xb6rld"}},
        {"", {}},
        {" \t\n", {}},
    };
    for (const auto& c : cases) {
        INFO("input: " << printable(c.in));
        auto got = split_command_line(c.in);
        REQUIRE(got.ok());
        CHECK(*got == c.out);
    }

    const std::vector<std::pair<std::string, std::string>> errors = {
        {"'abc", "unterminated single quote"},    {"\"abc", "unterminated double quote"},
        {"\"a\\\"", "unterminated double quote"}, {"abc\\", "ends with a backslash"},
        {"\"abc\\", "unterminated double quote"},
    };
    for (const auto& [in, message] : errors) {
        INFO("input: " << printable(in));
        auto got = split_command_line(in);
        REQUIRE_FALSE(got.ok());
        CHECK_THAT(got.error().message, Catch::Contains(message));
    }
}

TEST_CASE("every Go SDK processcreds fixture has a checked outcome", "[process]") {
    const fs::path dir = processcreds_dir();
    auto parse = [&](const char* name) {
        return parse_process_output(credsh::test::read_file(dir / name), kNow);
    };
    std::set<std::string> checked;
    auto mark = [&](const char* name) {
        REQUIRE(fs::is_regular_file(dir / name));
        checked.insert(name);
    };

    {
        mark("static.json");
        auto st = parse("static.json");
        REQUIRE(st.ok());
        CHECK(st->access_key_id == "accesskey");
        CHECK(st->secret_access_key == "secretkey");
        CHECK(st->session_token.empty());
        CHECK_FALSE(st->expiration);
        CHECK(st->account_id.empty());

        mark("nonexpire.json");
        auto ne = parse("nonexpire.json");
        REQUIRE(ne.ok());
        CHECK(ne->access_key_id == "accessKey");
        CHECK(ne->secret_access_key == "secret");
        CHECK(ne->session_token == "nonDefaultToken");
        CHECK_FALSE(ne->expiration);

        // Valid on its own; in the Go SDK's not_alone profile static keys win, which is the profile
        // resolver's business, not this parser's.
        mark("verybad.json");
        auto vb = parse("verybad.json");
        REQUIRE(vb.ok());
        CHECK(vb->access_key_id == "veryBadAccessKeyID");
        CHECK(vb->secret_access_key == "veryBadSecretAccessKey");

        mark("longsessiontoken.json");
        auto lt = parse("longsessiontoken.json");
        REQUIRE(lt.ok());
        CHECK(lt->access_key_id == "ASIAXXXXXXXXXXXXXXXX");
        CHECK(lt->session_token.size() == 560);
        CHECK(lt->session_token.find_first_not_of('X') == std::string::npos);
        CHECK(lt->expiration == parse_iso8601("2199-01-01T00:00:00Z"));

        // The Go SDK returns these and reports them expired; credsh never hands out dead credentials.
        mark("expired.json");
        auto ex = parse("expired.json");
        REQUIRE_FALSE(ex.ok());
        CHECK(ex.error().message == "credentials from credential_process expired at 2000-01-01T00:00:00Z");

        mark("malformed.json");
        auto mf = parse("malformed.json");
        REQUIRE_FALSE(mf.ok());
        CHECK_THAT(mf.error().message, Catch::Contains("not valid JSON"));

        mark("missingkey.json"); // has AccessKeyId, lacks the secret
        auto mk = parse("missingkey.json");
        REQUIRE_FALSE(mk.ok());
        CHECK_THAT(mk.error().message, Catch::Contains("missing SecretAccessKey"));
        CHECK_THAT(mk.error().message, !Catch::Contains("accesskey"));

        mark("missingsecret.json"); // has the secret, lacks AccessKeyId
        auto ms = parse("missingsecret.json");
        REQUIRE_FALSE(ms.ok());
        CHECK_THAT(ms.error().message, Catch::Contains("missing AccessKeyId"));
        CHECK_THAT(ms.error().message, !Catch::Contains("secretkey"));

        mark("wrongversion.json");
        auto wv = parse("wrongversion.json");
        REQUIRE_FALSE(wv.ok());
        CHECK_THAT(wv.error().message, Catch::Contains("Version must be 1"));

        // The INI files are the profile parser's input; here their credential_process lines are run for real,
        // from wherever the suite lives instead of the Go test's working directory.
        for (const char* ini : {"shconfig.ini", "shcred.ini"}) {
            mark(ini);
            std::map<std::string, std::string> commands; // section -> command
            std::string section;
            std::istringstream in(credsh::test::read_file(dir / ini));
            for (std::string line; std::getline(in, line);) {
                if (!line.empty() && line[0] == '[') section = line;
                auto eq = line.find('=');
                if (eq != std::string::npos && trim(line.substr(0, eq)) == "credential_process") {
                    std::string cmd(trim(line.substr(eq + 1)));
                    auto rel = cmd.find("./testdata/");
                    REQUIRE(rel != std::string::npos);
                    cmd = cmd.substr(0, rel) + quote((dir / cmd.substr(rel + 11)).string());
                    commands[section] = cmd;
                }
            }
            REQUIRE(commands.size() == 3);
            for (const auto& [sec, cmd] : commands) {
                INFO(ini << " " << sec);
                auto got = run_credential_process(cmd, test_env(), kNow, quick());
                if (sec == "[default]") {
                    REQUIRE_FALSE(got.ok());
                    CHECK_THAT(got.error().message, Catch::Contains("expired at 2000-01-01T00:00:00Z"));
                } else if (sec.find("non_expire") != std::string::npos) {
                    REQUIRE(got.ok());
                    CHECK(got->session_token == "nonDefaultToken");
                } else {
                    REQUIRE(got.ok());
                    CHECK(got->access_key_id == "veryBadAccessKeyID");
                }
            }
        }

        // Windows-only configs (`type .\testdata\x.json`): on POSIX botocore's split eats the backslashes,
        // and so does credsh's; the command then fails to run rather than doing something else.
        for (const char* ini : {"shconfig_win.ini", "shcred_win.ini"}) {
            mark(ini);
            std::string text = credsh::test::read_file(dir / ini);
            CHECK(text.find("credential_process = type .\\testdata\\expired.json") != std::string::npos);
            auto words = split_command_line("type .\\testdata\\expired.json");
            REQUIRE(words.ok());
            CHECK(*words == std::vector<std::string>{"type", ".testdataexpired.json"});
        }

        // No fixture goes unchecked: a new file in the suite fails here until it gets an outcome.
        for (const auto& entry : fs::directory_iterator(dir)) {
            INFO("unchecked fixture " << entry.path().filename());
            CHECK(checked.count(entry.path().filename().string()) == 1);
        }
    }
}

TEST_CASE("smithy-rs credential_process profile-provider cases", "[process]") {
    Watchdog watchdog;
    const fs::path dir = smithy_dir();
    auto config_command = [&](const char* c) {
        std::string text = credsh::test::read_file(dir / c / "fs/home/.aws/config");
        std::istringstream in(text);
        for (std::string line; std::getline(in, line);) {
            auto eq = line.find('=');
            if (eq != std::string::npos && trim(line.substr(0, eq)) == "credential_process")
                return std::string(trim(line.substr(eq + 1)));
        }
        FAIL("no credential_process in " << c);
        return std::string();
    };
    auto expected = [&](const char* c) {
        return nlohmann::json::parse(credsh::test::read_file(dir / c / "test-case.json"))["result"];
    };
    // smithy-rs runs `echo <base64> | base64 --decode` through sh. credsh runs no shell, so the test decodes
    // the argument itself and runs the equivalent `cat` of the decoded JSON.
    auto decoded_cat = [&](const std::string& command, const TempDir& tmp) {
        auto words = split_command_line(command);
        REQUIRE(words.ok());
        REQUIRE(words->size() == 5);
        CHECK((*words)[2] == "|");
        const std::string& b64 = (*words)[1];
        std::string json(b64.size(), '\0');
        int n =
            EVP_DecodeBlock(reinterpret_cast<unsigned char*>(json.data()),
                            reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
        REQUIRE(n > 0);
        json.resize(static_cast<std::size_t>(n));
        while (!json.empty() && json.back() == '\0')
            json.pop_back();
        write_file(tmp.path / "out.json", json);
        return "cat " + quote((tmp.path / "out.json").string());
    };

    for (const char* c : {"credential_process", "credential_process_account_id_fallback"}) {
        INFO(c);
        TempDir tmp;
        const std::string command = config_command(c);
        const auto ok = expected(c)["Ok"];
        const std::int64_t expiry = ok["expiry"].get<std::int64_t>();

        // As written, without a shell: echo prints the literal "| base64 --decode" and the result is not
        // JSON.
        auto literal = run_credential_process(command, test_env(), expiry - 3600, quick());
        REQUIRE_FALSE(literal.ok());
        CHECK_THAT(literal.error().message, Catch::Contains("not valid JSON"));

        // The fixture's expiry (2022) is in the past; an injected clock an hour before it makes it valid.
        auto got = run_credential_process(decoded_cat(command, tmp), test_env(), expiry - 3600, quick());
        REQUIRE(got.ok());
        CHECK(got->access_key_id == ok["access_key_id"].get<std::string>());
        CHECK(got->secret_access_key == ok["secret_access_key"].get<std::string>());
        CHECK(got->session_token == ok["session_token"].get<std::string>());
        CHECK(got->expiration == expiry);
        if (std::string(c) == "credential_process") {
            CHECK(got->account_id == ok["account_id"].get<std::string>());
        } else {
            // The fallback to the profile's aws_account_id belongs to the profile provider: the process
            // output has no AccountId, and the runner reports none.
            CHECK(got->account_id.empty());
        }

        // At the real clock of the fixture's expiry it is refused.
        auto late = run_credential_process(decoded_cat(command, tmp), test_env(), expiry, quick());
        REQUIRE_FALSE(late.ok());
        CHECK_THAT(late.error().message, Catch::Contains("expired at 2022-05-02T18:36:00Z"));
    }

    {
        // `exit 1` is a shell builtin; without a shell there is no such program, which is also an error.
        const std::string command = config_command("credential_process_failure");
        CHECK(command == "exit 1");
        CHECK(expected("credential_process_failure").contains("ErrorContains"));
        auto as_written = run_credential_process(command, test_env(), kNow, quick());
        REQUIRE_FALSE(as_written.ok());
        CHECK_THAT(as_written.error().message, Catch::Contains("not found"));
        // The equivalent with an explicit shell gives smithy-rs's "exited with code ... 1".
        auto adapted = run_credential_process("sh -c 'exit 1'", test_env(), kNow, quick());
        REQUIRE_FALSE(adapted.ok());
        CHECK(adapted.error().message == "credential_process exited with code 1");
    }
    {
        const std::string command = config_command("credential_process_invalid");
        CHECK(command == "echo 'invalid json'");
        CHECK_THAT(expected("credential_process_invalid")["ErrorContains"].get<std::string>(),
                   Catch::Contains("invalid JSON"));
        auto got = run_credential_process(command, test_env(), kNow, quick());
        REQUIRE_FALSE(got.ok());
        CHECK(got.error().message == "credential_process output is not valid JSON");
    }
}

TEST_CASE("credential_process output rules", "[process]") {
    auto parse = [](const std::string& json, std::int64_t now = kNow) {
        return parse_process_output(json, now);
    };
    auto error_of = [&](const std::string& json) {
        auto r = parse(json);
        REQUIRE_FALSE(r.ok());
        return r.error().message;
    };

    auto full = parse(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":"ST",
                         "Expiration":"2026-01-02T04:04:05Z","AccountId":"123456789012","Extra":{"x":[1]}})");
    REQUIRE(full.ok());
    CHECK(full->session_token == "ST");
    CHECK(full->account_id == "123456789012");
    CHECK(full->expiration == kNow + 3600);

    // Optional fields may be null; the expiration may use any form parse_iso8601 knows.
    auto nulls = parse(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":null,
                          "Expiration":null,"AccountId":null})");
    REQUIRE(nulls.ok());
    CHECK_FALSE(nulls->expiration);
    auto offset = parse(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK",
                           "Expiration":"2026-01-02T05:04:05.5+01:00"})");
    REQUIRE(offset.ok());
    CHECK(offset->expiration == kNow + 3600);
    // A UTF-8 BOM is accepted (some Windows-born tools write one).
    CHECK(parse("\xef\xbb\xbf" + std::string(kStaticJson)).ok());

    CHECK_THAT(error_of(R"({"AccessKeyId":"AK","SecretAccessKey":"SK"})"),
               Catch::Contains("missing Version"));
    CHECK_THAT(error_of(R"({"Version":"1","AccessKeyId":"AK","SecretAccessKey":"SK"})"),
               Catch::Contains("Version must be 1"));
    CHECK_THAT(error_of(R"({"Version":1.0,"AccessKeyId":"AK","SecretAccessKey":"SK"})"),
               Catch::Contains("Version must be 1"));
    CHECK_THAT(error_of(R"({"Version":2,"AccessKeyId":"AK","SecretAccessKey":"SK"})"),
               Catch::Contains("Version must be 1"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"","SecretAccessKey":"SK"})"),
               Catch::Contains("missing AccessKeyId"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":null,"SecretAccessKey":"SK"})"),
               Catch::Contains("missing AccessKeyId"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":42,"SecretAccessKey":"SK"})"),
               Catch::Contains("AccessKeyId is not a string"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":""})"),
               Catch::Contains("missing SecretAccessKey"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","SessionToken":1})"),
               Catch::Contains("SessionToken is not a string"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"tomorrow"})"),
               Catch::Contains("Expiration is not an ISO 8601 time"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":1767323045})"),
               Catch::Contains("Expiration is not a string"));
    CHECK(
        error_of(
            R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"2026-01-02T03:04:05Z"})") ==
        "credentials from credential_process expired at 2026-01-02T03:04:05Z"); // expiring exactly now
    CHECK(
        parse(
            R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":"SK","Expiration":"2026-01-02T03:04:06Z"})")
            .ok());
    CHECK_THAT(error_of(R"([{"Version":1}])"), Catch::Contains("not a JSON object"));
    CHECK_THAT(error_of(""), Catch::Contains("not valid JSON"));
    CHECK_THAT(error_of(std::string(kStaticJson) + " trailing"), Catch::Contains("not valid JSON"));
    CHECK_THAT(error_of(std::string(kStaticJson) + std::string("\0junk", 5)),
               Catch::Contains("not valid JSON"));
    CHECK_THAT(error_of(R"({"Version":1,"AccessKeyId":"A)"
                        "\xff"
                        R"(","SecretAccessKey":"SK"})"),
               Catch::Contains("not valid JSON"));
}

TEST_CASE("credential_process errors never contain what the process printed", "[process]") {
    const std::string s = kSentinel;
    const std::vector<std::string> outputs = {
        R"({"Version":1,"AccessKeyId":")" + s + R"(","SecretAccessKey":")" + s, // truncated
        R"({"Version":1,"AccessKeyId":")" + s + R"(","SecretAccessKey":")" + s + R"("} )" +
            s, // trailing garbage
        R"({"Version":1,"AccessKeyId":")" + s + R"(", "SecretAccessKey":")" + s + "\xff\"}", // invalid UTF-8
        R"({"Version":")" + s + R"(","AccessKeyId":")" + s + R"(","SecretAccessKey":")" + s + R"("})",
        R"({"Version":1,"AccessKeyId":")" + s + R"("})",
        R"({"Version":1,"SecretAccessKey":")" + s + R"("})",
        R"({"Version":1,"AccessKeyId":")" + s + R"(","SecretAccessKey":)" + "42}",
        R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":")" + s + R"(","Expiration":")" + s + R"("})",
        R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":")" + s + R"(","AccountId":[")" + s + R"("]})",
        R"({"Version":1,"AccessKeyId":"AK","SecretAccessKey":")" + s +
            R"(","Expiration":"2001-01-01T00:00:00Z"})",
        "[\"" + s + "\"]",
        s,
    };
    for (const auto& out : outputs) {
        auto r = parse_process_output(out, kNow);
        REQUIRE_FALSE(r.ok());
        INFO(r.error().message);
        CHECK(r.error().message.find("SENTINEL") == std::string::npos);
    }

    SECTION("through a real process, also on non-zero exit and overflow") {
        Watchdog watchdog;
        TempDir tmp;
        write_file(tmp.path / "secret.json", outputs[0]);
        write_file(tmp.path / "good.json",
                   R"({"Version":1,"AccessKeyId":")" + s + R"(","SecretAccessKey":")" + s + R"("})");
        const std::string secret = quote((tmp.path / "secret.json").string());
        const std::string good = quote((tmp.path / "good.json").string());
        for (const std::string& cmd : {"cat " + secret, "sh -c 'cat \"$1\"; exit 3' sh " + secret,
                                       "sh -c 'cat \"$1\"; kill -9 $$' sh " + good,
                                       "sh -c 'cat \"$1\"; exec sleep 30' sh " + good, "yes " + s}) {
            auto r = run_credential_process(cmd, test_env(), kNow, quick(std::chrono::milliseconds(1500)));
            REQUIRE_FALSE(r.ok());
            INFO(r.error().message);
            // `yes SENTINEL` has the sentinel in the command itself; errors name at most the program.
            CHECK(r.error().message.find("SENTINEL") == std::string::npos);
        }
    }
}

TEST_CASE("credential_process runs the command without a shell", "[process]") {
    Watchdog watchdog;
    TempDir tmp;
    const fs::path spaced = tmp.path / "dir with spaces" / "it's creds.json";
    write_file(spaced, kStaticJson);

    SECTION("a path with spaces and quotes in one argument") {
        auto r = run_credential_process("cat " + quote(spaced.string()), test_env(), kNow, quick());
        REQUIRE(r.ok());
        CHECK(r->access_key_id == "AKIDSTATIC");
        auto dq =
            run_credential_process("cat \"" + (tmp.path / "dir with spaces").string() + "/it's creds.json\"",
                                   test_env(), kNow, quick());
        REQUIRE(dq.ok());
    }

    SECTION("quoted arguments with spaces reach the program intact") {
        auto r = run_credential_process(
            R"(printf '{"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "%s"}' "key with  spaces" 'it''s  x'\ y)",
            test_env(), kNow, quick());
        REQUIRE(r.ok());
        CHECK(r->access_key_id == "key with  spaces");
        CHECK(r->secret_access_key == "its  x y"); // '' inside a word is an empty quoted part; \  a space
    }

    SECTION("shell syntax is passed as literal arguments") {
        // printf gets `$(touch PWNED)` as text; with a shell it would run.
        auto r = run_credential_process(
            "printf '{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"x\"}' '$(touch " +
                (tmp.path / "PWNED").string() + ")'",
            test_env(), kNow, quick());
        REQUIRE(r.ok());
        CHECK_THAT(r->access_key_id, Catch::StartsWith("$(touch "));
        CHECK_FALSE(fs::exists(tmp.path / "PWNED"));
    }

    SECTION("the child's environment is exactly the given Env, PATH lookup included") {
        Env env = test_env();
        env.set("CREDSH_TEST_VALUE", "from-env");
        auto r = run_credential_process(
            R"(sh -c 'printf "{\"Version\":1,\"AccessKeyId\":\"%s\",\"SecretAccessKey\":\"%s\"}" "$CREDSH_TEST_VALUE" "${HOME-unset}"')",
            env, kNow, quick());
        REQUIRE(r.ok());
        CHECK(r->access_key_id == "from-env");
        CHECK(r->secret_access_key == "unset"); // our HOME is not inherited

        Env no_path(Vars{{"PATH", tmp.str()}});
        auto missing = run_credential_process("cat x", no_path, kNow, quick());
        REQUIRE_FALSE(missing.ok());
        CHECK_THAT(missing.error().message, Catch::Contains("cat: command not found"));
    }

    SECTION("an unknown program is an error naming it") {
        auto r = run_credential_process("credsh-no-such-program --flag", test_env(), kNow, quick());
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("credsh-no-such-program"));
        auto abs = run_credential_process(tmp.str() + "/nope", test_env(), kNow, quick());
        REQUIRE_FALSE(abs.ok());
        CHECK_THAT(abs.error().message, Catch::Contains("cannot run"));
    }

    SECTION("empty and broken commands") {
        auto empty = run_credential_process("   ", test_env(), kNow, quick());
        REQUIRE_FALSE(empty.ok());
        CHECK(empty.error().message == "credential_process is empty");
        auto quote_err = run_credential_process("cat 'x", test_env(), kNow, quick());
        REQUIRE_FALSE(quote_err.ok());
        CHECK_THAT(quote_err.error().message, Catch::Contains("unterminated single quote"));
        auto nul = run_credential_process(std::string("cat a\0b", 7), test_env(), kNow, quick());
        REQUIRE_FALSE(nul.ok());
        CHECK_THAT(nul.error().message, Catch::Contains("NUL"));
    }
}

TEST_CASE("credential_process stdio: stdin is /dev/null, stderr passes through, no stray descriptors",
          "[process]") {
    Watchdog watchdog;
    TempDir tmp;
    write_file(tmp.path / "creds.json", kStaticJson);
    const std::string creds = quote((tmp.path / "creds.json").string());

    SECTION("stdin is /dev/null, so a tool reading it does not wait") {
        auto r = run_credential_process("sh -c 'cat >/dev/null; cat \"$1\"' sh " + creds, test_env(), kNow,
                                        quick());
        REQUIRE(r.ok());
        auto input = run_credential_process(
            "sh -c 'test \"$(readlink /proc/$$/fd/0)\" = /dev/null || exit 7; cat \"$1\"' sh " + creds,
            test_env(), kNow, quick());
        CHECK(input.ok());
    }

    SECTION("stderr reaches options.stderr_fd, and only stdout is parsed") {
        const fs::path log = tmp.path / "stderr.log";
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        REQUIRE(fd >= 0);
        ProcessOptions options = quick();
        options.stderr_fd = fd;
        auto r = run_credential_process(
            "sh -c 'echo \"credsh-test: hello from the tool\" >&2; cat \"$1\"' sh " + creds, test_env(), kNow,
            options);
        auto failing = run_credential_process(
            "sh -c 'echo \"credsh-test: token expired, run login\" >&2; exit 2'", test_env(), kNow, options);
        ::close(fd);
        REQUIRE(r.ok());
        REQUIRE_FALSE(failing.ok());
        CHECK(failing.error().message == "credential_process exited with code 2");
        const std::string text = credsh::test::read_file(log);
        CHECK_THAT(text, Catch::Contains("credsh-test: hello from the tool\n"));
        CHECK_THAT(text, Catch::Contains("credsh-test: token expired, run login\n"));
    }

    SECTION("stderr can be a pipe") {
        int p[2];
        REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
        ProcessOptions options = quick();
        options.stderr_fd = p[1];
        auto r = run_credential_process("sh -c 'printf piped >&2; cat \"$1\"' sh " + creds, test_env(), kNow,
                                        options);
        ::close(p[1]);
        std::string got;
        char buf[256];
        for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;)
            got.append(buf, static_cast<std::size_t>(n));
        ::close(p[0]);
        REQUIRE(r.ok());
        CHECK(got == "piped");
    }

    SECTION("an invalid stderr_fd is an error, not a crash") {
        ProcessOptions options = quick();
        options.stderr_fd = -1;
        auto r = run_credential_process("cat " + creds, test_env(), kNow, options);
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("stderr"));
    }

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    SECTION("descriptors opened without O_CLOEXEC do not leak into the tool") {
        int leaky = ::open("/dev/null", O_RDONLY); // deliberately inheritable
        REQUIRE(leaky >= 3);
        auto r = run_credential_process("sh -c 'test -e /proc/$$/fd/" + std::to_string(leaky) +
                                            " && exit 9; cat \"$1\"' sh " + creds,
                                        test_env(), kNow, quick());
        ::close(leaky);
        REQUIRE(r.ok());
    }
#endif
}

TEST_CASE("credential_process exit status and signals", "[process]") {
    Watchdog watchdog;
    TempDir tmp;
    auto r3 = run_credential_process("sh -c 'exit 3'", test_env(), kNow, quick());
    REQUIRE_FALSE(r3.ok());
    CHECK(r3.error().message == "credential_process exited with code 3");
    auto rf = run_credential_process("false", test_env(), kNow, quick());
    REQUIRE_FALSE(rf.ok());
    CHECK(rf.error().message == "credential_process exited with code 1");
    auto killed = run_credential_process("sh -c 'kill -9 $$'", test_env(), kNow, quick());
    REQUIRE_FALSE(killed.ok());
    CHECK_THAT(killed.error().message, Catch::StartsWith("credential_process was killed by signal 9"));

    // Successful or not, the child is reaped: no zombie stays behind.
    write_file(tmp.path / "creds.json", kStaticJson);
    auto ok = run_credential_process("sh -c 'echo $$ > \"$1\"; cat \"$2\"' sh " +
                                         quote((tmp.path / "pid").string()) + " " +
                                         quote((tmp.path / "creds.json").string()),
                                     test_env(), kNow, quick());
    REQUIRE(ok.ok());
    const pid_t pid = read_pid(tmp.path / "pid");
    CHECK(reaped(pid));
}

TEST_CASE("credential_process is killed at the timeout", "[process]") {
    Watchdog watchdog;
    TempDir tmp;
    const std::string pidfile = quote((tmp.path / "pid").string());
    const auto start = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::steady_clock::now() - start; };

    SECTION("a slow process") {
        auto r = run_credential_process("sh -c 'echo $$ > \"$1\"; exec sleep 30' sh " + pidfile, test_env(),
                                        kNow, quick(std::chrono::milliseconds(300)));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "credential_process timed out after 0.3s");
        const pid_t pid = read_pid(tmp.path / "pid");
        CHECK(reaped(pid));
    }

    SECTION("a process that ignores SIGTERM gets SIGKILL") {
        auto r = run_credential_process(
            "sh -c 'trap \"\" TERM; echo $$ > \"$1\"; while :; do sleep 1; done' sh " + pidfile, test_env(),
            kNow, quick(std::chrono::milliseconds(300)));
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("timed out"));
        const pid_t pid = read_pid(tmp.path / "pid");
        CHECK(reaped(pid));
    }

    SECTION("a grandchild holding stdout open after the child exited") {
        // The child exits at once with status 0; its background sleep keeps the pipe's write end, so EOF
        // never comes. The runner must give up at the deadline and kill the whole process group.
        auto r = run_credential_process("sh -c 'sleep 30 & echo $! > \"$1\"; exit 0' sh " + pidfile,
                                        test_env(), kNow, quick(std::chrono::milliseconds(300)));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "credential_process timed out after 0.3s");
        const pid_t grandchild = read_pid(tmp.path / "pid");
        CHECK(process_gone(grandchild));
    }

    SECTION("a grandchild that wrote valid JSON but keeps stdout open") {
        write_file(tmp.path / "creds.json", kStaticJson);
        auto r = run_credential_process("sh -c 'cat \"$2\"; sleep 30 & echo $! > \"$1\"' sh " + pidfile +
                                            " " + quote((tmp.path / "creds.json").string()),
                                        test_env(), kNow, quick(std::chrono::milliseconds(300)));
        REQUIRE_FALSE(r.ok());
        CHECK_THAT(r.error().message, Catch::Contains("timed out"));
        CHECK(process_gone(read_pid(tmp.path / "pid")));
    }

    SECTION("a process flooding stdout is stopped at 1 MiB") {
        auto r = run_credential_process("sh -c 'echo $$ > \"$1\"; exec yes' sh " + pidfile, test_env(), kNow,
                                        quick(std::chrono::seconds(20)));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "credential_process wrote more than 1 MiB to stdout");
        CHECK(process_gone(read_pid(tmp.path / "pid")));
    }

    SECTION("whole seconds are printed without a fraction") {
        auto r = run_credential_process("sleep 30", test_env(), kNow, quick(std::chrono::seconds(1)));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message == "credential_process timed out after 1s");
    }

    // A generous bound only: the point is that nothing waits for the 30 s sleeps.
    CHECK(elapsed() < std::chrono::seconds(15));
}
