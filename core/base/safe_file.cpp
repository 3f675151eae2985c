// Reading and writing files that other people may have shaped, without blocking and without leaving a torn
// or world-readable file behind.
//
// Reads (docs/security.md 15): a .credprofile comes from whatever repository the user cloned, and
// ~/.aws/config is often a symlink managed by a dotfile tool, so we follow symlinks but trust nothing about
// the target. A FIFO would block open() or read() forever, /dev/zero never ends, a sparse file can claim a
// terabyte: the file must be regular (checked with fstat on the descriptor we read from, which is what
// counts) and no larger than a cap, and we stop reading at cap+1 bytes because a file can grow between fstat
// and read (and /proc files report a size of 0). A stat() before open() keeps us from opening devices at all
// in the ordinary case, since opening some devices has side effects; O_NONBLOCK and O_NOCTTY cover the race
// where the path is swapped between the two calls.
//
// Writes (docs/security.md 20-21, 31): caches and the trust store hold secrets or decisions, so they live in
// 0700 directories as 0600 files regardless of the umask, and every replacement is atomic: a reader (another
// prompt, the AWS CLI) sees the old file or the new one, never half of one, even if we are killed mid-write.
// The mode is set on the temp file's descriptor and the rename is made relative to the directory's
// descriptor: a chmod by name after the rename would follow a symlink someone swapped in, in a directory they
// can write.
//
// State (docs/security.md 20, 32): a cache entry, a lock, a trust decision or a stamp is only believed when
// it and its directory are ours and nobody else can write them; botocore itself leaves ~/.aws/cli/cache at
// 0777 under umask 000, and another user could otherwise plant the entry for a profile.
#include "base/safe_file.hpp"

#include "base/test_pause.hpp"
#include "base/text.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/random.h>
#include <thread>
#include <unistd.h>

namespace credsh {

namespace {

// How often a waiter polls a held flock (flock itself has no timeout): short against a lock wait of seconds,
// long enough that waiting costs no measurable CPU.
constexpr std::chrono::milliseconds kLockPoll{20};

std::string mode_octal(mode_t mode) {
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode & 07777));
    return m;
}

const char* file_kind(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    if (S_ISLNK(mode)) return "a symlink";
    return "not a regular file";
}

Error open_error(const std::string& path, int err) {
    // ENOTDIR means a path component is a file: for "is there a file here?" callers, that is "no".
    if (err == ENOENT || err == ENOTDIR) return not_found(printable(path) + ": no such file");
    if (err == ENXIO) return fail(printable(path) + ": not a regular file (a socket or device)");
    return fail(printable(path) + ": " + errno_text(err));
}

std::string dir_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<void> write_all(int fd, const std::string& data, const std::string& what) {
    std::size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(printable(what) + ": write: " + errno_text(errno));
        }
        done += static_cast<std::size_t>(n);
    }
    return {};
}

// Enough randomness that two processes (or threads) never pick the same temp name; O_EXCL catches the rest.
std::string random_suffix() {
    unsigned char buf[8] = {};
    std::size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = ::getrandom(buf + got, sizeof buf - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            break; // fall back to pid+address below; O_EXCL still guarantees uniqueness
        }
        got += static_cast<std::size_t>(n);
    }
    std::string hex =
        sha256_hex(std::string(reinterpret_cast<const char*>(buf), sizeof buf) + std::to_string(::getpid()) +
                   std::to_string(reinterpret_cast<uintptr_t>(&got)));
    return hex.substr(0, 16);
}

// read_capped, as a Result for a regular file: messages name the path, never the contents.
Result<std::string> read_file_capped(int fd, const std::string& path, std::size_t cap,
                                     std::size_t size_hint) {
    CappedRead got = read_capped(fd, cap, nullptr, size_hint);
    if (got.end == ReadEnd::io_error) return fail(printable(path) + ": read: " + errno_text(got.err));
    if (got.end == ReadEnd::too_big)
        return fail(printable(path) + ": larger than " + std::to_string(cap) + " bytes, not read");
    return std::move(got.data);
}

} // namespace

