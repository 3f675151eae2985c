// The token part of the ASK CLI's ~/.ask/cli_config, for the ask plugin: read one profile's LWA token, and
// write a refreshed one back the way the ASK CLI does (AppConfig.setToken: profiles.<name>.token replaced by
// the LWA response plus expires_at), keeping every other member of the file - other profiles, machine_id,
// share_usage, keys the ASK CLI may add later - with its value and its place (nlohmann::ordered_json).
// Pure functions over bytes; the plugin does the I/O.
#pragma once

#include "base/result.hpp"
#include "lwa.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace credsh::ask {

struct StoredToken {
    std::string access_token;
    std::string refresh_token;
    std::optional<std::int64_t> expires_at; // token.expires_at, when it parses
    std::string vendor_id;
};

// The profile's token. Errors name the file and the profile, never a value.
Result<StoredToken> read_profile_token(const std::string& path, const std::string& bytes,
                                       const std::string& profile);

// The whole file again with profiles.<profile>.token updated from `fresh`: the old token object's members in
// their order, overwritten by the response's, and expires_at = now + expires_in as JavaScript's toISOString
// writes it. Two-space indentation, as the ASK CLI writes the file (JSON.stringify(content, null, 2)).
// `bytes` is the file as it is right before the write, so this is a merge (docs/security.md 44): a refresh
// token is only written when LWA rotated it, i.e. the response's differs from `used_refresh`, the one the
// refresh was made with; otherwise the file's own is kept, since a concurrent writer (the ASK CLI) may have
// stored a newer one meanwhile. An empty `used_refresh` writes any refresh token the response carries.
Result<std::string> apply_refreshed_token(const std::string& path, const std::string& bytes,
                                          const std::string& profile, const plugin::LwaToken& fresh,
                                          std::int64_t now, const std::string& used_refresh = "");

// "2024-05-06T07:08:09.000Z" (Date.prototype.toISOString at whole seconds).
std::string js_iso_string(std::int64_t epoch);

} // namespace credsh::ask
