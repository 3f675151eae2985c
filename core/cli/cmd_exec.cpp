// credsh exec [-p NAME] -- CMD: the command scope. Only the child sees the profile's credentials; the shell
// is untouched. Without -p the child gets what the shell's scope would give (handy without the hook). The
// child replaces this process (execvp), so its exit status and signals reach the caller unchanged. With
// --server credsh stays instead and serves the credentials to the child on 127.0.0.1 (cmd_serve.cpp).
#include "base/text.hpp"
#include "cli/cli.hpp"
#include <credsh/policy.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace credsh {

int cmd_exec(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string profile, location, mode, session;
    std::vector<std::string> command;
    int state_fd = -1;
    bool server = false;
    desc.add_options()("profile,p", po::value(&profile), "profile for this command (command scope)")(
        "profile-location", po::value(&location),
        "a credentials file to read the profile from (like -ProfileLocation in AWS Tools for PowerShell)")(
        "mode", po::value(&mode),
        "keys or profile: how credentials reach the command (default: as configured)")(
        "session", po::value(&session), "set by the hook's credsh function")(
        "state-fd", po::value(&state_fd),
        "read the shell's remembered state from this descriptor (the hook does)")(
        "server", po::bool_switch(&server),
        "serve the credentials on 127.0.0.1 instead (ECS container format, refreshed as they near expiry): "
        "the "
        "command gets AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN, no keys")(
        "command", po::value(&command), "the command and its arguments, after --");
    po::positional_options_description pos;
    pos.add("command", -1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "exec [-p NAME] [--profile-location FILE] [--server] -- COMMAND [ARGS...]",
        "Runs COMMAND with the credentials of NAME; the shell's own variables stay as they are.", rc);
    if (!vm) return rc;
    if (command.empty()) {
        ctx.warn("exec: no command given (credsh exec -p NAME -- COMMAND)");
        return 2;
    }
    // stdin stays the command's; the hook hands the state over on another descriptor, closed before exec.
    if (state_fd > 2) {
        ctx.state = read_state_from_fd(ctx, state_fd);
        ::close(state_fd);
    }
    ExportRequest req = base_request(ctx);
    req.interactive = true; // a person ran this command: an MFA code may be asked for on /dev/tty
    req.timeout_ms = kInteractiveTimeoutMs;
    if (!profile.empty()) req.command_profile = profile;
    if (!session.empty()) req.session_profile = session;
    if (!location.empty()) req.profile_location = location;
    if (!mode.empty()) {
        auto m = parse_export_mode(mode);
        if (!m) {
            ctx.warn("--mode must be auto, keys or profile");
            return 2;
        }
        req.mode_override = *m;
    }
    if (server) req.mode_override = ExportMode::keys; // the endpoint serves keys, whatever the profile's mode
    ExportPlan plan = plan_export(req);
    for (const auto& m : plan.messages)
        ctx.err(m + "\n");
    if (plan.failed && plan.selection.applies) {
        ctx.warn("exec: not running " + printable(command[0]) + " without the credentials it asked for");
        return 1;
    }
    Env child = child_environment(plan, ctx.env);
    if (!location.empty()) child.set("AWS_SHARED_CREDENTIALS_FILE", location);
    // --server: credsh stays, serving each of the command's requests (cmd_serve.cpp), instead of exec'ing.
    if (server) return serve_credentials(ctx, req, command, child);
    std::vector<std::string> env_strings = child.to_strings();
    std::vector<char*> envp, argv;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : command)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    ::execvpe(argv[0], argv.data(), envp.data());
    int e = errno;
    ctx.warn("exec: " + printable(command[0]) + ": " + std::strerror(e));
    return e == ENOENT ? 127 : 126;
}

} // namespace credsh
