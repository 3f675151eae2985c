// Where a plugin sends a service's requests, by the SDKs' configured-endpoint rules (botocore
// configured_endpoint_urls; conformance/botocore/.../profile-tests.json): AWS_ENDPOINT_URL_<SERVICE>, the
// profile's [services] section, AWS_ENDPOINT_URL, the profile's endpoint_url - unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls is true - then the default.
#pragma once

#include "base/result.hpp"
#include "plugin_support.hpp"

#include <string>
#include <string_view>

namespace credsh::plugin {

struct ServiceId {
    const char* config_key; // in [services]: "sts", "secrets_manager", "sso", "sso_oidc"
    const char* env_suffix; // AWS_ENDPOINT_URL_<suffix>: "STS", "SECRETS_MANAGER", "SSO", "SSO_OIDC"
};

// The configured endpoint, or "" when none applies. One that is not an http(s) URL with a host, or that
// carries user information (https://user:password@host), is refused with a PluginError (docs/security.md 39,
// 45).
std::string configured_endpoint(const Request& req, ServiceId service);

// docs/security.md 39: a region becomes part of a hostname (sts.REGION.amazonaws.com), so only a DNS label of
// lower-case letters, digits and '-' (1 to 63 of them) is one: `x@127.0.0.1:8080/#` or `us-east-1/../x` would
// change the host the request - and its bearer token or signature - goes to.
bool valid_region(std::string_view region);
// The region, or an error naming `source` (the setting or variable it came from).
Result<std::string> checked_region(const std::string& region, const std::string& source);

// An http(s) URL built from settings or the environment, checked the way libcurl will read it (curl_url): a
// host is there, no user information (`https://good@evil` goes to evil), and plain http only to loopback
// (127.0.0.0/8, ::1, localhost), since a token or secret would otherwise cross the network in the clear.
// `what` names the source for the error. Messages show the URL with any user information masked.
Result<std::string> checked_https_url(const std::string& url, const std::string& what);

// docs/security.md 45: the CA bundle to trust instead of the system store, as botocore resolves `ca_bundle`:
// AWS_CA_BUNDLE, else the profile's ca_bundle; "" for the system store. A leading ~/ is the home directory.
std::string ca_bundle_for(const Request& req);

// The region for a profile's calls: the profile's region, then AWS_REGION, then AWS_DEFAULT_REGION, else
// `fallback`.
std::string region_for(const Request& req, const std::string& fallback = "us-east-1");

// The endpoint variants a profile or the environment asks for: AWS_USE_FIPS_ENDPOINT / use_fips_endpoint and
// AWS_USE_DUALSTACK_ENDPOINT / use_dualstack_endpoint ("true", any case; the variable wins over the profile).
struct EndpointVariant {
    bool fips = false, dualstack = false;
};
EndpointVariant endpoint_variant(const Request& req);

// A service's default endpoint by the SDKs' partition rules: https://PREFIX[-fips].REGION.amazonaws.com, with
// api.aws for dual stack, and amazonaws.com.cn / api.amazonwebservices.com.cn in the China regions. A region
// that is not valid_region() is refused with a PluginError, so no caller can build another host from it.
std::string default_service_url(const std::string& prefix, const std::string& region, EndpointVariant v);

// Joins an endpoint and a path without doubling or dropping the slash.
std::string join_url(const std::string& base, const std::string& path);

} // namespace credsh::plugin