CappedRead read_capped(int fd, std::size_t cap, const Deadline* deadline, std::size_t size_hint) {
    CappedRead out;
    out.data.reserve(std::min(size_hint, cap) + 1);
    char buf[16384];
    auto end = [&](ReadEnd how, int err = 0) {
        OPENSSL_cleanse(buf, sizeof buf);
        out.end = how;
        out.err = err;
        return std::move(out);
    };
    for (;;) {
        if (deadline) {
            if (deadline->expired()) return end(ReadEnd::timeout);
            pollfd p{fd, POLLIN, 0};
            int ready = ::poll(&p, 1, static_cast<int>(std::min<std::int64_t>(deadline->left_ms(), 60'000)));
            if (ready < 0 && errno != EINTR) return end(ReadEnd::io_error, errno);
            if (ready <= 0) continue;
        }
        // Never more than one byte past the cap, so a growing file costs at most cap+1 bytes.
        std::size_t want = std::min(sizeof buf, cap + 1 - out.data.size());
        ssize_t n = ::read(fd, buf, want);
        if (n < 0) {
            if (errno == EINTR || (deadline && errno == EAGAIN)) continue;
            return end(ReadEnd::io_error, errno);
        }
        if (n == 0) return end(ReadEnd::eof);
        out.data.append(buf, static_cast<std::size_t>(n));
        if (out.data.size() > cap) return end(ReadEnd::too_big);
    }
}

Result<UniqueFd> safe_open_file(const std::string& path, std::size_t cap, struct stat& st) {
    // Filter before opening: never open a FIFO, socket or device in the first place.
    if (::stat(path.c_str(), &st) != 0) return open_error(path, errno);
    if (!S_ISREG(st.st_mode)) return fail(printable(path) + ": " + file_kind(st.st_mode) + ", not read");
    if (static_cast<unsigned long long>(st.st_size) > cap)
        return fail(printable(path) + ": larger than " + std::to_string(cap) + " bytes, not read");

    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.get() < 0) return open_error(path, errno);
    // The descriptor is the truth: the path may have been replaced since stat().
    if (::fstat(fd.get(), &st) != 0) return fail(printable(path) + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return fail(printable(path) + ": " + file_kind(st.st_mode) + ", not read");
    if (static_cast<unsigned long long>(st.st_size) > cap)
        return fail(printable(path) + ": larger than " + std::to_string(cap) + " bytes, not read");
    return fd;
}

Result<std::string> read_open_file(int fd, const std::string& path, std::size_t cap, const struct stat& st) {
    return read_file_capped(fd, path, cap, static_cast<std::size_t>(st.st_size));
}

Result<std::string> safe_read_file(const std::string& path, std::size_t cap, struct stat& st) {
    auto fd = safe_open_file(path, cap, st);
    if (!fd) return fd.error();
    return read_open_file(fd->get(), path, cap, st);
}

Result<std::string> safe_read_file(const std::string& path, std::size_t cap) {
    struct stat st {};
    return safe_read_file(path, cap, st);
}

Result<void> ensure_private_dir(const std::string& dir) {
    return ensure_private_dir(dir, nullptr);
}

Result<void> ensure_private_dir(const std::string& dir, std::string* note) {
    if (dir.empty()) return fail("ensure_private_dir: empty path");
    // Create missing components one by one, each 0700 as the XDG base directory spec asks; existing
    // parents are left alone (they are the user's business: ~ itself, ~/.local, ...). Usually the whole
    // path is there already: one mkdir says so, without one per component (every export makes several).
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        for (std::size_t pos = dir.find('/', 1); pos != std::string::npos; pos = dir.find('/', pos + 1)) {
            std::string part = dir.substr(0, pos);
            if (part.empty() || part.back() == '/') continue; // "//" in the path
            if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
                return fail(printable(part) + ": cannot create directory: " + errno_text(errno));
        }
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
            return fail(printable(dir) + ": cannot create directory: " + errno_text(errno));
    }
    auto r = check_state_dir(dir, note);
    if (!r && r.error().kind == ErrorKind::unsafe) return fail(r.error().message);
    return r;
}

Result<void> check_state_dir(const std::string& dir, std::string* note) {
    // Check and fix through a descriptor, so the directory we tighten is the one we checked. The path
    // itself may be a symlink (~/.aws kept by a dotfile manager): what counts is the directory it names.
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT) return not_found(printable(dir) + ": no such directory");
        return unsafe(printable(dir) + ": not a usable directory: " + errno_text(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return unsafe(printable(dir) + ": " + errno_text(errno));
    if (!S_ISDIR(st.st_mode)) return unsafe(printable(dir) + ": not a directory");
    // Someone else's directory is never ours to use or to fix, even when we could (root): they could
    // read or swap what we put there.
    if (st.st_uid != ::geteuid())
        return unsafe(printable(dir) + ": owned by uid " + std::to_string(st.st_uid) +
                      ", not by us; not used");
    if ((st.st_mode & 07777) != 0700) {
        // Ours but loose (an old umask, botocore under umask 000): tighten it, or refuse if we cannot.
        if (::fchmod(fd.get(), 0700) != 0)
            return unsafe(printable(dir) + ": has mode " + mode_octal(st.st_mode) +
                          " and cannot be made 0700: " + errno_text(errno) + "; not used");
        if (note && (st.st_mode & (S_IWGRP | S_IWOTH)))
            *note = printable(dir) + " had mode " + mode_octal(st.st_mode) +
                    " (others could plant files there); made it 0700";
    }
    return {};
}

Result<std::string> read_state_file(const std::string& path, std::size_t cap, std::string* note) {
    if (auto d = check_state_dir(dir_of(path), note); !d) {
        if (d.error().kind == ErrorKind::not_found) return not_found(printable(path) + ": no such file");
        return unsafe(printable(path) + ": not used: " + d.error().message);
    }
    // O_NOFOLLOW: a symlink inside a state directory is never followed (ELOOP), whoever made it.
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW));
    if (fd.get() < 0) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR) return not_found(printable(path) + ": no such file");
        if (err == ELOOP) return unsafe(printable(path) + ": a symlink; not followed, not used");
        return open_error(path, err);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(printable(path) + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return unsafe(printable(path) + ": " + file_kind(st.st_mode) + ", not used");
    if (st.st_uid != ::geteuid())
        return unsafe(printable(path) + ": owned by uid " + std::to_string(st.st_uid) +
                      ", not by us; not used");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        return unsafe(printable(path) + ": writable by group or others (mode " + mode_octal(st.st_mode) +
                      "); not used");
    if (static_cast<unsigned long long>(st.st_size) > cap)
        return fail(printable(path) + ": larger than " + std::to_string(cap) + " bytes, not read");
    return read_file_capped(fd.get(), path, cap, static_cast<std::size_t>(st.st_size));
}

Result<UniqueFd> open_own_file(const std::string& path, bool* created) {
    constexpr int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
    // O_EXCL first, so the caller learns whether this call made the file.
    UniqueFd fd(::open(path.c_str(), flags | O_CREAT | O_EXCL, 0600));
    if (created) *created = fd.get() >= 0;
    if (fd.get() < 0 && errno == EEXIST) fd = UniqueFd(::open(path.c_str(), flags));
    if (fd.get() < 0) {
        if (errno == ELOOP) return unsafe(printable(path) + ": a symlink; not followed");
        return fail("cannot open " + printable(path) + ": " + errno_text(errno));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return fail(printable(path) + ": " + errno_text(errno));
    if (!S_ISREG(st.st_mode)) return unsafe(printable(path) + ": " + file_kind(st.st_mode) + ", not used");
    if (st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH)))
        return unsafe(printable(path) + ": owned by uid " + std::to_string(st.st_uid) + " with mode " +
                      mode_octal(st.st_mode) + "; not used (remove it)");
    return fd;
}

