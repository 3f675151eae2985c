// The plugin's own files: the SSO token cache and client registrations in ~/.aws/sso/cache, shared with the
// AWS CLI, and a lock beside credsh's other locks. The core's safe_file/cred_cache are not linked into
// plugins, so this is the same discipline in a few lines (docs/security.md 20-22): the directory 0700, each file
// written to a mkstemp file in the same directory (O_EXCL, 0600), fsync'd, renamed over the old one, the
// directory fsync'd - a reader (another prompt, the AWS CLI) sees the old token or the new one, never half of
// one, and a Ctrl-C or kill -9 at any point leaves one of the two.
#pragma once

#include "result.hpp"

#include <string>

namespace credsh::sso {

// Creates `dir` (and missing parents, 0700) and makes sure it is ours and 0700 (tightening a loose mode of
// our own directory; refusing someone else's).
Result<void> ensure_private_dir(const std::string& dir);

// Atomically replaces `path` with `data`, mode 0600 whatever the umask.
Result<void> write_private_file(const std::string& path, const std::string& data);

// A regular file of at most 1 MiB; ErrorKind::not_found when absent. Never blocks on a FIFO.
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
