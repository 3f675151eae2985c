// core/cred_cache: the AWS CLI's cache names and entry format, and the lock that makes refreshes
// single-flight. The key vectors were computed with the AWS CLI v2 (2.9.19)'s own code,
// AssumeRoleCredentialFetcher._cache_key / AssumeRoleWithWebIdentityCredentialFetcher._cache_key;
// tests/shell/t_sts_differential.sh checks the same interop live (each tool reuses the other's entry without
// an STS call).
#include "base/text.hpp"
#include "helpers.hpp"
#include "pipeline/cred_cache.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using namespace credsh;
using nlohmann::json;

TEST_CASE("AssumeRole cache keys are the AWS CLI's", "[cred_cache]") {
    // docs/protocols.md §1's example.
    CHECK(assume_role_cache_key({{"DurationSeconds", 3600},
                                 {"RoleArn", "arn:aws:iam::123456789012:role/Admin"},
                                 {"SerialNumber", "arn:aws:iam::123456789012:mfa/me"}}) ==
          "d8262cdddbeeeddc7782734ad427b4203e806939");
    CHECK(assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/RoleA"}}) ==
          "330942beff5b0648244cebd8031e0bfca87ac4a0");
    // Non-ASCII is written as \uXXXX (surrogate pairs beyond the BMP), as Python's json.dumps does.
    CHECK(assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/RoleA"},
                                 {"RoleSessionName", "my_session"},
                                 {"ExternalId", "ext-\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80"}}) ==
          "aa7a86e9763f8705c821e3d74dc7c5f214a9953c");
    // A policy counts by content: botocore json.loads it into the arguments before hashing.
    CHECK(assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/RoleA"},
                                 {"Policy", R"({"b": 1,   "a": [1, {"d": "x", "c": null}]})"}}) ==
          "8a8a7f4d376ded92072dee270380cfdc56a93839");
    // Web identity: RoleArn and the configured RoleSessionName.
    CHECK(assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/Web"},
                                 {"RoleSessionName", "ci"}}) == "16f7eb9d4d22b8d4e63340db39f55d493ff6ede6");
    CHECK(python_json_dumps(json{{"b", 1}, {"a", "x\"\n"}}) == "{\"a\": \"x\\\"\\n\", \"b\": 1}");
    CHECK(python_json_dumps(json{{"b", 1}, {"a", json::array({1, 2})}}, true) == "{\"a\":[1,2],\"b\":1}");
    // The SSO role credentials key (docs/protocols.md §1).
    CHECK(sso_role_cache_key("123456789012", "Admin", "my-sso", "") ==
          "c30b99aca80d8f5b3178e353f05b2abcc9a4ccd3");
}

TEST_CASE("cache entries: what the AWS CLI writes is read, what credsh writes the CLI can read",
          "[cred_cache]") {
    test::TempDir dir;
    // The CLI's entry: the raw AssumeRole response, Expiration as strftime('%Y-%m-%dT%H:%M:%S%Z').
    std::string cli = dir.str() + "/cli.json";
    test::write_file(
        cli, R"({"Credentials": {"AccessKeyId": "ASIACLI", "SecretAccessKey": "s", "SessionToken": "t",
        "Expiration": "2030-01-02T03:04:05UTC"}, "AssumedRoleUser": {"AssumedRoleId": "AROA:x",
        "Arn": "arn:aws:sts::123456789012:assumed-role/R/x"}, "ResponseMetadata": {"RequestId": "r",
        "HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}})");
    auto c = read_cached_credentials(cli);
    REQUIRE(c);
    CHECK(c->access_key_id == "ASIACLI");
    CHECK(c->session_token == "t");
    CHECK(c->expiration == parse_iso8601("2030-01-02T03:04:05Z"));
    CHECK(c->account_id == "123456789012");

    // credsh's entry: the same members botocore reads (Credentials.{AccessKeyId,SecretAccessKey,SessionToken,
    // Expiration}) plus AssumedRoleUser, 0600.
    Credentials mine{"ASIAME", "sec", "tok", parse_iso8601("2030-01-02T03:04:05Z"), "123456789012", {}};
    json extra = {{"AssumedRoleUser",
                   {{"Arn", "arn:aws:sts::123456789012:assumed-role/R/s"}, {"AssumedRoleId", "A:s"}}}};
    std::string path = dir.str() + "/cache/k.json";
    REQUIRE(write_cached_entry(path, credentials_entry(mine, extra)));
    CHECK(test::mode_of(path) == 0600);
    CHECK(test::mode_of(dir.str() + "/cache") == 0700);
    json j = json::parse(test::read_file(path));
    CHECK(j["Credentials"]["AccessKeyId"] == "ASIAME");
    CHECK(j["Credentials"]["SessionToken"] == "tok");
    CHECK(j["Credentials"]["Expiration"] == "2030-01-02T03:04:05Z");
    CHECK(j["AssumedRoleUser"]["Arn"] == "arn:aws:sts::123456789012:assumed-role/R/s");
    auto back = read_cached_credentials(path);
    REQUIRE(back);
    CHECK(back->secret_access_key == "sec");
    CHECK(back->expiration == mine.expiration);

    // The CLI writes in place (O_WRONLY|O_CREAT, truncate, write): a reader can see an empty or half-written
    // file. That is an error value (the caller treats it as a miss), never a crash.
    for (std::string bad : {"", "{\"Credentials\": {\"AccessKeyId\": \"A", "[]", "{\"Credentials\": {}}",
                            "{\"Credentials\": {\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\"}}",
                            "{\"Credentials\": {\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"s\", "
                            "\"Expiration\": \"soon\"}}"}) {
        INFO(bad);
        test::write_file(dir.str() + "/bad.json", bad);
        auto r = read_cached_credentials(dir.str() + "/bad.json");
        CHECK_FALSE(r);
    }
    auto missing = read_cached_credentials(dir.str() + "/none.json");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
}

