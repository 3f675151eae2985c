// The plugin's own files: the SSO token cache and client registrations in ~/.aws/sso/cache, shared with the
// AWS CLI, and a lock beside credsh's other locks. Reads and writes go through core/safe_file (linked into
// every plugin through credsh_util), so these files follow exactly the core's rules (docs/security.md 20-22,
// 31-32): the directory ours and 0700, each file written to an O_EXCL|O_NOFOLLOW temp file whose mode is set
// on its descriptor, fsync'd, renamed relative to the directory's descriptor, the directory fsync'd; a token
// or registration is read only when it and its directory are ours and nobody else can write them, never
// through a symlink.
#pragma once

#include "result.hpp"

#include <string>

namespace credsh::sso {

// Creates `dir` (and missing parents, 0700) and makes sure it is ours and 0700 (tightening a loose mode of
// our own directory; refusing someone else's).
Result<void> ensure_private_dir(const std::string& dir);

// Atomically replaces `path` with `data`, mode 0600 whatever the umask.
Result<void> write_private_file(const std::string& path, const std::string& data);

// A state file (safe_file.hpp read_state_file) of at most 1 MiB; ErrorKind::not_found when absent,
// ErrorKind::unsafe (message naming the path) when planted or loose. Never blocks on a FIFO.
Result<std::string> read_small_file(const std::string& path);

// Removes `path`; true when a file was removed, false when there was none.
Result<bool> remove_file(const std::string& path);

// An exclusive flock on <dir>/<name>.lock, waiting at most `timeout_ms`; released when destroyed (or when
// the process dies, so a killed holder never blocks the next one).
class Lock {
  public:
    static Result<Lock> acquire(const std::string& dir, const std::string& name, int timeout_ms);
    Lock(Lock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Lock& operator=(Lock&&) = delete;
    Lock(const Lock&) = delete;
    ~Lock();

  private:
    explicit Lock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

} // namespace credsh::sso
