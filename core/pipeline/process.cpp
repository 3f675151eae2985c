// credential_process runs a command the user configured and trusts it to print credentials. What goes wrong
// is everything around that: a shell re-reading the words ($(...), globs, pipes), a hung tool freezing the
// prompt, a grandchild that keeps the pipe open after its parent exited, a zombie left behind, a leaked
// descriptor, a secret quoted back in an error message. So:
//   - the command is split like botocore splits it on POSIX (shlex.split), and never given to /bin/sh;
//   - the child gets exactly the Env it is given (PATH lookup included), stdin /dev/null, stdout a pipe,
//     stderr the caller's descriptor, nothing else open, default signal dispositions, its own process group;
//   - one deadline covers reading and waiting; on expiry the whole group gets SIGTERM, then SIGKILL;
//   - the child is always reaped, and errors describe what failed, never what the tool printed.
#include "pipeline/process.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
#define CREDSH_HAVE_SPAWN_CLOSEFROM 1
#endif
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
#define CREDSH_HAVE_SIGABBREV 1
#endif

namespace credsh {

Result<std::vector<std::string>> split_command_line(const std::string& command) {
    // A transcription of Python's shlex in POSIX mode with whitespace_split (what shlex.split uses), so a
    // config line means the same words to credsh as to the AWS CLI. In particular, inside double quotes only
    // \" and \\ are escapes (shlex keeps "\$" as two characters, unlike sh), and "#" is not a comment.
    enum class State { outside, single, dbl };
    std::vector<std::string> words;
    std::string word;
    bool in_word = false; // distinguishes an empty quoted word ('') from no word at all
    State state = State::outside;
    const std::size_t n = command.size();
    for (std::size_t i = 0; i < n; ++i) {
        const char c = command[i];
        switch (state) {
        case State::single:
            if (c == '\'')
                state = State::outside;
            else
                word += c;
            break;
        case State::dbl:
            if (c == '"') {
                state = State::outside;
            } else if (c == '\\') {
                if (i + 1 >= n) return fail("credential_process: unterminated double quote");
                const char next = command[++i];
                if (next != '"' && next != '\\') word += '\\';
                word += next;
            } else {
                word += c;
            }
            break;
        case State::outside:
            if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                if (in_word) words.push_back(std::move(word));
                word.clear();
                in_word = false;
            } else if (c == '\'') {
                state = State::single;
                in_word = true;
            } else if (c == '"') {
                state = State::dbl;
                in_word = true;
            } else if (c == '\\') {
                if (i + 1 >= n) return fail("credential_process: ends with a backslash");
                word += command[++i];
                in_word = true;
            } else {
                word += c;
                in_word = true;
            }
            break;
        }
    }
    if (state == State::single) return fail("credential_process: unterminated single quote");
    if (state == State::dbl) return fail("credential_process: unterminated double quote");
    if (in_word) words.push_back(std::move(word));
    return words;
}

namespace {

// Messages below say which field is wrong, never its value: the values are credentials.
Result<std::string> string_field(const nlohmann::json& doc, const char* name, bool required) {
    auto it = doc.find(name);
    if (it == doc.end() || it->is_null()) {
        if (required) return fail(std::string("credential_process output: missing ") + name);
        return std::string();
    }
    if (!it->is_string()) return fail(std::string("credential_process output: ") + name + " is not a string");
    const auto& s = it->get_ref<const std::string&>();
    if (required && s.empty()) return fail(std::string("credential_process output: missing ") + name);
    return s;
}

} // namespace

