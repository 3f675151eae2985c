// What the imds plugin decides before it touches the network, as pure functions (unit-tested without dlopen):
// where the EC2 instance metadata service is and whether it may be used (botocore IMDSFetcher, smithy-rs
// imds/client.rs), and where the container credentials endpoint is and whether credsh may send a token there
// (botocore ContainerProvider/ContainerMetadataFetcher, smithy-rs ecs.rs; conformance ecs-tests.json).
//
// Inputs arrive as lookups, so the plugin passes the request's environment and settings and the tests pass
// maps.
#pragma once

#include "base/result.hpp"

#include <functional>
#include <optional>
#include <string>

namespace credsh::imds {

// A variable or setting: its value when set and non-empty.
using Lookup = std::function<std::optional<std::string>(const std::string&)>;

constexpr const char* kImdsIpv4 = "http://169.254.169.254";
constexpr const char* kImdsIpv6 = "http://[fd00:ec2::254]";
constexpr const char* kEcsHost = "169.254.170.2";

struct Ec2Config {
    std::string endpoint; // no trailing slash
    bool v1_disabled = false;
};

// AWS_EC2_METADATA_DISABLED=true (any case) is an error naming the variable. The endpoint:
// AWS_EC2_METADATA_SERVICE_ENDPOINT, else the ec2_metadata_service_endpoint setting, else by endpoint mode
// (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, else ec2_metadata_service_endpoint_mode: IPv4 | IPv6, any case)
// the IPv4 or IPv6 address. v1 is disabled by AWS_EC2_METADATA_V1_DISABLED, else ec2_metadata_v1_disabled
// (the variable wins when set, as in botocore's config chain).
Result<Ec2Config> ec2_config(const Lookup& env, const Lookup& setting);

// The container credentials URL (botocore/smithy-rs rules): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI wins and
// goes to http://169.254.170.2; AWS_CONTAINER_CREDENTIALS_FULL_URI may be https to any host, but plain http
// only to a loopback IP literal (127.0.0.0/8, ::1), "localhost" (which libcurl resolves to loopback itself,
// never through DNS or /etc/hosts), or the ECS/EKS agent addresses 169.254.170.2, 169.254.170.23,
// fd00:ec2::23.
Result<std::string> container_url(const Lookup& env);

// The parts of an http(s) URL that the rules above look at, as libcurl parses them (so the host checked is
// the host libcurl connects to). Errors: no host, another scheme, user information in the authority.
struct UrlParts {
    std::string scheme; // lower case
    std::string host;   // IPv6 literals without brackets
};
Result<UrlParts> parse_http_url(const std::string& url);

// 127.0.0.0/8 or ::1, written as an IP literal.
bool is_loopback_literal(const std::string& host);

// The Authorization value for the container endpoint, from the token file's content or the variable, sent
// verbatim: a value with CR or LF is refused (it would end the header), as botocore does.
Result<void> check_header_value(const std::string& value, const std::string& where);

// Scheme, host and port of a URL for messages: never its path or query, which may carry an identifier.
std::string url_origin(const std::string& url);

} // namespace credsh::imds
