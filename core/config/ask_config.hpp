// The ASK CLI's ~/.ask/cli_config (JSON): profiles with LWA tokens, a vendor id and a linked AWS profile.
// The core needs names, vendor ids and links; it reads an access token only for environment mode, and the
// refresh token never (the ask plugin refreshes and writes the file). Parsed with
// nlohmann_json; a malformed file is an error naming the file (and the JSON parser's line), never its
// contents.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/credsh_config.hpp"
#include <credsh/policy.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

struct AskProfile {
    std::string vendor_id;
    std::string aws_profile;                      // may be empty
    std::optional<std::int64_t> token_expires_at; // from token.expires_at, if parseable
    bool has_refresh_token = false;
};

struct AskConfig {
    std::map<std::string, AskProfile> profiles;
};

// ASK_CONFIG_FILE? No: the ASK CLI has no such variable; the path is always $HOME/.ask/cli_config.
std::string ask_config_path(const Env& env);
Result<AskConfig> parse_ask_config(const std::string& path, const std::string& bytes);
// Missing file: an empty config, not an error.
Result<AskConfig> load_ask_config(const Env& env);

// Environment mode (AskExport::env) is the one place the core handles a token: the access token it exports.
struct AskTokens {
    std::string access_token;
    std::optional<std::int64_t> expires_at;
};
Result<AskTokens> parse_ask_tokens(const std::string& path, const std::string& bytes,
                                   const std::string& profile);

// The mode for one ASK profile: [ask NAME] export, else [credsh] ask_export (default profile).
AskExport ask_export_for(const CredshConfig& config, const std::string& profile);

} // namespace credsh
