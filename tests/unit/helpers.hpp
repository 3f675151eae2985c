// Shared by the unit tests: temporary directories, reading the conformance suites in place, and a
// loud failure (never a silent skip) when something a test needs is missing.
#pragma once

#include <catch2/catch.hpp>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh::test {

// Aborts the process if the scope takes longer than `seconds`: a read that would block forever (a FIFO, a
// symlink loop) becomes a failure naming the running test, not a stuck CI job. No millisecond assertions.
struct Watchdog {
    static void on_alarm(int) {
        const char msg[] = "\nwatchdog: an operation blocked; aborting\n";
        [[maybe_unused]] auto n = ::write(2, msg, sizeof msg - 1);
        std::abort();
    }
    struct sigaction old {};
    explicit Watchdog(unsigned seconds = 10) {
        struct sigaction sa {};
        sa.sa_handler = &Watchdog::on_alarm;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGALRM, &sa, &old);
        alarm(seconds);
    }
    ~Watchdog() {
        alarm(0);
        sigaction(SIGALRM, &old, nullptr);
    }
};

// Sets the umask for one scope, so "umask 000" tests cannot leak into others.
struct Umask {
    mode_t old;
    explicit Umask(mode_t m) : old(::umask(m)) {}
    ~Umask() { ::umask(old); }
};

inline mode_t mode_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// A fresh directory under $TMPDIR, removed when the object goes away.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "credsh-test-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::permissions(path, std::filesystem::perms::owner_all, ec);
        std::filesystem::remove_all(path, ec);
    }
    std::string str() const { return path.string(); }
};

inline void write_file(const std::filesystem::path& p, const std::string& data) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// ../shared/conformance or $CREDSH_CONFORMANCE_DIR. A missing suite fails the test: it is never skipped.
inline std::filesystem::path conformance_dir() {
    const char* env = std::getenv("CREDSH_CONFORMANCE_DIR");
    std::filesystem::path dir = env && *env ? env : CREDSH_CONFORMANCE_DEFAULT;
    INFO("conformance suites expected at " << dir << " (set CREDSH_CONFORMANCE_DIR)");
    REQUIRE(std::filesystem::is_directory(dir));
    return dir;
}

} // namespace credsh::test
