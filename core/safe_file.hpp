// Every file credsh reads or writes goes through here, because the files come from places an attacker may
// shape (a cloned repository's .credprofile, a shared /tmp) and because a prompt must never block.
// Reads: O_NONBLOCK + fstat S_ISREG + a size cap, so a FIFO, device, directory or huge sparse file returns
// at once with an error (docs/security.md 15). State files (caches, locks, the trust store, stamps) are read
// only when they and their directory are the user's and nobody else can write them (docs/security.md 20, 32).
// Writes: private directories (0700) and files (0600), written to an O_EXCL|O_NOFOLLOW temp file whose mode
// is set on the descriptor, fsync'd, renamed relative to the directory's descriptor, then the directory
// fsync'd -- no path is touched after the rename (docs/security.md 20-21, 31). The plugins link this file too
// (credsh_util).
#pragma once

#include "result.hpp"

#include <cstddef>
#include <string>
#include <sys/stat.h>
#include <sys/types.h>

namespace credsh {

constexpr std::size_t kCredprofileCap = 64 * 1024;
constexpr std::size_t kConfigCap = 8 * 1024 * 1024;

// The whole file, if it is a regular file of at most `cap` bytes. ENOENT gives ErrorKind::not_found.
// Messages name the path (escaped with printable()) and never the contents.
Result<std::string> safe_read_file(const std::string& path, std::size_t cap);

// The same, and `st` receives the fstat of the descriptor the bytes came from, so a caller can check the
// owner and mode of exactly what it read (no stat-then-open race). `st` is unspecified on error.
Result<std::string> safe_read_file(const std::string& path, std::size_t cap, struct stat& st);

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

// Opens (creating, 0600) the lock file `path` in a directory already made private: never through a symlink,
// and only a regular file that is ours and nobody else can write (someone else's could be held forever).
// The descriptor is the caller's to close.
Result<int> open_lock_file(const std::string& path);

struct WriteOptions {
    mode_t mode = 0600; // set on the temp file's descriptor before the rename, whatever the umask
};

// Atomically replace `path` with `data` (mode 0600 unless `opts` says otherwise), in a directory already made
// private. `path` itself is replaced, never followed: when it is a symlink, the link is replaced. No path is
// looked up again after the rename (docs/security.md 31).
Result<void> atomic_write_file(const std::string& path, const std::string& data,
                               const WriteOptions& opts = {});

} // namespace credsh
