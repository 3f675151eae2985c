// credsh use NAME: the session scope. A child process cannot change its parent shell, so the hook's `credsh`
// shell function calls this with --shell, evaluates what it prints (one shell variable) and re-runs the hook.
// The hook's export never asks a person anything; so when the profile's chain needs an MFA code and this
// command runs on a terminal, the code is asked here, before the switch, and the session lands in the shared
// cache, where the hook's export finds it (as aws-vault, granted and awsume ask at once).
#include "base/suggest.hpp"
#include "base/text.hpp"
#include "base/tty.hpp"
#include "cli/cli.hpp"
#include "config/ask_config.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/provider.hpp"
#include "shell.hpp"
#include <credsh/policy.hpp>

#include <unistd.h>

namespace credsh {

namespace {

// A person at a terminal typed the command (the hook's function keeps stdin and stderr on the terminal and
// only captures stdout). A script, a pipe or a redirected stderr never gets a question.
bool on_terminal() {
    return ::isatty(STDIN_FILENO) == 1 && ::isatty(STDERR_FILENO) == 1;
}

// Resolves `aws_profile` interactively when a step of its chain needs an MFA code (a fresh cached session
// asks nothing). Returns false after saying why when no credentials came of it.
bool resolve_mfa_now(Context& ctx, const ProfileSet& profiles, const CredshConfig& cfg,
                     const std::string& aws_profile) {
    auto chain = plan_chain(profiles, cfg, aws_profile, web_identity_env(ctx.env));
    if (!chain) return true; // the hook's export says what is wrong with the chain, as for any profile
    bool mfa = false;
    for (const Step& step : *chain)
        if ((step.kind == StepKind::assume_role || step.kind == StepKind::session_token) &&
            profiles.profiles.count(step.profile) &&
            nonempty_prop(profiles.profiles.at(step.profile), "mfa_serial"))
            mfa = true;
    if (!mfa) return true;
    ResolveContext rctx{profiles, cfg, ctx.env, ctx.now, ctx.err_fd};
    rctx.plugins = ctx.plugins();
    rctx.interactive = true;
    rctx.timeout_ms = kInteractiveTimeoutMs;
    auto creds = resolve_credentials(rctx, aws_profile);
    if (creds) return true;
    ctx.warn("use: " + creds.error().message);
    return false;
}

// `credsh use` with no name, typed at a terminal: a numbered list of every profile, read back from /dev/tty
// (a number or a name). "" when nothing was chosen (an empty line, end of input, or no terminal after all).
std::string pick_profile(Context& ctx, const std::string& session) {
    auto profiles = load_profile_files(ctx.env);
    auto ask = load_ask_config(ctx.env);
    auto config = load_credsh_config(ctx.env);
    auto names = known_profile_names(profiles ? &*profiles : nullptr, ask ? &*ask : nullptr,
                                     config ? &*config : nullptr);
    if (names.empty()) {
        ctx.warn("use: no profiles defined (see: credsh profiles)");
        return "";
    }
    std::string list = session.empty() ? "no session profile in this shell; pick one:\n"
                                       : "session profile: " + printable(session) + "; pick another:\n";
    for (std::size_t i = 0; i < names.size(); ++i)
        list += "  " + std::to_string(i + 1) + ") " + printable(names[i]) + "\n";
    list += "number or name (Enter: keep it as it is): ";
    auto line = read_line_from_tty(list);
    if (!line) return "";
    std::string choice(trim(*line));
    if (!choice.empty() && choice.find_first_not_of("0123456789") == std::string::npos && choice.size() < 6) {
        std::size_t n = std::stoul(choice);
        if (n >= 1 && n <= names.size()) return names[n - 1];
    }
    return choice; // a name (checked like a typed one), or "" for nothing
}

} // namespace

int cmd_use(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name, shell_name, session;
    desc.add_options()("profile", po::value(&name), "profile to use in this shell")(
        "clear", "drop the session profile; the directory or default scope applies again")(
        "shell", po::value(&shell_name), "set by the hook's credsh function")(
        "session", po::value(&session), "set by the hook's credsh function");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    // Profile names may start with '-': `use -dev`, `use --profile -dev` and `use -- -dev` all reach "-dev".
    Args words = dash_words_as_value(args, {"--clear", "--help", "-h"}, {"--profile", "--shell", "--session"},
                                     "profile");
    auto vm = parse_args(
        ctx, words, desc, pos, "use [NAME] | use -- NAME | use --clear",
        "Sets this shell's session profile. It wins over .credprofile files and the default,\n"
        "and lasts until `credsh use --clear` or the shell exits (docs/design.md §2).\n"
        "A name that starts with '-' works as it is, or after `--` (needed for names like --clear).\n"
        "Without NAME at a terminal, lists the profiles to pick one by number or name.",
        rc);
    if (!vm) return rc;
    const Shell* shell = find_shell(shell_name);
    if (!shell) {
        ctx.warn("`credsh use` changes the current shell, so it needs the hook: "
                 "eval \"$(credsh hook bash)\" (or zsh, fish, pwsh)");
        return 2;
    }
    if (vm->count("clear")) {
        ctx.out(shell->set_local("__credsh_session", "")); // empty means none, in every shell
        return 0;
    }
    if (name.empty() && on_terminal()) name = pick_profile(ctx, session);
    if (name.empty()) {
        ctx.err(session.empty() ? "credsh: no session profile in this shell\n"
                                : "credsh: session profile: " + session + "\n");
        return 0;
    }
    // Any name the files define may be used (the AWS files allow spaces, ':' and '/'); the value is quoted
    // for the shell like every other. Only control characters are refused: they have no business in a prompt.
    for (unsigned char c : name)
        if (c < 0x20 || c == 0x7f) {
            ctx.warn("not a valid profile name: " + printable(name));
            return 1;
        }
    auto profiles = load_profile_files(ctx.env);
    auto ask = load_ask_config(ctx.env);
    auto config = load_credsh_config(ctx.env);
    bool known = (profiles && profiles->profiles.count(name)) || (ask && ask->profiles.count(name)) ||
                 (config && config->profiles.count(name));
    // A broken AWS file: a name it still shows is selected (the export then says what is wrong with the file,
    // and the prompt carries the error mark) instead of a false "not found".
    if (!known && !profiles) {
        std::optional<Error> problem;
        known = load_readable_profile_names(ctx.env, problem).count(name) > 0;
    }
    if (!known) {
        for (const auto* e : {profiles ? nullptr : &profiles.error(), ask ? nullptr : &ask.error(),
                              config ? nullptr : &config.error()})
            if (e) ctx.warn(e->message);
        auto near =
            did_you_mean(name, known_profile_names(profiles ? &*profiles : nullptr, ask ? &*ask : nullptr,
                                                   config ? &*config : nullptr));
        ctx.warn("profile " + printable(name) + " not found" + did_you_mean_text(near) +
                 " (see: credsh profiles)");
        return 1;
    }
    if (on_terminal() && profiles) {
        CredshConfig cfg = config ? *config : CredshConfig{};
        AskConfig none;
        auto target = resolve_target(name, std::nullopt, *profiles, ask ? *ask : none, cfg);
        if (target && !target->aws_profile.empty() &&
            !resolve_mfa_now(ctx, *profiles, cfg, target->aws_profile))
            return 1; // the shell keeps its profile: `credsh use NAME` again to retry
    }
    ctx.out(shell->set_local("__credsh_session", name));
    return 0;
}

} // namespace credsh
