// State files others cannot plant (docs/security.md 32): safe_file's read_state_file, check_state_dir and
// open_lock_file, the cache entries read through them, and the trust store's own checks. The ownership cases
// chown to uid 65534 (nobody), which needs root: the unit tests run as root in the sandbox and CI containers.
#include "helpers.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "config/trust.hpp"
#include "pipeline/cred_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace credsh;
using credsh::test::mode_of;
using credsh::test::TempDir;
using credsh::test::Umask;

namespace {

void mkdir_mode(const std::string& p, mode_t mode) {
    std::filesystem::create_directories(p);
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

void put(const std::string& p, const std::string& data, mode_t mode = 0600) {
    test::write_file(p, data);
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

void give_away(const std::string& p) {
    INFO("chown to 65534 needs root: run the unit tests as root");
    REQUIRE(::lchown(p.c_str(), 65534, 65534) == 0);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

} // namespace

TEST_CASE("read_state_file: only a file of ours, in a directory of ours, that nobody else can write",
          "[state_files]") {
    Umask mask(022);
    TempDir t;
    const std::string d = t.str() + "/cache";
    mkdir_mode(d, 0700);
    const std::string f = d + "/entry.json";
    put(f, "{}");
    REQUIRE(read_state_file(f, 1024).ok());
    CHECK(read_state_file(d + "/absent.json", 1024).error().kind == ErrorKind::not_found);

    SECTION("owned by another user") {
        give_away(f);
        auto r = read_state_file(f, 1024);
        REQUIRE(!r);
        CHECK(r.error().kind == ErrorKind::unsafe);
        CHECK(has(r.error().message, f));
        CHECK(has(r.error().message, "uid 65534"));
    }
    SECTION("writable by group or others") {
        for (mode_t m : {0620, 0602, 0666}) {
            REQUIRE(::chmod(f.c_str(), m) == 0);
            auto r = read_state_file(f, 1024);
            REQUIRE(!r);
            CHECK(r.error().kind == ErrorKind::unsafe);
            CHECK(has(r.error().message, f));
        }
    }
    SECTION("a symlink is never followed, even one of ours to a file of ours") {
        put(t.str() + "/elsewhere", "{}");
        const std::string l = d + "/linked.json";
        REQUIRE(::symlink((t.str() + "/elsewhere").c_str(), l.c_str()) == 0);
        auto r = read_state_file(l, 1024);
        REQUIRE(!r);
        CHECK(r.error().kind == ErrorKind::unsafe);
        CHECK(has(r.error().message, "symlink"));
    }
    SECTION("a directory owned by another user: nothing in it is used, and it is left alone") {
        give_away(d);
        REQUIRE(::chmod(d.c_str(), 0777) == 0);
        auto r = read_state_file(f, 1024);
        REQUIRE(!r);
        CHECK(r.error().kind == ErrorKind::unsafe);
        CHECK(has(r.error().message, d));
        CHECK(mode_of(d) == 0777);
    }
    SECTION("a loose directory of ours is tightened to 0700, said once") {
        REQUIRE(::chmod(d.c_str(), 0777) == 0);
        std::string note;
        REQUIRE(read_state_file(f, 1024, &note).ok());
        CHECK(mode_of(d) == 0700);
        CHECK(has(note, d + " had mode 0777"));
        std::string again;
        REQUIRE(read_state_file(f, 1024, &again).ok());
        CHECK(again.empty());
    }
    SECTION("a file someone planted while our directory was loose is still refused after tightening") {
        REQUIRE(::chmod(d.c_str(), 0777) == 0);
        give_away(f);
        std::string note;
        auto r = read_state_file(f, 1024, &note);
        REQUIRE(!r);
        CHECK(r.error().kind == ErrorKind::unsafe);
        CHECK(mode_of(d) == 0700);
    }
}

TEST_CASE("open_lock_file: never through a symlink, never someone else's lock", "[state_files]") {
    Umask mask(022);
    TempDir t;
    const std::string d = t.str() + "/locks";
    mkdir_mode(d, 0700);
    auto ok = open_lock_file(d + "/a.lock");
    REQUIRE(ok.ok());
    ::close(*ok);
    CHECK(mode_of(d + "/a.lock") == 0600);

    put(t.str() + "/target", "");
    REQUIRE(::symlink((t.str() + "/target").c_str(), (d + "/b.lock").c_str()) == 0);
    auto linked = open_lock_file(d + "/b.lock");
    REQUIRE(!linked);
    CHECK(linked.error().kind == ErrorKind::unsafe);

    put(d + "/c.lock", "");
    give_away(d + "/c.lock");
    auto foreign = open_lock_file(d + "/c.lock");
    REQUIRE(!foreign);
    CHECK(foreign.error().kind == ErrorKind::unsafe);
    CHECK(has(foreign.error().message, "uid 65534"));
}

TEST_CASE("cache entries: one naming credsh's own variables, or planted by someone else, is a miss",
          "[state_files]") {
    Umask mask(022);
    TempDir t;
    const std::string d = t.str() + "/cli/cache";
    mkdir_mode(d, 0700);
    const std::string f = d + "/k.json";
    auto entry = [](const std::string& env_name) {
        nlohmann::json j = {{"Credentials",
                             {{"AccessKeyId", "AKIAX"},
                              {"SecretAccessKey", "s"},
                              {"SessionToken", "t"},
                              {"Expiration", "2099-01-01T00:00:00Z"}}}};
        if (!env_name.empty()) j["Env"] = {{env_name, "/tmp/evil"}};
        return j.dump();
    };
    put(f, entry(""));
    REQUIRE(read_cached_credentials(f).ok());
    put(f, entry("ASK_ACCESS_TOKEN"));
    REQUIRE(read_cached_credentials(f).ok());
    for (const char* name :
         {"__credsh_bin", "__CREDSH_state", "CREDSH_PROMPT", "credsh_scope", "PATH=x", "1X"}) {
        INFO(name);
        put(f, entry(name));
        auto r = read_cached_credentials(f);
        REQUIRE(!r);
        CHECK(r.error().kind == ErrorKind::unsafe);
        CHECK(has(r.error().message, f));
    }
    put(f, entry(""));
    give_away(f);
    auto r = read_cached_credentials(f);
    REQUIRE(!r);
    CHECK(r.error().kind == ErrorKind::unsafe);

    CHECK(credsh_owned_var("__credsh_bin"));
    CHECK(credsh_owned_var("CREDSH_PROMPT"));
    CHECK(credsh_owned_var("Credsh_x"));
    CHECK(!credsh_owned_var("AWS_PROFILE"));
    CHECK(!credsh_owned_var("ASK_ACCESS_TOKEN"));
    CHECK(refused_extra_var({{"ASK_ACCESS_TOKEN", "x"}, {"__credsh_bin", "y"}}) ==
          std::string("__credsh_bin"));
    CHECK(!refused_extra_var({{"ASK_ACCESS_TOKEN", "x"}}));
    // Credential variables come only from the entry's Credentials, never from its Env (issue 17).
    for (const char* v :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "aws_session_token", "AWS_SECURITY_TOKEN",
          "AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "ASK_REFRESH_TOKEN",
          "ASK_DEFAULT_PROFILE", "AWS_SESSION_EXPIRATION"}) {
        CHECK(credential_var(v));
        CHECK(refused_extra_var({{"ASK_ACCESS_TOKEN", "x"}, {v, "y"}}) == std::string(v));
    }
    for (const char* v : {"ASK_ACCESS_TOKEN", "ASK_VENDOR_ID", "AWS_REGION", "AWS_X_TEAM"})
        CHECK_FALSE(credential_var(v));
}

TEST_CASE("the trust store: a symlink in it is never followed, a loose directory of ours is tightened",
          "[state_files]") {
    Umask mask(022);
    TempDir t;
    TrustStore store{t.str() + "/store"};
    const std::string path = t.str() + "/proj/.credprofile", bytes = "profile = x\n";
    REQUIRE(store.allow(path, bytes).ok());
    REQUIRE(store.status(path, bytes) == TrustStatus::allowed);
    const std::string allow = store.root + "/allow/" + store.allow_key(path, bytes);

    SECTION("an allow entry replaced by a symlink to a file of ours does not allow") {
        put(t.str() + "/decoy", path + "\n");
        REQUIRE(::unlink(allow.c_str()) == 0);
        REQUIRE(::symlink((t.str() + "/decoy").c_str(), allow.c_str()) == 0);
        std::vector<std::string> notes;
        CHECK(store.status(path, bytes, &notes) == TrustStatus::blocked);
        REQUIRE(notes.size() == 1);
        CHECK(has(notes[0], "symlink"));
    }
    SECTION("an allow entry others can write does not allow") {
        REQUIRE(::chmod(allow.c_str(), 0666) == 0);
        CHECK(store.status(path, bytes) == TrustStatus::blocked);
    }
    SECTION("a loose allow directory of ours: tightened to 0700, said once, the decision stands") {
        REQUIRE(::chmod((store.root + "/allow").c_str(), 0777) == 0);
        std::vector<std::string> notes;
        CHECK(store.status(path, bytes, &notes) == TrustStatus::allowed);
        CHECK(mode_of(store.root + "/allow") == 0700);
        REQUIRE(notes.size() == 1);
        CHECK(has(notes[0], "had mode 0777"));
        notes.clear();
        CHECK(store.status(path, bytes, &notes) == TrustStatus::allowed);
        CHECK(notes.empty());
    }
    SECTION("a store directory owned by someone else: nothing in it counts") {
        give_away(store.root + "/allow");
        std::vector<std::string> notes;
        CHECK(store.status(path, bytes, &notes) == TrustStatus::blocked);
        REQUIRE(notes.size() == 1);
        CHECK(has(notes[0], "uid 65534"));
    }
}