Result<Credentials> parse_process_output(const std::string& json, std::int64_t now) {
    // No exceptions: a parse failure comes back as a discarded value. nlohmann's own messages quote the
    // input near the error, which here would be a secret, so they are never used. nlohmann's lexer reads a
    // NUL byte as the end of input, so one is refused first rather than letting what follows it slip through.
    if (json.find('\0') != std::string::npos) return fail("credential_process output is not valid JSON");
    const nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail("credential_process output is not valid JSON");
    if (!doc.is_object()) return fail("credential_process output is not a JSON object");

    // The SDKs' format has one version. Only the integer 1 is accepted (botocore's `version != 1` would also
    // take 1.0; the Go SDK's int field would not).
    auto version = doc.find("Version");
    if (version == doc.end()) return fail("credential_process output: missing Version (Version must be 1)");
    if (!version->is_number_integer() || version->get<std::int64_t>() != 1)
        return fail("credential_process output: Version must be 1");

    Credentials creds;
    auto field = [&](const char* name, bool required, std::string& out) -> Result<void> {
        auto value = string_field(doc, name, required);
        if (!value) return value.error();
        out = std::move(*value);
        return {};
    };
    if (auto r = field("AccessKeyId", true, creds.access_key_id); !r) return r.error();
    if (auto r = field("SecretAccessKey", true, creds.secret_access_key); !r) return r.error();
    if (auto r = field("SessionToken", false, creds.session_token); !r) return r.error();
    if (auto r = field("AccountId", false, creds.account_id); !r) return r.error();

    std::string expiration;
    if (auto r = field("Expiration", false, expiration); !r) return r.error();
    if (!expiration.empty()) {
        auto when = parse_iso8601(expiration);
        if (!when) return fail("credential_process output: Expiration is not an ISO 8601 time");
        // Never hand out credentials that are already dead (docs/security.md 23); the SDKs would return them
        // and let the first API call fail, which in a shell means exporting keys that cannot work.
        if (*when <= now)
            return fail("credentials from credential_process expired at " + format_iso8601(*when));
        creds.expiration = *when;
    }
    return creds;
}

namespace {

// Between SIGTERM and SIGKILL: time for a well-behaved tool to clean up, short enough for a prompt.
constexpr std::chrono::milliseconds kKillGrace{250};
// PATH when the given environment has none: what execvp and Python's os.defpath use.
constexpr const char* kDefaultPath = "/bin:/usr/bin";

using Clock = std::chrono::steady_clock;

// A close-on-exec copy numbered 3 or above. Every descriptor the child receives is dup2'd onto 0, 1 or 2 from
// one of these, so no dup2 can overwrite the source of a later one, even when the caller runs with 0-2 closed
// or passes stderr_fd = 1.
Result<UniqueFd> high_cloexec_dup(int fd, const char* what) {
    int copy = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (copy < 0) return fail(std::string("credential_process: ") + what + ": " + errno_text(errno));
    return UniqueFd(copy);
}

std::string format_timeout(std::chrono::milliseconds timeout) {
    const long long ms = std::max<long long>(0, timeout.count());
    std::string out = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        std::string frac = std::to_string(1000 + ms % 1000).substr(1); // zero-padded to 3 digits
        while (!frac.empty() && frac.back() == '0')
            frac.pop_back();
        out += "." + frac;
    }
    return out + "s";
}

std::string signal_name(int sig) {
#ifdef CREDSH_HAVE_SIGABBREV
    if (const char* abbrev = sigabbrev_np(sig)) return std::string(" (SIG") + abbrev + ")";
#endif
    (void)sig;
    return {};
}

// PATH search in the child's environment, not ours: like Python's Popen(env=...), the command is looked up
// where the environment it will run in would find it. An empty PATH element means the current directory,
// as in execvp.
Result<std::string> find_executable(const std::string& name, const Env& env) {
    if (name.empty()) return fail("credential_process: empty command name");
    if (name.find('/') != std::string::npos) return name;
    const std::string path = env.get("PATH").value_or(kDefaultPath);
    bool found_unusable = false;
    for (std::string_view dir : split(path, ':')) {
        std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
        struct stat st {};
        if (::stat(candidate.c_str(), &st) != 0) continue;
        if (S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) return candidate;
        found_unusable = true;
    }
    if (found_unusable) return fail("credential_process: " + printable(name) + ": permission denied");
    return fail("credential_process: " + printable(name) + ": command not found in PATH");
}

