// safe_file: reads that never block or balloon (docs/security.md 15) and private, atomic writes
// (docs/security.md 20-21). A read that hangs would hang the test, so every such read runs under a watchdog
// that aborts the process (Catch reports the test that was running) instead of waiting forever; there are no
// millisecond assertions, which would be flaky on a loaded machine.
#include "helpers.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace credsh;
using credsh::test::mode_of;
using credsh::test::TempDir;
using credsh::test::Umask;
using credsh::test::Watchdog;

namespace {

std::vector<std::string> entries(const std::string& dir) {
    std::vector<std::string> out;
    for (auto& e : std::filesystem::directory_iterator(dir))
        out.push_back(e.path().filename().string());
    return out;
}

} // namespace

TEST_CASE("safe_read_file reads regular files and follows symlinks", "[safe_file]") {
    TempDir t;
    test::write_file(t.path / "config", "[default]\nregion = eu-west-1\n");
    auto r = safe_read_file(t.str() + "/config", kConfigCap);
    REQUIRE(r.ok());
    CHECK(*r == "[default]\nregion = eu-west-1\n");

    // Dotfile managers symlink ~/.aws/config into a repository: that must keep working.
    std::filesystem::create_symlink(t.path / "config", t.path / "link");
    auto l = safe_read_file(t.str() + "/link", kConfigCap);
    REQUIRE(l.ok());
    CHECK(*l == *r);

    struct stat st {};
    auto s = safe_read_file(t.str() + "/link", kConfigCap, st);
    REQUIRE(s.ok());
    CHECK(S_ISREG(st.st_mode));
    CHECK(st.st_uid == ::geteuid());
    CHECK(static_cast<std::size_t>(st.st_size) == r->size());

    test::write_file(t.path / "empty", "");
    auto e = safe_read_file(t.str() + "/empty", 16);
    REQUIRE(e.ok());
    CHECK(e->empty());
}

TEST_CASE("safe_read_file: a missing file is not_found, other failures are not", "[safe_file]") {
    TempDir t;
    auto r = safe_read_file(t.str() + "/nope", kConfigCap);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().kind == ErrorKind::not_found);

    test::write_file(t.path / "file", "x");
    auto under_file = safe_read_file(t.str() + "/file/child", kConfigCap); // ENOTDIR: nothing there either
    REQUIRE_FALSE(under_file.ok());
    CHECK(under_file.error().kind == ErrorKind::not_found);

    std::filesystem::create_directory(t.path / "dir");
    auto d = safe_read_file(t.str() + "/dir", kConfigCap);
    REQUIRE_FALSE(d.ok());
    CHECK(d.error().kind == ErrorKind::failed);
}

