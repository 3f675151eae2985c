// credsh export SHELL: the hook's one call when something changed. Prints shell code on stdout -- all of it
// or nothing, in one write at the end -- and one line per problem on stderr. The exit status is non-zero
// when something failed, but the code printed then still leaves the shell consistent (stale credentials
// removed, the state updated so the next prompt does not retry at once).
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/state.hpp"
#include "shell.hpp"
#include <credsh/policy.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>

namespace credsh {

namespace {

// Stamps and stashes of shells that are gone are removed whenever a shell takes its first stamp, so the
// directory holds about as many as there are live shells. kill(pid, 0) fails with ESRCH only for a process
// that does not exist; another user's live process (EPERM) keeps its files.
void sweep_stamps(const std::string& dir) {
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
        std::string_view n(e->d_name);
        if (n.rfind("stamp-", 0) != 0 && n.rfind("stash-", 0) != 0) continue;
        long pid = std::strtol(e->d_name + 6, nullptr, 10);
        if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
            ::unlink((dir + "/" + std::string(n)).c_str());
    }
    ::closedir(d);
}

// The stamp's mtime is "when this export started reading files": a file modified later is newer than it,
// which the hook tests with [[ stamp -nt file ]] at every prompt, without spawning anything.
struct Stamp {
    std::string path;
    UniqueFd fd;
    std::optional<timespec> before; // its mtime before this export touched it; none when just created
};

Result<Stamp> touch_stamp(const Env& env, long pid, std::string& note) {
    std::string dir = shell_files_dir(env);
    if (auto r = ensure_private_dir(dir, &note); !r) return r.error();
    Stamp stamp{dir + "/stamp-" + std::to_string(pid), {}, std::nullopt};
    // Only the first export of a shell creates its stamp, and that is when the sweep runs. A state file
    // (docs/security.md 32): one planted while the directory was loose is removed and ours made in its place.
    bool created = false;
    auto fd = open_own_file(stamp.path, &created);
    if (!fd && fd.error().kind == ErrorKind::unsafe) {
        note =
            printable(stamp.path) + ": not a stamp of ours (planted while its directory was open?); replaced";
        ::unlink(stamp.path.c_str());
        fd = open_own_file(stamp.path, &created);
    }
    if (!fd) return fail("cannot create stamp: " + fd.error().message);
    struct stat st {};
    if (!created && ::fstat(fd->get(), &st) == 0) stamp.before = st.st_mtim;
    ::futimens(fd->get(), nullptr);
    stamp.fd = std::move(*fd);
    if (created) sweep_stamps(dir);
    return stamp;
}

bool older(const timespec& a, const timespec& b) {
    return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec < b.tv_nsec);
}

