// The ASK CLI's ~/.ask/cli_config (JSON): profiles with LWA tokens, a vendor id and a linked AWS profile.
// The core only needs names, vendor ids and links; tokens are read by the ask plugin. Parsed with
// nlohmann_json; a malformed file is an error naming the file (and the JSON parser's line), never its contents.
#pragma once

#include "env.hpp"
#include "result.hpp"

#include <map>
#include <optional>
#include <string>

namespace credsh {

struct AskProfile {
    std::string vendor_id;
    std::string aws_profile;                     // may be empty
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

} // namespace credsh
