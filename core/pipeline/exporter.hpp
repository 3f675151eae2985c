// The whole decision behind `credsh export`, `credsh exec` and `credsh status`, as one pure-ish function:
// inputs (environment, cwd, clock, the shell's remembered state, the command/session choice) -> a plan
// (the value every managed variable should have, credsh's own CREDSH_* variables, the next state, when to
// look again). Rendering the plan as shell code is separate (render_export), so exec and status reuse it.
//
// plan_export runs five phases, each a function below with plain inputs and outputs and its own unit tests
// (tests/unit/test_export_plan.cpp): load the world (load_world), select the scope (select_export_scope), the
// credentials (choose_export_mode, obtain_credentials, apply_credentials), ASK environment mode
// (apply_ask_env), decorate (forget_stale_extras, describe, add_watch_files, next_state).
//
// Reading only small local files, never loading a plugin or touching the network when the applied
// credentials are still valid: this runs whenever a shell's context changes (docs/design.md §4).
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/ask_config.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/ask_token.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/credentials.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/scope.hpp"
#include "pipeline/state.hpp"
#include "shell.hpp"
#include <credsh/policy.hpp>

#include <cstdint>
#include <functional>
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
    PluginHost* plugins = nullptr;   // loads plugins on first use only; nullptr: plugin-backed profiles fail
    bool interactive = false;        // exec/login: may ask for an MFA code; the hook path never does
    int timeout_ms = kStepTimeoutMs; // per network step and per lock wait
    bool forget_hand = false;        // `credsh use`: values set by hand stop standing
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
    std::optional<std::int64_t> obtained;   // when the applied credentials were obtained
    std::optional<std::int64_t> refresh_at; // when the hook must call export again
    std::string prompt_template;            // rendered prompt, time left as kTimePlaceholder
    std::vector<std::string> watch;    // files whose change (mtime not older than the stamp) means re-export
    std::vector<std::string> absent;   // files whose appearance means re-export
    std::vector<std::string> messages; // one line each, for stderr
    bool failed = false;
    // The selected profile has no usable credentials: "" (fine), "failed" or "login" (needs `credsh login`).
    // CREDSH_ERROR, the prompt's %e mark and the state carry it; error_message says what failed.
    std::string error, error_message;
    // Variables set by hand that stand against credsh's choice (for `credsh status`): the shell's value
    // and what credsh would have set, e.g. AWS_PROFILE, "dev", "prod (session)".
    struct HandSet {
        std::string name, value, choice;
    };
    std::vector<HandSet> hand;
};

// The variables the hooks compare at every prompt with what credsh left, without a process (docs/design.md
// "Set by hand"). None is a secret: a key id names a key, it does not unlock it.
std::span<const std::string_view> hand_vars();

ExportPlan plan_export(const ExportRequest& req);

// The environment as it is without credsh: every managed variable at its ambient value (the state's, or the
// user's where they changed it by hand since), and the plugin variables credsh left behind unset. Without a
// state the current environment is the ambient one. What a credential_process and every plugin see
// (plugin_abi.hpp: credsh_request.env); Context::plugins() builds the PluginHost from it.
Env ambient_environment(const Env& current, const std::optional<State>& state);
// The ambient value of each managed variable (the part of ambient_environment() the state remembers).
VarValues ambient_values(const Env& current, const std::optional<State>& state);

// The phases of plan_export, each a function of plain inputs, exposed for tests/unit/test_export_plan.cpp.

// 1. Load the world: credsh's config, the AWS profile files, the ASK CLI's cli_config and the trust store, as
// seen from the ambient environment. A file that cannot be read is a message and `failed`; defaults stand in.
struct ExportWorld {
    CredshConfig config;
    ProfileSet profiles;
    AskConfig ask;
    TrustStore store;
    std::optional<WebIdentityEnv> web_env; // the environment's web identity, which a bare profile may use
    LogoutRecord logouts;                  // what `credsh logout` covered, and when
    std::vector<std::string> messages;
    bool failed = false;
};
// Without `roots`, every profile is parsed; with them, only those that can take part (see load_world).
ExportWorld load_world(const Env& base, const std::vector<std::string>* roots = nullptr);

// 2. Select the scope: command > session > directory (the nearest .credprofile, under the trust policy) >
// ambient > default. `dir` is the walk's result before the [trust] prefix policy (trust.hpp) is applied.
struct ScopeChoice {
    DirLookup dir; // after the policy
    Selection selection;
    std::vector<std::string> messages; // why the .credprofile is not used, trust-store warnings
};
ScopeChoice select_export_scope(const ExportRequest& req, const ExportWorld& world, const VarValues& ambient,
                                DirLookup dir);

