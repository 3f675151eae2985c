// credsh: puts the right cloud credentials into the right shell. main() captures the process's inputs
// (environment, cwd, clock, own path) into a Context once and dispatches to one subcommand; exceptions are
// caught only here.
#include "base/suggest.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <string>

extern char** environ;

namespace {

// $PWD when it names the current directory (keeps the user's symlinked path, as shells do), else getcwd().
std::string current_dir(const credsh::Env& env) {
    struct stat a, b;
    auto pwd = env.get_nonempty("PWD");
    if (pwd && (*pwd)[0] == '/' && ::stat(pwd->c_str(), &a) == 0 && ::stat(".", &b) == 0 &&
        a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        return *pwd;
    char buf[PATH_MAX];
    if (::getcwd(buf, sizeof buf)) return buf;
    return pwd.value_or("/"); // the directory was deleted: the shell's idea of it is all we have
}

std::string self_path(const char* argv0) {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) return std::string(buf, static_cast<size_t>(n));
    return argv0;
}

void usage(const credsh::Context& ctx) {
    std::string s =
        "usage: credsh <command> [options]   (credsh <command> --help for details)\n\ncommands:\n";
    for (const auto& c : credsh::commands()) {
        std::string name(c.name);
        // Two spaces at least after a long name: the manual page (cmake/manpage.cmake) reads the table by
        // them.
        s += "  " + name + std::string(name.size() < 10 ? 12 - name.size() : 2, ' ') +
             std::string(c.summary) + "\n";
    }
    s += "\n  --version     print the version\n"
         "\nInstall the hook:  eval \"$(credsh hook bash)\"   (zsh likewise; fish: credsh hook fish | "
         "source)\n";
    ctx.out(s);
}

} // namespace

// No core dump of this process, whatever `ulimit -c` says: its memory holds source keys, session tokens and
// MFA codes, and a core lands in the working directory or a crash collector (docs/security.md 36). A
// non-dumpable process is never dumped (the kernel checks this before a core file or a core_pattern pipe) and
// cannot be ptrace-attached or have its /proc memory read by other processes of the user. Plugins run in this
// process, so they are covered too. execve resets the flag, so `credsh exec`'s command and credential_process
// tools keep the user's own settings; for the same reason RLIMIT_CORE, which children inherit, is lowered
// only if the flag cannot be set.
static void disable_core_dumps() {
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0) return;
    struct rlimit none {
        0, 0
    };
    ::setrlimit(RLIMIT_CORE, &none);
}

int main(int argc, char** argv) {
    disable_core_dumps();
    credsh::Context ctx;
    try {
        ctx.env = credsh::Env::from_environ(environ);
        ctx.cwd = current_dir(ctx.env);
        ctx.now = static_cast<std::int64_t>(std::time(nullptr));
        ctx.self = self_path(argv[0]);
        if (auto fake = ctx.env.get_nonempty("CREDSH_TEST_NOW")) ctx.now = std::stoll(*fake); // tests' clock
        if (argc < 2) {
            usage(ctx);
            return 2;
        }
        std::string name = argv[1];
        if (name == "--version" || name == "version") {
            ctx.out("credsh " CREDSH_VERSION "\n");
            return 0;
        }
        if (name == "--help" || name == "-h" || name == "help") {
            usage(ctx);
            return 0;
        }
        const credsh::Command* cmd = credsh::find_command(name);
        if (!cmd) {
            std::vector<std::string> names;
            for (const auto& c : credsh::commands())
                names.emplace_back(c.name);
            ctx.warn("unknown command '" + credsh::printable(name) + "'" +
                     credsh::did_you_mean_text(credsh::did_you_mean(name, names)) + " (see: credsh --help)");
            return 2;
        }
        credsh::Args args(argv + 2, argv + argc);
        return cmd->run(ctx, args);
    } catch (const std::exception& e) {
        ctx.warn(std::string("internal error: ") + e.what());
        return 70;
    }
}
