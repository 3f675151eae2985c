// The command-line front: one file per subcommand (cmd_<name>.cpp), registered in the sorted table in
// cli.cpp. Each gets a Context -- the environment, cwd and clock captured once in main() -- so a command is a
// function of its inputs, and tests can drive the same code.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "pipeline/exporter.hpp"
#include "pipeline/plugin_host.hpp"

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
    // The shell's remembered state, when the hook handed it over; read it before anything calls plugins().
    std::optional<State> state;
    // Created on first use; creating it loads nothing (plugins are dlopen'ed only when a step needs one).
    // Plugins see the ambient environment (ambient_environment(env, state)), never credsh's own exports.
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
std::optional<po::variables_map> parse_args(const Context& ctx, const Args& args,
                                            po::options_description desc,
                                            const po::positional_options_description& pos,
                                            std::string_view usage, std::string_view about, int& exit_code,
                                            bool allow_unregistered = false);

// Boost.Program_options takes every word that starts with '-' for an option, so `exec -p -dev` could not name
// the profile "-dev" (profile names may start with '-'), nor the hook pass `--session -dev`. As getopt does,
// an option that takes a value takes the next word, whatever it starts with: before parsing, each `-S VALUE`,
// `-S=VALUE` and `--LONG VALUE` of such an option in `desc` becomes `--LONG=VALUE`, up to the first `--`
// (which is never taken for a value); an empty value (the hooks pass `--session=` when there is none) becomes
// the two words `--LONG` "" instead, as Boost refuses `--LONG=`. parse_args() does this for every command;
// inline for the unit tests.
inline Args attach_option_values(const Args& args, const po::options_description& desc) {
    struct Valued {
        std::string s, l; // "-p" (or "") and "--profile"
    };
    std::vector<Valued> valued;
    for (const auto& o : desc.options()) {
        if (o->semantic()->max_tokens() == 0) continue;
        std::string s = o->canonical_display_name(po::command_line_style::allow_dash_for_short);
        valued.push_back({s.size() == 2 ? s : std::string(), "--" + o->long_name()});
    }
    Args out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        const Valued* next = nullptr;
        const Valued* joined = nullptr;
        for (const auto& v : valued) {
            if (a == v.l || (!v.s.empty() && a == v.s)) next = &v;
            if (!v.s.empty() && a.size() > 2 && a.compare(0, 3, v.s + "=") == 0) joined = &v;
        }
        // Boost refuses `--LONG=` with nothing after '=': an empty value stays a word of its own.
        auto attach = [&](const std::string& l, const std::string& value) {
            if (value.empty()) {
                out.push_back(l);
                out.push_back(value);
            } else {
                out.push_back(l + "=" + value);
            }
        };
        bool empty_joined = false;
        for (const auto& v : valued)
            empty_joined |= a == v.l + "=";
        if (next && i + 1 < args.size() && args[i + 1] != "--")
            attach(next->l, args[++i]);
        else if (joined)
            attach(joined->l, a.substr(3));
        else if (empty_joined)
            attach(a.substr(0, a.size() - 1), "");
        else
            out.push_back(a);
    }
    return out;
}

// For `use`, whose one positional argument is a profile name: a word before `--` that starts with '-' and is
// none of the command's options is that name (`--NAME=...` for `long_name`), so `credsh use -dev` works as
// completion inserts it; a name that equals an option (`--clear`, `-h`) needs `credsh use -- NAME`. `flags`
// are the options without a value, `with_value` those that take the next word (or `=VALUE`).
inline Args dash_words_as_value(const Args& args, std::initializer_list<std::string_view> flags,
                                std::initializer_list<std::string_view> with_value,
                                std::string_view long_name) {
    Args out;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a == "--") {
            out.insert(out.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
            break;
        }
        bool known = false, takes_next = false;
        for (std::string_view f : flags)
            known |= a == f;
        for (std::string_view o : with_value) {
            if (a == o) known = takes_next = true;
            if (a.size() > o.size() && a.compare(0, o.size(), o) == 0 && a[o.size()] == '=') known = true;
        }
        if (a.size() > 1 && a[0] == '-' && !known) {
            out.push_back("--" + std::string(long_name) + "=" + a);
            continue;
        }
        out.push_back(a);
        if (takes_next && i + 1 < args.size()) out.push_back(args[++i]);
    }
    return out;
}

// The remembered state, read from stdin when the hook passes it (--stdin-state). The secret ambient values it
// names are read back from the shell's stash file (state.hpp); one that cannot be is unset, with a warning.
std::optional<State> read_state_from_stdin(const Context& ctx);
std::optional<State> read_state_from_fd(const Context& ctx, int fd);

// The per-shell files of `credsh export`: stamp-PID and stash-PID (0700 directory): $XDG_RUNTIME_DIR/credsh,
// else $XDG_CACHE_HOME/credsh/stamps, else ~/.cache/credsh/stamps.
std::string shell_files_dir(const Env& env);

// The emitter for a shell named on the command line, or nullptr after telling the user which shells exist.
const Shell* require_shell(const Context& ctx, std::string_view name);

// The profile this shell has active, for subcommands whose PROFILE argument is optional (login, logout, sso):
// CREDSH_PROFILE (what credsh applied), else AWS_PROFILE, else "".
std::string active_profile(const Context& ctx);

// The request every scope-aware command starts from (with ctx.state).
ExportRequest base_request(Context& ctx);

// The credential endpoint (cmd_serve.cpp): serves `base`'s profile on 127.0.0.1 in the ECS container format,
// each request through plan_export(). With a command (exec --server), runs it with `child_env` minus every
// credential variable plus the endpoint's URI and token, forwards signals, and returns its exit status once
// it has ended and the port is closed; without one, prints the two variables and serves until INT/TERM/HUP.
int serve_credentials(Context& ctx, const ExportRequest& base, const std::vector<std::string>& command,
                      Env child_env);

// Subcommands.
int cmd_allow(Context&, const Args&);
int cmd_completion(Context&, const Args&);
int cmd_console(Context&, const Args&);
int cmd_credential_process(Context&, const Args&);
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
int cmd_remove(Context&, const Args&);
int cmd_serve(Context&, const Args&);
int cmd_sso(Context&, const Args&);
int cmd_status(Context&, const Args&);
int cmd_store(Context&, const Args&);
int cmd_use(Context&, const Args&);

} // namespace credsh
