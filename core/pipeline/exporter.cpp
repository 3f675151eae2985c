#include "pipeline/exporter.hpp"

#include "base/text.hpp"
#include "config/ask_config.hpp"
#include "config/profile_file.hpp"
#include "config/trust.hpp"
#include "pipeline/ask_token.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/prompt.hpp"
#include "pipeline/provider.hpp"
#include <credsh/policy.hpp>

#include <algorithm>
#include <array>
#include <set>
#include <sys/stat.h>

namespace credsh {

namespace {

// AWS_ACCOUNT_ID is only ever cleared: newer SDKs read it beside the keys (account-based endpoints), so one
// left over from another account must not sit next to the credentials credsh applies.
constexpr std::array<std::string_view, 21> kManaged = {
    "ASK_ACCESS_TOKEN",
    "ASK_DEFAULT_PROFILE",
    "ASK_REFRESH_TOKEN",
    "ASK_VENDOR_ID",
    "AWSUME_EXPIRATION",
    "AWSUME_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_ACCOUNT_ID",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_DEFAULT_PROFILE",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWS_SESSION_TOKEN",
    "AWS_VAULT",
    "GRANTED_SSO",
    "GRANTED_SSO_ROLE_NAME",
    "GRANTED_SSO_START_URL",
};

// Compared by the hooks at every prompt with what credsh left (hand_vars()); a difference is a value set by
// hand.
constexpr std::array<std::string_view, 5> kHandVars = {"ASK_DEFAULT_PROFILE", "AWS_ACCESS_KEY_ID",
                                                       "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_REGION"};

constexpr std::array<std::string_view, 8> kInfo = {
    "CREDSH_ASK_PROFILE", "CREDSH_ASK_VENDOR_ID", "CREDSH_BLOCKED", "CREDSH_ERROR",
    "CREDSH_EXPIRES",     "CREDSH_PROFILE",       "CREDSH_REGION",  "CREDSH_SCOPE"};

// Below kRefreshWindow (policy.hpp) the applied credentials are refreshed; a failed attempt is not repeated
// sooner than kRetryDelay.

std::string scope_marker(Scope s) {
    switch (s) {
    case Scope::command:
        return "!";
    case Scope::session:
        return "*";
    case Scope::ambient:
        return "~";
    default:
        return "";
    }
}

// The credentials credsh applied last time, if they are still in the environment untouched.
std::optional<Credentials> current_applied(const Env& env, const State& st) {
    auto same = [&](const char* name) {
        auto it = st.applied.find(name);
        return it != st.applied.end() && it->second == value_hash(env.get(name));
    };
    if (!same("AWS_ACCESS_KEY_ID") || !same("AWS_SECRET_ACCESS_KEY") || !same("AWS_SESSION_TOKEN"))
        return std::nullopt;
    auto key = env.get("AWS_ACCESS_KEY_ID");
    auto secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (!key || !secret) return std::nullopt;
    Credentials c;
    c.access_key_id = *key;
    c.secret_access_key = *secret;
    c.session_token = env.get("AWS_SESSION_TOKEN").value_or("");
    c.expiration = st.expires;
    return c;
}

bool is_managed(std::string_view name) {
    return std::find(kManaged.begin(), kManaged.end(), name) != kManaged.end();
}

std::optional<std::string> nonempty(const std::optional<std::string>& v) {
    return v && !v->empty() ? v : std::nullopt;
}

// The hook calls export again at the earliest time any part of the plan asks for.
void look_again_at(ExportPlan& plan, std::int64_t when) {
    if (!plan.refresh_at || when < *plan.refresh_at) plan.refresh_at = when;
}

// A file the hook watches is looked at before it is read, and goes on one of two lists: one that exists on
// `watch` (the hook exports again once it is not older than the stamp), one that does not on `absent` (the
// hook exports again once it exists). Looking first keeps both consistent with what the export then reads: a
// file created in between is on `absent` and exists at the next prompt; one changed in between is newer than
// the stamp. A missing file is watched as itself rather than through the directory above it, whose mtime
// every unrelated file created there ($HOME, ~/.config) would change. The absent list reaches the hook as one
// newline-separated value, so a path with a newline in it is watched the older way, through its nearest
// existing ancestor.
void add_watch(ExportPlan& plan, std::string path) {
    struct stat sb;
    if (::stat(path.c_str(), &sb) != 0 && path.find('\n') == std::string::npos) {
        if (std::find(plan.absent.begin(), plan.absent.end(), path) == plan.absent.end())
            plan.absent.push_back(std::move(path));
        return;
    }
    while (::stat(path.c_str(), &sb) != 0) {
        auto slash = path.rfind('/');
        if (slash == std::string::npos || slash == 0) return;
        path.resize(slash);
    }
    if (std::find(plan.watch.begin(), plan.watch.end(), path) == plan.watch.end()) plan.watch.push_back(path);
}

// A variable beside the credentials comes from a plugin, a secret or a cache entry: it is taken only when the
// profile's own `variables` setting names it (ASK_ACCESS_TOKEN when it names none, what the ask and
// LWA-secret sources produce), the shells' allow-list takes it, and it is neither one of credsh's own nor a
// credential variable (cred_cache.hpp credential_var).
bool extra_var_allowed(const CredshConfig& config, const std::string& profile, const std::string& name) {
    if (!valid_var_name(name) || credsh_owned_var(name) || credential_var(name)) return false;
    const std::string* vars = nullptr;
    if (auto it = config.profiles.find(profile); it != config.profiles.end())
        vars = find_prop(it->second, "variables");
    if (!vars || trim(*vars).empty()) return name == "ASK_ACCESS_TOKEN";
    std::string list = *vars;
    for (char& c : list)
        if (c == ',' || c == '\t') c = ' ';
    for (auto part : split(list, ' '))
        if (trim(part) == name) return true;
    return false;
}

} // namespace

std::span<const std::string_view> managed_vars() {
    return kManaged;
}
std::span<const std::string_view> info_vars() {
    return kInfo;
}
std::span<const std::string_view> hand_vars() {
    return kHandVars;
}

VarValues ambient_values(const Env& current, const std::optional<State>& state) {
    // From the state, except where the user changed a variable by hand since credsh last set it -- then the
    // user's value is the new ambient one.
    VarValues ambient;
    for (std::string_view v : kManaged) {
        std::string name(v);
        std::optional<std::string> cur = current.get(name);
        if (!state) {
            ambient[name] = cur;
            continue;
        }
        auto applied = state->applied.find(name);
        auto amb = state->ambient.find(name);
        if (applied == state->applied.end() || amb == state->ambient.end() ||
            applied->second != value_hash(cur))
            ambient[name] = cur;
        else
            ambient[name] = amb->second;
    }
    return ambient;
}

Env ambient_environment(const Env& current, const std::optional<State>& state) {
    Env base = current;
    for (const auto& [name, value] : ambient_values(current, state)) {
        if (value)
            base.set(name, *value);
        else
            base.unset(name);
    }
    // A plugin's variable outside the managed set that credsh set and nobody changed since is credsh's too.
    if (state)
        for (const auto& [name, hash] : state->applied)
            if (!is_managed(name) && hash != value_hash(std::nullopt) &&
                hash == value_hash(current.get(name)))
                base.unset(name);
    return base;
}

ExportWorld load_world(const Env& base, const std::vector<std::string>* roots) {
    ExportWorld w;
    auto problem = [&](std::string line) {
        w.messages.push_back("credsh: " + std::move(line));
        w.failed = true;
    };
    if (auto c = load_credsh_config(base))
        w.config = std::move(*c);
    else
        problem(c.error().message + " (using defaults)");
    // A cd among thousands of profiles reads neither file whole while their cached indexes match them.
    auto index = load_profile_index(base, cache_dirs(base).index);
    if (!index) problem(index.error().message);
    if (auto a = load_ask_config(base))
        w.ask = std::move(*a);
    else
        problem(a.error().message);
    // The whole files are checked either way (the same first error); with roots, only the profiles that can
    // take part are parsed: the roots, credsh's default, the AWS profiles their ASK profiles link, and what
    // those name (ProfileIndex::select, which also follows what credsh's own settings of a profile name).
    if (index && !roots) {
        if (auto p = index->all()) w.profiles = std::move(*p);
    } else if (index) {
        std::vector<std::string> names = *roots;
        if (w.config.default_profile) names.push_back(*w.config.default_profile);
        for (std::size_t i = 0, n = names.size(); i < n; ++i)
            if (auto it = w.ask.profiles.find(names[i]); it != w.ask.profiles.end())
                names.push_back(it->second.aws_profile);
        const CredshConfig& config = w.config;
        w.profiles = index->select(names, [&config](const std::string& name) {
            std::vector<std::string> values;
            if (auto it = config.profiles.find(name); it != config.profiles.end())
                for (const auto& [k, v] : it->second)
                    values.push_back(v);
            return values;
        });
    }
    w.store = TrustStore::from_env(base);
    w.web_env = web_identity_env(base);
    w.logouts = read_logout_record(cache_dirs(base).logouts);
    return w;
}

ScopeChoice select_export_scope(const ExportRequest& req, const ExportWorld& world, const VarValues& ambient,
                                DirLookup dir) {
    ScopeChoice out;
    apply_trust_prefixes(dir, world.config.trust_prefixes);
    ScopeInputs in;
    in.command_profile = req.command_profile;
    in.session_profile = req.session_profile;
    in.dir = dir;
    in.ambient_aws_profile = nonempty(ambient.at("AWS_PROFILE"));
    in.ambient_ask_profile = nonempty(ambient.at("ASK_DEFAULT_PROFILE"));
    in.ambient_env_keys = nonempty(ambient.at("AWS_ACCESS_KEY_ID")).has_value();
    in.default_profile = world.config.default_profile;
    in.default_profile_exists = world.profiles.profiles.count("default") > 0;
    out.selection = select_scope(in);
    if (!dir.message.empty() && dir.status != DirStatus::allowed) out.messages.push_back(dir.message);
    for (const auto& w : dir.warnings)
        out.messages.push_back(w);
    out.dir = std::move(dir);
    return out;
}

ModeChoice choose_export_mode(const ExportWorld& world, const Target& target,
                              const std::optional<ExportMode>& mode_override, bool ask_env) {
    // What serves the profile is the chain resolution runs (chain.hpp), read once here.
    auto chain = plan_chain(world.profiles, world.config, target.aws_profile, world.web_env);
    ChainSummary served = chain ? chain_summary(*chain) : ChainSummary{};
    ExportMode mode = mode_override.value_or(world.config.export_mode);
    if (auto it = world.config.profiles.find(target.aws_profile);
        it != world.config.profiles.end() && !mode_override)
        if (const std::string* m = find_prop(it->second, "export"))
            mode = parse_export_mode(*m).value_or(mode);
    if (mode == ExportMode::auto_)
        mode = (served.static_keys && target.aws_in_files) ? ExportMode::profile : ExportMode::keys;
    if (mode == ExportMode::profile && (!target.aws_in_files || (ask_env && !mode_override)))
        mode = ExportMode::keys;
    return {mode, served.provider, chain ? describe_chain(world.profiles, *chain) : std::string()};
}

bool survives_logout(const std::optional<std::int64_t>& obtained,
                     const std::optional<std::int64_t>& logged_out_at) {
    return !logged_out_at || (obtained && *obtained > *logged_out_at);
}

CredentialsOutcome obtain_credentials(const Env& env, const std::optional<State>& state,
                                      const std::string& profile, std::int64_t now, bool resolve_allowed,
                                      const CredentialResolver& resolve, const ReuseRules& rules) {
    CredentialsOutcome out;
    std::optional<Credentials> applied;
    // Credentials from before a logout that covered the profile are gone for good: not reused, not kept as a
    // fallback (docs/security.md 48).
    if (state && state->profile == profile && survives_logout(state->obtained, rules.logged_out_at))
        applied = current_applied(env, *state);
    auto fresh_enough = [&](const Credentials& c) {
        return !c.expiration || *c.expiration - now > kRefreshWindow;
    };
    // Same profile, credentials untouched and not near expiry: reuse, run nothing. Not a profile's own
    // long-term keys: their source is the credentials file, which costs nothing to read again and which the
    // hook watches -- a key rotated or removed there reaches the shell at its next prompt.
    if (applied && fresh_enough(*applied) && state->provider != "static") {
        out.creds = applied;
        out.provider = state->provider;
        out.obtained = state->obtained;
        return out;
    }
    if (!resolve_allowed) {
        auto key = env.get_nonempty("AWS_ACCESS_KEY_ID");
        auto secret = env.get_nonempty("AWS_SECRET_ACCESS_KEY");
        if (key && secret)
            out.creds = Credentials{*key,
                                    *secret,
                                    env.get("AWS_SESSION_TOKEN").value_or(""),
                                    state ? state->expires : std::nullopt,
                                    "",
                                    {}};
        // Nothing runs here (status): the shell's last export remembers what failed and when it tries again.
        if (!out.creds && state && !state->error.empty() && state->error_profile == profile) {
            out.failed = true;
            out.needs_login = state->error == "login";
            std::string when = out.needs_login ? "tried again after `credsh login`"
                               : state->retry_at && *state->retry_at > now
                                   ? "tried again at the first prompt after " +
                                         format_iso8601(*state->retry_at) + " (in " +
                                         human_duration(*state->retry_at - now) + ")"
                                   : "tried again at the next prompt";
            out.error_message = state->error_message + "; " + when; // status shows it once, on stdout
        }
        return out;
    }
    // Re-entering a credential_process profile: what the process gave last time, kept in the shell's state
    // since it left, while not near expiry (docs/security.md 47). A helper chosen to keep secrets off disk
    // is not made to write them anywhere, and is not run at every entry either.
    if (state && !rules.process_key.empty())
        if (auto it = state->kept.find(profile); it != state->kept.end()) {
            const KeptCredentials& k = it->second;
            if (k.source == rules.process_key && fresh_enough(k.creds) &&
                survives_logout(k.obtained, rules.logged_out_at)) {
                out.creds = k.creds;
                out.provider = "credential_process";
                out.obtained = k.obtained;
                return out;
            }
        }
    auto fresh = resolve(out.watch);
    if (fresh) {
        out.creds = *fresh;
        out.obtained = now;
        return out;
    }
    out.failed = true;
    // Refresh failed: keep still-valid credentials, with a warning (docs/security.md 23).
    if (applied && applied->expiration && *applied->expiration > now) {
        out.messages.push_back(fresh.error().message + "; keeping the current credentials, valid " +
                               human_duration(*applied->expiration - now));
        out.creds = applied;
        out.provider = state->provider;
        out.obtained = state->obtained;
    } else {
        out.messages.push_back(fresh.error().message);
        out.error_message = fresh.error().message;
        out.needs_login = fresh.error().kind == ErrorKind::needs_login;
    }
    // A failure is remembered: the next prompts stay quiet for a minute. "Needs login" waits for the login
    // itself (a watched cache file, or the credsh function).
    if (fresh.error().kind != ErrorKind::needs_login) out.refresh_at = now + kRetryDelay;
    return out;
}

void apply_credentials(ExportPlan& plan, const Credentials& creds, const CredshConfig& config,
                       const std::string& profile, std::int64_t now) {
    if (!creds.access_key_id.empty()) {
        plan.desired["AWS_ACCESS_KEY_ID"] = creds.access_key_id;
        plan.desired["AWS_SECRET_ACCESS_KEY"] = creds.secret_access_key;
    }
    if (!creds.session_token.empty()) plan.desired["AWS_SESSION_TOKEN"] = creds.session_token;
    // Plugin extras (ASK_ACCESS_TOKEN, ...): only names on this source's allow-list and the shells', never
    // credsh's own (docs/security.md 32).
    for (const auto& [k, v] : creds.extra_env) {
        if (extra_var_allowed(config, profile, k))
            plan.desired[k] = v;
        else if (credential_var(k))
            plan.messages.push_back("credsh: profile " + profile + ": " + printable(k) +
                                    " is a credential variable, set only from the credentials themselves; "
                                    "not exported");
        else
            plan.messages.push_back("credsh: profile " + profile + ": " + printable(k) +
                                    " is not a variable credsh may set (AWS_*, ASK_*, named in the profile's "
                                    "`variables`); not exported");
    }
    if (!creds.expiration) return;
    if (!creds.access_key_id.empty())
        plan.desired["AWS_CREDENTIAL_EXPIRATION"] = format_iso8601(*creds.expiration);
    plan.expires = creds.expiration;
    std::int64_t next = std::max(*creds.expiration - kRefreshWindow, now + kRetryDelay);
    look_again_at(plan, std::min(next, *creds.expiration));
}

void apply_ask_env(ExportPlan& plan, const AskConfig& ask, std::int64_t now, const AskTokenSource& token) {
    // All or nothing (ask_config.hpp): token, vendor id and AWS keys, or profile mode.
    const std::string& vendor = ask.profiles.at(plan.ask_profile).vendor_id;
    if (!plan.desired["AWS_ACCESS_KEY_ID"] || vendor.empty()) {
        plan.messages.push_back("credsh: ASK profile " + plan.ask_profile + ": environment mode needs " +
                                (vendor.empty()
                                     ? std::string("a vendor_id in cli_config")
                                     : "the keys of its linked AWS profile (aws_profile in cli_config)") +
                                "; using ASK_DEFAULT_PROFILE only");
        return;
    }
    AskToken tok = token();
    for (const auto& m : tok.messages)
        plan.messages.push_back("credsh: " + m);
    if (tok.failed) {
        plan.failed = true;
        look_again_at(plan, now + kRetryDelay);
        if (!tok.access_token && plan.error.empty()) {
            plan.error = "failed";
            plan.error_message = tok.messages.empty() ? "the ASK token" : tok.messages.front();
        }
    }
    if (tok.access_token) {
        plan.desired["ASK_ACCESS_TOKEN"] = *tok.access_token;
        plan.desired["ASK_VENDOR_ID"] = vendor;
    }
    if (tok.refresh_at) look_again_at(plan, std::max(*tok.refresh_at, now + kRetryDelay));
}

void forget_stale_extras(ExportPlan& plan, const Env& env, const std::optional<State>& state) {
    // Plugin variables outside the managed set (an env-format secret's) are unset once no longer wanted,
    // unless the user changed them by hand since credsh set them.
    if (!state) return;
    for (const auto& [name, hash] : state->applied)
        if (!plan.desired.count(name) && hash != value_hash(std::nullopt) &&
            hash == value_hash(env.get(name)) && valid_var_name(name))
            plan.desired[name] = std::nullopt;
}

void describe(ExportPlan& plan, const ScopeChoice& scope, const ExportWorld& world,
              const std::optional<std::string>& region) {
    const Selection& sel = scope.selection;
    const DirLookup& dir = scope.dir;
    for (std::string_view v : kInfo)
        plan.info[std::string(v)] = std::nullopt;
    std::string shown = sel.applies  ? (plan.aws_profile.empty() ? plan.ask_profile : plan.aws_profile)
                        : sel.winner ? sel.profile
                                     : "";
    // A profile that could not be resolved at all is still the one selected: shown, with the error mark.
    if (shown.empty() && sel.winner && !plan.error.empty()) shown = sel.profile;
    plan.region = region ? *region : nonempty(plan.desired["AWS_REGION"]).value_or("");
    std::string blocked;
    if (dir.status == DirStatus::blocked || dir.status == DirStatus::denied ||
        dir.status == DirStatus::invalid)
        blocked = dir.realpath.empty() ? dir.path : dir.realpath;
    if (!shown.empty()) {
        plan.info["CREDSH_PROFILE"] = shown;
        plan.info["CREDSH_SCOPE"] = std::string(scope_name(*sel.winner));
    }
    std::string vendor_id; // not a secret: it names the developer account, as an AWS account id does
    if (!plan.ask_profile.empty()) {
        plan.info["CREDSH_ASK_PROFILE"] = plan.ask_profile;
        if (auto it = world.ask.profiles.find(plan.ask_profile); it != world.ask.profiles.end())
            vendor_id = it->second.vendor_id;
        if (!vendor_id.empty()) plan.info["CREDSH_ASK_VENDOR_ID"] = vendor_id;
    }
    if (!plan.region.empty() && !shown.empty()) plan.info["CREDSH_REGION"] = plan.region;
    if (plan.expires) plan.info["CREDSH_EXPIRES"] = std::to_string(*plan.expires);
    if (!blocked.empty()) plan.info["CREDSH_BLOCKED"] = blocked;
    if (!plan.error.empty()) plan.info["CREDSH_ERROR"] = plan.error;
    PromptValues pv;
    pv.profile = shown;
    pv.region = shown.empty() ? "" : plan.region;
    pv.time_left = plan.expires ? std::string(kTimePlaceholder) : "";
    pv.scope_marker = sel.winner && !shown.empty() ? scope_marker(*sel.winner) : "";
    if (!plan.hand.empty() && !shown.empty()) pv.scope_marker = "\u270B"; // ✋: a value set by hand stands
    pv.blocked = blocked.empty() ? "" : "blocked";
    pv.ask_profile = plan.ask_profile;
    pv.ask_vendor_id = vendor_id;
    if (!plan.error.empty()) pv.error = std::string(plan.error == "login" ? kLoginMark : kErrorMark);
    plan.prompt_template = format_prompt(world.config.prompt_format, pv);
}

void add_watch_files(ExportPlan& plan, const Env& base, const DirLookup& dir) {
    // What the hook watches for changes between two prompts, looked at before load_world reads it.
    ProfileFileLocations loc = locate_profile_files(base);
    add_watch(plan, loc.config);
    add_watch(plan, loc.credentials);
    add_watch(plan, credsh_config_path(base));
    add_watch(plan, ask_config_path(base));
    std::string store = TrustStore::from_env(base).root;
    add_watch(plan, store + "/allow");
    add_watch(plan, store + "/deny");
    // `credsh logout` writes here: every shell looks again at its next prompt (docs/security.md 48).
    add_watch(plan, cache_dirs(base).logouts);
    if (!dir.path.empty()) add_watch(plan, dir.path);
}

State next_state(const ExportPlan& plan, const VarValues& ambient) {
    State st;
    st.ambient = ambient;
    for (const auto& [name, value] : plan.desired)
        st.applied[name] = value_hash(value);
    auto key = plan.desired.find("AWS_ACCESS_KEY_ID");
    st.profile = key != plan.desired.end() && key->second ? plan.aws_profile : "";
    st.provider = plan.provider;
    st.expires = plan.expires;
    if (!st.profile.empty()) st.obtained = plan.obtained;
    if (!plan.error.empty()) {
        st.error = plan.error;
        st.error_profile = plan.aws_profile.empty() ? plan.selection.profile : plan.aws_profile;
        st.error_message = plan.error_message;
        if (plan.error == "failed") st.retry_at = plan.refresh_at;
    }
    for (const auto& h : plan.hand)
        st.hand.insert(h.name);
    return st;
}

std::map<std::string, KeptCredentials> next_kept(const ExportPlan& plan, const Env& env,
                                                 const std::optional<State>& state, const ExportWorld& world,
                                                 std::int64_t now) {
    std::map<std::string, KeptCredentials> out;
    if (!state) return out;
    // The command that serves `profile` now, if it is served by its own credential_process.
    auto source_of = [&](const std::string& profile) -> std::string {
        auto it = world.profiles.profiles.find(profile);
        if (it == world.profiles.profiles.end()) return "";
        auto chain = plan_chain(world.profiles, world.config, profile, world.web_env);
        if (!chain || chain_summary(*chain).provider != "credential_process") return "";
        const std::string* cmd = find_prop(it->second, "credential_process");
        return cmd ? process_source_key(*cmd) : "";
    };
    auto keep = [&](const std::string& profile, const KeptCredentials& k) {
        if (profile.empty() || profile == plan.state.profile) return; // applied: it lives in the environment
        if (k.creds.expiration && *k.creds.expiration - now <= kRefreshWindow) return;
        auto lo = world.logouts.find(profile);
        if (!survives_logout(k.obtained, lo == world.logouts.end() ? std::nullopt
                                                                   : std::optional<std::int64_t>(lo->second)))
            return;
        if (k.source.empty() || k.source != source_of(profile)) return;
        out[profile] = k;
    };
    for (const auto& [profile, k] : state->kept)
        keep(profile, k);
    // The profile the shell is leaving: its credentials move from the environment into the state.
    if (state->provider == "credential_process" && !state->profile.empty() &&
        state->profile != plan.state.profile)
        if (auto applied = current_applied(env, *state))
            keep(state->profile, {source_of(state->profile), state->obtained.value_or(0), *applied});
    return out;
}

namespace {

// Keys mode: the credentials phase, with the real resolver (the provider chain, plugins loaded on demand).
void plan_keys(ExportPlan& plan, const ExportRequest& req, const ExportWorld& world, const Env& base,
               const std::string& profile) {
    CredentialResolver resolve = [&](std::vector<std::string>&) {
        ResolveContext ctx{world.profiles, world.config, base, req.now, req.stderr_fd};
        ctx.plugins = req.plugins;
        ctx.interactive = req.interactive;
        ctx.timeout_ms = req.timeout_ms;
        // Another shell's `credsh login` writes here: watching it ends "needs login" without a cd.
        // Looked at before the resolve reads them, as add_watch_files does for the files load_world reads.
        for (auto& f : credential_cache_files(ctx, profile))
            add_watch(plan, f);
        return resolve_credentials(ctx, profile);
    };
    ReuseRules rules;
    if (auto it = world.profiles.profiles.find(profile);
        plan.provider == "credential_process" && it != world.profiles.profiles.end())
        if (const std::string* cmd = find_prop(it->second, "credential_process"))
            rules.process_key = process_source_key(*cmd);
    if (auto lo = world.logouts.find(profile); lo != world.logouts.end()) rules.logged_out_at = lo->second;
    CredentialsOutcome got =
        obtain_credentials(req.env, req.state, profile, req.now, req.resolve, resolve, rules);
    for (auto& f : got.watch)
        plan.watch.push_back(std::move(f));
    for (auto& m : got.messages)
        plan.messages.push_back("credsh: " + std::move(m));
    if (got.failed) plan.failed = true;
    if (got.provider) plan.provider = *got.provider;
    plan.obtained = got.obtained;
    if (got.refresh_at) look_again_at(plan, *got.refresh_at);
    if (got.creds) apply_credentials(plan, *got.creds, world.config, profile, req.now);
    if (got.failed && !got.creds && plan.error.empty()) {
        plan.error = got.needs_login ? "login" : "failed";
        plan.error_message = got.error_message;
    }
}

// A scope that applies: leave the ambient world, then the target's credentials, region and ASK profile.
// Returns the region it chose, if any.
std::optional<std::string> plan_target(ExportPlan& plan, const ExportRequest& req, const ExportWorld& world,
                                       const Env& base, const VarValues& ambient) {
    const Selection& sel = plan.selection;
    auto target = resolve_target(sel.profile, sel.ask_profile, world.profiles, world.ask, world.config);
    // Leaving the ambient world: nothing stale may survive, whatever happens next.
    for (std::string_view v : kManaged)
        plan.desired[std::string(v)] = std::nullopt;
    // Region is not account-specific; keep the user's unless the profile or .credprofile names one.
    plan.desired["AWS_REGION"] = ambient.at("AWS_REGION");
    plan.desired["AWS_DEFAULT_REGION"] = ambient.at("AWS_DEFAULT_REGION");
    if (!target) {
        plan.failed = true;
        plan.error = "failed";
        // A file that could not be read is the cause (already said, with file:line): "profile dev not found"
        // after it would send the user looking for the wrong thing.
        if (world.failed && !world.messages.empty()) {
            plan.error_message = world.messages.front().substr(std::string_view("credsh: ").size());
        } else {
            plan.messages.push_back("credsh: " + target.error().message);
            plan.error_message = target.error().message;
        }
        return std::nullopt;
    }
    plan.aws_profile = target->aws_profile;
    plan.ask_profile = target->ask_profile;
    std::optional<std::string> region =
        sel.region ? sel.region : profile_region(world.profiles, target->aws_profile);
    // ASK environment mode needs the linked AWS profile as keys: the ASK CLI's environment profile applies
    // only when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set too.
    bool ask_env =
        !plan.ask_profile.empty() && ask_export_for(world.config, plan.ask_profile) == AskExport::env;
    if (!target->aws_profile.empty()) {
        ModeChoice mc = choose_export_mode(world, *target, req.mode_override, ask_env);
        plan.provider = mc.provider;
        plan.chain = mc.chain;
        plan.mode = mc.mode;
        if (target->aws_in_files) plan.desired["AWS_PROFILE"] = target->aws_profile;
        if (mc.mode == ExportMode::keys) plan_keys(plan, req, world, base, target->aws_profile);
    }
    if (region) {
        plan.desired["AWS_REGION"] = *region;
        plan.desired["AWS_DEFAULT_REGION"] = *region;
    }
    if (!plan.ask_profile.empty()) plan.desired["ASK_DEFAULT_PROFILE"] = plan.ask_profile;
    if (ask_env)
        apply_ask_env(plan, world.ask, req.now, [&] {
            return ask_access_token(
                {base, plan.ask_profile, req.now, req.plugins, req.resolve, req.timeout_ms});
        });
    return region;
}

// Set by hand (docs/design.md "Set by hand"): what a hand-set value stands against -- the scope credsh chose
// (the .credprofile's path for a directory scope); "" when no scope applies (then every value is the user's).
std::string hand_scope_key(const ScopeChoice& scope) {
    const Selection& sel = scope.selection;
    if (!sel.applies || !sel.winner) return "";
    std::string key = std::string(scope_name(*sel.winner)) + "\n" + sel.profile;
    if (*sel.winner == Scope::directory) key += "\n" + scope.dir.path;
    return key;
}

// The hand-compared variables that are set by hand now, against the scope the last export applied too:
// changed since credsh left them, or changed earlier and still standing. A change made while no scope
// applied, or together with a change of scope (`export AWS_REGION=x; cd project`), is the ambient value the
// new scope starts from. An unset one is not set by hand: unsetting gives it back to credsh.
std::set<std::string> hand_set(const ExportRequest& req, const std::string& key) {
    std::set<std::string> out;
    if (!req.state || key.empty() || req.forget_hand || req.state->hand_scope != key) return out;
    for (std::string_view v : kHandVars) {
        std::string name(v);
        auto cur = req.env.get(name);
        auto applied = req.state->applied.find(name);
        if (!cur || applied == req.state->applied.end()) continue;
        bool changed = applied->second != value_hash(cur);
        bool standing = !changed && req.state->hand.count(name);
        if (changed || standing) out.insert(name);
    }
    return out;
}

bool names_identity(const std::set<std::string>& hand) {
    return hand.count("AWS_PROFILE") || hand.count("AWS_ACCESS_KEY_ID") || hand.count("ASK_DEFAULT_PROFILE");
}

std::string shown_value(const std::string& name, const std::optional<std::string>& v) {
    if (!v) return "unset";
    return name == "AWS_ACCESS_KEY_ID" ? redact(*v) : printable(*v);
}

} // namespace

ExportPlan plan_export(const ExportRequest& req) {
    ExportPlan plan;
    VarValues ambient = ambient_values(req.env, req.state);
    // What a credential_process (and the file lookups) see: the environment as it is without credsh.
    Env base = ambient_environment(req.env, req.state);
    if (req.profile_location) base.set("AWS_SHARED_CREDENTIALS_FILE", *req.profile_location);

    // The .credprofile first: the profiles it and the other scopes can name are all load_world parses.
    DirLookup dir = find_credprofile(req.cwd, TrustStore::from_env(base));
    // Whatever the file's trust turns out to be (a [trust] prefix may still make it count): naming a profile
    // here only decides what is parsed, never what is used.
    CredProfile named = dir.content;
    if (dir.status != DirStatus::allowed && !dir.bytes.empty())
        if (auto c = parse_credprofile(dir.path, dir.bytes)) named = *c;
    std::vector<std::string> roots = {named.profile, named.ask_profile.value_or("")};
    for (const auto* p : {&req.command_profile, &req.session_profile})
        if (*p) roots.push_back(**p);
    for (const char* var : {"AWS_PROFILE", "ASK_DEFAULT_PROFILE"}) {
        if (auto v = ambient.at(var)) roots.push_back(*v);
        if (auto v = req.env.get(var)) roots.push_back(*v); // a value set by hand
    }
    if (req.state) {
        roots.push_back(req.state->profile);
        for (const auto& [name, kept] : req.state->kept) // still kept only while their source is unchanged
            roots.push_back(name);
    }
    add_watch_files(plan, base, dir);
    ExportWorld world = load_world(base, &roots);
    plan.messages = world.messages;
    plan.failed = world.failed;
    ScopeChoice scope = select_export_scope(req, world, ambient, std::move(dir));
    plan.selection = scope.selection;
    for (const auto& m : scope.messages)
        plan.messages.push_back(m);

    plan.desired = ambient;
    std::optional<std::string> region;
    // A profile, key id or ASK profile set by hand takes the shell over: credsh stands back and leaves the
    // shell as the user has it (its credentials would beat the user's AWS_PROFILE in every SDK). A region set
    // by hand stays beside the scope's credentials.
    std::string hand_key = hand_scope_key(scope);
    std::set<std::string> hand = hand_set(req, hand_key);
    bool stand_back = names_identity(hand);
    if (plan.selection.applies && !stand_back) region = plan_target(plan, req, world, base, ambient);
    if (!hand.empty()) {
        const Selection chosen = plan.selection;
        std::string why = " (" + std::string(scope_name(*chosen.winner)) + ")";
        for (const auto& name : hand) {
            std::optional<std::string> choice;
            if (!stand_back)
                choice = plan.desired[name];
            else if (name == "AWS_PROFILE")
                choice = chosen.profile;
            else if (name == "ASK_DEFAULT_PROFILE")
                choice = chosen.ask_profile.value_or(chosen.profile);
            else if (name == "AWS_ACCESS_KEY_ID")
                choice = "the keys of " + chosen.profile;
            else
                choice = chosen.region ? chosen.region : profile_region(world.profiles, chosen.profile);
            auto cur = req.env.get(name);
            plan.hand.push_back({name, shown_value(name, cur),
                                 (name == "AWS_ACCESS_KEY_ID" && stand_back ? printable(*choice)
                                                                            : shown_value(name, choice)) +
                                     why});
            plan.desired[name] = cur;
        }
        if (stand_back) {
            // Shown as the shell holds it: the ambient row, with the hand mark.
            ScopeInputs in;
            in.ambient_aws_profile = nonempty(ambient.at("AWS_PROFILE"));
            in.ambient_ask_profile = nonempty(ambient.at("ASK_DEFAULT_PROFILE"));
            in.ambient_env_keys = nonempty(ambient.at("AWS_ACCESS_KEY_ID")).has_value();
            plan.selection = select_scope(in);
            scope.selection = plan.selection;
        } else if (hand.count("AWS_REGION")) {
            region = req.env.get("AWS_REGION");
        }
    }

    forget_stale_extras(plan, req.env, req.state);
    describe(plan, scope, world, region);
    plan.state = next_state(plan, ambient);
    plan.state.hand_scope = hand_key;
    plan.state.kept = next_kept(plan, req.env, req.state, world, req.now);
    return plan;
}

Result<std::string> render_export(const ExportPlan& plan, const Env& current, const Shell& shell,
                                  const std::string& stamp, const std::string& tail) {
    std::string out;
    auto emit_var = [&](const std::string& name, const std::optional<std::string>& value) -> Result<void> {
        if (!valid_var_name(name)) return fail("refusing to set variable " + printable(name));
        if (value == current.get(name)) return {};
        if (!value) {
            out += shell.unset_var(name);
            return {};
        }
        if (!shell.representable(*value))
            return fail("the value of " + name + " cannot be represented exactly in " +
                        std::string(shell.name));
        out += shell.export_var(name, *value);
        return {};
    };
    for (const auto& [name, value] : plan.desired)
        if (auto r = emit_var(name, value); !r) return r.error();
    for (const auto& [name, value] : plan.info)
        if (auto r = emit_var(name, value); !r) return r.error();

    out += shell.set_local("__credsh_state", serialize_state(plan.state));
    out += shell.set_local("__credsh_pfmt", plan.prompt_template);
    out += shell.set_local("__credsh_stamp", stamp);
    out += shell.set_local("__credsh_refresh_at", plan.refresh_at ? std::to_string(*plan.refresh_at) : "");
    out += shell.set_local("__credsh_expires", plan.expires ? std::to_string(*plan.expires) : "");
    // Before the watch list: a hook reads both when __credsh_set_watch runs. A hook older than this list
    // ignores the variable (and then misses a missing file's creation until its shell starts again).
    std::string absent;
    for (const auto& a : plan.absent)
        if (shell.representable(a)) absent += (absent.empty() ? "" : "\n") + a;
    out += shell.set_local("__credsh_absent", absent);
    std::string watch = "__credsh_set_watch";
    for (const auto& w : plan.watch) {
        if (!shell.representable(w)) continue; // such a path cannot be watched from this shell
        watch += " " + shell.quote(w);
    }
    out += watch + "\n";
    out += tail;
    out += "# credsh-end\n";
    return out;
}

Env child_environment(const ExportPlan& plan, const Env& current) {
    Env child = current;
    for (const auto& [name, value] : plan.desired) {
        if (value)
            child.set(name, *value);
        else
            child.unset(name);
    }
    for (const auto& [name, value] : plan.info) {
        if (value)
            child.set(name, *value);
        else
            child.unset(name);
    }
    return child;
}

} // namespace credsh
