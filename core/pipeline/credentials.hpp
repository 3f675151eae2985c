// A set of AWS credentials as providers return them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace credsh {

struct Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;                    // empty for long-term keys
    std::optional<std::int64_t> expiration;       // epoch seconds; nullopt: does not expire
    std::string account_id;                       // optional
    std::map<std::string, std::string> extra_env; // other variables a plugin exports (ASK_ACCESS_TOKEN, ...)
};

} // namespace credsh
