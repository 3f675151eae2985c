#include "cli/cli.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <unistd.h>

#include <array>
#include <cctype>
#include <initializer_list>
#include <iostream>
#include <sstream>

namespace credsh {

namespace {
// Sorted by name; the completion tests (tests/shell/t_completion_*.sh) read every entry's --help.
const std::array<Command, 20> kCommands = {{
    {"allow", "trust the nearest .credprofile (or PATH) exactly as it is now", cmd_allow},
    {"completion", "print the completion script for bash, zsh, fish or pwsh", cmd_completion},
    {"console", "open the AWS console signed in as a profile (--print: only print the URL)", cmd_console},
    {"credential-process", "print a profile's credentials as credential_process JSON, for any SDK or tool",
     cmd_credential_process},
    {"deny", "never use the nearest .credprofile (or PATH)", cmd_deny},
    {"exec", "run one command with a profile's credentials (command scope)", cmd_exec},
    {"export", "print shell code for the current scope (used by the hook)", cmd_export},
    {"hook", "print the hook to install in bash, zsh, fish or pwsh", cmd_hook},
    {"login", "interactive sign-in for a profile that needs it (SSO, MFA)", cmd_login},
    {"logout", "forget a profile's SSO token and the credentials derived from it", cmd_logout},
    {"pin", "write ./.credprofile naming a profile, and trust it", cmd_pin},
    {"plugins", "list the plugins found, with versions and problems", cmd_plugins},
    {"profiles", "list every profile credsh knows", cmd_profiles},
    {"prompt", "print the prompt segment", cmd_prompt},
    {"remove", "delete a profile's keys from the OS keyring, and credsh's line for it", cmd_remove},
    {"serve", "serve a profile's credentials to SDKs on 127.0.0.1 (ECS container format)", cmd_serve},
    {"sso", "IAM Identity Center: list accounts and roles, write matching profiles", cmd_sso},
    {"status", "show the active profile and why (--explain for the scope table)", cmd_status},
    {"store", "keep a profile's long-term keys in the OS keyring (--migrate: out of ~/.aws/credentials)",
     cmd_store},
    {"use", "set this shell's session profile (needs the hook)", cmd_use},
}};

// The options only the hooks pass (docs: issue 11 item 5), per command, sorted: accepted as before, never
// shown by --help (nor so in credsh(1), generated from it, or offered by completion, whose tests read
// --help).
struct HookOnly {
    std::string_view command;
    std::initializer_list<std::string_view> options;
};
const std::array<HookOnly, 4> kHookOnly = {{
    {"exec", {"session", "state-fd", "command"}},
    {"export", {"session", "pid", "stdin-state", "forget-hand"}},
    {"status", {"session", "stdin-state"}},
    {"use", {"shell", "session"}},
}};

bool hook_only(std::string_view command, const std::string& option) {
    for (const HookOnly& h : kHookOnly)
        if (h.command == command)
            for (std::string_view o : h.options)
                if (o == option) return true;
    return false;
}

// A required argument as the user types it: the placeholder the usage line shows at its position
// ("pin NAME ..." -> NAME), else the option's name in capitals -- never the internal "--profile".
std::string missing_argument(const std::string& option, const po::positional_options_description& pos,
                             std::string_view usage) {
    std::string name = option.substr(option.find_first_not_of('-'));
    std::vector<std::string> placeholders;
    std::istringstream words{std::string(usage)};
    std::string w;
    words >> w; // the command
    while (words >> w) {
        std::string bare;
        for (char c : w)
            if (c != '[' && c != ']' && c != '.') bare += c;
        if (!bare.empty() && bare.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") == std::string::npos)
            placeholders.push_back(bare);
    }
    for (unsigned i = 0; i < placeholders.size() && i < pos.max_total_count(); ++i)
        if (pos.name_for_position(i) == name) return placeholders[i];
    std::string upper;
    for (char c : name)
        upper += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return upper;
}

void write_all(int fd, std::string_view s) {
    while (!s.empty()) {
        ssize_t n = ::write(fd, s.data(), s.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return;
        }
        s.remove_prefix(static_cast<size_t>(n));
    }
}
} // namespace

void Context::out(std::string_view s) const {
    write_all(out_fd, s);
}

PluginHost* Context::plugins() {
    if (!plugin_host)
        plugin_host = std::make_shared<PluginHost>(ambient_environment(env, state), executable_dir(), err_fd);
    return plugin_host.get();
}
// Messages carry text from files and servers; whatever a caller forgot to escape is made inert here.
void Context::err(std::string_view s) const {
    write_all(err_fd, terminal_safe(s));
}
void Context::warn(std::string_view s) const {
    write_all(err_fd, "credsh: " + terminal_safe(s) + "\n");
}

std::span<const Command> commands() {
    return kCommands;
}

const Command* find_command(std::string_view name) {
    for (const Command& c : kCommands)
        if (c.name == name) return &c;
    return nullptr;
}

std::optional<po::variables_map> parse_args(const Context& ctx, const Args& args,
                                            po::options_description desc,
                                            const po::positional_options_description& pos,
                                            std::string_view usage, std::string_view about, int& exit_code,
                                            bool allow_unregistered) {
    desc.add_options()("help,h", "show this help");
    const std::string_view command = usage.substr(0, usage.find(' '));
    po::variables_map vm;
    try {
        auto parser = po::command_line_parser(attach_option_values(args, desc)).options(desc).positional(pos);
        if (allow_unregistered) parser.allow_unregistered();
        po::store(parser.run(), vm);
        if (!vm.count("help")) po::notify(vm); // --help needs no required options
    } catch (const po::required_option& e) {
        ctx.warn("missing " + missing_argument(e.get_option_name(), pos, usage) + " (credsh " +
                 std::string(usage) + ")");
        exit_code = 2;
        return std::nullopt;
    } catch (const po::error& e) {
        ctx.warn(std::string(e.what()) + " (see: credsh " + std::string(command) + " --help)");
        exit_code = 2;
        return std::nullopt;
    }
    if (vm.count("help")) {
        po::options_description shown("options"); // every command names its group so
        for (const auto& o : desc.options())
            if (!hook_only(command, o->long_name())) shown.add(o);
        std::ostringstream ss;
        ss << "usage: credsh " << usage << "\n\n" << about << "\n\n" << shown;
        ctx.out(ss.str());
        exit_code = 0;
        return std::nullopt;
    }
    return vm;
}

std::optional<State> read_state_from_stdin(const Context& ctx) {
    return read_state_from_fd(ctx, 0);
}

std::string shell_files_dir(const Env& env) {
    if (auto r = env.get_nonempty("XDG_RUNTIME_DIR"); r && (*r)[0] == '/') return *r + "/credsh";
    if (auto c = env.get_nonempty("XDG_CACHE_HOME"); c && (*c)[0] == '/') return *c + "/credsh/stamps";
    return env.home() + "/.cache/credsh/stamps";
}

std::optional<State> read_state_from_fd(const Context& ctx, int fd) {
    // Parsed from what was read, at most kStateFileCap + 1 bytes, however the read ended.
    auto st = parse_state(read_capped(fd, kStateFileCap).data);
    if (!st) return std::nullopt;
    if (!st->stashed.empty()) {
        std::string stash;
        bool digits = !st->stash.empty() && st->stash.find_first_not_of("0123456789") == std::string::npos;
        if (digits)
            if (auto r = safe_read_file(shell_files_dir(ctx.env) + "/stash-" + st->stash, 64 * 1024))
                stash = *r;
        for (const auto& name : apply_stash(*st, stash))
            ctx.warn("the value " + name +
                     " had before credsh changed it is lost (its stash file is gone); "
                     "it stays unset");
    }
    return *st;
}

std::string active_profile(const Context& ctx) {
    return ctx.env.get_nonempty("CREDSH_PROFILE").value_or(ctx.env.get_nonempty("AWS_PROFILE").value_or(""));
}

const Shell* require_shell(const Context& ctx, std::string_view name) {
    const Shell* shell = find_shell(name);
    if (!shell) ctx.warn("unknown shell '" + printable(name) + "' (bash, zsh, fish or pwsh)");
    return shell;
}

ExportRequest base_request(Context& ctx) {
    ExportRequest req;
    req.env = ctx.env;
    req.cwd = ctx.cwd;
    req.now = ctx.now;
    req.stderr_fd = ctx.err_fd;
    req.state = ctx.state;
    req.plugins = ctx.plugins();
    return req;
}

} // namespace credsh
