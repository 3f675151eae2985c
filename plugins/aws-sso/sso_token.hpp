// The SSO token cache entry and the client registration, exactly as the AWS CLI reads and writes them
// (docs/protocols.md §1; botocore utils.py SSOTokenFetcher / tokens.py SSOTokenProvider), and the pure
// decisions about them: is the token fresh, may it be refreshed, what does a refresh write back. No I/O here.
#pragma once

#include "base/result.hpp"
#include "sso_config.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace credsh::sso {

// Inside kRefreshWindow (policy.hpp, botocore's window), tokens are refreshed and registrations renewed.
using credsh::kRefreshWindow;

struct Token {
    std::string start_url, region; // may be absent in entries written by other tools
    std::string access_token;
    std::int64_t expires_at = 0;
    std::string client_id, client_secret, refresh_token;
    std::optional<std::int64_t> registration_expires_at;
    std::string
        registration_expires_text; // as found, so a refresh writes it back unchanged (as botocore does)
};

// Lenient expiry parsing: "2026-01-02T03:04:05Z", fractional seconds, "+00:00"/"+0000" offsets, the older
// CLI's "...T03:04:05UTC", and a space instead of the "T" or before the zone (dateutil accepts all of these).
std::optional<std::int64_t> parse_expiry(std::string_view text);

// Reads a token file's text. accessToken and expiresAt are required (botocore SSOTokenLoadError otherwise);
// errors never quote the file's contents.
Result<Token> parse_token(const std::string& text);
// The file as the AWS CLI writes it: startUrl, region, accessToken, expiresAt ("%Y-%m-%dT%H:%M:%SZ"),
// clientId, clientSecret, registrationExpiresAt, refreshToken - each only when known.
std::string token_json(const Token& t);

// Fresh: more than the refresh window left. Refreshable: a refresh token, the client id and secret, and a
// registration that has not expired yet (botocore _refresh_access_token).
bool token_fresh(const Token& t, std::int64_t now);
bool token_refreshable(const Token& t, std::int64_t now);

struct CreateTokenReply {
    std::string access_token;
    std::int64_t expires_in = 0;
    std::string refresh_token; // "" when the service sent none
};
// The entry a refresh writes: startUrl and region from the configuration, the new access token and expiry,
// the registration copied, and the new refresh token - or the old one when the reply has none (botocore drops
// it there; keeping it lets the next refresh work instead of forcing a login).
Token refreshed_token(const Token& old, const SsoConfig& cfg, const CreateTokenReply& reply,
                      std::int64_t now);

// A cached client registration: {clientId, clientSecret, expiresAt[, scopes][, grantTypes]}. Both flows share
// one file name (botocore's key has no flow in it); grantTypes tells them apart: a client registered for the
// authorization-code flow lists "authorization_code", a device-code client has none (the CLI did not write
// it before).
struct Registration {
    std::string client_id, client_secret;
    std::int64_t expires_at = 0;
    std::vector<std::string> scopes;
    std::vector<std::string> grant_types;
};
Result<Registration> parse_registration(const std::string& text);
std::string registration_json(const Registration& r);
// Usable: more than the refresh window left (botocore re-registers inside it).
bool registration_usable(const Registration& r, std::int64_t now);
bool registration_for_auth_code(const Registration& r);

} // namespace credsh::sso
