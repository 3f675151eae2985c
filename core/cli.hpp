// The command-line front: one file per subcommand (cmd_<name>.cpp), registered in the sorted table in
// cli.cpp. Each gets a Context -- the environment, cwd and clock captured once in main() -- so a command is a
// function of its inputs, and tests can drive the same code.
#pragma once

#include "env.hpp"
#include "exporter.hpp"
#include "plugin_host.hpp"
#include "result.hpp"

#include <boost/program_options.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

struct Context {
    Env env;
    std::string cwd;
    std::int64_t now = 0;
    std::string self; // absolute path of this binary, for the hook scripts
    int out_fd = 1;
    int err_fd = 2;
    // Created on first use; creating it loads nothing (plugins are dlopen'ed only when a step needs one).
    std::shared_ptr<PluginHost> plugin_host;
    PluginHost* plugins();

    // stdout is only shell code or data the user asked for; anything for a person goes to stderr.
    void out(std::string_view s) const;
    void err(std::string_view s) const;  // as is, but made terminal-safe (terminal_safe())
    void warn(std::string_view s) const; // "credsh: " + s + "\n"
};

using Args = std::vector<std::string>;

struct Command {
    std::string_view name;
    std::string_view summary;
    int (*run)(Context&, const Args&);
};

std::span<const Command> commands();
const Command* find_command(std::string_view name);

namespace po = boost::program_options;

// Parses `args` against `desc` (plus --help). Returns nullopt after printing help (exit 0) or an error
// (exit 2) -- the exit code is stored in `exit_code`.
std::optional<po::variables_map> parse_args(const Context& ctx, const Args& args, po::options_description desc,
                                            const po::positional_options_description& pos,
                                            std::string_view usage, std::string_view about, int& exit_code,
                                            bool allow_unregistered = false);

// The remembered state, read from stdin when the hook passes it (--stdin-state).
std::optional<State> read_state_from_stdin();
std::optional<State> read_state_from_fd(int fd);

// The emitter for a shell named on the command line, or nullptr after telling the user which shells exist.
const Shell* require_shell(const Context& ctx, std::string_view name);

// The profile this shell has active, for subcommands whose PROFILE argument is optional (login, logout, sso):
// CREDSH_PROFILE (what credsh applied), else AWS_PROFILE, else "".
std::string active_profile(const Context& ctx);

// The request every scope-aware command starts from.
ExportRequest base_request(Context& ctx);

// The settings of an aws-sso plugin call (cmd_sso.cpp; login and logout use it too): the profile's keys with its
// [sso-session] and [services] sections, or for an empty `profile` the sso-session `session` alone.
struct ProfileSet;
std::map<std::string, std::string> sso_call_settings(const ProfileSet& profiles, const std::string& profile,
                                                     const std::string& session);

// Subcommands.
int cmd_allow(Context&, const Args&);
int cmd_completion(Context&, const Args&);
int cmd_deny(Context&, const Args&);
int cmd_exec(Context&, const Args&);
int cmd_export(Context&, const Args&);
int cmd_hook(Context&, const Args&);
int cmd_login(Context&, const Args&);
int cmd_logout(Context&, const Args&);
int cmd_pin(Context&, const Args&);
int cmd_plugins(Context&, const Args&);
int cmd_profiles(Context&, const Args&);
int cmd_prompt(Context&, const Args&);
int cmd_sso(Context&, const Args&);
int cmd_status(Context&, const Args&);
int cmd_use(Context&, const Args&);

} // namespace credsh
