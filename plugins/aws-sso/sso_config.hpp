// What a profile says about its IAM Identity Center sign-in, and where things live: the token cache path the
// AWS CLI uses, the client-registration cache key, the SSO portal and SSO-OIDC endpoints, the lock directory.
// Pure functions of the request's settings and environment (docs/protocols.md §1, botocore utils.py
// SSOTokenFetcher, tokens.py SSOTokenProvider, awscli customizations/sso).
#pragma once

#include "base/result.hpp"
#include "plugin_support.hpp"

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh::sso {

using Lookup = std::function<std::optional<std::string>(std::string_view)>;

struct SsoConfig {
    std::string session_name; // [sso-session NAME]; "" for a legacy profile (sso_start_url on the profile)
    std::string start_url;
    std::string region;                // sso_region: where the portal and OIDC calls go
    std::vector<std::string> scopes;   // registration scopes (sessions: sso_registration_scopes, default
                                       // sso:account:access; legacy profiles register without scopes)
    std::string account_id, role_name; // empty for a token-only profile
    bool legacy() const { return session_name.empty(); }
    // The token cache key: the session name, or the raw start URL for a legacy profile.
    const std::string& token_key() const { return legacy() ? start_url : session_name; }
    // For messages: "sso-session my-sso" or the start URL.
    std::string label() const { return legacy() ? start_url : "sso-session " + session_name; }
};

// Reads the settings the host passes (the profile's keys, "sso-session.KEY"). ErrorKind::not_found when the
// profile has no SSO settings at all; an error naming what is missing for a half-configured one (botocore's
// InvalidConfigError cases in conformance/botocore/sso-token-provider-tests.botocore.json).
Result<SsoConfig> sso_config_from(const Lookup& setting, const std::string& profile);
Result<SsoConfig> sso_config_from(const plugin::Request& req);

// "a, b ,c" -> {"a","b","c"} as awscli parse_sso_registration_scopes does.
std::vector<std::string> parse_scopes(std::string_view raw);

// ~/.aws/sso/cache and the token file in it: <lowercase hex sha1(token_key)>.json.
std::string sso_cache_dir(const std::string& home);
std::string token_file_name(const SsoConfig& cfg);
// The v2 client-registration cache key: sha1 of json.dumps({"region", "scopes", "session_name", "startUrl",
// "tool": "botocore"}, sort_keys=True) (null for no scopes / no session), as botocore names the file.
std::string registration_cache_key(const SsoConfig& cfg);
// The older per-region registration file some legacy logins left: botocore-client-id-<region>.json.
std::string legacy_registration_file_name(const std::string& region);
// Python json.dumps(value, sort_keys=True) with the default separators and ensure_ascii, for the registration
// key (strings, string lists and null only). Exposed so a unit test can compare it with the core's dumper.
std::string python_dumps_registration_args(const SsoConfig& cfg);

// Where credsh's lock files live: the rule of core/pipeline/cred_cache.cpp cache_dirs()
// (XDG_RUNTIME_DIR/credsh/locks, else $XDG_CACHE_HOME or ~/.cache + /credsh/locks), from the request's
// environment.
std::string locks_dir(const Lookup& env, const std::string& home);

struct Endpoints {
    std::string portal; // SSO portal (GetRoleCredentials, ListAccounts, ListAccountRoles, Logout)
    std::string oidc;   // SSO-OIDC (RegisterClient, StartDeviceAuthorization, CreateToken)
};
// The AWS default endpoints for `region`, honouring FIPS and dual-stack as the endpoint rule sets do:
// portal.sso[-fips].<region>.amazonaws.com / .api.aws (dual stack), oidc[-fips].<region>....
Endpoints default_endpoints(const std::string& region, bool fips, bool dualstack);
// Configured endpoints first (AWS_ENDPOINT_URL_SSO / _SSO_OIDC, [services] sso / sso_oidc, AWS_ENDPOINT_URL,
// endpoint_url), then the defaults for the SSO region.
Endpoints sso_endpoints(const plugin::Request& req, const std::string& sso_region);

} // namespace credsh::sso
