// Every file credsh reads or writes goes through here, because the files come from places an attacker may
// shape (a cloned repository's .credprofile, a shared /tmp) and because a prompt must never block.
// Reads: O_NONBLOCK + fstat S_ISREG + a size cap, so a FIFO, device, directory or huge sparse file returns
// at once with an error (docs/security.md 15). State files (caches, locks, the trust store, stamps) are read
// only when they and their directory are the user's and nobody else can write them (docs/security.md 20, 32).
// Writes: private directories (0700) and files (0600), written to an O_EXCL|O_NOFOLLOW temp file whose mode
// is set on the descriptor, fsync'd, renamed relative to the directory's descriptor, then the directory
// fsync'd -- no path is touched after the rename (docs/security.md 20-21, 31). Locks: flock on a 0600 file
// of ours, waited for up to a deadline. The plugins link this file too (credsh_base): these are the only
// capped read, atomic write and lock in credsh, so the rules above live here once.
#pragma once

#include "base/deadline.hpp"
#include "base/result.hpp"
#include "base/unique_fd.hpp"

#include <cstddef>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>
#include <utility>

namespace credsh {

// How a capped read ended. `data` holds what was read (at most cap+1 bytes: one past the cap tells too_big).
enum class ReadEnd { eof, too_big, timeout, io_error };
struct CappedRead {
    std::string data;
    ReadEnd end = ReadEnd::eof;
    int err = 0; // errno, for io_error
};

// Reads `fd` to end-of-file, stopping once it holds more than `cap` bytes (a file can grow after fstat, and
// /proc files report a size of 0). With a deadline, every read waits for data with poll() first and the
// read ends with `timeout` when the deadline passes (a pipe from a child that never closes it); without
// one, a descriptor that would block (EAGAIN) is an io_error. The stack buffer is wiped before returning
// (a child's output holds secrets). `size_hint`: the expected size, to reserve once.
CappedRead read_capped(int fd, std::size_t cap, const Deadline* deadline = nullptr,
                       std::size_t size_hint = 0);

// The whole file, if it is a regular file of at most `cap` bytes. ENOENT gives ErrorKind::not_found.
// Messages name the path (escaped with printable()) and never the contents.
Result<std::string> safe_read_file(const std::string& path, std::size_t cap);

// The same, and `st` receives the fstat of the descriptor the bytes came from, so a caller can check the
// owner and mode of exactly what it read (no stat-then-open race). `st` is unspecified on error.
Result<std::string> safe_read_file(const std::string& path, std::size_t cap, struct stat& st);
// The two halves of safe_read_file, for a caller that may not need the contents (an index cached for exactly
// this file, ProfileIndex): the checks and open, with `st` from the descriptor; then the capped read.
Result<UniqueFd> safe_open_file(const std::string& path, std::size_t cap, struct stat& st);
Result<std::string> read_open_file(int fd, const std::string& path, std::size_t cap, const struct stat& st);

// Create `dir` (and parents) if needed and make sure it is a directory owned by us with mode 0700;
// an existing directory with looser modes is tightened if ours, refused if someone else's.
Result<void> ensure_private_dir(const std::string& dir);

// The same, and `note` receives one line when a loose directory of ours was tightened to 0700.
Result<void> ensure_private_dir(const std::string& dir, std::string* note);

// A directory credsh keeps state in: it must be a directory owned by us that nobody else can write. A loose
// directory of ours is tightened to 0700 (`note`, when given, receives one line saying so); someone else's,
// or one that cannot be tightened, is an ErrorKind::unsafe error naming it. A missing one is not_found.
Result<void> check_state_dir(const std::string& dir, std::string* note = nullptr);

// A state file: its directory passes check_state_dir, the file is opened with O_NOFOLLOW (a symlink inside is
// never followed), and it must be a regular file owned by us, not writable by group or others, of at most
// `cap` bytes. Absent: not_found. Planted or loose: ErrorKind::unsafe, the message naming the path (escaped);
// callers treat that as a miss and show the message once.
Result<std::string> read_state_file(const std::string& path, std::size_t cap, std::string* note = nullptr);

// Opens (creating, 0600, O_EXCL first: `created` says whether this call made it) a file of our own in a
// directory already made private: never through a symlink, and only a regular file that is ours and nobody
// else can write. Otherwise ErrorKind::unsafe naming the path (the caller may remove it and try again).
Result<UniqueFd> open_own_file(const std::string& path, bool* created = nullptr);

// Opens (creating, 0600) the lock file `path` in a directory already made private: never through a symlink,
// and only a regular file that is ours and nobody else can write (someone else's could be held forever).
// The descriptor is the caller's to close.
Result<int> open_lock_file(const std::string& path);

// read_state_file for a caller that has nobody to show a note to: when the read fails and a loose directory
// of ours was tightened on the way, the note joins the error's message; the tightening itself is the fix,
// and the next read is quiet.
Result<std::string> read_state_file_noting(const std::string& path, std::size_t cap);

// ensure_private_dir on the directory of `path` (which must be absolute), then atomic_write_file, 0600.
Result<void> write_private_file(const std::string& path, const std::string& data);

// Removes `path`: true when a file was removed, false when there was none.
Result<bool> remove_file(const std::string& path);

// An exclusive flock on <dir>/<name>.lock (opened by open_lock_file in `dir` made private), released when
// destroyed or when the process dies, so a killed holder never blocks the next one. flock has no timeout:
// acquire polls, so a stuck holder costs a waiter its `timeout_ms`, not forever. When the wait runs out the
// error is `busy(shown_path, timeout_ms)`, or by default "another credsh is refreshing these credentials
// (lock PATH); gave up waiting after N ms".
class FileLock {
  public:
    using BusyText = std::string (*)(const std::string& shown_path, int timeout_ms);
    static Result<FileLock> acquire(const std::string& dir, const std::string& name, int timeout_ms,
                                    BusyText busy = nullptr);

  private:
    explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
    UniqueFd fd_;
};

struct WriteOptions {
    mode_t mode = 0600; // set on the temp file's descriptor before the rename, whatever the umask
    // A file credsh can always make again from others (the profile index): no fsync -- a crash may lose it
    // but never tears it in place, and its reader checks it anyway -- and no test pause points, which are
    // where the tests stop the writers of credentials and state.
    bool rebuildable = false;
};

// Atomically replace `path` with `data` (mode 0600 unless `opts` says otherwise), in a directory already made
// private. `path` itself is replaced, never followed: when it is a symlink, the link is replaced. No path is
// looked up again after the rename (docs/security.md 31).
Result<void> atomic_write_file(const std::string& path, const std::string& data,
                               const WriteOptions& opts = {});

} // namespace credsh