Result<int> open_lock_file(const std::string& path) {
    auto fd = open_own_file(path);
    if (!fd) return fd.error().context("lock");
    return fd->release();
}

Result<void> atomic_write_file(const std::string& path, const std::string& data, const WriteOptions& opts) {
    const std::string dir = dir_of(path);
    const std::string base = base_of(path);
    if (base.empty() || base == "." || base == "..") return fail(printable(path) + ": not a file name");

    // Everything below is relative to this descriptor: once the directory is open, a swapped path component
    // cannot send the temp file, the rename or the fsync elsewhere, and no path is touched after the rename.
    UniqueFd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() < 0) return fail(printable(dir) + ": cannot open directory: " + errno_text(errno));

    // Same directory as the target so rename() is atomic; a leading dot keeps it out of casual listings.
    std::string tmp;
    int raw = -1;
    for (int attempt = 0; attempt < 16 && raw < 0; ++attempt) {
        tmp = "." + base + ".tmp-" + random_suffix();
        // O_EXCL|O_NOFOLLOW: never open something someone else put under this name.
        raw = ::openat(dfd.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (raw < 0 && errno != EEXIST)
            return fail(printable(path) + ": cannot create temp file: " + errno_text(errno));
    }
    if (raw < 0) return fail(printable(path) + ": cannot create a unique temp file");
    UniqueFd fd(raw);

    auto abandon = [&](Error e) -> Result<void> {
        ::unlinkat(dfd.get(), tmp.c_str(), 0);
        return e;
    };
    // The umask may have taken bits away (or been 0): the mode is exactly what was asked, set on the
    // descriptor, so a name swapped afterwards can never receive it (docs/security.md 31).
    if (::fchmod(fd.get(), opts.mode & 0777) != 0)
        return abandon(fail(printable(path) + ": fchmod: " + errno_text(errno)));
    if (auto w = write_all(fd.get(), data, path); !w) return abandon(w.error());
    // Data on disk before the name points at it, or a crash could leave an empty file under the new name.
    if (!opts.rebuildable && ::fsync(fd.get()) != 0)
        return abandon(fail(printable(path) + ": fsync: " + errno_text(errno)));
    if (::close(fd.release()) != 0) return abandon(fail(printable(path) + ": close: " + errno_text(errno)));
    if (!opts.rebuildable)
        test_pause("before-rename"); // test_pause.hpp: tests kill or resume the writer here
    if (::renameat(dfd.get(), tmp.c_str(), dfd.get(), base.c_str()) != 0)
        return abandon(fail(printable(path) + ": rename: " + errno_text(errno)));
    if (opts.rebuildable) return {};
    test_pause("after-rename");

    // The rename itself is only durable once the directory is.
    if (::fsync(dfd.get()) != 0 && errno != EINVAL) // some filesystems cannot fsync a directory at all
        return fail(printable(dir) + ": fsync: " + errno_text(errno));
    return {};
}