struct CStrings {
    std::vector<std::string> storage;
    std::vector<char*> ptrs;
    explicit CStrings(std::vector<std::string> strings) : storage(std::move(strings)) {
        for (auto& s : storage)
            ptrs.push_back(s.data());
        ptrs.push_back(nullptr);
    }
};

// posix_spawn rather than fork: no async-signal-safety traps between fork and exec in a process that may
// have threads, and every step (dup2s, close-from, process group, signal reset) is stated up front.
Result<pid_t> spawn_child(const std::string& path, const std::vector<std::string>& argv, const Env& env,
                          int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    if (int rc = posix_spawn_file_actions_init(&actions); rc != 0)
        return fail("credential_process: " + errno_text(rc));
    if (int rc = posix_spawnattr_init(&attr); rc != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return fail("credential_process: " + errno_text(rc));
    }
    struct Cleanup {
        posix_spawn_file_actions_t* a;
        posix_spawnattr_t* b;
        ~Cleanup() {
            posix_spawn_file_actions_destroy(a);
            posix_spawnattr_destroy(b);
        }
    } cleanup{&actions, &attr};

    int rc = posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    if (rc == 0) rc = posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
#ifdef CREDSH_HAVE_SPAWN_CLOSEFROM
    // Our own descriptors are CLOEXEC, but a library or the caller may have opened one without it (a lock
    // file, a socket); the tool gets nothing beyond 0-2.
    if (rc == 0) rc = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif

    // The child starts with an empty signal mask and default handlers for the signals a caller commonly
    // blocks or ignores (an ignored SIGPIPE or SIGINT would otherwise be inherited through exec).
    sigset_t mask;
    sigemptyset(&mask);
    if (rc == 0) rc = posix_spawnattr_setsigmask(&attr, &mask);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2, SIGTSTP,
                    SIGTTIN, SIGTTOU})
        sigaddset(&defaults, sig);
    if (rc == 0) rc = posix_spawnattr_setsigdefault(&attr, &defaults);
    // Its own process group, so a timeout can kill the tool and everything it started in one kill(-pgid).
    if (rc == 0) rc = posix_spawnattr_setpgroup(&attr, 0);
    if (rc == 0)
        rc = posix_spawnattr_setflags(
            &attr,
            static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    if (rc != 0) return fail("credential_process: " + errno_text(rc));

    CStrings args(argv);
    CStrings envp(env.to_strings());
    pid_t pid = -1;
    rc = posix_spawn(&pid, path.c_str(), &actions, &attr, args.ptrs.data(), envp.ptrs.data());
    if (rc != 0) return fail("credential_process: cannot run " + printable(argv[0]) + ": " + errno_text(rc));
    return pid;
}

// Has the child exited? It is left unreaped (WNOWAIT): while it is a zombie its pid, which is also the id
// of its process group, cannot be reused, so signalling the group later cannot hit a stranger.
bool child_exited(pid_t pid) {
    for (;;) {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0)
            return info.si_pid == pid;
        if (errno != EINTR) return true; // ECHILD: nothing left to wait for
    }
}

bool wait_exit_until(pid_t pid, Clock::time_point deadline) {
    auto step = std::chrono::milliseconds(1);
    while (!child_exited(pid)) {
        const auto now = Clock::now();
        if (now >= deadline) return false;
        std::this_thread::sleep_for(std::min<Clock::duration>(step, deadline - now));
        step = std::min(step * 2, std::chrono::milliseconds(20));
    }
    return true;
}

// SIGTERM to the group (and SIGCONT, in case a member is stopped, e.g. by reading the terminal from a
// background group), a short grace, then SIGKILL to whatever is left of the group.
void kill_group(pid_t pid) {
    ::kill(-pid, SIGTERM);
    ::kill(-pid, SIGCONT);
    wait_exit_until(pid, Clock::now() + kKillGrace);
    ::kill(-pid, SIGKILL);
}

