// Trust store and the .credprofile walk (docs/security.md 11-13, 16). The ownership tests chown files to
// uid 65534 (nobody), which needs root: the sandbox and CI containers run the unit tests as root.
#include "helpers.hpp"

#include "base/text.hpp"
#include "config/trust.hpp"

#include <algorithm>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace credsh;
using credsh::test::mode_of;
using credsh::test::TempDir;
using credsh::test::Umask;
using credsh::test::Watchdog;

namespace {

bool exists(const std::string& p) {
    struct stat st {};
    return ::lstat(p.c_str(), &st) == 0;
}

void mkdirs(const std::string& p, mode_t mode = 0755) {
    std::filesystem::create_directories(p);
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

void put(const std::string& p, const std::string& data, mode_t mode = 0644) {
    test::write_file(p, data);
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

void give_away(const std::string& p) {
    INFO("chown to 65534 needs root: run the unit tests as root");
    REQUIRE(::lchown(p.c_str(), 65534, 65534) == 0);
}

Env env_of(std::map<std::string, std::string> vars) {
    return Env(std::move(vars));
}

std::string real(const std::string& p) {
    return std::filesystem::canonical(p).string();
}

// What `credsh allow PATH` does: hash the file's path (its directory resolved, a link itself not followed:
// docs/security.md 30) and its current bytes.
void allow_file(const TrustStore& store, const std::string& path) {
    auto key = trust_key_path(path);
    REQUIRE(key);
    REQUIRE(store.allow(*key, test::read_file(path)).ok());
}

// A home with its own trust store, and a project tree next to it.
struct World {
    Umask mask{022};
    TempDir t;
    std::string home = t.str() + "/home";
    TrustStore store;
    World() {
        mkdirs(home, 0700);
        store = TrustStore::from_env(env_of({{"HOME", home}}));
    }
    std::string at(const std::string& rel) const { return t.str() + "/" + rel; }
};

void check_one_line(const std::string& m) {
    INFO(printable(m));
    for (char c : m)
        CHECK(static_cast<unsigned char>(c) >= 0x20);
}

} // namespace

TEST_CASE("the trust store lives in $XDG_DATA_HOME/credsh or ~/.local/share/credsh", "[trust]") {
    CHECK(TrustStore::from_env(env_of({{"HOME", "/home/u"}})).root == "/home/u/.local/share/credsh");
    CHECK(TrustStore::from_env(env_of({{"HOME", "/home/u"}, {"XDG_DATA_HOME", "/data"}})).root ==
          "/data/credsh");
    // The XDG spec: an empty or relative XDG_DATA_HOME is ignored.
    CHECK(TrustStore::from_env(env_of({{"HOME", "/home/u"}, {"XDG_DATA_HOME", ""}})).root ==
          "/home/u/.local/share/credsh");
    CHECK(TrustStore::from_env(env_of({{"HOME", "/home/u"}, {"XDG_DATA_HOME", "rel/data"}})).root ==
          "/home/u/.local/share/credsh");
}

TEST_CASE("allow keys are sha256(realpath + \"\\n\" + bytes)", "[trust]") {
    TrustStore s{"/nowhere"};
    CHECK(s.allow_key("/p/.credprofile", "dev\n") ==
          "8acf432726272fcece237df8bb70345a9f25db8cab0065130c72bfaed0c2693d");
    CHECK(s.allow_key("/p/.credprofile", "dev\n") == sha256_hex("/p/.credprofile\ndev\n"));
}

TEST_CASE("allow, edit, copy, deny: the store's decisions", "[trust]") {
    Umask open_umask(0); // the store must be private whatever the umask (docs/security.md 13, 20)
    TempDir t;
    TrustStore store{t.str() + "/share/credsh"};
    const std::string p = "/src/shop/.credprofile", bytes = "profile = dev\n";

    CHECK(store.status(p, bytes) == TrustStatus::blocked);
    REQUIRE(store.allow(p, bytes).ok());
    CHECK(store.status(p, bytes) == TrustStatus::allowed);
    const std::string allow_file = store.root + "/allow/" + store.allow_key(p, bytes);
    CHECK(test::read_file(allow_file) == p + "\n"); // the path inside, so deny can find it
    CHECK(mode_of(store.root) == 0700);
    CHECK(mode_of(store.root + "/allow") == 0700);
    CHECK(mode_of(allow_file) == 0600);

    CHECK(store.status(p, "profile = dew\n") == TrustStatus::blocked);         // a one-byte edit
    CHECK(store.status(p, bytes + " ") == TrustStatus::blocked);               // an appended byte
    CHECK(store.status("/tmp/x/.credprofile", bytes) == TrustStatus::blocked); // a copy elsewhere

    // Another path, and a path that is a prefix of it with a newline trick, must survive a deny of p.
    const std::string other = "/src/other/.credprofile";
    REQUIRE(store.allow(other, bytes).ok());
    const std::string tricky = p + "\nprofile = dev"; // its allow file starts with p's line
    REQUIRE(store.allow(tricky, bytes).ok());
    REQUIRE(store.allow(p, "profile = prod\n").ok()); // a second allowed version of p

    REQUIRE(store.deny(p).ok());
    CHECK(store.status(p, bytes) == TrustStatus::denied);
    CHECK(store.status(p, "profile = prod\n") == TrustStatus::denied);
    CHECK(store.status(p, "anything\n") == TrustStatus::denied);
    CHECK_FALSE(exists(allow_file)); // deny drops the allows of that path...
    CHECK_FALSE(exists(store.root + "/allow/" + store.allow_key(p, "profile = prod\n")));
    CHECK(store.status(other, bytes) == TrustStatus::allowed); // ...and only of that path
    CHECK(store.status(tricky, bytes) == TrustStatus::allowed);
    const std::string deny_file = store.root + "/deny/" + sha256_hex(p);
    CHECK(mode_of(store.root + "/deny") == 0700);
    CHECK(mode_of(deny_file) == 0600);

    // allow clears the deny; the earlier versions stay dropped.
    REQUIRE(store.allow(p, bytes).ok());
    CHECK(store.status(p, bytes) == TrustStatus::allowed);
    CHECK(store.status(p, "profile = prod\n") == TrustStatus::blocked);
    CHECK_FALSE(exists(deny_file));

    // deny wins over an allow that exists at the same time.
    test::write_file(deny_file, p + "\n");
    CHECK(store.status(p, bytes) == TrustStatus::denied);
}

TEST_CASE("an allow file that is not ours does not allow", "[trust]") {
    TempDir t;
    TrustStore store{t.str() + "/credsh"};
    REQUIRE(store.allow("/p/.credprofile", "dev\n").ok());
    CHECK(store.status("/p/.credprofile", "dev\n") == TrustStatus::allowed);
    give_away(store.root + "/allow/" + store.allow_key("/p/.credprofile", "dev\n"));
    CHECK(store.status("/p/.credprofile", "dev\n") == TrustStatus::blocked);
}

TEST_CASE("the trust store refuses a foreign directory", "[trust]") {
    TempDir t;
    TrustStore store{t.str() + "/credsh"};
    mkdirs(store.root, 0700);
    give_away(store.root);
    CHECK_FALSE(store.allow("/p/.credprofile", "dev\n").ok());
    CHECK_FALSE(store.deny("/p/.credprofile").ok());
}

TEST_CASE("find_credprofile: blocked until allowed, an edit or a copy blocks again", "[trust]") {
    World w;
    mkdirs(w.at("shop/src/deep"));
    const std::string file = w.at("shop/.credprofile");
    const std::string cwd = w.at("shop/src/deep");

    DirLookup none = find_credprofile(cwd, w.store);
    CHECK(none.status == DirStatus::none);
    CHECK(none.path.empty());

    put(file, "profile = dev\nregion = eu-west-1\n");
    DirLookup b = find_credprofile(cwd, w.store);
    CHECK(b.status == DirStatus::blocked);
    CHECK(b.path == file);
    CHECK(b.realpath == real(file));
    CHECK(b.bytes == test::read_file(file)); // what `credsh allow` shows is what it hashes
    CHECK(b.message == "credsh: " + file + " is blocked — run: credsh allow " + file);

    REQUIRE(w.store.allow(b.realpath, b.bytes).ok());
    DirLookup a = find_credprofile(cwd, w.store);
    REQUIRE(a.status == DirStatus::allowed);
    CHECK(a.content.profile == "dev");
    CHECK(a.content.region == "eu-west-1");
    CHECK(a.message.empty());
    CHECK(find_credprofile(w.at("shop"), w.store).status == DirStatus::allowed);
    CHECK(find_credprofile(w.at("shop/"), w.store).status == DirStatus::allowed);
    CHECK(find_credprofile(w.at("shop//src/"), w.store).status == DirStatus::allowed);

    put(file, "profile = dew\nregion = eu-west-1\n"); // one byte
    CHECK(find_credprofile(cwd, w.store).status == DirStatus::blocked);
    put(file, "profile = dev\nregion = eu-west-1\n");
    CHECK(find_credprofile(cwd, w.store).status == DirStatus::allowed);

    // direnv#83: the same bytes copied into another directory are not trusted there.
    mkdirs(w.at("copy"));
    put(w.at("copy/.credprofile"), test::read_file(file));
    CHECK(find_credprofile(w.at("copy"), w.store).status == DirStatus::blocked);

    // A path with a space gets a hint that can be pasted into a shell.
    mkdirs(w.at("my proj"));
    put(w.at("my proj/.credprofile"), "dev\n");
    DirLookup sp = find_credprofile(w.at("my proj"), w.store);
    CHECK(sp.status == DirStatus::blocked);
    CHECK(sp.message.find("credsh allow '" + w.at("my proj/.credprofile") + "'") != std::string::npos);
}

TEST_CASE("find_credprofile: the nearest file decides; blocked, denied or invalid never fall back",
          "[trust]") {
    World w;
    mkdirs(w.at("outer/inner/cwd"));
    put(w.at("outer/.credprofile"), "profile = outer\n");
    allow_file(w.store, w.at("outer/.credprofile"));
    const std::string inner = w.at("outer/inner/.credprofile"), cwd = w.at("outer/inner/cwd");

    put(inner, "profile = inner\n");
    DirLookup b = find_credprofile(cwd, w.store);
    CHECK(b.status == DirStatus::blocked);
    CHECK(b.path == inner);

    REQUIRE(w.store.deny(real(inner)).ok());
    DirLookup d = find_credprofile(cwd, w.store);
    CHECK(d.status == DirStatus::denied);
    CHECK(d.path == inner);
    CHECK(d.message.find("denied") != std::string::npos);

    allow_file(w.store, inner);
    DirLookup a = find_credprofile(cwd, w.store);
    REQUIRE(a.status == DirStatus::allowed);
    CHECK(a.content.profile == "inner");

    put(inner, "profile = $(id)\n");
    allow_file(w.store, inner); // even allowed, bad content is an error, not a fallback
    DirLookup i = find_credprofile(cwd, w.store);
    CHECK(i.status == DirStatus::invalid);
    CHECK(i.path == inner);
    CHECK(i.message.rfind("credsh: " + inner + ":1: ", 0) == 0);
    CHECK(i.message.find("$(id)") == std::string::npos);

    // docs/security.md 13: the file cannot vouch for itself.
    put(inner, "profile = inner\ntrusted = true\n");
    DirLookup tr = find_credprofile(cwd, w.store);
    CHECK(tr.status == DirStatus::invalid);
    CHECK(tr.message.rfind("credsh: " + inner + ":2: ", 0) == 0);
    put(inner, "trusted = true\n");
    CHECK(find_credprofile(cwd, w.store).status != DirStatus::allowed);

    put(inner, std::string(70 * 1024, '#'));
    DirLookup big = find_credprofile(cwd, w.store);
    CHECK(big.status == DirStatus::invalid);
    CHECK(big.message.find("larger than") != std::string::npos);
}

TEST_CASE("find_credprofile skips files others could have written, and keeps walking", "[trust]") {
    World w;
    mkdirs(w.at("outer"));
    put(w.at("outer/.credprofile"), "profile = outer\n");
    allow_file(w.store, w.at("outer/.credprofile"));

    auto expect_skipped = [&](const std::string& dir, const std::string& why_part) {
        Watchdog dog;
        DirLookup r = find_credprofile(dir, w.store);
        INFO(dir << ": " << printable(r.message));
        CHECK(r.status == DirStatus::allowed);
        CHECK(r.content.profile == "outer");
        const std::string inner = dir + "/.credprofile";
        auto it = std::find(r.skipped.begin(), r.skipped.end(), inner);
        REQUIRE(it != r.skipped.end());
        REQUIRE(r.skip_reasons.size() == r.skipped.size());
        CHECK(r.skip_reasons[static_cast<std::size_t>(it - r.skipped.begin())].find(why_part) !=
              std::string::npos);
        CHECK(r.message.find("ignored " + inner) != std::string::npos);
    };
    // Each case gets a fresh directory, allowed bytes and all, so only the one property differs.
    auto inner_dir = [&](const std::string& name, mode_t dmode = 0755) {
        std::string d = w.at("outer/" + name);
        mkdirs(d, dmode);
        return d;
    };
    auto allowed_file = [&](const std::string& d, mode_t fmode = 0644) {
        put(d + "/.credprofile", "profile = inner\n", fmode);
        allow_file(w.store, d + "/.credprofile");
        return d + "/.credprofile";
    };

    SECTION("owned by another user") {
        std::string d = inner_dir("foreign");
        give_away(allowed_file(d));
        expect_skipped(d, "owned by uid 65534");
    }
    SECTION("group- or world-writable file") {
        std::string g = inner_dir("gw");
        allowed_file(g, 0664);
        expect_skipped(g, "writable");
        std::string o = inner_dir("ow");
        allowed_file(o, 0646);
        expect_skipped(o, "writable");
    }
    SECTION("a directory others can write, sticky or not (like /tmp)") {
        std::string g = inner_dir("gwdir", 0775);
        allowed_file(g);
        expect_skipped(g, "directory writable");
        std::string s = inner_dir("sticky", 01777);
        allowed_file(s);
        expect_skipped(s, "directory writable");
    }
    SECTION("not a regular file: a FIFO must not block, a device must not be read") {
        std::string f = inner_dir("fifo");
        REQUIRE(::mkfifo((f + "/.credprofile").c_str(), 0644) == 0);
        expect_skipped(f, "regular");
        std::string z = inner_dir("zero");
        std::filesystem::create_symlink("/dev/zero", z + "/.credprofile");
        expect_skipped(z, "regular");
        std::string d = inner_dir("dir");
        mkdirs(d + "/.credprofile");
        expect_skipped(d, "regular");
    }
    SECTION("a symlink someone else planted, pointing at one of our allowed files") {
        std::string d = inner_dir("planted");
        std::filesystem::create_symlink(w.at("outer/.credprofile"), d + "/.credprofile");
        give_away(d + "/.credprofile");
        expect_skipped(d, "symlink owned by uid 65534");
    }
    SECTION("our own symlink to an allowed file borrows no trust: it is keyed on its own path") {
        // docs/security.md 30: what git creates for a committed `.credprofile -> ../infra/.credprofile` (or
        // an absolute link) is the user's own symlink; the target being allowed lends it nothing.
        std::string rel = inner_dir("rel"), abs = inner_dir("abs");
        std::filesystem::create_symlink("../.credprofile", rel + "/.credprofile");
        std::filesystem::create_symlink(w.at("outer/.credprofile"), abs + "/.credprofile");
        for (const std::string& d : {rel, abs}) {
            INFO(d);
            DirLookup r = find_credprofile(d, w.store);
            CHECK(r.status == DirStatus::blocked);
            CHECK(r.path == d + "/.credprofile");
            CHECK(r.realpath == real(d) + "/.credprofile");
            CHECK(r.target == real(w.at("outer/.credprofile")));
            CHECK(r.message.find(d + "/.credprofile is blocked") != std::string::npos);
        }
        // Allowed at its own path, the link is used; that allow covers no other path.
        allow_file(w.store, rel + "/.credprofile");
        DirLookup r = find_credprofile(rel, w.store);
        CHECK(r.status == DirStatus::allowed);
        CHECK(r.content.profile == "outer");
        CHECK(find_credprofile(abs, w.store).status == DirStatus::blocked);
        // The file it points to keeps its own decision.
        CHECK(find_credprofile(w.at("outer"), w.store).status == DirStatus::allowed);
    }
    SECTION("a symlinked directory: the directory is resolved, so the same file keeps its trust") {
        std::string d = inner_dir("real");
        allowed_file(d);
        std::filesystem::create_symlink(d, w.at("dirlink"));
        DirLookup r = find_credprofile(w.at("dirlink"), w.store);
        CHECK(r.status == DirStatus::allowed);
        CHECK(r.path == w.at("dirlink/.credprofile"));
        CHECK(r.realpath == real(d) + "/.credprofile");
        CHECK(r.target.empty());
    }
    SECTION("a symlink whose target sits in a directory others can write") {
        mkdirs(w.at("open"), 0777);
        put(w.at("open/target"), "profile = inner\n");
        allow_file(w.store, w.at("open/target"));
        std::string d = inner_dir("via");
        std::filesystem::create_symlink(w.at("open/target"), d + "/.credprofile");
        expect_skipped(d, "directory writable");
    }
    SECTION("skipped with nothing else found: status none, and the message says why") {
        std::string d = w.at("alone");
        mkdirs(d, 0777);
        put(d + "/.credprofile", "profile = x\n");
        DirLookup r = find_credprofile(d, w.store);
        CHECK(r.status == DirStatus::none);
        CHECK(r.path.empty());
        CHECK(r.message.find("ignored " + d + "/.credprofile (in a directory writable") != std::string::npos);
    }
}

TEST_CASE("find_credprofile survives hostile trees (docs/security.md 16)", "[trust]") {
    World w;
    mkdirs(w.at("proj"));
    const std::string file = w.at("proj/.credprofile");
    put(file, "profile = dev\n");

    SECTION("a deleted cwd") {
        mkdirs(w.at("proj/gone/sub"));
        std::filesystem::remove_all(w.at("proj/gone"));
        Watchdog dog;
        DirLookup r = find_credprofile(w.at("proj/gone/sub"), w.store);
        CHECK(r.status == DirStatus::blocked);
        CHECK(r.path == file);
    }
    SECTION("a chmod 000 ancestor, for a user it really stops") {
        mkdirs(w.at("proj/locked/inner"));
        const std::string cwd = w.at("proj/locked/inner");
        if (::geteuid() == 0) {
            // Root ignores modes, so the walk runs in a child that has dropped to nobody.
            for (const std::string& p : {w.t.str(), w.at("proj"), file, w.at("proj/locked"), cwd})
                give_away(p);
            REQUIRE(::chmod(w.at("proj/locked").c_str(), 0) == 0);
            Watchdog dog;
            pid_t pid = ::fork();
            REQUIRE(pid >= 0);
            if (pid == 0) {
                if (::setgroups(0, nullptr) != 0 || ::setgid(65534) != 0 || ::setuid(65534) != 0) _exit(99);
                if (::access(cwd.c_str(), F_OK) == 0) _exit(98); // the lock must really lock
                DirLookup r = find_credprofile(cwd, w.store);
                _exit(r.status == DirStatus::blocked && r.path == file ? 0 : 1);
            }
            int status = 0;
            REQUIRE(::waitpid(pid, &status, 0) == pid);
            REQUIRE(WIFEXITED(status));
            CHECK(WEXITSTATUS(status) == 0);
        } else {
            REQUIRE(::chmod(w.at("proj/locked").c_str(), 0) == 0);
            Watchdog dog;
            DirLookup r = find_credprofile(cwd, w.store);
            ::chmod(w.at("proj/locked").c_str(), 0755);
            CHECK(r.status == DirStatus::blocked);
            CHECK(r.path == file);
        }
    }
    SECTION("a symlink loop a/b -> ..") {
        mkdirs(w.at("proj/a"));
        std::filesystem::create_symlink("..", w.at("proj/a/b"));
        for (int reps : {1, 30, 60}) {
            std::string cwd = w.at("proj");
            for (int i = 0; i < reps; ++i)
                cwd += "/a/b";
            INFO(reps);
            Watchdog dog;
            DirLookup r = find_credprofile(cwd, w.store);
            CHECK(r.status == DirStatus::blocked);
            CHECK(r.realpath == real(file));
        }
    }
    SECTION("non-UTF-8, newline and escape characters in directory names are escaped in messages") {
        const std::string evil = w.at("proj/x\xff\ny\x1b[2J");
        mkdirs(evil);
        put(evil + "/.credprofile", "profile = ok\n");
        DirLookup b = find_credprofile(evil, w.store);
        CHECK(b.status == DirStatus::blocked);
        CHECK(b.path == evil + "/.credprofile");
        check_one_line(b.message);
        CHECK(b.message.find(printable(evil)) != std::string::npos);
        CHECK(b.message.find('\xff') == std::string::npos);

        put(evil + "/.credprofile", "profile = ../x\n");
        DirLookup i = find_credprofile(evil, w.store);
        CHECK(i.status == DirStatus::invalid);
        check_one_line(i.message);

        REQUIRE(::chmod((evil + "/.credprofile").c_str(), 0666) == 0);
        DirLookup s = find_credprofile(evil, w.store);
        CHECK(s.status == DirStatus::blocked); // the outer file, with the inner one recorded as skipped
        CHECK(s.path == file);
        REQUIRE(s.skipped.size() >= 1);
        CHECK(s.skipped[0] == evil + "/.credprofile");
        check_one_line(s.message);
    }
    SECTION("a path longer than PATH_MAX") {
        int fd = ::open(w.at("proj").c_str(), O_RDONLY | O_DIRECTORY);
        REQUIRE(fd >= 0);
        std::string deep = w.at("proj");
        for (int i = 0; i < 25; ++i) { // 25 * 201 bytes: well past 4096
            std::string name(200, static_cast<char>('a' + i));
            REQUIRE(::mkdirat(fd, name.c_str(), 0755) == 0);
            int next = ::openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
            REQUIRE(next >= 0);
            ::close(fd);
            fd = next;
            deep += "/" + name;
        }
        // A file at the bottom that no path can reach: skipped like an unreadable directory.
        int f = ::openat(fd, ".credprofile", O_WRONLY | O_CREAT, 0644);
        REQUIRE(f >= 0);
        ::close(f);
        ::close(fd);
        REQUIRE(deep.size() > 4096);
        Watchdog dog;
        DirLookup r = find_credprofile(deep, w.store);
        CHECK(r.status == DirStatus::blocked);
        CHECK(r.path == file);
        check_one_line(r.message);
    }
    SECTION("odd cwd strings") {
        Watchdog dog;
        CHECK_NOTHROW(find_credprofile("", w.store));
        CHECK_NOTHROW(find_credprofile("relative/dir", w.store));
        CHECK_NOTHROW(find_credprofile("/", w.store));
        CHECK_NOTHROW(find_credprofile("////", w.store));
        CHECK(find_credprofile(w.at("proj") + "/./", w.store).status == DirStatus::blocked);
        CHECK(find_credprofile(w.at("proj/nonexistent/../"), w.store).status == DirStatus::blocked);
    }
}
