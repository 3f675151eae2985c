#include "pipeline/ask_token.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/plugin_host.hpp"
#include "pipeline/runner.hpp"

#include <algorithm>

namespace credsh {

namespace {

// The token as the runner sees a cached value: ASK_ACCESS_TOKEN with its expiry (none when there is no
// token).
Credentials as_cached(const AskTokens& t) {
    Credentials c;
    if (t.access_token.empty()) return c;
    c.extra_env["ASK_ACCESS_TOKEN"] = t.access_token;
    c.expiration = t.expires_at;
    return c;
}

// The ask plugin's refresh, as the runner's fetch: the new token, or what went wrong (never a token).
Result<Credentials> refresh_ask_token(StepRunner& runner, const std::string& profile,
                                      const std::string& where) {
    PluginCall call;
    call.operation = "credentials";
    call.profile = profile;
    auto reply = runner.call("ask", call);
    if (!reply) return fail(reply.error().message);
    if (reply->status == CREDSH_NEEDS_LOGIN)
        return fail(reply->get("message") + " — run: " + reply->get("hint"));
    if (reply->status != CREDSH_OK)
        return fail(reply->get("message").empty() ? "plugin ask failed" : reply->get("message"));
    AskTokens fresh;
    fresh.access_token = reply->get("env.ASK_ACCESS_TOKEN");
    fresh.expires_at = parse_iso8601(reply->get("expiration"));
    Credentials c = as_cached(fresh);
    if (!c.expiration || *c.expiration <= runner.io().now)
        return fail(where + ": the ask plugin returned no usable token");
    return c;
}

} // namespace

AskToken ask_access_token(const AskTokenRequest& req) {
    AskToken out;
    const std::string where = "ASK profile " + printable(req.profile);
    const std::string path = ask_config_path(req.env);
    auto read = [&]() -> Result<AskTokens> {
        auto bytes = safe_read_file(path, kConfigCap);
        if (!bytes) return bytes.error();
        return parse_ask_tokens(path, *bytes, req.profile);
    };
    auto tokens = read();
    if (!tokens) {
        out.messages.push_back(where + ": " + tokens.error().message);
        out.failed = true;
        return out;
    }
    auto left = [&](const AskTokens& t) -> std::int64_t {
        return t.access_token.empty() || !t.expires_at ? -1 : *t.expires_at - req.now;
    };
    auto use = [&](const Credentials& c, std::int64_t look_again) {
        out.access_token = c.extra_env.at("ASK_ACCESS_TOKEN");
        out.expires = c.expiration;
        out.refresh_at = look_again;
        return out;
    };
    if (left(*tokens) > kRefreshWindow) return use(as_cached(*tokens), *tokens->expires_at - kRefreshWindow);
    // Inside the window or expired. Whatever happens next, a still-valid token stays usable until it expires.
    auto fallback = [&](const std::string& why) {
        out.messages.push_back(why);
        if (left(*tokens) > 0) return use(as_cached(*tokens), *tokens->expires_at);
        return out;
    };
    const std::string state =
        "the access token in cli_config " +
        (left(*tokens) > 0 ? "expires in " + human_duration(left(*tokens)) : std::string("has expired"));
    if (!req.resolve) return fallback(where + ": " + state);
    if (!req.env.get_nonempty("ASK_LWA_CLIENT_ID") || !req.env.get_nonempty("ASK_LWA_CLIENT_CONFIRMATION"))
        return fallback(where + ": " + state +
                        "; credsh refreshes it only with your own LWA client (ASK_LWA_CLIENT_ID "
                        "and ASK_LWA_CLIENT_CONFIRMATION), otherwise the ASK CLI refreshes it when it runs");
    if (!req.plugins) {
        out.failed = true;
        return fallback(where + ": " + state + ", and plugins are not available here");
    }

    // The runner: single flight under a per-profile lock (one shell refreshes, the others wait and then find
    // the new token in the file), the ask plugin's refresh, and the fallback to the still-valid token.
    RunnerIO io{req.env, req.now};
    io.say = [&](const std::string& line) { out.messages.push_back(line); };
    io.plugins = req.plugins;
    io.timeout_ms = req.timeout_ms;
    StepRunner runner(io);
    CachedStep step;
    step.where = where;
    step.lock_key = "ask-" + sha1_hex(req.profile);
    step.read = [&]() -> std::optional<Credentials> {
        auto t = read();
        return t ? std::optional<Credentials>(as_cached(*t)) : std::nullopt;
    };
    step.fetch = [&] { return refresh_ask_token(runner, req.profile, where); };
    step.fallback_note = "using the current token";
    StepReport report;
    auto got = runner.serve(step, &report);
    if (report.lock_error) out.messages.push_back(report.lock_error->message);
    if (!got) {
        out.failed = true;
        out.messages.push_back(got.error().message);
        return out;
    }
    out.failed = report.fell_back;
    const std::int64_t exp = *got->expiration;
    return use(*got, report.fell_back ? exp : exp - kRefreshWindow);
}

} // namespace credsh
