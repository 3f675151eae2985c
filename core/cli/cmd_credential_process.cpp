// credsh credential-process --profile NAME: credsh as any SDK's or tool's `credential_process`. It resolves
// NAME through the same chain and step runner as exec (pipeline/resolve.cpp: the caches are read first and
// filled after a fetch, so a tool calling again while the credentials are valid makes no network call) and
// prints the SDKs' "Version 1" JSON on stdout. Nothing else ever goes to stdout: a failure is one line on
// stderr and a non-zero exit. An MFA code is asked on /dev/tty when there is one (docs/security.md 28),
// never read from stdin, which belongs to the calling tool.
//
// A profile whose credential_process leads back to a profile already being served (credsh credential-process
// -p X, whose chain runs `credsh credential-process -p X` again) must end in one clear error, never a fork
// loop: every credsh credential-process adds its profile to CREDSH_SERVING in the environment its
// credential_process children see, and refuses a profile that is already there.
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/provider.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace credsh {

namespace {

// The profiles being served by credsh credential-process processes above this one, '/'-separated ('/' is
// never in a profile name, docs/security.md 9).
constexpr const char* kServingVar = "CREDSH_SERVING";

std::vector<std::string> serving_chain(const Env& env) {
    std::vector<std::string> out;
    std::istringstream in(env.get(kServingVar).value_or(""));
    std::string name;
    while (std::getline(in, name, '/'))
        if (!name.empty()) out.push_back(name);
    return out;
}

} // namespace

int cmd_credential_process(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string profile;
    desc.add_options()("profile,p", po::value(&profile)->required(), "the profile to serve");
    po::positional_options_description pos;
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "credential-process --profile NAME",
        "Prints the credentials of NAME as credential_process JSON (Version 1), for any SDK or tool: "
        "credential_process = credsh credential-process --profile NAME. Uses and fills credsh's caches; an "
        "MFA code is asked on the terminal.",
        rc);
    if (!vm) return rc;

    std::vector<std::string> chain = serving_chain(ctx.env);
    std::string path;
    for (const auto& p : chain)
        path += p + " -> ";
    if (std::find(chain.begin(), chain.end(), profile) != chain.end()) {
        ctx.warn(
            "credential-process: profile " + printable(profile) + " leads back to itself (" +
            printable(path + profile) +
            "): its credential_process runs credsh credential-process for a profile already being served");
        return 1;
    }
    ctx.env.set(kServingVar, path.empty() ? profile : ctx.env.get(kServingVar).value_or("") + "/" + profile);

    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn("credential-process: " + profiles.error().message);
        return 1;
    }
    auto config = load_credsh_config(ctx.env);
    if (!config) {
        ctx.warn("credential-process: " + config.error().message);
        return 1;
    }
    ResolveContext rctx{*profiles, *config, ctx.env, ctx.now, ctx.err_fd};
    rctx.plugins = ctx.plugins();
    rctx.interactive = true; // an MFA code from /dev/tty when there is one; without one, a clear failure
    rctx.timeout_ms = kInteractiveTimeoutMs;
    auto creds = resolve_credentials(rctx, profile);
    if (!creds) {
        ctx.warn("credential-process: " + creds.error().message);
        return 1;
    }
    if (creds->access_key_id.empty()) {
        ctx.warn("credential-process: profile " + printable(profile) + " gives no AWS keys");
        return 1;
    }
    nlohmann::ordered_json j;
    j["Version"] = 1;
    j["AccessKeyId"] = creds->access_key_id;
    j["SecretAccessKey"] = creds->secret_access_key;
    if (!creds->session_token.empty()) j["SessionToken"] = creds->session_token;
    if (creds->expiration) j["Expiration"] = format_iso8601(*creds->expiration);
    if (!creds->account_id.empty()) j["AccountId"] = creds->account_id;
    ctx.out(j.dump() + "\n");
    return 0;
}

} // namespace credsh
