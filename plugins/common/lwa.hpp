// Login with Amazon (LWA): the refresh-token grant, shared by the ask plugin (ASK CLI profiles) and the
// secretsmanager plugin (Alexa Smart Properties secrets). docs/protocols.md §1 "LWA":
//   POST <token url>  application/x-www-form-urlencoded
//     grant_type=refresh_token&refresh_token=...&client_id=...&client_secret=...[&scope=...]
//   200 {access_token, token_type, expires_in, refresh_token?}     errors: {error, error_description}
// The form encoding is the documented one (the ASK CLI sends the same fields as JSON; LWA takes both).
#pragma once

#include "base/result.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace credsh::plugin {

struct LwaClient {
    std::string token_url; // the full token endpoint, e.g. https://api.amazon.com/auth/o2/token
    std::string client_id;
    std::string client_secret;
    std::string scope;     // "" : not sent (the ASK CLI sends none on refresh; asp-cli sends its scope)
    std::string proxy;     // "" : libcurl's defaults
    std::string ca_bundle; // "" : the system store
    int timeout_ms = kStepTimeoutMs;
};

enum class LwaFailure {
    none,
    invalid_grant,  // the refresh token is revoked, expired or was rotated away: a person must sign in again
    invalid_client, // the client id/secret pair is wrong, or is not the client the refresh token belongs to
    timeout,
    other,
};

struct LwaToken {
    std::string access_token;
    std::string refresh_token; // "" when LWA did not send one (keep the old one)
    std::int64_t expires_in = 0;
    nlohmann::ordered_json body; // the whole response object, as the ASK CLI stores it
};

struct LwaResult {
    std::optional<LwaToken> token;
    LwaFailure failure = LwaFailure::none;
    std::string message; // names the endpoint's host and LWA's error code; never a token or secret
    explicit operator bool() const { return token.has_value(); }
};

// The ASK CLI's token URL: ASK_LWA_TOKEN_HOST (scheme://host[:port], default https://api.amazon.com) with
// the path /auth/o2/token, resolved the way `new URL(path, host)` does (a path in the host is replaced). A
// host without a scheme means https; http only to loopback; no user information (endpoints.hpp
// checked_https_url).
Result<std::string> lwa_token_url_for_host(const std::string& host);

// Reads one token-endpoint response. Pure, for the unit tests. `secrets` are redacted (redact.hpp) from any
// text of the response that ends up in the message (LWA does not echo them, but a proxy or a fake might). The
// body is read within json_limits.hpp's limits; expires_in must be a lifetime expiry.hpp accepts; a token
// with a NUL or control character is refused.
LwaResult parse_lwa_response(const std::string& url, long status, const std::string& body,
                             std::initializer_list<std::string> secrets = {});

// One refresh-token grant over HTTP(S). The token URL must pass checked_https_url (it may come from a
// secret).
LwaResult lwa_refresh(const LwaClient& client, const std::string& refresh_token);

} // namespace credsh::plugin
