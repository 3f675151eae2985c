// The whole decision behind `credsh export`, `credsh exec` and `credsh status`, as one pure-ish function:
// inputs (environment, cwd, clock, the shell's remembered state, the command/session choice) -> a plan
// (the value every managed variable should have, credsh's own CREDSH_* variables, the next state, when to
// look again). Rendering the plan as shell code is separate (render_export), so exec and status reuse it.
//
// Reading only small local files, never loading a plugin or touching the network when the applied
// credentials are still valid: this runs whenever a shell's context changes (docs/design.md §4).
#pragma once

#include "credsh_config.hpp"
#include "env.hpp"
#include "result.hpp"
#include "scope.hpp"
#include "shell.hpp"
#include "state.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace credsh {

class PluginHost;

// Variables credsh sets, or clears while one of its scopes is active (stale keys, the AWS_SECURITY_TOKEN and
// AWS_DEFAULT_PROFILE traps that botocore reads before the modern names, other tools' markers, and the
// ASK CLI's environment-mode variables that would otherwise pair a new AWS key with an old ASK token).
std::span<const std::string_view> managed_vars();
// credsh's own exported, non-secret status variables, for `credsh prompt` and other tools.
std::span<const std::string_view> info_vars();

struct ExportRequest {
    Env env; // the environment the binary was started with
    std::string cwd;
    std::int64_t now = 0;
    std::optional<std::string> command_profile; // exec -p
    std::optional<std::string> session_profile; // credsh use
    std::optional<State> state;                 // from the hook; nullopt: the current env is the ambient
    std::optional<ExportMode> mode_override;
    std::optional<std::string> profile_location; // exec --profile-location: a credentials file
    int stderr_fd = 2;                           // for a credential_process's own messages
    bool resolve = true; // false (status): never run a provider; describe what is in the environment
    PluginHost* plugins = nullptr; // loads plugins on first use only; nullptr: plugin-backed profiles fail
    bool interactive = false;      // exec/login: may ask for an MFA code; the hook path never does
    int timeout_ms = 5000;         // per network step and per lock wait
};

using VarValues = std::map<std::string, std::optional<std::string>>;

struct ExportPlan {
    Selection selection;
    std::string aws_profile, ask_profile, provider, region;
    std::string chain; // the AWS profile's planned chain (describe_chain); "" when it cannot be planned
    ExportMode mode = ExportMode::auto_;
    VarValues desired; // every managed variable: value, or nullopt for unset
    VarValues info;    // every CREDSH_* variable
    State state;
    std::optional<std::int64_t> expires;
    std::optional<std::int64_t> refresh_at; // when the hook must call export again
    std::string prompt_template;            // rendered prompt, time left as kTimePlaceholder
    std::vector<std::string> watch;         // files whose change (mtime newer than the stamp) means re-export
    std::vector<std::string> messages;      // one line each, for stderr
    bool failed = false;
};

ExportPlan plan_export(const ExportRequest& req);

// Shell code that turns `current` into the plan. Refuses (error, nothing printed) a name that is not on the
// allow-list or a value the shell cannot carry (NUL; invalid UTF-8 for pwsh): docs/security.md 3.
Result<std::string> render_export(const ExportPlan& plan, const Env& current, const Shell& shell,
                                  const std::string& stamp);

// The environment a child of `credsh exec` gets.
Env child_environment(const ExportPlan& plan, const Env& current);

} // namespace credsh
