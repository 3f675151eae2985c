// The ASK CLI's ~/.ask/cli_config (JSON): profiles with LWA tokens, a vendor id and a linked AWS profile.
// The core needs names, vendor ids and links; it reads an access token only for environment mode, and the
// refresh token never (the ask plugin refreshes and writes the file). Parsed with
// nlohmann_json; a malformed file is an error naming the file (and the JSON parser's line), never its
// contents.
#pragma once

#include "credsh_config.hpp"
#include "env.hpp"
#include "policy.hpp"
#include "result.hpp"

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

class PluginCaller;

struct AskTokenRequest {
    const Env& env; // the ambient environment: $HOME, ASK_LWA_CLIENT_ID/ASK_LWA_CLIENT_CONFIRMATION, locks
    std::string profile; // the ASK profile
    std::int64_t now = 0;
    PluginCaller* plugins = nullptr; // nullptr, or resolve = false: never refresh, only read cli_config
    bool resolve = true;
    int timeout_ms = kStepTimeoutMs;
};

struct AskToken {
    std::optional<std::string> access_token; // to export as ASK_ACCESS_TOKEN; nullopt: none usable
    std::optional<std::int64_t> expires;
    std::optional<std::int64_t> refresh_at; // when the hook should look again
    std::vector<std::string> messages;      // for stderr, without the "credsh: " prefix; never a token
    bool failed = false;                    // a refresh was needed and failed
};

// A usable access token for `profile`, the way resolve.cpp treats cached credentials: one with more than
// 15 minutes left in cli_config is used as it is (no plugin is loaded); otherwise, under a per-profile lock
// and after re-reading the file, the ask plugin refreshes it and writes it back. Refreshing needs the LWA
// client the refresh token belongs to (ASK_LWA_CLIENT_ID and ASK_LWA_CLIENT_CONFIRMATION, as for the ASK
// CLI); without it the still-valid token is used until it expires, and then none is exported, so the ASK CLI
// falls back to ASK_DEFAULT_PROFILE and refreshes its own file (which the hook watches).
AskToken ask_access_token(const AskTokenRequest& req);

} // namespace credsh