// Blocking reap; -1 when the status is unknowable (SIGCHLD ignored by the caller reaps children for us).
int reap(pid_t pid) {
    int status = 0;
    for (;;) {
        if (::waitpid(pid, &status, 0) == pid) return status;
        if (errno != EINTR) return -1;
    }
}

void wipe(std::string& s) {
    OPENSSL_cleanse(s.data(), s.size());
    s.clear();
}

Result<std::string> capture_stdout(const std::vector<std::string>& argv, const Env& env,
                                   const ProcessOptions& options) {
    auto path = find_executable(argv[0], env);
    if (!path) return path.error();

    int raw[2];
    if (::pipe2(raw, O_CLOEXEC) != 0) return fail("credential_process: pipe: " + errno_text(errno));
    UniqueFd raw_read(raw[0]), raw_write(raw[1]);
    auto read_end = high_cloexec_dup(raw_read.get(), "pipe");
    auto write_end = high_cloexec_dup(raw_write.get(), "pipe");
    raw_read.reset();
    raw_write.reset();
    if (!read_end) return read_end.error();
    if (!write_end) return write_end.error();

    UniqueFd null_raw(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (null_raw.get() < 0) return fail("credential_process: /dev/null: " + errno_text(errno));
    auto null_in = high_cloexec_dup(null_raw.get(), "/dev/null");
    null_raw.reset();
    if (!null_in) return null_in.error();
    auto err_out = high_cloexec_dup(options.stderr_fd, "stderr descriptor");
    if (!err_out) return err_out.error();

    const auto deadline = Clock::now() + options.timeout;
    auto spawned = spawn_child(*path, argv, env, null_in->get(), write_end->get(), err_out->get());
    // Our copy of the write end must go, or EOF never comes.
    write_end->reset();
    null_in->reset();
    err_out->reset();
    if (!spawned) return spawned.error();
    const pid_t pid = *spawned;

    // Everything the child writes to stdout until EOF, the deadline, or the cap; reserved up front, since
    // fewer reallocations means fewer stale copies of the secret on the heap.
    const Deadline until(deadline);
    CappedRead got = read_capped(read_end->get(), kReplyCap, &until, 64 * 1024);
    std::string& out = got.data;
    ReadEnd end = got.end;
    if (end == ReadEnd::eof && !wait_exit_until(pid, deadline)) end = ReadEnd::timeout;
    if (end != ReadEnd::eof) kill_group(pid);
    // Close before reaping: a writer still blocked on a full pipe must see EPIPE rather than block.
    read_end->reset();
    const int status = reap(pid);

    if (end != ReadEnd::eof) wipe(out);
    switch (end) {
    case ReadEnd::timeout:
        return fail("credential_process timed out after " + format_timeout(options.timeout) +
                    (options.timeout_hint.empty() ? "" : " (" + options.timeout_hint + ")"));
    case ReadEnd::too_big:
        return fail("credential_process wrote more than 1 MiB to stdout");
    case ReadEnd::io_error:
        return fail("credential_process: reading its output failed");
    case ReadEnd::eof:
        break;
    }
    if (status == -1) {
        wipe(out);
        return fail("credential_process: exit status unavailable");
    }
    if (WIFSIGNALED(status)) {
        wipe(out);
        const int sig = WTERMSIG(status);
        return fail("credential_process was killed by signal " + std::to_string(sig) + signal_name(sig));
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        wipe(out);
        return fail("credential_process exited with code " + std::to_string(WEXITSTATUS(status)));
    }
    return out;
}

} // namespace

Result<Credentials> run_credential_process(const std::string& command, const Env& env, std::int64_t now,
                                           const ProcessOptions& options) {
    auto argv = split_command_line(command);
    if (!argv) return argv.error();
    if (argv->empty()) return fail("credential_process is empty");
    for (const auto& word : *argv)
        if (word.find('\0') != std::string::npos) return fail("credential_process contains a NUL byte");

    auto output = capture_stdout(*argv, env, options);
    if (!output) return output.error();
    auto creds = parse_process_output(*output, now);
    wipe(*output);
    return creds;
}

} // namespace credsh
