#include "sso_files.hpp"

#include "safe_file.hpp"
#include "text.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace credsh::sso {

namespace {

std::string err(int e) {
    return std::strerror(e);
}

std::string dir_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

Result<void> ensure_private_dir(const std::string& dir) {
    if (dir.empty() || dir[0] != '/') return fail("not an absolute directory: " + printable(dir));
    return credsh::ensure_private_dir(dir);
}

Result<void> write_private_file(const std::string& path, const std::string& data) {
    if (auto d = ensure_private_dir(dir_of(path)); !d) return d.error();
    return atomic_write_file(path, data);
}

Result<std::string> read_small_file(const std::string& path) {
    std::string note;
    auto r = read_state_file(path, 1024 * 1024, &note);
    // A loose cache directory was tightened: that note travels with the result only when it failed; the
    // tightening itself is the fix, and the next read is quiet.
    if (!r && !note.empty()) return Error{r.error().message + "; " + note, r.error().kind};
    return r;
}

Result<bool> remove_file(const std::string& path) {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    return fail(printable(path) + ": cannot remove: " + err(errno));
}

Result<Lock> Lock::acquire(const std::string& dir, const std::string& name, int timeout_ms) {
    if (auto d = ensure_private_dir(dir); !d) return d.error();
    std::string path = dir + "/" + name + ".lock";
    auto opened = open_lock_file(path);
    if (!opened) return opened.error();
    int fd = *opened;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    for (;;) {
        if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return Lock(fd);
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int e = errno;
            ::close(fd);
            return fail("cannot lock " + printable(path) + ": " + err(e));
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            ::close(fd);
            return fail("another process is refreshing this SSO token (lock " + printable(path) + ")");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

Lock::~Lock() {
    if (fd_ >= 0) ::close(fd_);
}

} // namespace credsh::sso
