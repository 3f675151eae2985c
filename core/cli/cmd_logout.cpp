// credsh logout [PROFILE] [--sso-session NAME]: forgets what `credsh login` (or `aws sso login`) stored for
// the profile's IAM Identity Center sign-in. The aws-sso plugin calls the SSO Logout API and removes the
// token file (~/.aws/sso/cache/<sha1>.json, shared with the AWS CLI); the core then removes the role
// credentials derived from that token: the ~/.aws/cli/cache entry of every profile the plugin says uses the
// same sign-in (the same sso-session, or for legacy profiles the same start URL), named with
// sso_role_cache_key exactly as the CLI names them, plus the profile's own cached credentials (an assume-role
// step on top of SSO, an MFA session). Registrations stay, as with the CLI. Every plugin call goes through
// the step runner (runner.hpp).
// --all does what `aws sso logout` does: every sign-in the config names is logged out at the service, then
// every remaining token file and every SSO role credential in the CLI's caches is removed.
// Whatever the form, the profiles built on a sign-in it ended (a role assumed from an SSO profile) lose their
// cached credentials too, and every profile covered goes into the logout record (cred_cache.hpp), which every
// shell's hook watches: at its next prompt a shell drops the credentials it holds for them, applied or kept
// (docs/security.md 48).
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh {

namespace {

// Another logout's rewrite of the record takes milliseconds; one that holds the lock longer is stuck.
constexpr int kLogoutLockMs = 10000;

bool remove_if_present(const Context& ctx, const std::string& path) {
    if (::unlink(path.c_str()) == 0) return true;
    if (errno != ENOENT) ctx.warn("logout: cannot remove " + printable(path) + ": " + std::strerror(errno));
    return false;
}

// One sign-in (a profile's SSO settings, or an [sso-session]): the aws-sso plugin's logout (Logout API +
// token file), then the role credentials of every profile signed in through the same token (the plugin
// says which sign-in each profile uses).
bool logout_identity(Context& ctx, const ProfileSet& profiles, const std::string& sso_profile,
                     const std::string& session, int removed_creds, std::vector<std::string>& covered) {
    StepRunner runner(RunnerIO{.env = ctx.env,
                               .now = ctx.now,
                               .plugins = ctx.plugins(),
                               .interactive = true,
                               .timeout_ms = kStepTimeoutMs,
                               .stderr_fd = ctx.err_fd});
    auto settings = plugin_settings(profiles, nullptr, sso_profile, session);
    auto reply = sso_logout(runner, sso_profile, settings);
    if (!reply) {
        ctx.warn("logout: " + reply.error().message);
        return false;
    }
    bool token_removed = reply->get("removed") == "1";
    auto signed_in = sso_sign_in(runner, sso_profile, settings);
    std::string sign_in = signed_in ? signed_in->get("sign_in") : "";
    std::string cli_dir = cache_dirs(ctx.env).cli;
    if (!sign_in.empty())
        for (const std::string& pname : profiles_signed_in_with(runner, profiles, sign_in)) {
            const Properties& props = profiles.profiles.at(pname);
            const std::string* s = nonempty_prop(props, "sso_session");
            const std::string* u = nonempty_prop(props, "sso_start_url");
            std::string key =
                sso_role_cache_key(*nonempty_prop(props, "sso_account_id"),
                                   *nonempty_prop(props, "sso_role_name"), s ? *s : "", u ? *u : "");
            removed_creds += remove_if_present(ctx, cli_dir + "/" + key + ".json");
            covered.push_back(pname);
        }
    ctx.warn("logged out: " + printable(sign_in) + " (" +
             (token_removed ? "token removed" : "no token was cached") + ", " +
             std::to_string(removed_creds) + " cached credential file" + (removed_creds == 1 ? "" : "s") +
             " removed)");
    return true;
}

// Files in DIR ending in .json whose JSON object has KEY (with VALUE, when given); unreadable ones are
// skipped.
std::vector<std::string> json_files_with(const std::string& dir, const std::string& key,
                                         const std::string& value = "") {
    std::vector<std::string> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n.size() < 6 || n.compare(n.size() - 5, 5, ".json") != 0) continue;
        auto text = safe_read_file(dir + "/" + n, kStateFileCap);
        if (!text) continue;
        auto j = nlohmann::json::parse(*text, nullptr, false);
        if (!j.is_object() || !j.contains(key)) continue;
        if (!value.empty() && !(j[key].is_string() && j[key].get<std::string>() == value)) continue;
        out.push_back(dir + "/" + n);
    }
    ::closedir(d);
    return out;
}