// The export mode of `target` and the provider that serves it (classify_profile): keys or profile.
struct ModeChoice {
    ExportMode mode = ExportMode::keys;
    std::string provider; // chain_summary's: what serves the profile
    std::string chain;    // describe_chain's; "" when the chain cannot be planned
};
ModeChoice choose_export_mode(const ExportWorld& world, const Target& target,
                              const std::optional<ExportMode>& mode_override, bool ask_env);

// 3. Credentials in keys mode: the applied ones while untouched and not near expiry (nothing runs), else
// `resolve` (which also names the cache files to watch); a failed refresh keeps still-valid applied ones with
// a warning, and a failure other than "needs login" is not retried for a minute. With `resolve_allowed`
// false (status) the keys in the environment are described instead.
struct CredentialsOutcome {
    std::optional<Credentials> creds;
    std::optional<std::string> provider;  // set when the applied credentials are kept (from the state)
    std::optional<std::int64_t> obtained; // when `creds` were obtained (now, or as the state remembers)
    std::vector<std::string> watch;
    std::vector<std::string> messages; // without the "credsh: " prefix
    std::optional<std::int64_t> refresh_at;
    bool failed = false;
    bool needs_login = false;  // the failure is "needs login"
    std::string error_message; // the failure, when no credentials are left (also from the state, for status)
};
using CredentialResolver = std::function<Result<Credentials>(std::vector<std::string>& watch)>;
// What the state's credentials must pass to be reused besides their expiry.
struct ReuseRules {
    // A profile served by its own credential_process: process_source_key() of the command; its credentials
    // kept in the state since the shell left it (State::kept) are reused for the same command. "" otherwise.
    std::string process_key;
    // `credsh logout` covered the profile at this time: state credentials obtained then or before are not
    // reused, applied or kept (docs/security.md 48).
    std::optional<std::int64_t> logged_out_at;
};
CredentialsOutcome obtain_credentials(const Env& env, const std::optional<State>& state,
                                      const std::string& profile, std::int64_t now, bool resolve_allowed,
                                      const CredentialResolver& resolve, const ReuseRules& rules = {});
// Whether state credentials obtained at `obtained` (nullopt: unknown) survive a logout at `logged_out_at`.
bool survives_logout(const std::optional<std::int64_t>& obtained,
                     const std::optional<std::int64_t>& logged_out_at);
// The state's kept credential_process credentials after this plan (State::kept): those of a profile the
// shell just left move in from the environment, the one the plan applies moves out, and entries near expiry,
// covered by a logout since, or from another command than the profile's current one are dropped.
std::map<std::string, KeptCredentials> next_kept(const ExportPlan& plan, const Env& env,
                                                 const std::optional<State>& state, const ExportWorld& world,
                                                 std::int64_t now);
// Puts credentials into the plan: the keys, the allowed plugin extras, the expiry and when to look again.
void apply_credentials(ExportPlan& plan, const Credentials& creds, const CredshConfig& config,
                       const std::string& profile, std::int64_t now);

// 4. ASK environment mode: token and vendor id beside the linked profile's keys, all or nothing.
using AskTokenSource = std::function<AskToken()>;
void apply_ask_env(ExportPlan& plan, const AskConfig& ask, std::int64_t now, const AskTokenSource& token);

// 5. Decorate: unset plugin variables no longer wanted, credsh's CREDSH_* variables and the prompt, the watch
// list and the next state.
void forget_stale_extras(ExportPlan& plan, const Env& env, const std::optional<State>& state);
void describe(ExportPlan& plan, const ScopeChoice& scope, const ExportWorld& world,
              const std::optional<std::string>& region);
void add_watch_files(ExportPlan& plan, const Env& base, const DirLookup& dir); // before load_world
State next_state(const ExportPlan& plan, const VarValues& ambient);

// Shell code that turns `current` into the plan. Refuses (error, nothing printed) a name that is not on the
// allow-list or a value the shell cannot carry (NUL; invalid UTF-8 for pwsh): docs/security.md 3. `tail`
// (shell code of the caller's own) goes last, before the end marker.
Result<std::string> render_export(const ExportPlan& plan, const Env& current, const Shell& shell,
                                  const std::string& stamp, const std::string& tail = "");

// The environment a child of `credsh exec` gets.
Env child_environment(const ExportPlan& plan, const Env& current);

} // namespace credsh