TEST_CASE("safe_read_file returns at once for FIFOs, devices, directories, sockets and huge files",
          "[safe_file]") {
    TempDir t;
    const std::string fifo = t.str() + "/fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    const std::string zero = t.str() + "/zero";
    std::filesystem::create_symlink("/dev/zero", zero);
    const std::string dir = t.str() + "/dir";
    std::filesystem::create_directory(dir);
    const std::string sock = t.str() + "/sock";
    int sfd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(sfd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(sock.size() < sizeof addr.sun_path);
    std::copy(sock.begin(), sock.end(), addr.sun_path);
    REQUIRE(::bind(sfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(sfd, 1) == 0);
    const std::string sparse = t.str() + "/sparse";
    {
        int fd = ::open(sparse.c_str(), O_WRONLY | O_CREAT, 0600);
        REQUIRE(fd >= 0);
        REQUIRE(::ftruncate(fd, off_t(1) << 30) == 0); // 1 GiB, no blocks
        ::close(fd);
    }

    for (const std::string& p : {fifo, zero, dir, sock, sparse}) {
        INFO(p);
        Watchdog dog;
        auto r = safe_read_file(p, kCredprofileCap);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().kind == ErrorKind::failed);
        CHECK(r.error().message.find(printable(p)) != std::string::npos);
    }
    ::close(sfd);
}

TEST_CASE("safe_read_file stops at cap+1 bytes even when fstat says less", "[safe_file]") {
    TempDir t;
    const std::string p = t.str() + "/f";
    test::write_file(p, std::string(100, 'x'));
    CHECK(safe_read_file(p, 100).ok());
    CHECK_FALSE(safe_read_file(p, 99).ok());

    // /proc files are regular with st_size 0 yet have contents: only the read loop can enforce the cap.
    // This is also what a file growing between fstat and read looks like.
    struct stat st {};
    REQUIRE(::stat("/proc/self/status", &st) == 0);
    REQUIRE(st.st_size == 0);
    Watchdog dog;
    auto small = safe_read_file("/proc/self/status", 16);
    REQUIRE_FALSE(small.ok());
    CHECK(small.error().message.find("larger than 16") != std::string::npos);
    auto full = safe_read_file("/proc/self/status", kCredprofileCap);
    REQUIRE(full.ok());
    CHECK(full->find("Pid:") != std::string::npos);
}

TEST_CASE("safe_read_file messages escape the path and never carry the contents", "[safe_file]") {
    TempDir t;
    const std::string dir = t.str() + "/evil\n\x1b[31mdir\xff";
    std::filesystem::create_directory(dir);
    const std::string p = dir + "/f";
    test::write_file(p, "aws_secret_access_key = SENTINEL-SECRET-1234\n" + std::string(200, 'x'));
    auto r = safe_read_file(p, 32);
    REQUIRE_FALSE(r.ok());
    const std::string& m = r.error().message;
    CHECK(m.find("SENTINEL") == std::string::npos);
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find('\x1b') == std::string::npos);
    CHECK(m.find('\xff') == std::string::npos);
    CHECK(m.find(printable(p)) != std::string::npos);

    auto missing = safe_read_file(dir + "/missing\n", 32);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().message.find('\n') == std::string::npos);
}

TEST_CASE("ensure_private_dir creates 0700 directories whatever the umask", "[safe_file]") {
    TempDir t;
    Umask open_umask(0);
    const std::string deep = t.str() + "/a/b/credsh";
    REQUIRE(ensure_private_dir(deep).ok());
    CHECK(mode_of(t.str() + "/a") == 0700);
    CHECK(mode_of(t.str() + "/a/b") == 0700);
    CHECK(mode_of(deep) == 0700);
    REQUIRE(ensure_private_dir(deep).ok()); // idempotent
    CHECK(mode_of(deep) == 0700);
    REQUIRE(ensure_private_dir(deep + "/").ok());
}

TEST_CASE("ensure_private_dir tightens our loose directories", "[safe_file]") {
    TempDir t;
    for (mode_t loose : {0755, 0777, 0770, 0500, 01777}) {
        INFO(loose);
        const std::string d = t.str() + "/d" + std::to_string(loose);
        std::filesystem::create_directory(d);
        REQUIRE(::chmod(d.c_str(), loose) == 0);
        REQUIRE(ensure_private_dir(d).ok());
        CHECK(mode_of(d) == 0700);
    }
}

TEST_CASE("ensure_private_dir refuses directories owned by someone else, and leaves them alone",
          "[safe_file]") {
    TempDir t;
    INFO("changing ownership needs root: run the unit tests as root (the sandbox and CI containers do)");
    for (mode_t m : {0700, 0777}) {
        const std::string d = t.str() + "/foreign" + std::to_string(m);
        std::filesystem::create_directory(d);
        REQUIRE(::chmod(d.c_str(), m) == 0);
        REQUIRE(::chown(d.c_str(), 65534, 65534) == 0);
        auto r = ensure_private_dir(d);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().message.find("65534") != std::string::npos);
        CHECK(mode_of(d) == m); // not "fixed" behind the owner's back
    }
    // A directory under a foreign one we are asked to create: the parent check does not apply, but the
    // existing target being a file must fail.
    test::write_file(t.path / "file", "x");
    CHECK_FALSE(ensure_private_dir(t.str() + "/file").ok());
    if (::geteuid() != 0) CHECK_FALSE(ensure_private_dir("/").ok()); // root's, not ours
}