// The stamp goes back to its earlier mtime when nothing the shell's exports read has changed since: every
// watched file still has an mtime and a ctime older than that (the ctime also shows a file put back with an
// old mtime: mv, cp -p, tar), every absent one is still absent, and no directory holding a watched file has
// had an entry added, removed or renamed since. An absent file's own test sees it appear however it does, so
// a directory holding only such a file (~/.ask without cli_config) may change without moving the stamp. So
// the stamp only moves when something changed, which is what lets the bash, zsh and fish hooks replay an
// earlier export (--memo): their test of a kept export compares the files and those directories with the
// stamp. Going back never hides a change: anything modified during this export is newer than the touched
// stamp, so newer than the earlier mtime too, and fails the check here or at the next prompt. Returns the
// stamp's mtime as the hook keeps it ("seconds.nanoseconds"): a different one means the earlier exports no
// longer hold.
std::string settle_stamp(const Stamp& stamp, const ExportPlan& plan) {
    bool keep = stamp.before.has_value();
    struct stat st {};
    std::set<std::string> dirs;
    for (const auto& w : plan.watch) {
        if (keep && (::stat(w.c_str(), &st) != 0 || !older(st.st_mtim, *stamp.before) ||
                     !older(st.st_ctim, *stamp.before)))
            keep = false;
        dirs.insert(w.substr(0, w.rfind('/')));
    }
    for (const auto& a : plan.absent)
        if (keep && ::lstat(a.c_str(), &st) == 0) keep = false;
    for (const auto& d : dirs)
        if (keep && !d.empty() && ::stat(d.c_str(), &st) == 0 && !older(st.st_mtim, *stamp.before))
            keep = false;
    if (keep) {
        const timespec times[2] = {*stamp.before, *stamp.before};
        if (::futimens(stamp.fd.get(), times) != 0) keep = false;
    }
    if (::fstat(stamp.fd.get(), &st) != 0) return "";
    return std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

// A variable whose value must not be kept in the shell's text: credsh's secret variables and anything named
// like a secret (an LWA client confirmation, a container authorization token). A path to one (_FILE) is not.
bool secret_like(std::string_view name) {
    if (is_secret_var(name)) return true;
    if (name.ends_with("_FILE")) return false;
    for (std::string_view word :
         {"SECRET", "TOKEN", "PASSWORD", "PASSPHRASE", "CONFIRMATION", "AUTHORIZATION"})
        if (name.find(word) != std::string_view::npos) return true;
    return false;
}

bool shell_identifier(std::string_view name) {
    auto word = [](char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (name.empty() || !word(name[0])) return false;
    for (char c : name)
        if (!word(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

// `credsh export --memo` (bash, zsh, fish): the test under which the hook may evaluate this export's text
// again instead of running the binary, when it comes back to the same scope from the same state -- or "" when
// it may not. Such an export depends on nothing but the watched files (the hook tests them as at every
// prompt, and the directories holding them, as settle_stamp does), its arguments (the hook's key) and the
// variables it read, which this test compares with the values they had, each alone ("x" and the value when
// set): not one that depends on the time (an expiry, a refresh or retry time, kept credentials), said
// anything, failed, holds or stashes a secret, read a variable named like a secret that is set, or read the
// whole environment (a plugin or a child process ran). When the credentials were obtained may differ from a
// fresh export's; it only decides whether they survive a logout, and a logout since the stamp fails the file
// test. PWD is left out: it only decides which .credprofile applies, and the hook's key is that file, found
// by the hook's own walk.
std::string replay_test(const ExportPlan& plan, const NameSet& read, const Env& env, const Shell& shell,
                        bool said, bool stashed) {
    if (plan.failed || said || stashed || !plan.error.empty() || !plan.messages.empty() ||
        !plan.hand.empty() || plan.expires || plan.refresh_at || !plan.state.kept.empty() || read.count("*"))
        return "";
    std::set<std::string> reads(read.begin(), read.end()); // in order: the same test for the same export
    for (const auto& [name, value] : plan.desired)
        if (value && is_secret_var(name)) return "";
    // The text leaves out a variable that already has its value (render_export), so it depends on those too.
    for (const auto& [name, value] : plan.desired)
        reads.insert(name);
    for (const auto& [name, value] : plan.info)
        reads.insert(name);
    // bash and zsh: one [[ ]] expression; fish: commands joined by `; and`, where `set -qx` is true only for
    // an exported variable (what the binary sees) and "$V" is its value as exported (a list joined by spaces,
    // a path variable by colons); "x" in front, so no value is taken for one of test's operators.
    const bool fish = shell.name == std::string_view("fish");
    std::string test = fish ? "true" : "-n x";
    for (const auto& name : reads) {
        if (name == "PWD") continue;
        if (!shell_identifier(name)) return ""; // not one the test can name
        auto value = env.get(name);
        if (value && (secret_like(name) || !shell.representable("x" + *value))) return "";
        if (fish)
            test += value ? "; and set -qx " + name + "; and test \"x$" + name +
                                "\" = " + shell.quote("x" + *value)
                          : "; and not set -qx " + name;
        else
            test += value ? " && ${" + name + "+x$" + name + "} == " + shell.quote("x" + *value)
                          : " && -z ${" + name + "+x}";
    }
    return test;
}

} // namespace

int cmd_export(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string shell_name;
    long pid = 0;
    std::string session;
    desc.add_options()("shell", po::value(&shell_name)->required(), "bash, zsh, fish or pwsh")(
        "session", po::value(&session), "this shell's session profile (set by `credsh use`)")(
        "pid", po::value(&pid), "the shell's process id (names its stamp file)")(
        "stdin-state", "read the shell's remembered state from stdin")(
        "forget-hand", "values set by hand stop standing (the hook's `credsh use`)")(
        "memo", "say whether, and under which test, the hook may replay this export (bash, zsh, fish)");
    po::positional_options_description pos;
    pos.add("shell", 1);
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "export SHELL",
                   "Prints shell code that sets and unsets AWS_*/ASK_* variables for the scope that applies "
                   "here. The hook calls it;\nyou do not need to.",
                   rc);
    if (!vm) return rc;
    const Shell* shell = require_shell(ctx, shell_name);
    if (!shell) return 2;
    if (pid <= 0) pid = static_cast<long>(::getppid());
    bool memo = vm->count("memo") && shell->name != std::string_view("pwsh");
    // Before anything reads the environment for the plan: the replay test names every variable read.
    auto reads = std::make_shared<NameSet>();
    if (memo) ctx.env.record_reads(reads);

    // The logout record exists (empty until the first logout) before the stamp is taken, so the hook watches
    // that file (docs/security.md 48), which changes only at a logout -- not, while it is missing, the
    // nearest existing directory above it, which credsh itself (creds/, locks/) or other programs change.
    // The directories credsh makes beside it later (index/, locks/, creds/) exist before the stamp too: the
    // directory holding the record is one a kept export tests (--memo), and the first profile index saved or
    // lock taken would otherwise change it, as if a watched file had been put back there.
    CacheDirs dirs = cache_dirs(ctx.env);
    std::string logouts = dirs.logouts;
    if (ensure_private_dir(logouts.substr(0, logouts.rfind('/')))) (void)open_own_file(logouts);
    for (const std::string* d : {&dirs.index, &dirs.locks, &dirs.credsh})
        (void)ensure_private_dir(*d);
    // Take the stamp first: anything modified from here on must look newer to the hook.
    std::string note;
    auto stamp = touch_stamp(ctx.env, pid, note);
    if (!note.empty()) ctx.warn(note);
    if (!stamp) {
        ctx.warn(stamp.error().message);
        return 1;
    }

    if (vm->count("stdin-state")) ctx.state = read_state_from_stdin(ctx);
    ExportRequest req = base_request(ctx);
    // The prompt path (docs/security.md 24): a blackholed endpoint costs at most this per step, then a
    // minute's quiet.
    req.timeout_ms = kPromptTimeoutMs;
    if (!session.empty()) req.session_profile = session;
    req.forget_hand = vm->count("forget-hand") > 0;
    ExportPlan plan = plan_export(req);
    // The secret ambient values go to this shell's stash file, never into the text the shell keeps
    // (docs/security.md 42); the state names the file and holds each value's sha256.
    plan.state.stash = std::to_string(pid);
    std::string stash_path = shell_files_dir(ctx.env) + "/stash-" + plan.state.stash;
    if (std::string stash = stash_text(plan.state); !stash.empty()) {
        if (auto w = atomic_write_file(stash_path, stash); !w) {
            ctx.warn(w.error().message);
            return 1; // without the stash the ambient value could not be restored later: change nothing now
        }
    } else {
        ::unlink(stash_path.c_str());
    }
    // Said once: the hook may run export again when nothing changed (a file edited in the stamp's own
    // timestamp tick is looked at again), and the same lines in the same place at the next prompt are noise.
    // Other lines, another directory or session profile, or `credsh use` say them again.
    std::string lines;
    for (const auto& m : plan.messages)
        lines += m + "\n";
    plan.state.said = lines.empty() ? "" : value_hash(req.cwd + '\0' + session + '\0' + lines);
    bool repeat = ctx.state && !req.forget_hand && !lines.empty() && ctx.state->said == plan.state.said;
    std::string gen = settle_stamp(*stamp, plan);
    std::string tail;
    if (memo) {
        tail = shell->set_local("__credsh_gen", gen);
        // replay_test copies the names before it reads the environment itself (those reads are recorded too).
        tail += shell->set_local("__credsh_memo",
                                 replay_test(plan, *reads, ctx.env, *shell, !lines.empty() || !note.empty(),
                                             !stash_text(plan.state).empty()));
    }
    auto code = render_export(plan, ctx.env, *shell, stamp->path, tail);
    if (!repeat) ctx.err(lines);
    if (!code) {
        ctx.warn(code.error().message);
        return 1; // nothing on stdout: docs/security.md 3
    }
    ctx.out(*code);
    return plan.failed ? 1 : 0;
}

} // namespace credsh
