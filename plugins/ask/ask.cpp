// credsh-ask: a fresh LWA access token for an ASK CLI profile (~/.ask/cli_config), for environment mode.
//
// The core calls this only when the token in cli_config is missing, expired or within 15 minutes of expiry
// (it reads expires_at itself, so a prompt with a valid token loads no plugin), and it holds a lock per
// profile around the call, so concurrent shells refresh once. Here: read the profile's refresh token,
// run the refresh-token grant, write the new token back into cli_config the way the ASK CLI does (every
// other member of the file kept; atomically, 0600), and hand the access token to the core.
//
// The LWA client: a refresh token only works with the client it was issued to. The ASK CLI's own client is
// "internal only" by its source's terms (lib/utils/constants.js: "Use of this client outside of the CLI is
// unauthorized"), so credsh does not carry it; it uses the client the ASK CLI is told to use through
// ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION. Without them the core does not call this plugin, and
// the ASK CLI refreshes its own file (README "ask").
#include "cli_config_tokens.hpp"
#include "endpoints.hpp"
#include "lwa.hpp"
#include "plugin_support.hpp"
#include "safe_file.hpp"
#include "text.hpp"

#include <climits>
#include <cstdlib>

namespace {

using namespace credsh;
using namespace credsh::plugin;

constexpr std::int64_t kRefreshWindow = 15 * 60; // as the core's; a token with more left is used as it is

// The file itself when cli_config is a symlink, so the rename replaces the target and keeps the link.
std::string write_target(const std::string& path) {
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf)) return buf;
    return path;
}

int32_t run(const Request& req, const Output& out) {
    if (req.operation() != "credentials") return CREDSH_UNSUPPORTED;
    const std::string profile = req.profile();
    const std::string path = req.home() + "/.ask/cli_config";
    const std::string where = "ASK profile " + printable(profile);
    const std::string hint = "ask configure --profile " + profile;

    auto bytes = safe_read_file(path, kConfigCap);
    if (!bytes) return out.error(where + ": " + bytes.error().message);
    auto stored = ask::read_profile_token(path, *bytes, profile);
    if (!stored) return out.error(stored.error().message);

    auto put_token = [&](const std::string& token, std::int64_t expires) {
        out.put("env.ASK_ACCESS_TOKEN", token);
        out.put("expiration", format_iso8601(expires));
        out.put("source", "ask " + profile);
        return CREDSH_OK;
    };
    // Another process (the ASK CLI, another shell) may have refreshed since the core looked.
    if (!stored->access_token.empty() && stored->expires_at &&
        *stored->expires_at - req.now() > kRefreshWindow)
        return put_token(stored->access_token, *stored->expires_at);
    if (stored->refresh_token.empty())
        return out.needs_login(where + ": no refresh token in " + printable(path), hint);

    LwaClient client;
    client.client_id = req.env("ASK_LWA_CLIENT_ID").value_or("");
    client.client_secret = req.env("ASK_LWA_CLIENT_CONFIRMATION").value_or("");
    if (client.client_id.empty() || client.client_secret.empty())
        return out.error(where + ": refreshing needs the LWA client the refresh token was issued to "
                                 "(ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION)");
    auto url = lwa_token_url_for_host(req.env("ASK_LWA_TOKEN_HOST").value_or(""));
    if (!url) return out.error(where + ": " + url.error().message);
    client.token_url = *url;
    client.proxy = req.env("ASK_CLI_PROXY").value_or(""); // the ASK CLI's own proxy setting
    client.ca_bundle = ca_bundle_for(req);                 // AWS_CA_BUNDLE (no AWS profile here)
    client.timeout_ms = req.timeout_ms();
    out.add_secret(client.client_secret);
    out.add_secret(stored->refresh_token);

    LwaResult fresh = lwa_refresh(client, stored->refresh_token);
    if (fresh) {
        out.add_secret(fresh.token->access_token);
        out.add_secret(fresh.token->refresh_token);
    }
    if (!fresh) {
        if (fresh.failure == LwaFailure::invalid_grant)
            return out.needs_login(where + ": " + fresh.message, hint);
        return out.error(where + ": " + fresh.message);
    }

    // Re-read just before writing: the ASK CLI does not lock the file, so keep whatever it wrote meanwhile.
    auto current = safe_read_file(path, kConfigCap);
    Result<std::string> updated =
        current ? ask::apply_refreshed_token(path, *current, profile, *fresh.token, req.now())
                : Result<std::string>(current.error());
    Result<void> written =
        updated ? atomic_write_file(write_target(path), *updated) : Result<void>(updated.error());
    if (!written) {
        // The new access token is still good; a rotated refresh token that cannot be stored is not. The host
        // prefixes "credsh: " and escapes say() lines itself.
        out.say("ASK profile " + profile + ": could not write the refreshed token back: " + written.error().message);
        if (!fresh.token->refresh_token.empty() && fresh.token->refresh_token != stored->refresh_token)
            out.say("ASK profile " + profile + ": LWA rotated the refresh token; run `" + hint +
                    "` if the next refresh fails");
    }
    // expires_in is at most kMaxLifetime (lwa.cpp checked it), so this cannot overflow.
    return put_token(fresh.token->access_token, req.now() + fresh.token->expires_in);
}

} // namespace

CREDSH_CXX_PLUGIN("ask", "0.1.0", "ASK CLI profiles: LWA access-token refresh for ~/.ask/cli_config", run);
