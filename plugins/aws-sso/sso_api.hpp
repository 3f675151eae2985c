// The SSO portal and SSO-OIDC wire formats (docs/protocols.md §1; botocore data/sso and data/sso-oidc
// 2019-06-10, unsigned rest-json): request builders and response readers, pure so the unit tests can check
// them against recorded traffic. Error codes come from the x-amzn-ErrorType header (what the SDKs read) or
// the OAuth body
// {"error": ...} (what the service also sends); messages name the operation and host, never a token.
#pragma once

#include "http.hpp"
#include "sso_token.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace credsh::sso {

using plugin::HttpRequest;
using plugin::HttpResult;

enum class ApiErrorKind {
    none,
    authorization_pending, // keep polling
    slow_down,             // keep polling, 5 s slower
    expired_token,         // the device code expired (CreateToken) - the person took too long
    access_denied,         // the person declined
    invalid_grant,         // the refresh token (or device code) is no longer valid
    invalid_client,        // the registration expired or is unknown
    unauthorized,          // portal 401: the access token is invalid or expired
    transport,             // no HTTP response (connection refused, timeout)
    other,
};

struct ApiError {
    ApiErrorKind kind = ApiErrorKind::none;
    std::string message; // "<Operation> (host): HTTP 400 InvalidGrantException: ..."
    explicit operator bool() const { return kind != ApiErrorKind::none; }
};

// One call: what was sent and what came back (the request names the host for messages).
struct Exchange {
    const HttpRequest& request;
    const HttpResult& result;
};

// Reads the error of a non-2xx response (or a transport failure) of `operation`.
ApiError api_error(const std::string& operation, const Exchange& x);

struct RoleCredentials {
    std::string access_key_id, secret_access_key, session_token;
    std::int64_t expiration = 0; // epoch seconds (the wire has milliseconds)
};

struct DeviceAuthorization {
    std::string device_code, user_code, verification_uri, verification_uri_complete;
    std::int64_t expires_in = 600;
    std::int64_t interval = 5; // RFC 8628's default when the service sends none
};

struct AccountInfo {
    std::string account_id, account_name, email;
};

// Builders. `timeout_ms` bounds each call.
HttpRequest get_role_credentials_request(const std::string& portal, const std::string& access_token,
                                         const std::string& account_id, const std::string& role_name,
                                         int timeout_ms);
HttpRequest list_accounts_request(const std::string& portal, const std::string& access_token,
                                  const std::string& next_token, int timeout_ms);
HttpRequest list_account_roles_request(const std::string& portal, const std::string& access_token,
                                       const std::string& account_id, const std::string& next_token,
                                       int timeout_ms);
HttpRequest logout_request(const std::string& portal, const std::string& access_token, int timeout_ms);
HttpRequest register_client_request(const std::string& oidc, const std::string& client_name,
                                    const std::vector<std::string>& scopes, int timeout_ms);
// The authorization-code flow (PKCE, RFC 7636), as the AWS CLI v2 does it since 2.22: a client registered
// with grantTypes [authorization_code, refresh_token], the loopback redirect URI without a port (RFC 8252
// lets the port vary) and the start URL as issuer; the browser goes to OIDC's /authorize; the code comes back
// to the loopback listener and is exchanged with the verifier. The PKCE pair and the state: a 64-character
// verifier from the unreserved set and 32 hex digits of state, both from OpenSSL's RAND_bytes; the challenge
// is base64url(SHA-256(verifier)) without padding (S256).
std::string pkce_verifier();
std::string pkce_challenge(const std::string& verifier);
std::string random_state();
constexpr const char* kRedirectUri = "http://127.0.0.1/oauth/callback";
constexpr const char* kDefaultAuthScope = "sso:account:access";
HttpRequest register_client_auth_code_request(const std::string& oidc, const std::string& client_name,
                                              const std::vector<std::string>& scopes,
                                              const std::string& issuer_url, int timeout_ms);
std::string authorization_url(const std::string& oidc, const std::string& client_id,
                              const std::string& redirect_uri, const std::string& state,
                              const std::string& code_challenge, const std::vector<std::string>& scopes);
HttpRequest create_token_auth_code_request(const std::string& oidc, const Registration& reg,
                                           const std::string& code, const std::string& redirect_uri,
                                           const std::string& code_verifier, int timeout_ms);
HttpRequest start_device_authorization_request(const std::string& oidc, const Registration& reg,
                                               const std::string& start_url, int timeout_ms);
HttpRequest create_token_device_request(const std::string& oidc, const Registration& reg,
                                        const std::string& device_code, int timeout_ms);
HttpRequest create_token_refresh_request(const std::string& oidc, const Token& token, int timeout_ms);

// Readers: the value, or the error (ApiErrorKind::other for a 200 with the wrong shape).
struct RoleCredentialsResult {
    std::optional<RoleCredentials> value;
    ApiError error;
};
RoleCredentialsResult read_role_credentials(const Exchange& x);

struct RegistrationResult {
    std::optional<Registration> value;
    ApiError error;
};
RegistrationResult read_register_client(const Exchange& x, const std::vector<std::string>& scopes);

struct DeviceAuthorizationResult {
    std::optional<DeviceAuthorization> value;
    ApiError error;
};
DeviceAuthorizationResult read_device_authorization(const Exchange& x);

struct CreateTokenResult {
    std::optional<CreateTokenReply> value;
    ApiError error;
};
CreateTokenResult read_create_token(const Exchange& x);

struct Page {
    std::vector<AccountInfo> accounts; // ListAccounts
    std::vector<std::string> roles;    // ListAccountRoles
    std::string next_token;
    ApiError error;
};
Page read_list_accounts(const Exchange& x);
Page read_list_account_roles(const Exchange& x);

} // namespace credsh::sso