TEST_CASE("atomic_write_file writes 0600 files whatever the umask, and replaces 0644 ones", "[safe_file]") {
    TempDir t;
    Umask open_umask(0);
    const std::string d = t.str() + "/cache";
    REQUIRE(ensure_private_dir(d).ok());
    const std::string p = d + "/token.json";
    REQUIRE(atomic_write_file(p, "{\"a\":1}").ok());
    CHECK(test::read_file(p) == "{\"a\":1}");
    CHECK(mode_of(p) == 0600);

    // An old world-readable file (written by an older tool) is replaced by a new 0600 inode.
    const std::string old = d + "/old.json";
    test::write_file(old, "old");
    REQUIRE(::chmod(old.c_str(), 0644) == 0);
    struct stat before {};
    REQUIRE(::stat(old.c_str(), &before) == 0);
    REQUIRE(atomic_write_file(old, "new").ok());
    struct stat after {};
    REQUIRE(::stat(old.c_str(), &after) == 0);
    CHECK(test::read_file(old) == "new");
    CHECK((after.st_mode & 07777) == 0600);
    CHECK(after.st_ino != before.st_ino);

    // Nothing but the two files: no temp files left behind.
    auto names = entries(d);
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"old.json", "token.json"});

    // Arbitrary bytes, empty content.
    std::string bin;
    for (int i = 0; i < 256; ++i)
        bin.push_back(static_cast<char>(i));
    REQUIRE(atomic_write_file(p, bin).ok());
    CHECK(test::read_file(p) == bin);
    REQUIRE(atomic_write_file(p, "").ok());
    CHECK(test::read_file(p).empty());
}

TEST_CASE(
    "atomic_write_file: the asked mode is set on the descriptor, and a symlink at the name is replaced, "
    "never followed (docs/security.md 31)",
    "[safe_file]") {
    TempDir t;
    Umask strict_umask(077);
    const std::string d = t.str() + "/project";
    REQUIRE(ensure_private_dir(d).ok());
    // Someone's link under the name, pointing at a private file of ours.
    const std::string victim = t.str() + "/victim";
    test::write_file(victim, "secret");
    REQUIRE(::chmod(victim.c_str(), 0600) == 0);
    const std::string p = d + "/.credprofile";
    REQUIRE(::symlink(victim.c_str(), p.c_str()) == 0);
    WriteOptions opts;
    opts.mode = 0644;
    REQUIRE(atomic_write_file(p, "profile = x\n", opts).ok());
    struct stat lst {};
    REQUIRE(::lstat(p.c_str(), &lst) == 0);
    CHECK(S_ISREG(lst.st_mode));
    CHECK((lst.st_mode & 07777) == 0644); // whatever the umask
    CHECK(test::read_file(p) == "profile = x\n");
    CHECK(test::read_file(victim) == "secret");
    CHECK(mode_of(victim) == 0600);
    // Only bits a file mode can have: never set-id bits from a caller's st_mode.
    opts.mode = 04755;
    REQUIRE(atomic_write_file(p, "y", opts).ok());
    CHECK(mode_of(p) == 0755);
}

TEST_CASE("atomic_write_file fails cleanly", "[safe_file]") {
    TempDir t;
    CHECK_FALSE(atomic_write_file(t.str() + "/missing/dir/f", "x").ok());
    std::filesystem::create_directory(t.path / "isdir");
    CHECK_FALSE(atomic_write_file(t.str() + "/isdir", "x").ok());
    CHECK(entries(t.str()) == std::vector<std::string>{"isdir"}); // temp file removed on failure
}

namespace {

// Each value is self-describing, so a reader can tell a complete value from a torn or mixed one.
std::string value_for(int writer, int iteration) {
    std::size_t len = static_cast<std::size_t>((writer * 7919 + iteration * 104729) % 30000);
    return "BEGIN " + std::to_string(writer) + " " + std::to_string(iteration) + " " +
           std::string(len, static_cast<char>('a' + writer % 26)) + " END\n";
}

bool is_complete_value(const std::string& s) {
    int w = -1, i = -1;
    if (std::sscanf(s.c_str(), "BEGIN %d %d ", &w, &i) != 2 || w < 0 || i < 0) return false;
    return s == value_for(w, i);
}

} // namespace

