// Runs a provider chain (chain.hpp): each plugin step goes through the step runner (runner.hpp), which owns
// caching, expiry windows, locking and talking to a person; this file knows the chain - cache keys, the
// request of each step kind, the source credentials - and a plugin only turns one step's settings (and its
// source credentials) into credentials (docs/design.md §5).
//
// The prompt path stays cheap because the chain is walked from its end: when the last step's cache entry has
// more than 15 minutes left, nothing before it is resolved and no plugin is loaded.
#include "base/text.hpp"
#include "base/tty.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/plugin_host.hpp"
#include "pipeline/process.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh {

namespace {

Credentials static_credentials(const Properties& p) {
    Credentials c;
    c.access_key_id = *find_prop(p, "aws_access_key_id");
    c.secret_access_key = *find_prop(p, "aws_secret_access_key");
    // botocore also reads the legacy name, from the same section only.
    if (const std::string* t = nonempty_prop(p, "aws_session_token"))
        c.session_token = *t;
    else if (const std::string* legacy = find_prop(p, "aws_security_token"))
        c.session_token = *legacy;
    if (const std::string* a = find_prop(p, "aws_account_id")) c.account_id = *a;
    return c;
}

std::map<std::string, std::string> as_source(const Credentials& c) {
    std::map<std::string, std::string> m{{"aws_access_key_id", c.access_key_id},
                                         {"aws_secret_access_key", c.secret_access_key}};
    if (!c.session_token.empty()) m["aws_session_token"] = c.session_token;
    if (c.expiration) m["expiration"] = format_iso8601(*c.expiration);
    if (!c.account_id.empty()) m["account_id"] = c.account_id;
    return m;
}

struct CacheRef {
    std::string dir, key;
    nlohmann::json extra = nlohmann::json::object(); // written beside Credentials (ProviderType, ...)
    std::string path() const { return dir + "/" + key + ".json"; }
};

// The AssumeRole arguments the CLI's cache key is made of (docs/protocols.md §1).
nlohmann::json assume_role_args(const Properties& p, bool web_identity) {
    nlohmann::json a = nlohmann::json::object();
    a["RoleArn"] = *nonempty_prop(p, "role_arn");
    if (const std::string* v = nonempty_prop(p, "role_session_name")) a["RoleSessionName"] = *v;
    if (web_identity) return a;
    if (const std::string* v = nonempty_prop(p, "external_id")) a["ExternalId"] = *v;
    if (const std::string* v = nonempty_prop(p, "mfa_serial")) a["SerialNumber"] = *v;
    if (const std::string* v = nonempty_prop(p, "duration_seconds")) {
        try {
            a["DurationSeconds"] = std::stoll(*v);
        } catch (...) {
            a["DurationSeconds"] =
                *v; // the plugin rejects it with a clear error; the key just has to be stable
        }
    }
    return a;
}

std::optional<CacheRef> cache_for(const ResolveContext& ctx, const Chain& chain, std::size_t i) {
    const Step& step = chain[i];
    CacheDirs dirs = cache_dirs(ctx.env);
    auto pit = ctx.profiles.profiles.find(step.profile);
    static const Properties empty;
    const Properties& p = pit == ctx.profiles.profiles.end() ? empty : pit->second;
    switch (step.kind) {
    case StepKind::assume_role:
        return CacheRef{dirs.cli, assume_role_cache_key(assume_role_args(p, false))};
    case StepKind::web_identity: {
        if (!step.web_env) return CacheRef{dirs.cli, assume_role_cache_key(assume_role_args(p, true))};
        // The AWS CLI keys the same call from the environment the same way: RoleArn [+ RoleSessionName].
        nlohmann::json a = {{"RoleArn", step.web_env->role_arn}};
        if (!step.web_env->session_name.empty()) a["RoleSessionName"] = step.web_env->session_name;
        return CacheRef{dirs.cli, assume_role_cache_key(a)};
    }
    case StepKind::session_token: {
        // The AWS CLI has no MFA sessions; credsh names its own entries the same way, keyed on the long-term
        // key.
        // Keys from the keyring (no keys section to read the id from) are keyed by the profile instead.
        nlohmann::json a = step.keys
                               ? nlohmann::json{{"AccessKeyId", *find_prop(*step.keys, "aws_access_key_id")}}
                               : nlohmann::json{{"KeyringProfile", step.profile}};
        a["SerialNumber"] = *nonempty_prop(p, "mfa_serial");
        if (const std::string* v = nonempty_prop(p, "duration_seconds")) a["DurationSeconds"] = *v;
        return CacheRef{dirs.credsh, "sts-session-" + sha1_hex(python_json_dumps(a))};
    }
    case StepKind::sso: {
        const std::string* account = nonempty_prop(p, "sso_account_id");
        const std::string* role = nonempty_prop(p, "sso_role_name");
        if (!account || !role) return std::nullopt; // a token-only profile has no role credentials
        const std::string* session = nonempty_prop(p, "sso_session");
        const std::string* url = nonempty_prop(p, "sso_start_url");
        return CacheRef{dirs.cli,
                        sso_role_cache_key(*account, *role, session ? *session : "", url ? *url : ""),
                        {{"ProviderType", "sso"}}};
    }
    case StepKind::plugin: {
        // Long-term keys from the keyring are never written to a cache file (docs/security.md 29).
        if (step.plugin == "keyring") return std::nullopt;
        auto settings = plugin_settings(ctx.profiles, &ctx.config, step.profile);
        nlohmann::json j(settings);
        return CacheRef{dirs.credsh,
                        "plugin-" + step.plugin + "-" + sha1_hex(step.profile + "\n" + python_json_dumps(j))};
    }
    case StepKind::access_key:
    case StepKind::process:
    case StepKind::named_source:
        return std::nullopt;
    }
    return std::nullopt;
}

const char* operation_for(StepKind k) {
    switch (k) {
    case StepKind::assume_role:
        return "assume-role";
    case StepKind::web_identity:
        return "assume-role-with-web-identity";
    case StepKind::session_token:
        return "get-session-token";
    default:
        return "credentials";
    }
}

bool needs_mfa(const ResolveContext& ctx, const Step& step) {
    if (step.kind != StepKind::assume_role && step.kind != StepKind::session_token) return false;
    auto it = ctx.profiles.profiles.find(step.profile);
    return it != ctx.profiles.profiles.end() && nonempty_prop(it->second, "mfa_serial");
}

Result<Credentials> from_reply(const PluginReply& reply, const std::string& where) {
    Credentials c;
    c.access_key_id = reply.get("aws_access_key_id");
    c.secret_access_key = reply.get("aws_secret_access_key");
    c.session_token = reply.get("aws_session_token");
    c.account_id = reply.get("account_id");
    for (const auto& [k, v] : reply.out)
        if (k.starts_with("env.")) c.extra_env[k.substr(4)] = v;
    // A plugin (or the secret or server behind it) never sets credsh's own variables (docs/security.md 32):
    // such a reply is refused whole. Other names outside the allow-lists are dropped with a message by the
    // exporter.
    for (const auto& [name, value] : c.extra_env) {
        if (credsh_owned_var(name))
            return fail(where + ": the plugin tried to set " + printable(name) +
                        ", which credsh never takes from a plugin");
        // Nor a credential variable under another name than the reply's own keys (issue 17): whatever the
        // profile's `variables` says, env.AWS_SECRET_ACCESS_KEY would replace the keys the reply carries.
        if (credential_var(name))
            return fail(where + ": the plugin tried to set " + printable(name) +
                        " as a variable; credentials come only from its aws_* reply keys");
    }
    if (c.access_key_id.empty() != c.secret_access_key.empty() ||
        (c.access_key_id.empty() && c.extra_env.empty()))
        return fail(where + ": the plugin returned no credentials");
    if (std::string exp = reply.get("expiration"); !exp.empty()) {
        c.expiration = parse_iso8601(exp);
        if (!c.expiration) return fail(where + ": the plugin returned an unreadable expiration");
    }
    return c;
}

RunnerIO runner_io(const ResolveContext& ctx) {
    return RunnerIO{ctx.env,     ctx.now,         ctx.say,        ctx.read_secret,
                    ctx.plugins, ctx.interactive, ctx.timeout_ms, ctx.stderr_fd};
}

class Runner {
  public:
    Runner(const ResolveContext& ctx, const Chain& chain)
        : ctx_(ctx), chain_(chain), steps_(runner_io(ctx)) {}

