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
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli_config_tokens.hpp"
#include "endpoints.hpp"
#include "lwa.hpp"
#include "plugin_support.hpp"
#include <credsh/policy.hpp>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using namespace credsh;
using namespace credsh::plugin;

// kRefreshWindow (policy.hpp), as the core's: a token with more left is used as it is.

// Where the write-back goes (docs/security.md 44). cli_config itself when it is a file of ours. When it is a
// symlink (a dotfile manager's, or a shared file's), the file it leads to, so the link stays a link and the
// ASK CLI, which writes the file in place, keeps seeing the same file -- but only when the link and that file
// are ours and nobody else can write its directory: replacing someone else's file would take it from its
// owner (the rename leaves a private copy of ours), so such a link is refused before anything is refreshed.
Result<std::string> write_target(const std::string& path) {
    const uid_t me = ::geteuid();
    struct stat lst {};
    if (::lstat(path.c_str(), &lst) != 0) return fail(printable(path) + ": " + std::strerror(errno));
    if (lst.st_uid != me)
        return fail(printable(path) + " belongs to uid " + std::to_string(lst.st_uid) +
                    "; credsh does not replace it");
    if (!S_ISLNK(lst.st_mode)) return path;
    char buf[PATH_MAX];
    if (!::realpath(path.c_str(), buf)) return fail(printable(path) + ": " + std::strerror(errno));
    const std::string target = buf;
    struct stat st {};
    if (::stat(target.c_str(), &st) != 0) return fail(printable(target) + ": " + std::strerror(errno));
    if (st.st_uid != me)
        return fail(printable(path) + " is a symlink to " + printable(target) + ", which belongs to uid " +
                    std::to_string(st.st_uid) + "; credsh does not replace another user's file");
    const std::string dir = target.substr(0, std::max<std::size_t>(target.find_last_of('/'), 1));
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0 || dst.st_uid != me || (dst.st_mode & (S_IWGRP | S_IWOTH)))
        return fail(printable(path) + " is a symlink to " + printable(target) +
                    ", in a directory that is not ours alone; credsh does not write there");
    return target;
}

// The file has not been touched since `before` was taken: same inode, size, and modification and change times
// (the ASK CLI rewrites it in place, which moves both times).
bool unchanged(const std::string& path, const struct stat& before) {
    struct stat now {};
    return ::stat(path.c_str(), &now) == 0 && now.st_dev == before.st_dev && now.st_ino == before.st_ino &&
           now.st_size == before.st_size && now.st_mtim.tv_sec == before.st_mtim.tv_sec &&
           now.st_mtim.tv_nsec == before.st_mtim.tv_nsec && now.st_ctim.tv_sec == before.st_ctim.tv_sec &&
           now.st_ctim.tv_nsec == before.st_ctim.tv_nsec;
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
    // Before refreshing: a rotated refresh token that could not be stored would be lost.
    auto target = write_target(path);
    if (!target) return out.error(where + ": " + target.error().message);

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
    client.ca_bundle = ca_bundle_for(req);                // AWS_CA_BUNDLE (no AWS profile here)
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

    // The ASK CLI takes no lock on cli_config (it rewrites the file in place with fs.writeFileSync), so there
    // is no lock to share: re-read right before the rename and merge the new token into what is there now (a
    // refresh token LWA did not rotate never overwrites the file's own, which a concurrent writer may have
    // renewed); if the file changed between that read and the write, start over from a fresh read.
    Result<void> written = fail(printable(*target) + ": not written");
    for (int attempt = 0; attempt < 8; ++attempt) {
        struct stat before {};
        auto current = safe_read_file(*target, kConfigCap, before);
        if (!current) {
            written = current.error();
            break;
        }
        auto updated = ask::apply_refreshed_token(path, *current, profile, *fresh.token, req.now(),
                                                  stored->refresh_token);
        if (!updated) {
            written = updated.error();
            break;
        }
        if (!unchanged(*target, before)) {
            written = fail(printable(*target) + " kept changing while credsh was writing it");
            continue;
        }
        written = atomic_write_file(*target, *updated);
        break;
    }
    if (!written) {
        // The new access token is still good; a rotated refresh token that cannot be stored is not. The host
        // prefixes "credsh: " and escapes say() lines itself.
        out.say("ASK profile " + profile +
                ": could not write the refreshed token back: " + written.error().message);
        if (!fresh.token->refresh_token.empty() && fresh.token->refresh_token != stored->refresh_token)
            out.say("ASK profile " + profile + ": LWA rotated the refresh token; run `" + hint +
                    "` if the next refresh fails");
    }
    // expires_in is at most kMaxLifetime (lwa.cpp checked it), so this cannot overflow.
    return put_token(fresh.token->access_token, req.now() + fresh.token->expires_in);
}

} // namespace

CREDSH_CXX_PLUGIN("ask", "0.1.0", "ASK CLI profiles: LWA access-token refresh for ~/.ask/cli_config", run);