TEST_CASE("atomic_write_file: 50 concurrent writers and readers only ever see complete values",
          "[safe_file]") {
    TempDir t;
    const std::string d = t.str() + "/cache";
    REQUIRE(ensure_private_dir(d).ok());
    const std::string p = d + "/shared.json";
    REQUIRE(atomic_write_file(p, value_for(0, 0)).ok());

    constexpr int kWriters = 25, kReaders = 25, kIterations = 1000;
    std::atomic<int> write_failures{0}, read_failures{0}, torn{0}, reads{0};
    std::atomic<int> next{0};
    std::atomic<bool> done{false};
    std::vector<std::thread> threads;
    for (int w = 0; w < kWriters; ++w)
        threads.emplace_back([&, w] {
            // 1000 writes in total, shared out between the writers as they come.
            for (int i; (i = next.fetch_add(1)) < kIterations;)
                if (!atomic_write_file(p, value_for(w + 1, i))) ++write_failures;
        });
    for (int r = 0; r < kReaders; ++r)
        threads.emplace_back([&] {
            for (int n = 0; n < kIterations / kReaders || !done; ++n) {
                auto v = safe_read_file(p, kConfigCap);
                ++reads;
                if (!v)
                    ++read_failures;
                else if (!is_complete_value(*v))
                    ++torn;
            }
        });
    for (int w = 0; w < kWriters; ++w)
        threads[static_cast<std::size_t>(w)].join();
    done = true;
    for (std::size_t i = kWriters; i < threads.size(); ++i)
        threads[i].join();

    INFO("reads: " << reads.load());
    CHECK(write_failures == 0);
    CHECK(read_failures == 0);
    CHECK(torn == 0);
    CHECK(reads >= kIterations);
    CHECK(is_complete_value(test::read_file(p)));
    CHECK(entries(d) == std::vector<std::string>{"shared.json"});
}

TEST_CASE("atomic_write_file: kill -9 mid-write leaves the old or the new file", "[safe_file]") {
    TempDir t;
    const std::string d = t.str() + "/cache";
    REQUIRE(ensure_private_dir(d).ok());
    const std::string p = d + "/creds.json";
    auto payload = [](int round, std::size_t size) {
        std::string s = "ROUND " + std::to_string(round) + "\n";
        s.resize(size, static_cast<char>('A' + round % 26));
        return s + "\nEND\n";
    };
    std::string current = payload(0, 1000);
    REQUIRE(atomic_write_file(p, current).ok());

    // Random kill points over a large payload: some rounds die in write(), some in fsync(), some after the
    // rename. A non-atomic writer would leave a truncated file in most of them. The range of kill points
    // is calibrated on one uninterrupted write, so it covers the whole write on fast and slow disks alike.
    const std::size_t size = std::size_t(32) << 20;
    const auto t0 = std::chrono::steady_clock::now();
    REQUIRE(atomic_write_file(d + "/calibrate", payload(0, size)).ok());
    const auto full_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0);
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed << ", one write takes " << full_us.count() << " us");
    std::mt19937 rng(seed);
    std::uniform_int_distribution<long> delay_us(0, full_us.count() * 3 / 2);
    int survived = 0;
    for (int round = 1; round <= 10; ++round) {
        const std::string next = payload(round, size);
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) _exit(atomic_write_file(p, next).ok() ? 0 : 1);
        ::usleep(static_cast<useconds_t>(delay_us(rng)));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        if (WIFEXITED(status)) ++survived;

        auto now = safe_read_file(p, std::size_t(64) << 20);
        REQUIRE(now.ok());
        const bool is_old = *now == current, is_new = *now == next;
        INFO("round " << round << " size " << now->size());
        REQUIRE((is_old || is_new));
        if (is_new) current = next;
        CHECK(mode_of(p) == 0600);
    }
    INFO("writers that finished before the kill: " << survived);
    SUCCEED();
}
