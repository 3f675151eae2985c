// The credentials document served by EC2 instance metadata (GET .../security-credentials/ROLE) and by the
// ECS/EKS container endpoint: {Code?, AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?, RoleArn?}.
// The session token's field is "Token" (not SessionToken); Code, when present, must be "Success".
// Errors never quote the document: it holds secrets.
#pragma once

#include "base/result.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace credsh::imds {

struct MetadataCredentials {
    std::string access_key_id, secret_access_key, token;
    std::int64_t expiration = 0;
    std::string account_id; // containers only, when the endpoint says
};

// Read within json_limits.hpp's limits; a value with a NUL byte is refused; `secrets` (the token sent) are
// redacted from the document's Code/Message (redact.hpp).
Result<MetadataCredentials> parse_metadata_credentials(std::string_view body,
                                                       const std::vector<std::string>& secrets = {});

} // namespace credsh::imds
