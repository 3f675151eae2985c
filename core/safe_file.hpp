// Every file credsh reads or writes goes through here, because the files come from places an attacker may
// shape (a cloned repository's .credprofile, a shared /tmp) and because a prompt must never block.
// Reads: O_NONBLOCK + fstat S_ISREG + a size cap, so a FIFO, device, directory or huge sparse file returns
// at once with an error (docs/security.md 15). Writes: private directories (0700) and files (0600), written to an
// O_EXCL|O_NOFOLLOW temp file whose mode is set on the descriptor, fsync'd, renamed relative to the directory's
// descriptor, then the directory fsync'd -- no path is touched after the rename (docs/security.md 20-21, 31).
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

struct WriteOptions {
    mode_t mode = 0600; // set on the temp file's descriptor before the rename, whatever the umask
};

// Atomically replace `path` with `data` (mode 0600 unless `opts` says otherwise), in a directory already made
// private. `path` itself is replaced, never followed: when it is a symlink, the link is replaced. No path is
// looked up again after the rename (docs/security.md 31).
Result<void> atomic_write_file(const std::string& path, const std::string& data, const WriteOptions& opts = {});

} // namespace credsh