Result<std::string> read_state_file_noting(const std::string& path, std::size_t cap) {
    std::string note;
    auto r = read_state_file(path, cap, &note);
    if (!r && !note.empty()) return Error{r.error().message + "; " + note, r.error().kind};
    return r;
}

Result<void> write_private_file(const std::string& path, const std::string& data) {
    const std::string dir = dir_of(path);
    if (dir.empty() || dir[0] != '/') return fail("not an absolute directory: " + printable(dir));
    if (auto d = ensure_private_dir(dir); !d) return d.error();
    return atomic_write_file(path, data);
}

Result<bool> remove_file(const std::string& path) {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    return fail(printable(path) + ": cannot remove: " + errno_text(errno));
}

Result<FileLock> FileLock::acquire(const std::string& dir, const std::string& name, int timeout_ms,
                                   BusyText busy) {
    if (auto d = ensure_private_dir(dir); !d) return d.error();
    std::string path = dir + "/" + name + ".lock";
    auto opened = open_lock_file(path);
    if (!opened) return opened.error();
    UniqueFd fd(*opened);
    const Deadline deadline(timeout_ms);
    for (;;) {
        if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) return FileLock(std::move(fd));
        if (errno != EWOULDBLOCK && errno != EINTR)
            return fail("cannot lock " + printable(path) + ": " + errno_text(errno));
        test_pause("lock-busy"); // test_pause.hpp: another holds the lock; tests let the holder go on here
        if (deadline.expired()) {
            if (busy) return fail(busy(printable(path), timeout_ms));
            return fail("another credsh is refreshing these credentials (lock " + printable(path) +
                        "); gave up waiting after " + std::to_string(timeout_ms) + " ms");
        }
        std::this_thread::sleep_for(kLockPoll);
    }
}

} // namespace credsh