    Result<Credentials> run(std::size_t i) {
        const Step& step = chain_[i];
        std::string where = "profile " + step.profile;
        switch (step.kind) {
        case StepKind::access_key:
            return static_credentials(*step.keys);
        case StepKind::process:
            return run_process(step, where);
        case StepKind::named_source:
            if (step.named_source == "Environment") {
                auto key = ctx_.env.get_nonempty("AWS_ACCESS_KEY_ID");
                auto secret = ctx_.env.get_nonempty("AWS_SECRET_ACCESS_KEY");
                if (!key || !secret)
                    return fail(where + ": credential_source = Environment, but AWS_ACCESS_KEY_ID and "
                                        "AWS_SECRET_ACCESS_KEY are not both set");
                Credentials c{*key,         *secret, ctx_.env.get_nonempty("AWS_SESSION_TOKEN").value_or(""),
                              std::nullopt, "",      {}};
                return c;
            }
            return fetch(i, where);
        default:
            return fetch(i, where);
        }
    }

  private:
    Result<Credentials> run_process(const Step& step, const std::string& where) {
        ProcessOptions opts;
        opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ctx_.config.process_timeout);
        opts.stderr_fd = ctx_.stderr_fd;
        // In the hook (not interactive) the tool gets the prompt's per-step budget, like a network step
        // (docs/security.md 24): a hung tool, or one whose child keeps stdout open, must not hold the
        // prompt for the configured timeout. exec and login, where a person waits on purpose, keep the
        // timeout.
        const std::chrono::milliseconds budget{ctx_.timeout_ms};
        const bool prompt_budget = !ctx_.interactive && budget < opts.timeout;
        if (prompt_budget) {
            opts.timeout = budget;
            const std::string& root = chain_.back().profile;
            opts.timeout_hint = "the prompt's budget; run `credsh exec -p " + root +
                                " -- true` to give it the configured " +
                                std::to_string(ctx_.config.process_timeout.count()) + "s";
        }
        const Properties& p = ctx_.profiles.profiles.at(step.profile);
        auto creds = run_credential_process(*find_prop(p, "credential_process"), ctx_.env, ctx_.now, opts);
        if (!creds) return creds.error().context(where); // its errors already name credential_process
        if (creds->account_id.empty())
            if (const std::string* a = find_prop(p, "aws_account_id")) creds->account_id = *a;
        return creds;
    }

