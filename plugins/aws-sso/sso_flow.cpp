#include "sso_flow.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "browser.hpp"
#include "expiry.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

namespace credsh::sso {

namespace {

Outcome error(std::string message) {
    Outcome o;
    o.status = CREDSH_ERROR;
    o.message = std::move(message);
    return o;
}

Outcome needs_login(const Ctx& ctx, std::string message) {
    Outcome o;
    o.status = CREDSH_NEEDS_LOGIN;
    o.message = std::move(message);
    o.hint = login_hint(ctx);
    return o;
}

std::string expired_text(const SsoConfig& cfg) {
    // Kotlin's wording (conformance/aws-sdk-kotlin/sso-token-cache-behavior-tests.kotlin.json).
    return "SSO token for " +
           (cfg.legacy() ? printable(cfg.start_url) : "sso-session: " + printable(cfg.session_name)) +
           " is expired";
}

// What a waiter says when the token's lock stays held past its deadline.
std::string token_lock_busy(const std::string& shown_path, int /*timeout_ms*/) {
    return "another process is refreshing this SSO token (lock " + shown_path + ")";
}

std::string lock_name(const SsoConfig& cfg) {
    return "sso-token-" + sha1_hex(cfg.token_key());
}

struct Loaded {
    std::optional<Token> token;
    Outcome failure;
};

// The token file as it is now. A missing or unreadable entry needs a login, which replaces it.
Loaded load(const Ctx& ctx) {
    std::string path = ctx.token_path();
    auto text = read_state_file_noting(path, kStateFileCap);
    if (!text) {
        if (text.error().kind == ErrorKind::not_found)
            return {std::nullopt, needs_login(ctx, "no SSO token for " + printable(ctx.cfg.label()) + " (" +
                                                       printable(path) + ")")};
        return {std::nullopt, needs_login(ctx, text.error().message)};
    }
    auto tok = parse_token(*text);
    if (!tok) return {std::nullopt, needs_login(ctx, printable(path) + ": " + tok.error().message)};
    return {*tok, {}};
}

HttpResult call(const Ctx& ctx, const HttpRequest& req) {
    return ctx.io.http(req);
}

} // namespace

std::string login_hint(const Ctx& ctx) {
    if (!ctx.profile.empty()) return "credsh login " + ctx.profile;
    if (!ctx.cfg.legacy()) return "credsh login --sso-session " + ctx.cfg.session_name;
    return "credsh login";
}

TokenOutcome current_token(const Ctx& ctx, const std::string& rejected) {
    // Usable as it is: fresh, or (when nothing can renew it) still valid - and not the token just refused.
    auto fresh = [&](const Token& t, std::int64_t now) {
        return t.access_token != rejected && token_fresh(t, now);
    };
    auto valid = [&](const Token& t, std::int64_t now) {
        return t.access_token != rejected && t.expires_at > now;
    };
    auto unusable = [&] {
        return needs_login(ctx, rejected.empty() ? expired_text(ctx.cfg)
                                                 : "the SSO token for " + printable(ctx.cfg.label()) +
                                                       " was rejected and cannot be refreshed");
    };
    Loaded l = load(ctx);
    if (!l.token) return {std::nullopt, l.failure};
    std::int64_t now = ctx.io.now();
    if (fresh(*l.token, now)) return {l.token, {}};
    if (!token_refreshable(*l.token, now)) {
        if (valid(*l.token, now)) return {l.token, {}}; // valid a little longer; nothing can renew it
        return {std::nullopt, unusable()};
    }
    // Single-flight across processes: one refresh per token; the others wait, then read what it wrote. With a
    // service that rotates refresh tokens, a second refresh with the old one would be invalid_grant.
    auto lock = FileLock::acquire(ctx.locks_dir, lock_name(ctx.cfg), ctx.timeout_ms, token_lock_busy);
    if (!lock) {
        if (valid(*l.token, now)) return {l.token, {}};
        return {std::nullopt, error(lock.error().message)};
    }
    l = load(ctx);
    if (!l.token) return {std::nullopt, l.failure};
    now = ctx.io.now();
    if (fresh(*l.token, now)) return {l.token, {}};
    if (!token_refreshable(*l.token, now)) {
        if (valid(*l.token, now)) return {l.token, {}};
        return {std::nullopt, unusable()};
    }
    HttpRequest req = create_token_refresh_request(ctx.endpoints.oidc, *l.token, ctx.timeout_ms);
    HttpResult res = call(ctx, req);
    auto reply = read_create_token({req, res});
    if (!reply.value) {
        if (valid(*l.token, now)) {
            ctx.io.say(reply.error.message + "; using the SSO token, valid " +
                       human_duration(l.token->expires_at - now));
            return {l.token, {}};
        }
        if (reply.error.kind == ApiErrorKind::invalid_grant ||
            reply.error.kind == ApiErrorKind::invalid_client ||
            reply.error.kind == ApiErrorKind::expired_token || !rejected.empty())
            return {std::nullopt,
                    needs_login(ctx, (rejected.empty() ? expired_text(ctx.cfg)
                                                       : "the SSO token for " + printable(ctx.cfg.label()) +
                                                             " was rejected") +
                                         " and cannot be refreshed (" + reply.error.message + ")")};
        return {std::nullopt,
                error(expired_text(ctx.cfg) + "; refreshing it failed: " + reply.error.message)};
    }
    Token renewed = refreshed_token(*l.token, ctx.cfg, *reply.value, ctx.io.now());
    if (auto w = write_private_file(ctx.token_path(), token_json(renewed)); !w)
        ctx.io.say("could not save the refreshed SSO token: " + w.error().message);
    return {renewed, {}};
}

Outcome get_credentials(const Ctx& ctx) {
    if (ctx.cfg.account_id.empty())
        return error(
            "profile " + ctx.profile +
            " has sso_session but no sso_account_id/sso_role_name: the selected profile will resolve an "
            "access token instead of credentials");
    TokenOutcome t = current_token(ctx);
    if (!t.token) return t.failure;
    auto role_credentials = [&](const Token& token) {
        HttpRequest req = get_role_credentials_request(ctx.endpoints.portal, token.access_token,
                                                       ctx.cfg.account_id, ctx.cfg.role_name, ctx.timeout_ms);
        HttpResult res = call(ctx, req);
        return read_role_credentials({req, res});
    };
    auto rc = role_credentials(*t.token);
    // Refused before its time (revoked, or a clock that is off): one refresh with the refresh token and one
    // more try, as a person would do by signing in again - but without the browser. Only then is a login
    // needed.
    if (!rc.value && rc.error.kind == ApiErrorKind::unauthorized &&
        token_refreshable(*t.token, ctx.io.now())) {
        TokenOutcome again = current_token(ctx, t.token->access_token);
        if (!again.token) return again.failure;
        rc = role_credentials(*again.token);
    }
    if (!rc.value) {
        if (rc.error.kind == ApiErrorKind::unauthorized)
            return needs_login(ctx, "the SSO token for " + printable(ctx.cfg.label()) + " was rejected (" +
                                        rc.error.message + ")");
        return error(rc.error.message);
    }
    // docs/security.md 46: credentials already expired are refused (the shared helper).
    auto expires = plugin::checked_expiry(rc.value->expiration, ctx.io.now(), "the role credentials");
    if (!expires) return error("GetRoleCredentials: " + expires.error().message);
    Outcome o;
    o.put("aws_access_key_id", rc.value->access_key_id);
    o.put("aws_secret_access_key", rc.value->secret_access_key);
    o.put("aws_session_token", rc.value->session_token);
    o.put("expiration", format_iso8601(*expires));
    o.put("account_id", ctx.cfg.account_id);
    o.put("source", "IAM Identity Center " + ctx.cfg.role_name + "@" + ctx.cfg.account_id);
    return o;
}

namespace {

struct RegistrationOutcome {
    std::optional<Registration> reg;
    bool cached = false;
    Outcome failure;
};

// The client registration for a sign-in: the cached one while usable and made for this flow (botocore's rule:
// an authorization-code client lists that grant type, a device client does not), else a new one, cached.
RegistrationOutcome registration(const Ctx& ctx, bool force_new, bool auth_code) {
    std::string path = ctx.cache_dir + "/" + registration_cache_key(ctx.cfg) + ".json";
    std::int64_t now = ctx.io.now();
    if (!force_new) {
        std::vector<std::string> candidates{path};
        if (ctx.cfg.legacy())
            candidates.push_back(ctx.cache_dir + "/" + legacy_registration_file_name(ctx.cfg.region));
        for (const auto& p : candidates)
            if (auto text = read_state_file_noting(p, kStateFileCap); text)
                if (auto r = parse_registration(*text);
                    r && registration_usable(*r, now) && registration_for_auth_code(*r) == auth_code)
                    return {*r, true, {}};
    }
    std::string name = "credsh-client-" + (ctx.cfg.legacy() ? std::to_string(now) : ctx.cfg.session_name);
    std::vector<std::string> scopes = ctx.cfg.legacy() ? std::vector<std::string>{} : ctx.cfg.scopes;
    if (auth_code && scopes.empty()) scopes = {kDefaultAuthScope};
    HttpRequest req = auth_code ? register_client_auth_code_request(ctx.endpoints.oidc, name, scopes,
                                                                    ctx.cfg.start_url, ctx.timeout_ms)
                                : register_client_request(ctx.endpoints.oidc, name, scopes, ctx.timeout_ms);
    HttpResult res = call(ctx, req);
    auto r = read_register_client({req, res}, scopes);
    if (!r.value) return {std::nullopt, false, error(r.error.message)};
    if (auth_code) r.value->grant_types = {"authorization_code", "refresh_token"};
    if (auto w = write_private_file(path, registration_json(*r.value)); !w)
        ctx.io.say("could not cache the client registration: " + w.error().message);
    return {*r.value, false, {}};
}

Outcome cancelled_outcome() {
    return error("sign-in cancelled; nothing was written");
}

// A token from a sign-in is kept only if it gives the access the profile names (docs/security.md 38): a
// sign-in finished by somebody else's account - a code or device approval delivered by another user - gives a
// token for their identity, which usually cannot reach this account and role. Which person signed in is not
// something the service reports (CreateToken's idToken is not implemented), so a token of another identity
// with the very same access is not told apart; the defence there is that the sign-in URLs stay private.
std::optional<Outcome> check_new_token(const Ctx& ctx, const CreateTokenReply& reply) {
    if (ctx.cfg.account_id.empty() || ctx.cfg.role_name.empty()) return std::nullopt;
    HttpRequest req = get_role_credentials_request(ctx.endpoints.portal, reply.access_token,
                                                   ctx.cfg.account_id, ctx.cfg.role_name, ctx.timeout_ms);
    HttpResult res = call(ctx, req);
    auto rc = read_role_credentials({req, res});
    if (rc.value) return std::nullopt;
    std::string what = "account " + printable(ctx.cfg.account_id) + " role " + printable(ctx.cfg.role_name);
    if (rc.error.kind == ApiErrorKind::transport)
        return error("could not check that the new SSO token gives access to " + what + " (" +
                     rc.error.message + "); it was not saved");
    return error(
        "the new SSO token does not give access to " + what + " (" + rc.error.message +
        "); it was not saved. If the browser was signed in as somebody else, sign out there and run " +
        login_hint(ctx) + " again");
}

// What both flows write: the CLI's token entry (with the registration, so either tool can refresh it),
// under the refresh lock, so a prompt refreshing the old token cannot write it over this one.
Outcome save_login_token(const Ctx& ctx, const Registration& reg, const CreateTokenReply& reply) {
    Token t;
    t.start_url = ctx.cfg.start_url;
    t.region = ctx.cfg.region;
    t.access_token = reply.access_token;
    t.expires_at = ctx.io.now() + reply.expires_in;
    t.client_id = reg.client_id;
    t.client_secret = reg.client_secret;
    t.registration_expires_at = reg.expires_at;
    t.refresh_token = reply.refresh_token;
    auto lock = FileLock::acquire(ctx.locks_dir, lock_name(ctx.cfg), ctx.timeout_ms, token_lock_busy);
    if (auto w = write_private_file(ctx.token_path(), token_json(t)); !w) return error(w.error().message);
    Outcome o;
    o.put("expiration", format_iso8601(t.expires_at));
    o.put("token_file", ctx.token_path());
    return o;
}

// The authorization-code flow with PKCE: the browser signs in at OIDC's /authorize and is sent back to our
// loopback listener with a code, which only this process can exchange (it alone holds the verifier). The
// state ties the redirect to this sign-in; a mismatch is refused. 10 minutes for the person, as the CLI.
Outcome login_auth_code(const Ctx& ctx) {
    auto reg = registration(ctx, false, true);
    if (!reg.reg) return reg.failure;
    auto port = ctx.io.listen();
    if (!port) return error(port.error().message);
    const std::string redirect = "http://127.0.0.1:" + std::to_string(*port) + "/oauth/callback";
    const std::string verifier = pkce_verifier();
    const std::string state = random_state();
    std::string url = authorization_url(ctx.endpoints.oidc, reg.reg->client_id, redirect, state,
                                        pkce_challenge(verifier), reg.reg->scopes);
    ctx.io.say("Sign in to " + ctx.cfg.start_url + " (" + ctx.cfg.label() + ") in your browser:");
    bool opened = ctx.io.open_browser && ctx.io.open_browser(url);
    ctx.io.say(opened ? "  (opened; if it did not appear, open this URL on this machine)"
                      : "  open this URL in a browser on this machine:");
    ctx.io.say("  " + url);
    ctx.io.say("Waiting for the browser (Ctrl-C to cancel; credsh login --use-device-code signs in from "
               "another device)...");
    auto cb = ctx.io.await_callback(600, state);
    if (ctx.io.cancelled()) return cancelled_outcome();
    if (!cb) return error("no answer from the browser within 10 minutes; run " + login_hint(ctx) + " again");
    if (!cb->error.empty())
        return error("the sign-in was declined (" + printable(cb->error) +
                     (cb->error_description.empty() ? "" : ": " + printable(cb->error_description)) + ")");
    if (cb->state != state)
        return error("the browser's answer does not belong to this sign-in (state differs)");
    HttpRequest req = create_token_auth_code_request(ctx.endpoints.oidc, *reg.reg, cb->code, redirect,
                                                     verifier, ctx.timeout_ms);
    HttpResult res = call(ctx, req);
    auto r = read_create_token({req, res});
    if (!r.value) {
        // A registration the service no longer knows: the next sign-in registers anew.
        if (r.error.kind == ApiErrorKind::invalid_client && reg.cached)
            (void)remove_file(ctx.cache_dir + "/" + registration_cache_key(ctx.cfg) + ".json");
        return error(r.error.message);
    }
    if (ctx.io.cancelled()) return cancelled_outcome();
    if (auto bad = check_new_token(ctx, *r.value)) return *bad;
    if (ctx.io.cancelled()) return cancelled_outcome();
    return save_login_token(ctx, *reg.reg, *r.value);
}

Outcome login_device_code(const Ctx& ctx) {
    auto reg = registration(ctx, false, false);
    if (!reg.reg) return reg.failure;
    HttpRequest areq =
        start_device_authorization_request(ctx.endpoints.oidc, *reg.reg, ctx.cfg.start_url, ctx.timeout_ms);
    HttpResult ares = call(ctx, areq);
    auto auth = read_device_authorization({areq, ares});
    if (!auth.value && auth.error.kind == ApiErrorKind::invalid_client && reg.cached) {
        // The cached registration was revoked or replaced: register again, once.
        reg = registration(ctx, true, false);
        if (!reg.reg) return reg.failure;
        areq = start_device_authorization_request(ctx.endpoints.oidc, *reg.reg, ctx.cfg.start_url,
                                                  ctx.timeout_ms);
        ares = call(ctx, areq);
        auth = read_device_authorization({areq, ares});
    }
    if (!auth.value) return error(auth.error.message);
    const DeviceAuthorization& d = *auth.value;

    // The URLs are the service's: shown or opened only when they are https on an AWS sign-in host
    // (docs/security.md 43). Without a usable verification URL there is nothing to tell the person.
    if (auto bad =
            browser_url_problem(d.verification_uri, ctx.endpoints.oidc, ctx.cfg.start_url, ctx.cfg.region))
        return error("the service's verification URL cannot be used (" + *bad +
                     "): " + printable(d.verification_uri.substr(0, 200)));
    auto bad_complete = d.verification_uri_complete.empty()
                            ? std::nullopt
                            : browser_url_problem(d.verification_uri_complete, ctx.endpoints.oidc,
                                                  ctx.cfg.start_url, ctx.cfg.region);
    bool complete = !d.verification_uri_complete.empty() && !bad_complete;

    // Lines for the terminal; the host escapes control characters in them (C0, C1, bidi).
    ctx.io.say("Sign in to " + ctx.cfg.start_url + " (" + ctx.cfg.label() + "):");
    ctx.io.say("  open     " + d.verification_uri);
    ctx.io.say("  code     " + d.user_code);
    if (bad_complete)
        ctx.io.say("  (the service's complete verification URL is not used: " + *bad_complete + ")");
    bool opened = complete && ctx.io.open_browser && ctx.io.open_browser(d.verification_uri_complete);
    if (opened)
        ctx.io.say("  (opened in your browser; check that it shows the same code)");
    else if (complete)
        ctx.io.say("  or open  " + d.verification_uri_complete);
    ctx.io.say("Waiting for approval (Ctrl-C to cancel)...");

    std::int64_t interval = d.interval;
    std::int64_t deadline = ctx.io.now() + d.expires_in;
    std::optional<CreateTokenReply> reply;
    while (!reply) {
        if (!ctx.io.sleep(interval) || ctx.io.cancelled()) return cancelled_outcome();
        HttpRequest req =
            create_token_device_request(ctx.endpoints.oidc, *reg.reg, d.device_code, ctx.timeout_ms);
        HttpResult res = call(ctx, req);
        auto r = read_create_token({req, res});
        if (r.value) {
            reply = r.value;
            break;
        }
        switch (r.error.kind) {
        case ApiErrorKind::authorization_pending:
            break;
        case ApiErrorKind::slow_down:
            interval += 5;
            break; // RFC 8628 §3.5
        case ApiErrorKind::transport:
            break; // a network blip: keep polling until the code expires
        case ApiErrorKind::expired_token:
            return error("the sign-in code expired before it was approved; run " + login_hint(ctx) +
                         " again");
        case ApiErrorKind::access_denied:
            return error("the sign-in was declined (" + r.error.message + ")");
        default:
            return error(r.error.message);
        }
        if (ctx.io.now() > deadline)
            return error("the sign-in code expired before it was approved; run " + login_hint(ctx) +
                         " again");
    }
    if (ctx.io.cancelled()) return cancelled_outcome();
    if (auto bad = check_new_token(ctx, *reply)) return *bad;
    if (ctx.io.cancelled()) return cancelled_outcome();
    return save_login_token(ctx, *reg.reg, *reply);
}

} // namespace

// The AWS CLI's choice (2.22 and later): the authorization-code flow for an [sso-session], the device code
// for a legacy profile or on request. credsh also takes the device code when no browser can be opened here
// (no display, no $BROWSER: typically SSH), since the loopback redirect needs a browser on this machine while
// a device code can be approved from any device.
Outcome login(const Ctx& ctx) {
    if (!ctx.interactive) return error("signing in needs a person at a terminal: run " + login_hint(ctx));
    if (!ctx.cfg.legacy() && !ctx.use_device_code && ctx.io.listen && ctx.io.await_callback)
        return login_auth_code(ctx);
    return login_device_code(ctx);
}

Outcome logout(const Ctx& ctx) {
    Loaded l = load(ctx);
    if (l.token && !ctx.endpoints.portal.empty()) {
        // Invalidate it at the service as `aws sso logout` does; an error (already expired) changes nothing.
        HttpRequest req =
            logout_request(ctx.endpoints.portal, l.token->access_token, std::min(ctx.timeout_ms, 3000));
        (void)call(ctx, req);
    }
    auto removed = remove_file(ctx.token_path());
    if (!removed) return error(removed.error().message);
    Outcome o;
    o.put("removed", *removed ? "1" : "0");
    o.put("token_file", ctx.token_path());
    return o;
}

Outcome list_accounts(const Ctx& ctx) {
    TokenOutcome t = current_token(ctx);
    if (!t.token) return t.failure;
    auto failed = [&](const ApiError& e) {
        if (e.kind == ApiErrorKind::unauthorized)
            return needs_login(ctx, "the SSO token for " + printable(ctx.cfg.label()) + " was rejected (" +
                                        e.message + ")");
        return error(e.message);
    };
    constexpr int kMaxPages = 1000; // a server that never stops paging must not hang us
    nlohmann::json accounts = nlohmann::json::array();
    std::string next;
    int pages = 0;
    do {
        HttpRequest req =
            list_accounts_request(ctx.endpoints.portal, t.token->access_token, next, ctx.timeout_ms);
        HttpResult res = call(ctx, req);
        Page p = read_list_accounts({req, res});
        if (p.error) return failed(p.error);
        for (const auto& a : p.accounts)
            accounts.push_back({{"accountId", a.account_id},
                                {"accountName", a.account_name},
                                {"emailAddress", a.email},
                                {"roles", nlohmann::json::array()}});
        next = p.next_token;
    } while (!next.empty() && ++pages < kMaxPages);
    for (auto& a : accounts) {
        next.clear();
        pages = 0;
        do {
            HttpRequest req =
                list_account_roles_request(ctx.endpoints.portal, t.token->access_token,
                                           a["accountId"].get<std::string>(), next, ctx.timeout_ms);
            HttpResult res = call(ctx, req);
            Page p = read_list_account_roles({req, res});
            if (p.error) return failed(p.error);
            for (const auto& r : p.roles)
                a["roles"].push_back(r);
            next = p.next_token;
        } while (!next.empty() && ++pages < kMaxPages);
    }
    Outcome o;
    o.put("accounts", accounts.dump());
    return o;
}

} // namespace credsh::sso
