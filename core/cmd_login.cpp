// credsh login PROFILE: the only command that may talk to a person (browser, device code, MFA code). The
// plugins that need it (aws-sso, mfa-sts) are not part of this build yet; for the providers the core serves
// there is nothing to sign in to.
#include "cli.hpp"
#include "credsh_config.hpp"
#include "profile_file.hpp"
#include "provider.hpp"

namespace credsh {

int cmd_login(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name;
    desc.add_options()("profile", po::value(&name)->required(), "the profile to sign in for");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, pos, "login PROFILE",
                         "Signs in for PROFILE where that needs a person: an SSO device code or an MFA code.", rc);
    if (!vm) return rc;
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn(profiles.error().message);
        return 1;
    }
    auto config = load_credsh_config(ctx.env);
    ProviderPlan pp = classify_profile(*profiles, config ? *config : CredshConfig{}, name);
    switch (pp.kind) {
    case ProviderKind::none: ctx.warn("login: profile " + name + ": " + pp.detail); return 1;
    case ProviderKind::static_keys:
    case ProviderKind::process:
        ctx.warn("login: profile " + name + " uses " + pp.name + "; there is nothing to sign in to");
        return 0;
    case ProviderKind::plugin:
        ctx.warn("login: profile " + name + " needs plugin " + pp.name + " (" + pp.detail +
                 "), which is not installed in this build");
        return 1;
    }
    return 1;
}

} // namespace credsh
