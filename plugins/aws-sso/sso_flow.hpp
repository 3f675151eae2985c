// The aws-sso plugin's operations, written against injected I/O (HTTP, clock, sleep, terminal lines, browser)
// so the unit tests drive them with recorded or scripted responses and a fake clock, and plugin.cpp plugs in
// libcurl, the real clock and the host's say().
//
//   credentials  the token from ~/.aws/sso/cache (refreshed with its refresh token inside the 15-minute
//   window,
//                single-flight across processes), then GetRoleCredentials. Never a device flow: a missing,
//                expired or rejected token is CREDSH_NEEDS_LOGIN with the hint "credsh login <profile>".
//   login        for an sso-session with a browser here: the authorization-code flow (a client registered
//                for it, /authorize in the browser with a PKCE challenge, the code back on the loopback
//                listener, CreateToken with the verifier); else the device code: registration,
//                StartDeviceAuthorization, the URL and code on the terminal (a URL only when it is https on
//                an AWS sign-in host), polling CreateToken (interval, slow_down +5 s, authorization_pending,
//                expired_token). Then, for a profile with an account and role, the new token is tried with
//                GetRoleCredentials and kept only if it gives that access; then written atomically.
//                Interactive requests only. Lines for the person go through say(), which the host escapes
//                (C0, C1, bidi controls); messages are escaped here.
//   logout       the SSO Logout call (best effort) and the token file removed.
//   accounts     ListAccounts + ListAccountRoles, every page, as JSON in the output key "accounts".
#pragma once

#include "loopback.hpp"
#include "sso_api.hpp"
#include "sso_config.hpp"
#include "sso_token.hpp"
#include <credsh/policy.hpp>

#include <credsh/plugin_abi.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace credsh::sso {

struct Io {
    std::function<HttpResult(const HttpRequest&)> http;
    std::function<void(const std::string&)> say;     // one line for the person (stderr); never a secret
    std::function<std::int64_t()> now;               // epoch seconds
    std::function<bool(std::int64_t seconds)> sleep; // false: interrupted (Ctrl-C)
    std::function<bool()> cancelled;                 // Ctrl-C seen
    // Opens `url` in the browser without putting it on the browser's command line (browser.hpp). Empty: no
    // browser (hook, disabled, none found).
    std::function<bool(const std::string& url)> open_browser;
    // The authorization-code flow's loopback listener (loopback.hpp): listen() starts it and gives its port;
    // await_callback(seconds, state) blocks for the browser's redirect carrying `state` - others are answered
    // and ignored - (nullopt: the time ran out, or Ctrl-C). Empty: that flow is not available and the device
    // code is used.
    std::function<Result<int>()> listen;
    std::function<std::optional<AuthCallback>(std::int64_t seconds, const std::string& state)> await_callback;
};

struct Ctx {
    SsoConfig cfg;
    std::string profile;   // for hints ("" when signing in for an sso-session by name)
    std::string cache_dir; // ~/.aws/sso/cache
    std::string locks_dir;
    Endpoints endpoints;
    int timeout_ms = kStepTimeoutMs; // per HTTP call and per lock wait
    bool interactive = false;
    bool use_device_code = false; // login: the device code even where the authorization-code flow could run
    Io io;

    std::string token_path() const { return cache_dir + "/" + token_file_name(cfg); }
};

struct Outcome {
    int32_t status = CREDSH_OK;
    std::string message, hint;
    std::vector<std::pair<std::string, std::string>> out;
    void put(std::string k, std::string v) { out.emplace_back(std::move(k), std::move(v)); }
};

// "credsh login dev", or "credsh login --sso-session NAME" when there is no profile.
std::string login_hint(const Ctx& ctx);

// The cached token, refreshed if it is inside the refresh window and can be; or why there is none usable.
struct TokenOutcome {
    std::optional<Token> token;
    Outcome failure;
};
// `rejected`: an access token the service has just refused (401) although it has not expired here - revoked,
// or the clock is off. It is never handed out again: refreshed when it can be (unless another process already
// replaced it), else a login is needed.
TokenOutcome current_token(const Ctx& ctx, const std::string& rejected = "");

Outcome get_credentials(const Ctx& ctx);
Outcome login(const Ctx& ctx);
Outcome logout(const Ctx& ctx);
Outcome list_accounts(const Ctx& ctx);

} // namespace credsh::sso
