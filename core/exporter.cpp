#include "exporter.hpp"

#include "ask_config.hpp"
#include "chain.hpp"
#include "cred_cache.hpp"
#include "profile_file.hpp"
#include "prompt.hpp"
#include "provider.hpp"
#include "text.hpp"
#include "trust.hpp"

#include <algorithm>
#include <array>
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

constexpr std::array<std::string_view, 7> kInfo = {
    "CREDSH_ASK_PROFILE", "CREDSH_ASK_VENDOR_ID", "CREDSH_BLOCKED", "CREDSH_EXPIRES",
    "CREDSH_PROFILE",     "CREDSH_REGION",        "CREDSH_SCOPE"};

// Below this much validity the applied credentials are refreshed (botocore's advisory window).
constexpr std::int64_t kRefreshWindow = 15 * 60;
// A failed attempt is not repeated sooner than this (docs/security.md 25).
constexpr std::int64_t kRetryDelay = 60;

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

// The ambient value of each managed variable: from the state, except where the user changed a variable by
// hand since credsh last set it -- then the user's value is the new ambient one.
VarValues compute_ambient(const Env& env, const std::optional<State>& state) {
    VarValues ambient;
    for (std::string_view v : kManaged) {
        std::string name(v);
        std::optional<std::string> cur = env.get(name);
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

void add_watch(std::vector<std::string>& watch, std::string path) {
    // A file that does not exist yet is watched through its nearest existing ancestor: creating it changes
    // that directory's mtime. Only existing paths are handed out, because the shells disagree about -nt
    // against a missing file (bash: true, zsh and fish: false) and the hooks test "not older than".
    struct stat sb;
    while (::stat(path.c_str(), &sb) != 0) {
        auto slash = path.rfind('/');
        if (slash == std::string::npos || slash == 0) return;
        path.resize(slash);
    }
    if (std::find(watch.begin(), watch.end(), path) == watch.end()) watch.push_back(path);
}

// A variable beside the credentials comes from a plugin, a secret or a cache entry: it is taken only when the
// profile's own `variables` setting names it (ASK_ACCESS_TOKEN when it names none, what the ask and
// LWA-secret sources produce), the shells' allow-list takes it, and it is not one of credsh's own.
bool extra_var_allowed(const CredshConfig& config, const std::string& profile, const std::string& name) {
    if (!valid_var_name(name) || credsh_owned_var(name)) return false;
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

ExportPlan plan_export(const ExportRequest& req) {
    ExportPlan plan;
    VarValues ambient = compute_ambient(req.env, req.state);
    auto message = [&](std::string line) { plan.messages.push_back("credsh: " + std::move(line)); };

    // What a credential_process (and the file lookups) see: the environment as it is without credsh.
    Env base = req.env;
    for (const auto& [name, value] : ambient) {
        if (value)
            base.set(name, *value);
        else
            base.unset(name);
    }
    if (req.profile_location) base.set("AWS_SHARED_CREDENTIALS_FILE", *req.profile_location);

    CredshConfig config;
    if (auto c = load_credsh_config(base)) {
        config = std::move(*c);
    } else {
        message(c.error().message + " (using defaults)");
        plan.failed = true;
    }
    ProfileSet profiles;
    if (auto p = load_profile_files(base)) {
        profiles = std::move(*p);
    } else {
        message(p.error().message);
        plan.failed = true;
    }
    AskConfig ask;
    if (auto a = load_ask_config(base)) {
        ask = std::move(*a);
    } else {
        message(a.error().message);
        plan.failed = true;
    }

    TrustStore store = TrustStore::from_env(base);
    ScopeInputs in;
    in.command_profile = req.command_profile;
    in.session_profile = req.session_profile;
    in.dir = find_credprofile(req.cwd, store);
    if (in.dir.status == DirStatus::blocked) {
        // [trust] prefix: files under these trees are trusted without `credsh allow`. The path is where the
        // walk found the file (docs/security.md 30), never a symlink's target: a link outside the prefix
        // pointing into it is not trusted.
        for (const auto& prefix : config.trust_prefixes) {
            if (in.dir.realpath.rfind(prefix + "/", 0) != 0) continue;
            if (auto cp = parse_credprofile(in.dir.realpath, in.dir.bytes)) {
                in.dir.status = DirStatus::allowed;
                in.dir.content = *cp;
                in.dir.message.clear();
            } else {
                in.dir.status = DirStatus::invalid;
                in.dir.message = "credsh: " + cp.error().message;
            }
            break;
        }
    }
    auto nonempty = [](const std::optional<std::string>& v) -> std::optional<std::string> {
        return v && !v->empty() ? v : std::nullopt;
    };
    in.ambient_aws_profile = nonempty(ambient["AWS_PROFILE"]);
    in.ambient_ask_profile = nonempty(ambient["ASK_DEFAULT_PROFILE"]);
    in.ambient_env_keys = nonempty(ambient["AWS_ACCESS_KEY_ID"]).has_value();
    in.default_profile = config.default_profile;
    in.default_profile_exists = profiles.profiles.count("default") > 0;
    plan.selection = select_scope(in);
    const Selection& sel = plan.selection;
    if (!in.dir.message.empty() && in.dir.status != DirStatus::allowed)
        plan.messages.push_back(in.dir.message);
    for (const auto& w : in.dir.warnings)
        plan.messages.push_back(w);

    plan.desired = ambient;
    std::optional<std::string> region;
    if (sel.applies) {
        auto target = resolve_target(sel.profile, sel.ask_profile, profiles, ask, config);
        // Leaving the ambient world: nothing stale may survive, whatever happens next.
        for (std::string_view v : kManaged)
            plan.desired[std::string(v)] = std::nullopt;
        // Region is not account-specific; keep the user's unless the profile or .credprofile names one.
        plan.desired["AWS_REGION"] = ambient["AWS_REGION"];
        plan.desired["AWS_DEFAULT_REGION"] = ambient["AWS_DEFAULT_REGION"];
        if (!target) {
            message(target.error().message);
            plan.failed = true;
        } else {
            plan.aws_profile = target->aws_profile;
            plan.ask_profile = target->ask_profile;
            region = sel.region ? sel.region : profile_region(profiles, target->aws_profile);
            // ASK environment mode needs the linked AWS profile as keys: the ASK CLI's environment profile
            // applies only when AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are set too.
            bool ask_env =
                !plan.ask_profile.empty() && ask_export_for(config, plan.ask_profile) == AskExport::env;
            if (!target->aws_profile.empty()) {
                // What serves the profile is the chain resolution runs (core/chain.hpp), read once here.
                auto chain = plan_chain(profiles, config, target->aws_profile, web_identity_env(base));
                ChainSummary served = chain ? chain_summary(*chain) : ChainSummary{};
                plan.provider = served.provider;
                if (chain) plan.chain = describe_chain(profiles, *chain);
                ExportMode mode = req.mode_override.value_or(config.export_mode);
                if (auto it = config.profiles.find(target->aws_profile);
                    it != config.profiles.end() && !req.mode_override)
                    if (const std::string* m = find_prop(it->second, "export"))
                        mode = parse_export_mode(*m).value_or(mode);
                if (mode == ExportMode::auto_)
                    mode =
                        (served.static_keys && target->aws_in_files) ? ExportMode::profile : ExportMode::keys;
                if (mode == ExportMode::profile && (!target->aws_in_files || (ask_env && !req.mode_override)))
                    mode = ExportMode::keys;
                plan.mode = mode;
                if (target->aws_in_files) plan.desired["AWS_PROFILE"] = target->aws_profile;

                if (mode == ExportMode::keys) {
                    std::optional<Credentials> creds;
                    // Same profile, credentials untouched and not near expiry: reuse, run nothing.
                    if (req.state && req.state->profile == target->aws_profile) {
                        auto cur = current_applied(req.env, *req.state);
                        if (cur && (!cur->expiration || *cur->expiration - req.now > kRefreshWindow)) {
                            creds = cur;
                            plan.provider = req.state->provider;
                        }
                    }
                    if (!creds && !req.resolve) {
                        auto key = req.env.get_nonempty("AWS_ACCESS_KEY_ID");
                        auto secret = req.env.get_nonempty("AWS_SECRET_ACCESS_KEY");
                        if (key && secret) {
                            creds = Credentials{*key,
                                                *secret,
                                                req.env.get("AWS_SESSION_TOKEN").value_or(""),
                                                req.state ? req.state->expires : std::nullopt,
                                                "",
                                                {}};
                        }
                    } else if (!creds) {
                        ResolveContext ctx{profiles, config, base, req.now, req.stderr_fd};
                        ctx.plugins = req.plugins;
                        ctx.interactive = req.interactive;
                        ctx.timeout_ms = req.timeout_ms;
                        // Another shell's `credsh login` writes here: watching it ends "needs login" without
                        // a cd.
                        for (auto& f : credential_cache_files(ctx, target->aws_profile))
                            plan.watch.push_back(f);
                        auto fresh = resolve_credentials(ctx, target->aws_profile);
                        if (fresh) {
                            creds = *fresh;
                        } else {
                            plan.failed = true;
                            // Refresh failed: keep still-valid credentials, with a warning (docs/security.md
                            // 23).
                            std::optional<Credentials> old;
                            if (req.state && req.state->profile == target->aws_profile)
                                old = current_applied(req.env, *req.state);
                            if (old && old->expiration && *old->expiration > req.now) {
                                message(fresh.error().message + "; keeping the current credentials, valid " +
                                        human_duration(*old->expiration - req.now));
                                creds = old;
                                plan.provider = req.state->provider;
                            } else {
                                message(fresh.error().message);
                            }
                            // A failure is remembered: the next prompts stay quiet for a minute. "Needs
                            // login" waits for the login itself (a watched cache file, or the credsh
                            // function).
                            if (fresh.error().kind != ErrorKind::needs_login)
                                plan.refresh_at = req.now + kRetryDelay;
                        }
                    }
                    if (creds) {
                        if (!creds->access_key_id.empty()) {
                            plan.desired["AWS_ACCESS_KEY_ID"] = creds->access_key_id;
                            plan.desired["AWS_SECRET_ACCESS_KEY"] = creds->secret_access_key;
                        }
                        if (!creds->session_token.empty())
                            plan.desired["AWS_SESSION_TOKEN"] = creds->session_token;
                        // Plugin extras (ASK_ACCESS_TOKEN, ...): only names on this source's allow-list and
                        // the shells', never credsh's own (docs/security.md 32).
                        for (const auto& [k, v] : creds->extra_env) {
                            if (extra_var_allowed(config, target->aws_profile, k))
                                plan.desired[k] = v;
                            else
                                message(
                                    "profile " + target->aws_profile + ": " + printable(k) +
                                    " is not a variable credsh may set (AWS_*, ASK_*, named in the profile's "
                                    "`variables`); not exported");
                        }
                        if (creds->expiration) {
                            if (!creds->access_key_id.empty())
                                plan.desired["AWS_CREDENTIAL_EXPIRATION"] =
                                    format_iso8601(*creds->expiration);
                            plan.expires = creds->expiration;
                            std::int64_t next =
                                std::max(*creds->expiration - kRefreshWindow, req.now + kRetryDelay);
                            next = std::min(next, *creds->expiration);
                            if (!plan.refresh_at || next < *plan.refresh_at) plan.refresh_at = next;
                        }
                    }
                }
            }
            if (region) {
                plan.desired["AWS_REGION"] = *region;
                plan.desired["AWS_DEFAULT_REGION"] = *region;
            }
            if (!plan.ask_profile.empty()) plan.desired["ASK_DEFAULT_PROFILE"] = plan.ask_profile;
            if (ask_env) {
                // All or nothing (ask_config.hpp): token, vendor id and AWS keys, or profile mode.
                const std::string& vendor = ask.profiles.at(plan.ask_profile).vendor_id;
                if (!plan.desired["AWS_ACCESS_KEY_ID"] || vendor.empty()) {
                    message("ASK profile " + plan.ask_profile + ": environment mode needs " +
                            (vendor.empty()
                                 ? std::string("a vendor_id in cli_config")
                                 : "the keys of its linked AWS profile (aws_profile in cli_config)") +
                            "; using ASK_DEFAULT_PROFILE only");
                } else {
                    AskTokenRequest areq{base,        plan.ask_profile, req.now,
                                         req.plugins, req.resolve,      req.timeout_ms};
                    AskToken tok = ask_access_token(areq);
                    for (auto& m : tok.messages)
                        message(std::move(m));
                    if (tok.failed) {
                        plan.failed = true;
                        if (!plan.refresh_at || req.now + kRetryDelay < *plan.refresh_at)
                            plan.refresh_at = req.now + kRetryDelay;
                    }
                    if (tok.access_token) {
                        plan.desired["ASK_ACCESS_TOKEN"] = *tok.access_token;
                        plan.desired["ASK_VENDOR_ID"] = vendor;
                    }
                    if (tok.refresh_at) {
                        std::int64_t next = std::max(*tok.refresh_at, req.now + kRetryDelay);
                        if (!plan.refresh_at || next < *plan.refresh_at) plan.refresh_at = next;
                    }
                }
            }
        }
    }

    // Plugin variables outside the managed set (an env-format secret's) are unset once no longer wanted,
    // unless the user changed them by hand since credsh set them.
    if (req.state)
        for (const auto& [name, hash] : req.state->applied)
            if (!plan.desired.count(name) && hash != value_hash(std::nullopt) &&
                hash == value_hash(req.env.get(name)) && valid_var_name(name))
                plan.desired[name] = std::nullopt;

    // credsh's own status variables and the prompt.
    for (std::string_view v : kInfo)
        plan.info[std::string(v)] = std::nullopt;
    std::string shown = sel.applies  ? (plan.aws_profile.empty() ? plan.ask_profile : plan.aws_profile)
                        : sel.winner ? sel.profile
                                     : "";
    if (!region) region = nonempty(plan.desired["AWS_REGION"]);
    plan.region = region.value_or("");
    std::string blocked;
    if (in.dir.status == DirStatus::blocked || in.dir.status == DirStatus::denied ||
        in.dir.status == DirStatus::invalid)
        blocked = in.dir.realpath.empty() ? in.dir.path : in.dir.realpath;
    if (!shown.empty()) {
        plan.info["CREDSH_PROFILE"] = shown;
        plan.info["CREDSH_SCOPE"] = std::string(scope_name(*sel.winner));
    }
    std::string vendor_id; // not a secret: it names the developer account, as an AWS account id does
    if (!plan.ask_profile.empty()) {
        plan.info["CREDSH_ASK_PROFILE"] = plan.ask_profile;
        if (auto it = ask.profiles.find(plan.ask_profile); it != ask.profiles.end())
            vendor_id = it->second.vendor_id;
        if (!vendor_id.empty()) plan.info["CREDSH_ASK_VENDOR_ID"] = vendor_id;
    }
    if (!plan.region.empty() && !shown.empty()) plan.info["CREDSH_REGION"] = plan.region;
    if (plan.expires) plan.info["CREDSH_EXPIRES"] = std::to_string(*plan.expires);
    if (!blocked.empty()) plan.info["CREDSH_BLOCKED"] = blocked;
    PromptValues pv;
    pv.profile = shown;
    pv.region = shown.empty() ? "" : plan.region;
    pv.time_left = plan.expires ? std::string(kTimePlaceholder) : "";
    pv.scope_marker = sel.winner && !shown.empty() ? scope_marker(*sel.winner) : "";
    pv.blocked = blocked.empty() ? "" : "blocked";
    pv.ask_profile = plan.ask_profile;
    pv.ask_vendor_id = vendor_id;
    plan.prompt_template = format_prompt(config.prompt_format, pv);

    // What the hook watches for changes between two prompts.
    ProfileFileLocations loc = locate_profile_files(base);
    add_watch(plan.watch, loc.config);
    add_watch(plan.watch, loc.credentials);
    add_watch(plan.watch, config.path);
    add_watch(plan.watch, ask_config_path(base));
    add_watch(plan.watch, store.root + "/allow");
    add_watch(plan.watch, store.root + "/deny");
    if (!in.dir.path.empty()) plan.watch.push_back(in.dir.path);

    plan.state.ambient = ambient;
    for (const auto& [name, value] : plan.desired)
        plan.state.applied[name] = value_hash(value);
    plan.state.profile = plan.desired["AWS_ACCESS_KEY_ID"] ? plan.aws_profile : "";
    plan.state.provider = plan.provider;
    plan.state.expires = plan.expires;
    return plan;
}

Result<std::string> render_export(const ExportPlan& plan, const Env& current, const Shell& shell,
                                  const std::string& stamp) {
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
    std::string watch = "__credsh_set_watch";
    for (const auto& w : plan.watch) {
        if (!shell.representable(w)) continue; // such a path cannot be watched from this shell
        watch += " " + shell.quote(w);
    }
    out += watch + "\n";
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
