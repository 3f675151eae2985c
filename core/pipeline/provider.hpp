// What a profile name selects (resolve_target: the AWS and ASK profiles behind it), and the entry point that
// turns an AWS profile into credentials (resolve_credentials, resolve.cpp: it runs the chain plan_chain reads
// from the profile graph, core/pipeline/chain.hpp). What serves a profile - for listings and the export mode
// - is read from that same chain (chain_summary), never classified a second way here.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/ask_config.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/credentials.hpp"
#include "pipeline/plugin_host.hpp" // PluginCaller, complete: a PluginHost* converts to it
#include "pipeline/process.hpp"
#include <credsh/policy.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

struct ResolveContext {
    const ProfileSet& profiles;
    const CredshConfig& config;
    const Env& env; // what a credential_process or plugin sees: the ambient environment, not credsh's exports
    std::int64_t now;
    int stderr_fd = 2;
    PluginCaller* plugins = nullptr; // nullptr: plugin-backed steps fail with "needs plugin X"
    bool interactive = false; // may ask for an MFA code or run a device flow (login, exec); never in a hook
    int timeout_ms = kStepTimeoutMs; // deadline for each network step and for waiting on another shell's lock
    bool force_refresh = false;      // login: fetch the last step anew even when its cache is still valid
    // The runner's I/O (runner.hpp), for tests: empty means stderr_fd and /dev/tty.
    std::function<void(const std::string&)> say = {};
    std::function<Result<std::string>(const std::string&)> read_secret = {};
};

// The profile's credentials (resolve.cpp): the chain from plan_chain, each step served by the step runner
// (runner.hpp) - from its cache when more than 15 minutes remain, otherwise fetched under the entry's lock.
// ErrorKind::needs_login when a person must act (an MFA code, an SSO login) and `interactive` is false; the
// message is the hint.
Result<Credentials> resolve_credentials(const ResolveContext& ctx, const std::string& name);

// Files whose creation or change means the profile's cached credentials changed (another shell's login):
// the hook watches them so that a "needs login" profile recovers without a cd.
std::vector<std::string> credential_cache_files(const ResolveContext& ctx, const std::string& name);

// What a name selects on both sides. A name that is only an ASK profile brings its linked aws_profile.
struct Target {
    std::string aws_profile;   // "" if none
    bool aws_in_files = false; // exists in ~/.aws/config or credentials (so AWS_PROFILE may name it)
    std::string ask_profile;   // "" if none
};
Result<Target> resolve_target(const std::string& name, const std::optional<std::string>& ask_override,
                              const ProfileSet& profiles, const AskConfig& ask, const CredshConfig& config);

std::optional<std::string> profile_region(const ProfileSet& profiles, const std::string& name);

// Every profile name the three sources define, for "did you mean" (a source that did not load is null).
std::vector<std::string> known_profile_names(const ProfileSet* profiles, const AskConfig* ask,
                                             const CredshConfig* config);

} // namespace credsh
