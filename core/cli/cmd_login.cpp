// credsh login [PROFILE] [--sso-session NAME] [--no-browser] [--use-device-code]: the only command that may
// talk to a person (a browser sign-in, a device code, an MFA code). It signs in where the profile's chain
// needs it (the aws-sso plugin's "login" for an SSO step), then resolves the profile with a fresh last step,
// so the role credentials or MFA session land in the shared caches and every shell's next prompt picks them
// up (the hook watches the cache file). With --sso-session it signs in to that [sso-session] alone, as `aws
// sso login --sso-session` does.
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

namespace credsh {

namespace {

// One aws-sso "login" call through the step runner; the plugin prints the URL and code through say() and
// polls until approval.
Result<PluginReply> sign_in(Context& ctx, const std::string& profile,
                            std::map<std::string, std::string> settings, const SsoLoginOptions& options) {
    // The deadline is per HTTP call; the polling itself ends when the code expires or on Ctrl-C.
    StepRunner runner(RunnerIO{.env = ctx.env,
                               .now = ctx.now,
                               .plugins = ctx.plugins(),
                               .interactive = true,
                               .timeout_ms = kInteractiveTimeoutMs,
                               .stderr_fd = ctx.err_fd});
    return sso_login(runner, profile, std::move(settings), options);
}

std::string valid_for(const PluginReply& reply, std::int64_t now) {
    auto exp = parse_iso8601(reply.get("expiration"));
    return exp ? ", token valid " + human_duration(*exp - now) : "";
}

// --sso-session NAME: that sign-in alone, as `aws sso login --sso-session` does.
int login_session(Context& ctx, const ProfileSet& profiles, const std::string& session,
                  const SsoLoginOptions& opts) {
    if (!profiles.sso_sessions.count(session)) {
        ctx.warn("login: there is no [sso-session " + printable(session) + "] in the AWS config file");
        return 1;
    }
    auto reply = sign_in(ctx, "", plugin_settings(profiles, nullptr, "", session), opts);
    if (!reply) {
        ctx.warn("login: sso-session " + printable(session) + ": " + reply.error().message);
        return 1;
    }
    ctx.warn("signed in: sso-session " + printable(session) + valid_for(*reply, ctx.now));
    return 0;
}

// A profile: sign in where its chain needs a person, then resolve it with a fresh last step.
int login_profile(Context& ctx, const ProfileSet& profiles, const std::string& name,
                  const SsoLoginOptions& opts) {
    auto config = load_credsh_config(ctx.env);
    CredshConfig cfg = config ? *config : CredshConfig{};
    // The chain resolve_credentials runs, web identity from the environment included.
    auto chain = plan_chain(profiles, cfg, name, web_identity_env(ctx.env));
    if (!chain) {
        ctx.warn("login: " + chain.error().message);
        return 1;
    }
    bool person = false;
    std::string token_valid;
    for (const Step& step : *chain) {
        if (step.kind == StepKind::sso) {
            person = true;
            auto reply = sign_in(ctx, step.profile, plugin_settings(profiles, nullptr, step.profile), opts);
            if (!reply) {
                ctx.warn("login: profile " + step.profile + ": " + reply.error().message);
                return 1;
            }
            token_valid = valid_for(*reply, ctx.now);
        }
        if ((step.kind == StepKind::assume_role || step.kind == StepKind::session_token) &&
            profiles.profiles.count(step.profile) &&
            find_prop(profiles.profiles.at(step.profile), "mfa_serial"))
            person = true;
    }
    ResolveContext rctx{profiles, cfg, ctx.env, ctx.now, ctx.err_fd};
    rctx.plugins = ctx.plugins();
    rctx.interactive = true;
    rctx.timeout_ms = kInteractiveTimeoutMs;
    if (!person && chain->back().kind != StepKind::plugin) {
        // Nothing to sign in to, but the credentials must still be there: an unreachable STS is a failure.
        if (auto creds = resolve_credentials(rctx, name); !creds) {
            ctx.warn("login: profile " + name + " (" + describe_chain(profiles, *chain) +
                     ") needs no sign-in, but has no usable credentials: " + creds.error().message);
            return 1;
        }
        ctx.warn("login: profile " + name + " (" + describe_chain(profiles, *chain) +
                 ") needs no sign-in; its credentials are fetched when used");
        return 0;
    }
    // A profile with sso_session and no account/role only holds a token (for tools that use bearer tokens).
    if (chain->size() == 1 && chain->front().kind == StepKind::sso &&
        !find_prop(profiles.profiles.at(name), "sso_account_id")) {
        ctx.warn("signed in: " + name + token_valid);
        return 0;
    }
    rctx.force_refresh = true;
    auto creds = resolve_credentials(rctx, name);
    if (!creds) {
        ctx.warn("login: " + creds.error().message);
        return 1;
    }
    std::string valid = creds->expiration ? ", valid " + human_duration(*creds->expiration - ctx.now) : "";
    ctx.warn("signed in: " + name + valid);
    return 0;
}

} // namespace

int cmd_login(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name, session;
    bool no_browser = false, device_code = false;
    desc.add_options()("profile", po::value(&name), "the profile to sign in for (default: the active one)")(
        "sso-session", po::value(&session), "sign in to this [sso-session] (no profile needed)")(
        "no-browser", po::bool_switch(&no_browser),
        "open no browser: sign in with a device code, from any device (also: CREDSH_NO_BROWSER=1)")(
        "use-device-code", po::bool_switch(&device_code),
        "a device code even where a browser could be opened (as aws sso login --use-device-code)");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "login [PROFILE] [--sso-session NAME] [--no-browser] [--use-device-code]",
        "Signs in for PROFILE where that needs a person: IAM Identity Center in the browser (the "
        "authorization-code flow with PKCE for an sso-session when a browser opens here, else a "
        "device code) or an MFA code.",
        rc);
    if (!vm) return rc;
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn(profiles.error().message);
        return 1;
    }
    SsoLoginOptions opts{no_browser, device_code};
    if (!session.empty()) return login_session(ctx, *profiles, session, opts);
    if (name.empty()) name = active_profile(ctx);
    if (name.empty()) {
        ctx.warn("login: which profile? (credsh login PROFILE, or credsh login --sso-session NAME)");
        return 2;
    }
    return login_profile(ctx, *profiles, name, opts);
}

} // namespace credsh