// The profile's own entries in the credential caches (a role assumed on top of SSO, an MFA session).
// credential_cache_files is the hook's watch list: only entries inside the credential caches are files to
// remove.
int remove_cached_credentials(const Context& ctx, const ResolveContext& rctx, const std::string& name) {
    int removed = 0;
    CacheDirs dirs = cache_dirs(ctx.env);
    for (const auto& f : credential_cache_files(rctx, name)) {
        struct stat st {};
        bool cache_entry = f.rfind(dirs.cli + "/", 0) == 0 || f.rfind(dirs.credsh + "/", 0) == 0;
        if (cache_entry && ::lstat(f.c_str(), &st) == 0 && S_ISREG(st.st_mode))
            removed += remove_if_present(ctx, f);
    }
    return removed;
}

// Profiles whose chain goes through the SSO step of a covered profile (every SSO step with `all`) are
// covered too: their cached credentials were derived from the sign-in that ended. Returns how many files
// went.
int cover_derived(const Context& ctx, const ResolveContext& rctx, std::vector<std::string>& covered,
                  bool all) {
    std::set<std::string> sso(covered.begin(), covered.end());
    int removed = 0;
    for (const auto& [name, props] : rctx.profiles.profiles) {
        (void)props;
        if (sso.count(name)) continue;
        auto chain = plan_chain(rctx.profiles, rctx.config, name, web_identity_env(ctx.env));
        if (!chain) continue;
        bool derived = false;
        for (const Step& step : *chain)
            derived = derived || (step.kind == StepKind::sso && (all || sso.count(step.profile)));
        if (!derived) continue;
        removed += remove_cached_credentials(ctx, rctx, name);
        covered.push_back(name);
    }
    return removed;
}

// Every shell drops what it holds for `covered` at its next prompt.
void record_logout(const Context& ctx, const std::vector<std::string>& covered) {
    if (covered.empty()) return;
    CacheDirs dirs = cache_dirs(ctx.env);
    if (auto w = add_to_logout_record(dirs.logouts, dirs.locks, covered, ctx.now, kLogoutLockMs); !w)
        ctx.warn("logout: shells were not told (they keep what they hold until it expires): " +
                 w.error().message);
}

int logout_all(Context& ctx, const ProfileSet& profiles, const ResolveContext& rctx) {
    bool ok = true;
    int none = 0;
    std::vector<std::string> covered;
    for (const auto& [name, props] : profiles.sso_sessions) {
        (void)props;
        ok = logout_identity(ctx, profiles, "", name, none, covered) && ok;
    }
    std::set<std::string> urls; // legacy sign-ins: one per start URL
    for (const auto& [name, props] : profiles.profiles) {
        const std::string* u = nonempty_prop(props, "sso_start_url");
        if (!u || nonempty_prop(props, "sso_session") || !urls.insert(*u).second) continue;
        ok = logout_identity(ctx, profiles, name, "", none, covered) && ok;
    }
    int derived = cover_derived(ctx, rctx, covered, true);
    // What the config no longer names, as `aws sso logout` does: tokens (accessToken; registrations have
    // none) and the SSO role credentials in the CLI's cache.
    std::string home = ctx.env.home();
    std::string sso_dir = home + "/.aws/sso/cache";
    int tokens = 0, creds = 0;
    for (const auto& f : json_files_with(sso_dir, "accessToken"))
        tokens += remove_if_present(ctx, f);
    for (const auto& f : json_files_with(cache_dirs(ctx.env).cli, "ProviderType", "sso"))
        creds += remove_if_present(ctx, f);
    ctx.warn("logged out everywhere: " + std::to_string(tokens) + " more token file" +
             (tokens == 1 ? "" : "s") + " and " + std::to_string(creds) + " more SSO credential file" +
             (creds == 1 ? "" : "s") + " removed" +
             (derived ? ", and " + std::to_string(derived) + " of roles assumed from SSO" : std::string()));
    record_logout(ctx, covered);
    return ok ? 0 : 1;
}

} // namespace