TEST_CASE("cache directories follow HOME and XDG", "[cred_cache]") {
    Env env(std::map<std::string, std::string>{{"HOME", "/h"}});
    auto d = cache_dirs(env);
    CHECK(d.cli == "/h/.aws/cli/cache");
    CHECK(d.credsh == "/h/.cache/credsh/creds");
    CHECK(d.locks == "/h/.cache/credsh/locks");
    auto x = cache_dirs(Env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/c"}, {"XDG_RUNTIME_DIR", "/run/u"}}));
    CHECK(x.credsh == "/c/credsh/creds");
    CHECK(x.locks == "/run/u/credsh/locks");
    // Relative XDG paths are ignored (the spec says so; a relative cache dir would follow the cwd).
    CHECK(cache_dirs(Env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "rel"}})).credsh == "/h/.cache/credsh/creds");
}

TEST_CASE("FileLock is exclusive across processes, waits at most its deadline, and dies with its holder",
          "[cred_cache]") {
    test::Watchdog dog(20);
    test::TempDir dir;
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        auto l = FileLock::acquire(dir.str(), "k", 1000);
        char c = l ? 'y' : 'n';
        [[maybe_unused]] auto n = ::write(ready[1], &c, 1);
        ::pause(); // holds the lock until killed
        ::_exit(0);
    }
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);
    REQUIRE(c == 'y');
    auto t0 = std::chrono::steady_clock::now();
    auto busy = FileLock::acquire(dir.str(), "k", 300);
    auto waited = std::chrono::steady_clock::now() - t0;
    REQUIRE_FALSE(busy);
    CHECK(busy.error().message.find("another credsh is refreshing") != std::string::npos);
    CHECK(waited >= std::chrono::milliseconds(300));
    // Another key is independent.
    CHECK(FileLock::acquire(dir.str(), "other", 0));
    // kill -9 of the holder releases the lock (flock dies with the descriptor): the next process proceeds.
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(FileLock::acquire(dir.str(), "k", 1000));
    CHECK(test::mode_of(dir.str()) == 0700);
    CHECK(test::mode_of(dir.str() + "/k.lock") == 0600);
    ::close(ready[0]);
    ::close(ready[1]);
}

TEST_CASE("a deeply nested Policy is hashed without recursion", "[cred_cache][limits]") {
    // A million nested arrays: the recursive dump (and the copy of the parsed document) overflowed the stack.
    const std::size_t depth = 1000000;
    std::string policy = std::string(depth, '[') + std::string(depth, ']');
    std::string key =
        assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/RoleA"}, {"Policy", policy}});
    CHECK(key.size() == 40);
    // Same content, other spacing: the same key (the document is hashed, not its text).
    std::string spaced = std::string(depth, '[') + " " + std::string(depth, ']');
    CHECK(assume_role_cache_key({{"RoleArn", "arn:aws:iam::123456789012:role/RoleA"}, {"Policy", spaced}}) ==
          key);
    json deep = json::array();
    for (int i = 0; i < 3; ++i)
        deep = json::array({deep, i});
    CHECK(python_json_dumps(deep) == "[[[[], 0], 1], 2]");
    CHECK(python_json_dumps(json{{"a", json::object({{"b", json::array()}})}, {"c", json::object()}}, true) ==
          "{\"a\":{\"b\":[]},\"c\":{}}");
}

TEST_CASE("the logout record: the latest time per profile, private, a planted file counts for nothing",
          "[cred_cache][logout]") {
    CHECK(cache_dirs(Env(std::map<std::string, std::string>{{"HOME", "/h"}})).logouts ==
          "/h/.cache/credsh/logouts");
    CHECK(cache_dirs(Env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/c"}})).logouts == "/c/credsh/logouts");
    credsh::test::TempDir dir;
    std::string path = dir.str() + "/credsh/logouts";
    CHECK(read_logout_record(path).empty()); // no file: nothing logged out
    std::string locks = dir.str() + "/locks";
    REQUIRE(add_to_logout_record(path, locks, {"dev", "my profile"}, 100, 1000));
    REQUIRE(add_to_logout_record(path, locks, {"dev", "ro"}, 200, 1000));
    REQUIRE(
        add_to_logout_record(path, locks, {"ro"}, 150, 1000)); // an earlier time never replaces a later one
    {
        // Another logout rewriting the record holds the lock: this one waits, and gives up with a clear error
        // rather than lose that one's entries or its own.
        auto held = FileLock::acquire(locks, "logouts", 1000);
        REQUIRE(held);
        auto busy = add_to_logout_record(path, locks, {"late"}, 400, 50);
        REQUIRE_FALSE(busy);
        CHECK_THAT(busy.error().message,
                   Catch::Matchers::Contains("another credsh logout is writing the logout record"));
        CHECK(read_logout_record(path).count("late") == 0);
    }
    REQUIRE(add_to_logout_record(path, locks, {"late"}, 400, 1000)); // released: it goes through
    LogoutRecord rec = read_logout_record(path);
    CHECK(rec == LogoutRecord{{"dev", 200}, {"late", 400}, {"my profile", 100}, {"ro", 200}});
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Lines that are not "<epoch> <name>" are skipped.
    credsh::test::write_file(path, "x dev\n12\n300 dev\n 5 y\n");
    ::chmod(path.c_str(), 0600);
    CHECK(read_logout_record(path) == LogoutRecord{{"dev", 300}});
    // Writable by others: not ours to trust, an empty record (docs/security.md 32).
    ::chmod(path.c_str(), 0666);
    CHECK(read_logout_record(path).empty());
}
