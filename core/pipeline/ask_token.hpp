// The ASK access token environment mode exports: read from the ASK CLI's cli_config and, near expiry,
// refreshed by the ask plugin through the step runner (runner.hpp), which owns the lock, the re-read and the
// fallback. The file format itself is ask_config.hpp's.
#pragma once

#include "base/env.hpp"
#include "config/ask_config.hpp"
#include <credsh/policy.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

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
