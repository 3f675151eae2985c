// The step runner: every plugin use goes through it (docs/design.md §5). It owns what is policy rather than
// protocol - the settings a plugin is given, the 15-minute refresh window, the lock of a cache entry and the
// re-read under it (single flight across shells), the fallback to a still-valid cached value when a refresh
// fails, and the deadline of each call. A plugin only turns one request into a reply.
//
// Its I/O is injected (RunnerIO): the environment, the clock, one line for stderr, the terminal prompt and
// the plugin host, so the MFA and sign-in flows are tested with fakes (tests/unit/test_runner.cpp).
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/credentials.hpp"
#include "pipeline/plugin_host.hpp"
#include <credsh/policy.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace credsh {

// What the runner may touch, passed in.
struct RunnerIO {
    const Env& env;       // the ambient environment: $HOME, the cache and lock directories
    std::int64_t now = 0; // epoch seconds
    // One line for the person, without the "credsh: " prefix. Empty: written to stderr_fd.
    std::function<void(const std::string&)> say = {};
    // Reads a secret (an MFA code) from the person's terminal. Empty: read_secret_from_tty (tty.hpp).
    std::function<Result<std::string>(const std::string&)> read_secret = {};
    PluginCaller* plugins = nullptr; // nullptr: every plugin call fails with "not installed"
    bool interactive = false;        // may ask a person (MFA code, sign-in); never in a prompt hook
    int timeout_ms = kStepTimeoutMs; // deadline of each plugin call and of waiting for another shell's lock
    int stderr_fd = 2;
};

// One step with a cache entry, as the runner serves it.
struct CachedStep {
    std::string where;    // "profile dev", for messages
    std::string lock_key; // the cache entry's key: its lock and single flight; "" when it has no entry
    // The cached value as it is now (re-read under the lock); nullopt when there is none usable.
    std::function<std::optional<Credentials>()> read;
    // New credentials, fetched under the lock (the source chain, the MFA prompt, the plugin call, the write).
    std::function<Result<Credentials>()> fetch;
    bool force = false;        // fetch even when the cached value is fresh (`credsh login`); no fallback
    bool needs_person = false; // an MFA code: never fetched when not interactive
    std::string person_hint;   // the needs_login message then, when nothing cached is valid
    std::string fallback_note = "using cached credentials"; // "<error>; <note>, valid 42m"
};

struct StepReport {
    bool fetched = false;            // fetch() was called
    bool fell_back = false;          // a failed refresh or lock left the still-valid cached value in use
    std::optional<Error> lock_error; // the lock could not be taken in time (the cached value was used)
};

class StepRunner {
  public:
    explicit StepRunner(RunnerIO io) : io_(std::move(io)) {}

    // The cached value while it has more than the refresh window left; otherwise, under the entry's lock and
    // after re-reading it (another shell may have refreshed meanwhile), fetch(). A failed fetch falls back to
    // the still-valid cached value with a message.
    Result<Credentials> serve(const CachedStep& step, StepReport* report = nullptr);

    // One plugin call with the runner's clock, home, deadline and interactivity; the reply as the plugin gave
    // it. An error when the plugin cannot be used at all.
    Result<PluginReply> call(const std::string& plugin, PluginCall call);

    void say(const std::string& line) const;
    Result<std::string> read_secret(const std::string& prompt) const;
    // An MFA code: read_secret, trimmed; one that is not exactly 6 digits is asked again (with a line saying
    // why), kMfaCodeTries times in all, then an error. No terminal or a cancel ends it at once.
    Result<std::string> read_mfa_code(const std::string& prompt) const;
    const RunnerIO& io() const { return io_; }

  private:
    // Marks a cache key as locked by this runner for the scope of one serve().
    struct HeldKey {
        std::set<std::string>& held;
        std::string key;
        HeldKey(std::set<std::string>& h, std::string k) : held(h), key(std::move(k)) { held.insert(key); }
        ~HeldKey() { held.erase(key); }
        HeldKey(const HeldKey&) = delete;
        HeldKey& operator=(const HeldKey&) = delete;
    };
    RunnerIO io_;
    std::set<std::string> held_; // keys whose lock an outer step holds (a chain can reach an entry twice)
};

// Everything a plugin learns about a profile, flattened: its own keys (lower-cased), "sso-session.KEY" for
// the [sso-session] it names (or `session` when given, or alone when `profile` is ""), "services.S.KEY" for
// its [services] section, and "credsh.KEY" for credsh's own [profile X] section (when `config` is given).
std::map<std::string, std::string> plugin_settings(const ProfileSet& profiles, const CredshConfig* config,
                                                   const std::string& profile,
                                                   const std::string& session = "");

// The aws-sso operations the commands use, each one plugin call through the runner (the runner's deadline and
// interactivity). A reply that is not OK becomes an error with the plugin's message; CREDSH_NEEDS_LOGIN an
// ErrorKind::needs_login whose message is the plugin's hint.
struct SsoLoginOptions {
    bool no_browser = false;
    bool device_code = false;
};
Result<PluginReply> sso_login(StepRunner& runner, const std::string& profile,
                              std::map<std::string, std::string> settings, const SsoLoginOptions& options);
Result<PluginReply> sso_logout(StepRunner& runner, const std::string& profile,
                               std::map<std::string, std::string> settings);
Result<PluginReply> sso_accounts(StepRunner& runner, const std::string& profile,
                                 std::map<std::string, std::string> settings);
// The sign-in the settings use, as the aws-sso plugin names it (its "sign-in": the reply keys sign_in, the
// same for every profile that shares one token, and token_file). No network, no person.
Result<PluginReply> sso_sign_in(StepRunner& runner, const std::string& profile,
                                std::map<std::string, std::string> settings);
// The profiles with an account and a role whose sign-in (sso_sign_in) is `sign_in`, in name order: the ones
// whose role credentials come from that token.
std::vector<std::string> profiles_signed_in_with(StepRunner& runner, const ProfileSet& profiles,
                                                 const std::string& sign_in);

} // namespace credsh
