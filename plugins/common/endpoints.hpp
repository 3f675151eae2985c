// Where a plugin sends a service's requests, by the SDKs' configured-endpoint rules (botocore
// configured_endpoint_urls; conformance/botocore/.../profile-tests.json): AWS_ENDPOINT_URL_<SERVICE>, the
// profile's [services] section, AWS_ENDPOINT_URL, the profile's endpoint_url - unless
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls is true - then the default.
#pragma once

#include "plugin_support.hpp"

#include <string>

namespace credsh::plugin {

struct ServiceId {
    const char* config_key; // in [services]: "sts", "secrets_manager", "sso", "sso_oidc"
    const char* env_suffix; // AWS_ENDPOINT_URL_<suffix>: "STS", "SECRETS_MANAGER", "SSO", "SSO_OIDC"
};

// The configured endpoint, or "" when none applies.
std::string configured_endpoint(const Request& req, ServiceId service);

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
// api.aws for dual stack, and amazonaws.com.cn / api.amazonwebservices.com.cn in the China regions.
std::string default_service_url(const std::string& prefix, const std::string& region, EndpointVariant v);

// Joins an endpoint and a path without doubling or dropping the slash.
std::string join_url(const std::string& base, const std::string& path);

} // namespace credsh::plugin