    // A step served by a plugin, through the step runner and its cache entry when it has one.
    Result<Credentials> fetch(std::size_t i, const std::string& where) {
        const Step& step = chain_[i];
        auto cache = cache_for(ctx_, chain_, i);
        bool warned = false;
        CachedStep s;
        s.where = where;
        if (cache) s.lock_key = cache->key;
        s.read = [&]() -> std::optional<Credentials> {
            if (!cache) return std::nullopt;
            std::string note;
            auto c = read_cached_credentials(cache->path(), &note);
            if (!note.empty()) steps_.say(note);
            if (c) return *c;
            if (c.error().kind == ErrorKind::unsafe && !warned) {
                // One someone else could have planted is a miss, said once (docs/security.md 32); any other
                // unreadable entry is treated as absent and replaced by the refresh.
                steps_.say(c.error().message);
                warned = true;
            }
            return std::nullopt;
        };
        s.force = ctx_.force_refresh && i + 1 == chain_.size();
        s.needs_person = needs_mfa(ctx_, step);
        const std::string& root = chain_.back().profile;
        s.person_hint = root + " needs an MFA code — run: credsh login " + root;
        s.fetch = [&] { return fetch_anew(i, where, cache); };
        return steps_.serve(s);
    }

    // The step's credentials from its plugin (under the entry's lock), written to the cache entry.
    Result<Credentials> fetch_anew(std::size_t i, const std::string& where,
                                   const std::optional<CacheRef>& cache) {
        const Step& step = chain_[i];
        std::optional<Credentials> source;
        if (i > 0) {
            auto s = run(i - 1);
            if (!s) return s.error();
            source = *s;
            // The source chain fetched this very entry (same key: the same call with the same arguments): its
            // result is what this step would get, as the AWS CLI would find it in the cache now. Calling
            // again would only repeat an MFA prompt, or be refused for reusing the code.
            if (cache)
                if (auto it = fetched_.find(cache->key); it != fetched_.end()) return it->second;
        }
        if (!ctx_.plugins)
            return fail(where + ": needs plugin " + step.plugin + " (" + step_kind_name(step.kind) +
                        "), which is not installed in this build");
        PluginCall call = call_for(step);
        if (source) call.source = as_source(*source);
        if (needs_mfa(ctx_, step)) {
            const Properties& p = ctx_.profiles.profiles.at(step.profile);
            // Asked again while malformed (kMfaCodeTries); no terminal, a cancel or the last try ends it.
            auto code =
                steps_.read_mfa_code("MFA code for " + printable(*nonempty_prop(p, "mfa_serial")) + ": ");
            if (!code) return code.error().context(where + ": MFA code");
            call.args["token_code"] = *code;
        }
        auto reply = steps_.call(step.plugin, call);
        if (!reply) return reply.error().context(where);
        if (reply->status == CREDSH_NEEDS_LOGIN) {
            std::string hint = reply->get("hint");
            std::string root = chain_.back().profile;
            return needs_login(root +
                               " needs login — run: " + (hint.empty() ? "credsh login " + root : hint));
        }
        if (reply->status != CREDSH_OK) {
            std::string msg = reply->get("message");
            return fail(where + ": " + (msg.empty() ? "plugin " + step.plugin + " failed" : msg));
        }
        auto creds = from_reply(*reply, where);
        if (!creds) return creds.error();
        // Env-only replies (an LWA access token) are cached too: the next prompts must not load the plugin.
        if (cache && creds->expiration && (!creds->access_key_id.empty() || !creds->extra_env.empty())) {
            nlohmann::json extra = cache->extra;
            if (auto arn = reply->get("assumed_role_arn"); !arn.empty())
                extra["AssumedRoleUser"] = {{"Arn", arn}, {"AssumedRoleId", reply->get("assumed_role_id")}};
            if (auto w = write_cached_entry(cache->path(), credentials_entry(*creds, extra)); !w)
                steps_.say(where + ": could not cache credentials: " + w.error().message);
        }
        if (cache) fetched_[cache->key] = *creds;
        return creds;
    }

