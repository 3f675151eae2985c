// What a secretsmanager profile means, as pure functions for the unit tests: the profile's settings, the
// three secret formats, the rotated-token write-back, and Secrets Manager's JSON errors.
//
//   [profile asp]                  ; credsh's config
//   plugin = secretsmanager
//   secret_id = asp/lwa            ; name or ARN
//   region = us-east-1
//   source_profile = ops           ; the AWS profile whose credentials read (and write back) the secret
//   format = lwa                   ; lwa | aws | env
//   variables = ASK_ACCESS_TOKEN   ; lwa: the variables that get the access token (default ASK_ACCESS_TOKEN)
//                                  ; env: the allow-list; only these keys of the secret are exported
//   refresh_interval = 3600        ; env: seconds before the secret is read again (cached until then)
#pragma once

#include "base/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace credsh::secretsmanager {

enum class Format { lwa, aws, env };

struct Settings {
    std::string secret_id;
    std::string region; // "" : the plugin's default region rules
    Format format = Format::lwa;
    std::vector<std::string> variables;
    std::int64_t refresh_interval = 3600;
};

// From the profile's settings in credsh's config (keys without the "credsh." prefix). Errors name the
// setting.
Result<Settings> read_settings(const std::map<std::string, std::string>& credsh_settings);

// A variable name as the shells accept it: [A-Za-z_][A-Za-z0-9_]*.
bool valid_variable(const std::string& name);

// Every format reads the secret within json_limits.hpp's limits (docs/security.md 41).
//
// The asp-cli secret: lwa-client-id, lwa-client-secret, lwa-refresh-token (required), lwa-auth-url (default
// https://api.amazon.com/auth/o2/token), lwa-auth-scope (optional). `doc` keeps every key, in order.
struct LwaSecret {
    std::string client_id, client_secret, auth_url, scope, refresh_token;
    nlohmann::ordered_json doc;
};
Result<LwaSecret> parse_lwa_secret(const std::string& secret_id, const std::string& secret_string);

// The secret with lwa-refresh-token replaced and every other key kept in place: the SecretString to put.
std::string rotated_secret_string(const LwaSecret& secret, const std::string& new_refresh_token);

// PutSecretValue's ClientRequestToken for a rotation: derived from the new refresh token only (a digest, in
// UUID form), so a retried or repeated write of the same rotation is the same version, never a second one.
std::string client_request_token(const std::string& new_refresh_token);

// aws: AccessKeyId/SecretAccessKey/SessionToken/Expiration (credential_process and CLI cache spelling) or
// aws_access_key_id/aws_secret_access_key/aws_session_token (config-file spelling).
struct AwsKeys {
    std::string access_key_id, secret_access_key, session_token, expiration; // expiration: ISO 8601 or ""
};
Result<AwsKeys> parse_aws_secret(const std::string& secret_id, const std::string& secret_string);

// env: the secret's keys that are on the allow-list, in allow-list order. Strings as they are; numbers and
// booleans as JSON writes them; a listed key that is missing is skipped (reported in `missing`).
struct EnvValues {
    std::vector<std::pair<std::string, std::string>> values;
    std::vector<std::string> missing;
};
Result<EnvValues> parse_env_secret(const std::string& secret_id, const std::string& secret_string,
                                   const std::vector<std::string>& allow);

// A Secrets Manager error: the exception name from the JSON __type (the part after '#'), else from the
// x-amzn-ErrorType header (the part before ':'), else from an XML <Code> (moto answers signature failures in
// the query protocol's XML); and its message, with `secrets` redacted before it is cut to 300 bytes and
// escaped (plugins/common/redact.hpp).
struct ServiceError {
    std::string type, message;         // escaped for the terminal (printable())
    std::string raw_type, raw_message; // the same, redacted and cut but not escaped: for a say() line, which
                                       // the host escapes itself
};
ServiceError parse_service_error(long status, const std::string& body,
                                 const std::string& error_type_header = "",
                                 const std::vector<std::string>& secrets = {});

} // namespace credsh::secretsmanager
