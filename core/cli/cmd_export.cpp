// credsh export SHELL: the hook's one call when something changed. Prints shell code on stdout -- all of it
// or nothing, in one write at the end -- and one line per problem on stderr. The exit status is non-zero
// when something failed, but the code printed then still leaves the shell consistent (stale credentials
// removed, the state updated so the next prompt does not retry at once).
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "pipeline/cred_cache.hpp"
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
// which the hook tests with [[ file -nt stamp ]] at every prompt, without spawning anything.
Result<std::string> touch_stamp(const Env& env, long pid, std::string& note) {
    std::string dir = shell_files_dir(env);
    if (auto r = ensure_private_dir(dir, &note); !r) return r.error();
    std::string path = dir + "/stamp-" + std::to_string(pid);
    // Only the first export of a shell creates its stamp, and that is when the sweep runs. A state file
    // (docs/security.md 32): one planted while the directory was loose is removed and ours made in its place.
    bool created = false;
    auto fd = open_own_file(path, &created);
    if (!fd && fd.error().kind == ErrorKind::unsafe) {
        note = printable(path) + ": not a stamp of ours (planted while its directory was open?); replaced";
        ::unlink(path.c_str());
        fd = open_own_file(path, &created);
    }
    if (!fd) return fail("cannot create stamp: " + fd.error().message);
    ::futimens(fd->get(), nullptr);
    if (created) sweep_stamps(dir);
    return path;
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
        "forget-hand", "values set by hand stop standing (the hook's `credsh use`)");
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

    // The logout record exists (empty until the first logout) before the stamp is taken, so the hook watches
    // that file (docs/security.md 48), which changes only at a logout -- not, while it is missing, the
    // nearest existing directory above it, which credsh itself (creds/, locks/) or other programs change.
    std::string logouts = cache_dirs(ctx.env).logouts;
    if (ensure_private_dir(logouts.substr(0, logouts.rfind('/')))) (void)open_own_file(logouts);
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
    auto code = render_export(plan, ctx.env, *shell, *stamp);
    if (!repeat) ctx.err(lines);
    if (!code) {
        ctx.warn(code.error().message);
        return 1; // nothing on stdout: docs/security.md 3
    }
    ctx.out(*code);
    return plan.failed ? 1 : 0;
}

} // namespace credsh
