// credsh login [PROFILE]: the only command that may talk to a person (a device code, a browser, an MFA code).
// It signs in where the profile's chain needs it (the aws-sso plugin's "login" for an SSO step), then resolves
// the profile with a fresh last step, so the MFA session or role credentials land in the shared caches and
// every shell's next prompt picks them up (the hook watches the cache file).
#include "chain.hpp"
#include "cli.hpp"
#include "credsh_config.hpp"
#include "profile_file.hpp"
#include "provider.hpp"
#include "text.hpp"

namespace credsh {

int cmd_login(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name;
    desc.add_options()("profile", po::value(&name), "the profile to sign in for (default: the active one)");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, pos, "login [PROFILE]",
                         "Signs in for PROFILE where that needs a person: an SSO device code or an MFA code.", rc);
    if (!vm) return rc;
    if (name.empty()) name = ctx.env.get_nonempty("CREDSH_PROFILE").value_or(ctx.env.get_nonempty("AWS_PROFILE").value_or(""));
    if (name.empty()) {
        ctx.warn("login: which profile? (credsh login PROFILE)");
        return 2;
    }
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn(profiles.error().message);
        return 1;
    }
    auto config = load_credsh_config(ctx.env);
    CredshConfig cfg = config ? *config : CredshConfig{};
    auto chain = plan_chain(*profiles, cfg, name);
    if (!chain) {
        ctx.warn("login: " + chain.error().message);
        return 1;
    }
    bool person = false;
    for (const Step& step : *chain) {
        if (step.kind == StepKind::sso) {
            person = true;
            PluginCall call;
            call.operation = "login";
            call.profile = step.profile;
            auto it = profiles->profiles.find(step.profile);
            if (it != profiles->profiles.end())
                for (const auto& [k, v] : it->second) call.settings[to_lower(k)] = v;
            if (it != profiles->profiles.end())
                if (const std::string* s = find_prop(it->second, "sso_session"))
                    if (auto ss = profiles->sso_sessions.find(*s); ss != profiles->sso_sessions.end())
                        for (const auto& [k, v] : ss->second) call.settings["sso-session." + to_lower(k)] = v;
            call.home = ctx.env.home();
            call.now = ctx.now;
            call.timeout_ms = 15000;
            call.interactive = true;
            auto reply = ctx.plugins()->call(step.plugin, call);
            if (!reply) {
                ctx.warn("login: " + reply.error().message);
                return 1;
            }
            if (reply->status != CREDSH_OK) {
                std::string msg = reply->get("message");
                ctx.warn("login: profile " + step.profile + ": " + (msg.empty() ? "sign-in failed" : msg));
                return 1;
            }
        }
        if ((step.kind == StepKind::assume_role || step.kind == StepKind::session_token) &&
            profiles->profiles.count(step.profile) && find_prop(profiles->profiles.at(step.profile), "mfa_serial"))
            person = true;
    }
    if (!person && chain->back().kind != StepKind::plugin) {
        ctx.warn("login: profile " + name + " (" + describe_chain(*profiles, *chain) +
                 ") needs no sign-in; its credentials are fetched when used");
        return 0;
    }
    ResolveContext rctx{*profiles, cfg, ctx.env, ctx.now, ctx.err_fd};
    rctx.plugins = ctx.plugins();
    rctx.interactive = true;
    rctx.timeout_ms = 15000;
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

} // namespace credsh
