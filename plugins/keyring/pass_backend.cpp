// The pass backend: `pass` (the standard Unix password store, gpg behind it) run as a child with the
// environment credsh was started with, never through a shell; the secret goes in on its stdin and comes back
// on its stdout, never in argv. The child's process group is killed at the call's deadline. In a prompt hook
// (not interactive) gpg is told never to ask for a passphrase (--pinentry-mode=error): a key that needs one
// fails with one line instead of a pinentry popping up.
#include "backends.hpp"

#include "base/deadline.hpp"
#include "base/safe_file.hpp"
#include "base/text.hpp"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace credsh::keyring {

namespace {

constexpr std::size_t kOutputCap = 64 * 1024;

struct Ran {
    int status = -1;
    std::string out, err;
};

std::string store_dir(const std::map<std::string, std::string>& env) {
    if (auto it = env.find("PASSWORD_STORE_DIR"); it != env.end() && !it->second.empty()) return it->second;
    auto home = env.find("HOME");
    return (home == env.end() ? std::string() : home->second) + "/.password-store";
}

Result<Ran> run_pass(const Call& c, std::vector<std::string> args, const std::string& input) {
    std::map<std::string, std::string> env = c.env;
    if (!c.interactive) {
        std::string& opts = env["PASSWORD_STORE_GPG_OPTS"];
        opts += (opts.empty() ? "" : " ") + std::string("--pinentry-mode=error");
    }
    std::vector<std::string> env_strings;
    for (const auto& [k, v] : env)
        env_strings.push_back(k + "=" + v);
    args.insert(args.begin(), "pass");
    std::vector<char*> argv, envp;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_strings)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0) return fail(std::string("pass: pipe: ") + std::strerror(errno));
    if (::pipe2(out, O_CLOEXEC) != 0) {
        ::close(in[0]);
        ::close(in[1]);
        return fail(std::string("pass: pipe: ") + std::strerror(errno));
    }
    if (::pipe2(err, O_CLOEXEC) != 0) {
        for (int fd : {in[0], in[1], out[0], out[1]})
            ::close(fd);
        return fail(std::string("pass: pipe: ") + std::strerror(errno));
    }
    pid_t pid = ::fork();
    if (pid < 0) {
        for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]})
            ::close(fd);
        return fail(std::string("pass: fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        ::dup2(in[0], 0);
        ::dup2(out[1], 1);
        ::dup2(err[1], 2);
        ::execvpe("pass", argv.data(), envp.data());
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    // The input is small (one JSON line): it fits the pipe, so writing it all before reading cannot block.
    const char* p = input.data();
    std::size_t left = input.size();
    // A child that exits before reading (no pass) must not kill credsh with SIGPIPE: blocked for the write,
    // and a pending one taken away, without changing the host's disposition.
    sigset_t pipe_set, old_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    while (left > 0) {
        ssize_t n = ::write(in[1], p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    ::close(in[1]);
    const struct timespec zero {};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    Deadline deadline(c.timeout_ms > 0 ? c.timeout_ms : 30000);
    ::fcntl(out[0], F_SETFL, ::fcntl(out[0], F_GETFL) | O_NONBLOCK);
    ::fcntl(err[0], F_SETFL, ::fcntl(err[0], F_GETFL) | O_NONBLOCK);
    CappedRead o = read_capped(out[0], kOutputCap, &deadline);
    CappedRead e = o.end == ReadEnd::timeout ? CappedRead{} : read_capped(err[0], kOutputCap, &deadline);
    ::close(out[0]);
    ::close(err[0]);
    bool timed_out = o.end == ReadEnd::timeout || e.end == ReadEnd::timeout;
    if (timed_out) ::kill(-pid, SIGKILL);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out)
        return fail("pass did not finish within " + std::to_string(c.timeout_ms / 1000) +
                    " s (gpg waiting for a passphrase?); its process group was killed");
    Ran r;
    r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = std::move(o.data);
    r.err = std::move(e.data);
    if (r.status == 127 && r.err.empty()) return fail("pass is not installed (Debian: apt install pass)");
    return r;
}

// pass's first line of complaint, made terminal-safe (it never holds the secret: that goes through stdin and
// stdout only).
std::string complaint(const Ran& r) {
    std::string first = r.err.substr(0, r.err.find('\n'));
    return first.empty() ? "pass exited with status " + std::to_string(r.status)
                         : "pass: " + printable(first);
}

} // namespace

bool pass_initialised(const std::map<std::string, std::string>& env) {
    struct stat st {};
    return ::stat((store_dir(env) + "/.gpg-id").c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

Result<std::optional<Keys>> pass_get(const Call& c) {
    if (!pass_initialised(c.env))
        return fail("pass is not initialised (no " + printable(store_dir(c.env)) +
                    "/.gpg-id; run pass init GPG-ID)");
    auto r = run_pass(c, {"show", pass_entry(c.profile)}, "");
    if (!r) return r.error();
    if (r->status != 0) {
        if (r->err.find("is not in the password store") != std::string::npos) return std::optional<Keys>();
        return fail(complaint(*r));
    }
    std::string text = r->out.substr(0, r->out.find('\n'));
    auto k = decode_keys(text);
    if (!k) return k.error();
    return std::optional<Keys>(*k);
}

Result<void> pass_put(const Call& c, const Keys& k) {
    if (!pass_initialised(c.env))
        return fail("pass is not initialised (no " + printable(store_dir(c.env)) +
                    "/.gpg-id; run pass init GPG-ID)");
    auto r = run_pass(c, {"insert", "--multiline", "--force", pass_entry(c.profile)}, encode_keys(k) + "\n");
    if (!r) return r.error();
    if (r->status != 0) return fail(complaint(*r));
    return {};
}

Result<bool> pass_remove(const Call& c) {
    if (!pass_initialised(c.env))
        return fail("pass is not initialised (no " + printable(store_dir(c.env)) +
                    "/.gpg-id; run pass init GPG-ID)");
    auto r = run_pass(c, {"rm", "--force", pass_entry(c.profile)}, "");
    if (!r) return r.error();
    if (r->status != 0) {
        if (r->err.find("is not in the password store") != std::string::npos) return false;
        return fail(complaint(*r));
    }
    return true;
}

} // namespace credsh::keyring