int cmd_logout(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name, session;
    bool all = false;
    desc.add_options()("profile", po::value(&name), "the profile to sign out (default: the active one)")(
        "sso-session", po::value(&session), "sign out of this [sso-session]")(
        "all", po::bool_switch(&all),
        "sign out of every SSO sign-in and remove every cached SSO token and "
        "SSO role credential (as `aws sso logout`)");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "logout [PROFILE] [--sso-session NAME] [--all]",
                   "Removes the SSO token of PROFILE's sign-in and the credentials derived from it; every "
                   "shell drops\nthe credentials it holds for them at its next prompt.",
                   rc);
    if (!vm) return rc;
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn(profiles.error().message);
        return 1;
    }
    auto config = load_credsh_config(ctx.env);
    CredshConfig cfg = config ? *config : CredshConfig{};
    ResolveContext rctx{*profiles, cfg, ctx.env, ctx.now, ctx.err_fd};
    if (all) {
        if (!name.empty() || !session.empty()) {
            ctx.warn("logout: --all takes no profile or --sso-session");
            return 2;
        }
        return logout_all(ctx, *profiles, rctx);
    }
    std::vector<std::string> covered;

    std::string sso_profile; // the profile whose SSO settings the plugin gets ("" with --sso-session)
    int removed_creds = 0;
    if (session.empty()) {
        if (name.empty()) name = active_profile(ctx);
        if (name.empty()) {
            ctx.warn("logout: which profile? (credsh logout PROFILE, or credsh logout --sso-session NAME)");
            return 2;
        }
        // The chain resolution runs, web identity from the environment included.
        auto chain = plan_chain(*profiles, cfg, name, web_identity_env(ctx.env));
        if (!chain) {
            ctx.warn("logout: " + chain.error().message);
            return 1;
        }
        removed_creds += remove_cached_credentials(ctx, rctx, name);
        covered.push_back(name);
        for (const Step& step : *chain)
            if (step.kind == StepKind::sso) {
                sso_profile = step.profile;
                break;
            }
        if (sso_profile.empty()) {
            // Shells drop what they hold for it (a credential_process's credentials kept in a shell's state).
            record_logout(ctx, covered);
            ctx.warn(removed_creds ? "logged out: " + name + " (its cached credentials were removed)"
                                   : "logged out: " + name + " (" + describe_chain(*profiles, *chain) +
                                         "; no SSO sign-in and no cached credentials; shells drop what they "
                                         "hold for it at their next prompt)");
            return 0;
        }
    } else if (!profiles->sso_sessions.count(session)) {
        ctx.warn("logout: there is no [sso-session " + printable(session) + "] in the AWS config file");
        return 1;
    }

    bool ok = logout_identity(ctx, *profiles, sso_profile, session, removed_creds, covered);
    if (int derived = cover_derived(ctx, rctx, covered, false))
        ctx.warn("logged out: " + std::to_string(derived) + " cached credential file" +
                 (derived == 1 ? "" : "s") + " of roles assumed from this sign-in removed");
    record_logout(ctx, covered);
    return ok ? 0 : 1;
}

} // namespace credsh
