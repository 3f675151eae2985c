#include "sso_files.hpp"

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

struct Fd {
    int fd;
    explicit Fd(int f) : fd(f) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string dir_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

} // namespace

Result<void> ensure_private_dir(const std::string& dir) {
    if (dir.empty() || dir[0] != '/') return fail("not an absolute directory: " + printable(dir));
    for (std::size_t pos = dir.find('/', 1); pos != std::string::npos; pos = dir.find('/', pos + 1)) {
        std::string part = dir.substr(0, pos);
        if (part.back() == '/') continue;
        if (::mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            return fail(printable(part) + ": cannot create directory: " + err(errno));
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
        return fail(printable(dir) + ": cannot create directory: " + err(errno));
    Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.fd < 0) return fail(printable(dir) + ": " + err(errno));
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) return fail(printable(dir) + ": " + err(errno));
    if (st.st_uid != ::geteuid()) return fail(printable(dir) + ": not owned by us; refusing to use it");
    if ((st.st_mode & 07777) != 0700 && ::fchmod(fd.fd, 0700) != 0)
        return fail(printable(dir) + ": cannot be made 0700: " + err(errno));
    return {};
}

Result<void> write_private_file(const std::string& path, const std::string& data) {
    const std::string dir = dir_of(path);
    if (auto d = ensure_private_dir(dir); !d) return d.error();
    // Hidden, in the same directory (so rename is atomic), unique by mkstemp.
    std::string tmp = dir + "/." + path.substr(path.find_last_of('/') + 1) + ".tmp-XXXXXX";
    int raw = ::mkostemp(tmp.data(), O_CLOEXEC); // O_EXCL, mode 0600
    if (raw < 0) return fail(printable(path) + ": cannot create a temp file: " + err(errno));
    Fd fd(raw);
    auto abandon = [&](const std::string& what) -> Result<void> {
        int e = errno;
        ::unlink(tmp.c_str());
        return fail(printable(path) + ": " + what + ": " + err(e));
    };
    if (::fchmod(fd.fd, 0600) != 0) return abandon("fchmod");
    for (std::size_t done = 0; done < data.size();) {
        ssize_t n = ::write(fd.fd, data.data() + done, data.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            return abandon("write");
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.fd) != 0) return abandon("fsync");
    if (::rename(tmp.c_str(), path.c_str()) != 0) return abandon("rename");
    Fd dfd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.fd >= 0) (void)::fsync(dfd.fd); // durability of the rename; the data is already safe
    return {};
}

Result<std::string> read_small_file(const std::string& path) {
    constexpr std::size_t cap = 1024 * 1024;
    Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (fd.fd < 0) {
        if (errno == ENOENT || errno == ENOTDIR) return not_found(printable(path) + ": no such file");
        return fail(printable(path) + ": " + err(errno));
    }
    struct stat st {};
    if (::fstat(fd.fd, &st) != 0) return fail(printable(path) + ": " + err(errno));
    if (!S_ISREG(st.st_mode)) return fail(printable(path) + ": not a regular file");
    std::string out;
    char buf[8192];
    for (;;) {
        ssize_t n = ::read(fd.fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail(printable(path) + ": read: " + err(errno));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
        if (out.size() > cap) return fail(printable(path) + ": larger than 1 MiB, not read");
    }
    return out;
}

Result<bool> remove_file(const std::string& path) {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno == ENOENT) return false;
    return fail(printable(path) + ": cannot remove: " + err(errno));
}

Result<Lock> Lock::acquire(const std::string& dir, const std::string& name, int timeout_ms) {
    if (auto d = ensure_private_dir(dir); !d) return d.error();
    std::string path = dir + "/" + name + ".lock";
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return fail("cannot open lock " + printable(path) + ": " + err(errno));
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
