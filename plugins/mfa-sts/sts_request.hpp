// What the mfa-sts plugin decides before it talks to STS, as pure functions (unit-tested without dlopen):
// which endpoint, which form fields, and the checks that turn a bad setting into a clear local error instead
// of a round trip and a terse ValidationError (duration_seconds out of range, a token code that is not six
// digits, a session name STS would refuse).
#pragma once

#include "endpoints.hpp" // plugins/common

#include "base/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace credsh::sts {

using Fields = std::vector<std::pair<std::string, std::string>>;

// STS's ranges: AssumeRole 900 s .. 12 h (the role's own maximum may be lower: STS then says so);
// GetSessionToken 900 s .. 36 h.
constexpr long kRoleMinDuration = 900, kRoleMaxDuration = 43200;
constexpr long kSessionMinDuration = 900, kSessionMaxDuration = 129600;

// duration_seconds as an integer in [min, max]; the error names the setting and the range.
Result<long> parse_duration(std::string_view text, long min, long max);
// An MFA token code: exactly six digits (what STS accepts from a virtual or hardware TOTP device).
Result<void> check_token_code(std::string_view code);
// role_session_name: 2-64 characters of [A-Za-z0-9+=,.@_-] (STS's pattern).
Result<void> check_session_name(std::string_view name);
// external_id: 2-1224 characters (botocore checks the same minimum before sending).
Result<void> check_external_id(std::string_view id);

// The session name when none is configured: "credsh-session-<epoch>", like botocore's
// "botocore-session-<epoch>" (never part of the cache key, so either name serves the AWS CLI's cache).
std::string default_session_name(std::int64_t now);

// STS's endpoint when none is configured: https://sts.REGION.amazonaws.com (amazonaws.com.cn in China), or
// the global https://sts.amazonaws.com when `regional_mode` is "legacy" and the region is one of the legacy
// global regions (botocore's AWS_STS_REGIONAL_ENDPOINTS / sts_regional_endpoints; default "regional").
// An unknown mode is an error, as in botocore.
// With FIPS and/or dual stack (plugin::EndpointVariant) the legacy global endpoint is never used:
// sts-fips.REGION.amazonaws.com, sts.REGION.api.aws, sts-fips.REGION.api.aws; in GovCloud the FIPS endpoint
// is the standard sts.REGION.amazonaws.com (the SDKs' endpoint rules).
Result<std::string> default_endpoint(std::string_view region, std::string_view regional_mode,
                                     plugin::EndpointVariant variant = {});
// The region to sign for at that endpoint: us-east-1 for the global endpoint, else `region`.
std::string signing_region(const std::string& endpoint, const std::string& region);

// The account in an ARN (arn:aws:sts::123456789012:assumed-role/R/s -> 123456789012), or "".
std::string account_from_arn(std::string_view arn);

// A server's error text made fit for a terminal: the first line only (STS may append the canonical request,
// which holds the session token), every `secrets` value replaced with ****, at most 300 bytes, escaped.
std::string safe_message(std::string_view message, const std::vector<std::string>& secrets);

} // namespace credsh::sts