    // The request for a plugin step: the profile's settings, with the chain's region and web identity.
    PluginCall call_for(const Step& step) const {
        PluginCall call;
        call.operation = operation_for(step.kind);
        call.profile = step.profile;
        call.settings = plugin_settings(ctx_.profiles, &ctx_.config, step.profile);
        if (step.kind == StepKind::named_source) call.settings["credential_source"] = step.named_source;
        if (step.plugin == "keyring" && !ctx_.config.keyring.empty())
            call.settings["keyring"] = ctx_.config.keyring;
        if (step.kind == StepKind::assume_role || step.kind == StepKind::session_token ||
            step.kind == StepKind::web_identity) {
            // Every STS hop of a chain goes to the selected profile's region, as botocore's
            // AssumeRoleProvider does (one STS client from the session): a source profile's own region does
            // not move its hop.
            auto top = ctx_.profiles.profiles.find(chain_.back().profile);
            const std::string* r =
                top == ctx_.profiles.profiles.end() ? nullptr : nonempty_prop(top->second, "region");
            if (r)
                call.settings["region"] = *r;
            else
                call.settings.erase(
                    "region"); // then AWS_REGION, AWS_DEFAULT_REGION, us-east-1, as for the top
        }
        if (step.web_env) {
            call.settings["role_arn"] = step.web_env->role_arn;
            call.settings["web_identity_token_file"] = step.web_env->token_file;
            call.settings.erase("role_session_name");
            if (!step.web_env->session_name.empty())
                call.settings["role_session_name"] = step.web_env->session_name;
        }
        return call;
    }

    const ResolveContext& ctx_;
    const Chain& chain_;
    StepRunner steps_;
    std::map<std::string, Credentials> fetched_; // credentials fetched in this run, by cache key
};

} // namespace

Result<Credentials> resolve_credentials(const ResolveContext& ctx, const std::string& name) {
    auto chain = plan_chain(ctx.profiles, ctx.config, name, web_identity_env(ctx.env));
    if (!chain) return chain.error().context("profile " + name);
    Runner runner(ctx, *chain);
    return runner.run(chain->size() - 1);
}

std::vector<std::string> credential_cache_files(const ResolveContext& ctx, const std::string& name) {
    auto chain = plan_chain(ctx.profiles, ctx.config, name, web_identity_env(ctx.env));
    if (!chain || chain->empty()) return {};
    // A missing entry is watched through its nearest existing ancestor: the shells disagree about -nt against
    // a missing file, and the hooks only watch paths that exist. Another terminal's `credsh login` creates
    // the entry (or its directory), which changes that ancestor's mtime. Nothing is created here: a directory
    // made during an export is newer than the shell's stamp, so the next prompt would export again (and
    // repeat a "needs login" hint).
    auto existing = [](std::string path) {
        struct stat st {};
        while (::stat(path.c_str(), &st) != 0) {
            auto slash = path.rfind('/');
            if (slash == std::string::npos || slash == 0) return std::string();
            path.resize(slash);
        }
        return path;
    };
    std::vector<std::string> out;
    if (auto c = cache_for(ctx, *chain, chain->size() - 1))
        if (auto w = existing(c->path()); !w.empty()) out.push_back(w);
    // An SSO sign-in by another tool (`aws sso login`) writes only the token file,
    // ~/.aws/sso/cache/<sha1>.json keyed by the sso-session name or the legacy start URL (docs/protocols.md
    // §1). The aws-sso plugin names it too ("sign-in": token_file), but this list is built on the prompt
    // path, where loading the plugin (and libcurl) for a name would cost every export of an SSO profile.
    if (auto p = ctx.profiles.profiles.find(chain->front().profile);
        chain->front().kind == StepKind::sso && p != ctx.profiles.profiles.end()) {
        const std::string* key = nonempty_prop(p->second, "sso_session");
        if (!key) key = nonempty_prop(p->second, "sso_start_url");
        if (key)
            if (auto w = existing(ctx.env.home() + "/.aws/sso/cache/" + sha1_hex(*key) + ".json");
                !w.empty() && std::find(out.begin(), out.end(), w) == out.end())
                out.push_back(w);
    }
    return out;
}

} // namespace credsh
