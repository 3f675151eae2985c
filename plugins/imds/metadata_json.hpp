// The credentials document served by EC2 instance metadata (GET .../security-credentials/ROLE) and by the
// ECS/EKS container endpoint: {Code?, AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?, RoleArn?}.
// The session token's field is "Token" (not SessionToken); Code, when present, must be "Success".
// Errors never quote the document: it holds secrets.
#pragma once

#include "result.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace credsh::imds {

struct MetadataCredentials {
    std::string access_key_id, secret_access_key, token;
    std::int64_t expiration = 0;
    std::string account_id; // containers only, when the endpoint says
};

Result<MetadataCredentials> parse_metadata_credentials(std::string_view body);

} // namespace credsh::imds
