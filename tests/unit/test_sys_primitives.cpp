// The system primitives every part of credsh and every plugin shares (credsh_base): the descriptor owner,
// the deadline, the capped read, errno_text, and safe_file's private writes, removal, noted state reads and
// the lock. No assertion depends on how fast the machine is: deadlines are either already over or an hour
// away.
#include "helpers.hpp"

#include "base/deadline.hpp"
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

using namespace credsh;
using credsh::test::mode_of;
using credsh::test::TempDir;
using credsh::test::Watchdog;

namespace {

bool is_open(int fd) {
    return ::fcntl(fd, F_GETFD) != -1;
}

struct Pipe {
    UniqueFd read, write;
    explicit Pipe(int flags = 0) {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC | flags) == 0);
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
};

} // namespace

TEST_CASE("UniqueFd closes its descriptor once, moves ownership, and gives it up on release",
          "[primitives]") {
    int raw = -1;
    {
        UniqueFd fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
        raw = fd.get();
        REQUIRE(fd.valid());
        UniqueFd moved(std::move(fd));
        CHECK_FALSE(fd.valid()); // NOLINT(bugprone-use-after-move): the moved-from state is the point
        CHECK(moved.get() == raw);
        CHECK(is_open(raw));
    }
    CHECK_FALSE(is_open(raw));

    UniqueFd a(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    const int first = a.get();
    a.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    CHECK_FALSE(is_open(first)); // reset closes what it held
    const int kept = a.release();
    CHECK_FALSE(a.valid());
    CHECK(is_open(kept)); // released: the caller's to close
    ::close(kept);
}

TEST_CASE("Deadline: an expired one has nothing left, a distant one caps each step", "[primitives]") {
    const Deadline over(0);
    CHECK(over.expired());
    CHECK(over.left_ms() == 0);
    CHECK(over.cap(1000) == 0);
    const Deadline hour(std::chrono::hours(1));
    CHECK_FALSE(hour.expired());
    CHECK(hour.cap(1000) == 1000);
    CHECK(hour.left_ms() > 0);
    CHECK(hour.left_ms() <= 3'600'000);
}

TEST_CASE("read_capped: end-of-file, one byte past the cap, a deadline, a descriptor that would block",
          "[primitives]") {
    Watchdog dog(20);
    TempDir t;
    const std::string path = t.str() + "/f";
    test::write_file(path, std::string(100, 'x'));
    {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        CappedRead got = read_capped(fd.get(), 100);
        CHECK(got.end == ReadEnd::eof);
        CHECK(got.data == std::string(100, 'x'));
    }
    {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        CappedRead got = read_capped(fd.get(), 99);
        CHECK(got.end == ReadEnd::too_big);
        CHECK(got.data.size() == 100); // never more than one byte past the cap
    }
    SECTION("a pipe whose writer is done: everything, then end-of-file, within the deadline") {
        Pipe p;
        REQUIRE(::write(p.write.get(), "abc", 3) == 3);
        p.write.reset();
        const Deadline hour(std::chrono::hours(1));
        CappedRead got = read_capped(p.read.get(), 100, &hour);
        CHECK(got.end == ReadEnd::eof);
        CHECK(got.data == "abc");
    }
    SECTION("a pipe whose writer never closes: the deadline ends the read") {
        Pipe p;
        const Deadline over(0);
        CappedRead got = read_capped(p.read.get(), 100, &over);
        CHECK(got.end == ReadEnd::timeout);
    }
    SECTION("without a deadline, a descriptor that would block is an error, not a wait") {
        Pipe p(O_NONBLOCK);
        CappedRead got = read_capped(p.read.get(), 100);
        CHECK(got.end == ReadEnd::io_error);
        CHECK(got.err == EAGAIN);
    }
    SECTION("a descriptor that cannot be read") {
        UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        CappedRead got = read_capped(fd.get(), 100);
        CHECK(got.end == ReadEnd::io_error);
        CHECK(got.err == EBADF);
    }
}

TEST_CASE("errno_text is the C library's text", "[primitives]") {
    CHECK(errno_text(ENOENT) == "No such file or directory");
    CHECK(errno_text(EACCES) == "Permission denied");
}

TEST_CASE("write_private_file and remove_file", "[primitives]") {
    TempDir t;
    test::Umask mask(0);
    const std::string dir = t.str() + "/a/b";
    REQUIRE(write_private_file(dir + "/f.json", "{}"));
    CHECK(mode_of(dir) == 0700);
    CHECK(mode_of(dir + "/f.json") == 0600);
    CHECK(test::read_file(dir + "/f.json") == "{}");

    auto relative = write_private_file("rel/f.json", "{}");
    REQUIRE_FALSE(relative);
    CHECK(relative.error().message == "not an absolute directory: rel");

    auto removed = remove_file(dir + "/f.json");
    REQUIRE(removed);
    CHECK(*removed);
    auto again = remove_file(dir + "/f.json");
    REQUIRE(again);
    CHECK_FALSE(*again);
    auto a_dir = remove_file(dir);
    REQUIRE_FALSE(a_dir);
    CHECK(a_dir.error().message.find(": cannot remove: ") != std::string::npos);
}

TEST_CASE("read_state_file_noting: a tightened directory's note travels with a failed read", "[primitives]") {
    TempDir t;
    const std::string dir = t.str() + "/cache";
    REQUIRE(::mkdir(dir.c_str(), 0700) == 0);
    REQUIRE(::chmod(dir.c_str(), 0777) == 0);
    auto missing = read_state_file_noting(dir + "/none.json", 1024);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().kind == ErrorKind::not_found);
    CHECK(missing.error().message.find("; ") != std::string::npos);
    CHECK(missing.error().message.find("made it 0700") != std::string::npos);
    CHECK(mode_of(dir) == 0700);
    // Once tightened, the next read is quiet.
    auto quiet = read_state_file_noting(dir + "/none.json", 1024);
    REQUIRE_FALSE(quiet);
    CHECK(quiet.error().message.find("made it 0700") == std::string::npos);
    test::write_file(dir + "/ok.json", "{}");
    ::chmod((dir + "/ok.json").c_str(), 0600);
    CHECK(*read_state_file_noting(dir + "/ok.json", 1024) == "{}");
}

TEST_CASE("FileLock: a second holder is refused with the caller's words, or credsh's by default",
          "[primitives]") {
    Watchdog dog(20);
    TempDir t;
    const std::string dir = t.str() + "/locks";
    {
        auto held = FileLock::acquire(dir, "k", 0);
        REQUIRE(held);
        // flock belongs to the open file description: a second open in this same process conflicts too.
        auto busy = FileLock::acquire(dir, "k", 0);
        REQUIRE_FALSE(busy);
        CHECK(busy.error().message == "another credsh is refreshing these credentials (lock " + dir +
                                          "/k.lock); gave up waiting after 0 ms");
        auto worded = FileLock::acquire(dir, "k", 0, [](const std::string& shown, int ms) {
            return "held: " + shown + " for " + std::to_string(ms);
        });
        REQUIRE_FALSE(worded);
        CHECK(worded.error().message == "held: " + dir + "/k.lock for 0");
    }
    CHECK(FileLock::acquire(dir, "k", 0)); // the holder is gone, and so is its lock
}
