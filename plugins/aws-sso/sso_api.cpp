#include "sso_api.hpp"

#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "expiry.hpp"
#include "redact.hpp"

#include <climits>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <string_view>

namespace credsh::sso {

namespace {

constexpr const char* kBearer = "x-amz-sso_bearer_token";
constexpr const char* kDeviceGrant = "urn:ietf:params:oauth:grant-type:device_code";

std::string host_of(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

HttpRequest portal_get(const std::string& portal, const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query,
                       const std::string& token, int timeout_ms) {
    HttpRequest r;
    r.method = "GET";
    std::string q = plugin::form_encode(query);
    r.url = plugin::join_url(portal, path) + (q.empty() ? "" : "?" + q);
    r.headers = {std::string(kBearer) + ": " + token, "Accept: application/json"};
    r.timeout_ms = timeout_ms;
    return r;
}

HttpRequest oidc_post(const std::string& oidc, const std::string& path, const nlohmann::json& body,
                      int timeout_ms) {
    HttpRequest r;
    r.method = "POST";
    r.url = plugin::join_url(oidc, path);
    r.headers = {"Content-Type: application/json", "Accept: application/json"};
    r.body = body.dump();
    r.timeout_ms = timeout_ms;
    return r;
}

// Everything secret the request carried, so that a server echoing it back cannot put it into a message.
std::vector<std::string> secrets_of(const HttpRequest& req) {
    std::vector<std::string> out;
    for (const auto& h : req.headers)
        if (h.rfind(std::string(kBearer) + ": ", 0) == 0)
            out.push_back(h.substr(std::string(kBearer).size() + 2));
    auto body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_object())
        for (const char* k : {"clientSecret", "refreshToken", "deviceCode", "codeVerifier", "code"})
            if (auto it = body.find(k); it != body.end() && it->is_string())
                out.push_back(it->get<std::string>());
    return out;
}

// The redaction every plugin shares (plugins/common/redact.hpp, docs/security.md 35).
std::string scrub(const std::string& text, const HttpRequest& req) {
    return plugin::server_text(text, secrets_of(req), 200);
}

const std::string* member(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return nullptr;
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// A number within int64 range (docs/security.md 46: 1e30 must not become a nonsense value by conversion).
std::optional<std::int64_t> integer(const nlohmann::json& j, const char* key) {
    if (!j.is_object()) return std::nullopt;
    auto it = j.find(key);
    if (it == j.end() || !it->is_number()) return std::nullopt;
    return plugin::bounded_integer(*it, INT64_MIN / 2, INT64_MAX / 2);
}

ApiErrorKind kind_of(const std::string& code) {
    static const std::pair<const char*, ApiErrorKind> table[] = {
        {"AuthorizationPendingException", ApiErrorKind::authorization_pending},
        {"authorization_pending", ApiErrorKind::authorization_pending},
        {"SlowDownException", ApiErrorKind::slow_down},
        {"slow_down", ApiErrorKind::slow_down},
        {"ExpiredTokenException", ApiErrorKind::expired_token},
        {"expired_token", ApiErrorKind::expired_token},
        {"AccessDeniedException", ApiErrorKind::access_denied},
        {"access_denied", ApiErrorKind::access_denied},
        {"InvalidGrantException", ApiErrorKind::invalid_grant},
        {"invalid_grant", ApiErrorKind::invalid_grant},
        {"InvalidClientException", ApiErrorKind::invalid_client},
        {"invalid_client", ApiErrorKind::invalid_client},
        {"UnauthorizedException", ApiErrorKind::unauthorized},
    };
    for (const auto& [name, kind] : table)
        if (code == name) return kind;
    return ApiErrorKind::other;
}

ApiError shape_error(const std::string& operation, const Exchange& x, const std::string& what) {
    return {ApiErrorKind::other, operation + " (" + printable(host_of(x.request.url)) + "): " + what};
}

// Read within json_limits.hpp's limits (docs/security.md 41); over them reads as no document.
nlohmann::json ok_body(const Exchange& x) {
    auto j = parse_json_limited(x.result.response->body, "the response");
    return j ? std::move(*j) : nlohmann::json();
}

bool ok_status(const Exchange& x) {
    return x.result.response && x.result.response->status >= 200 && x.result.response->status < 300;
}

} // namespace

ApiError api_error(const std::string& operation, const Exchange& x) {
    std::string where = operation + " (" + printable(host_of(x.request.url)) + ")";
    if (!x.result.response)
        return {ApiErrorKind::transport, operation + ": " + scrub(x.result.error, x.request)};
    const auto& resp = *x.result.response;
    auto parsed = parse_json_limited(resp.body, "the error reply");
    nlohmann::json body = parsed ? std::move(*parsed) : nlohmann::json();
    // The code: x-amzn-ErrorType ("Name:namespace"), else the body's __type ("ns#Name"), code or OAuth error.
    std::string code;
    if (auto h = resp.headers.find("x-amzn-errortype"); h != resp.headers.end())
        code = h->second.substr(0, h->second.find(':'));
    if (code.empty())
        for (const char* k : {"__type", "code", "error"})
            if (const std::string* v = member(body, k)) {
                code = v->substr(v->find('#') == std::string::npos ? 0 : v->find('#') + 1);
                break;
            }
    ApiErrorKind kind = kind_of(code);
    if (kind == ApiErrorKind::other)
        if (const std::string* oauth = member(body, "error")) kind = kind_of(*oauth);
    if (kind == ApiErrorKind::other && resp.status == 401 && operation.rfind("CreateToken", 0) != 0 &&
        operation != "StartDeviceAuthorization")
        kind = ApiErrorKind::unauthorized; // the portal's 401 is always "this token is not valid"
    std::string msg;
    for (const char* k : {"message", "Message", "error_description"})
        if (const std::string* v = member(body, k); v && !v->empty()) {
            msg = *v;
            break;
        }
    std::string text = where + ": HTTP " + std::to_string(resp.status);
    if (!code.empty()) text += " " + scrub(code, x.request);
    if (!msg.empty()) text += ": " + scrub(msg, x.request);
    return {kind, text};
}

HttpRequest get_role_credentials_request(const std::string& portal, const std::string& access_token,
                                         const std::string& account_id, const std::string& role_name,
                                         int timeout_ms) {
    return portal_get(portal, "/federation/credentials",
                      {{"account_id", account_id}, {"role_name", role_name}}, access_token, timeout_ms);
}

HttpRequest list_accounts_request(const std::string& portal, const std::string& access_token,
                                  const std::string& next_token, int timeout_ms) {
    std::vector<std::pair<std::string, std::string>> q;
    if (!next_token.empty()) q.emplace_back("next_token", next_token);
    return portal_get(portal, "/assignment/accounts", q, access_token, timeout_ms);
}

HttpRequest list_account_roles_request(const std::string& portal, const std::string& access_token,
                                       const std::string& account_id, const std::string& next_token,
                                       int timeout_ms) {
    std::vector<std::pair<std::string, std::string>> q{{"account_id", account_id}};
    if (!next_token.empty()) q.emplace_back("next_token", next_token);
    return portal_get(portal, "/assignment/roles", q, access_token, timeout_ms);
}

HttpRequest logout_request(const std::string& portal, const std::string& access_token, int timeout_ms) {
    HttpRequest r = portal_get(portal, "/logout", {}, access_token, timeout_ms);
    r.method = "POST";
    return r;
}

HttpRequest register_client_request(const std::string& oidc, const std::string& client_name,
                                    const std::vector<std::string>& scopes, int timeout_ms) {
    nlohmann::json b = {{"clientName", client_name}, {"clientType", "public"}};
    if (!scopes.empty()) b["scopes"] = scopes;
    return oidc_post(oidc, "/client/register", b, timeout_ms);
}

std::string pkce_verifier() {
    static constexpr std::string_view kSet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    std::string out;
    while (out.size() < 64) {
        unsigned char buf[96];
        if (RAND_bytes(buf, sizeof buf) != 1) continue;
        for (unsigned char b : buf)
            // 252 = 66 * 3: values above it would favour the first characters.
            if (b < 252 && out.size() < 64) out += kSet[b % kSet.size()];
    }
    return out;
}

std::string pkce_challenge(const std::string& verifier) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(verifier.data(), verifier.size(), digest, &len, EVP_sha256(), nullptr);
    unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
    std::string out(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
    for (char& c : out)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    return out;
}

std::string random_state() {
    unsigned char buf[16];
    while (RAND_bytes(buf, sizeof buf) != 1) {
    }
    return hex_encode(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

HttpRequest register_client_auth_code_request(const std::string& oidc, const std::string& client_name,
                                              const std::vector<std::string>& scopes,
                                              const std::string& issuer_url, int timeout_ms) {
    nlohmann::json b = {{"clientName", client_name},
                        {"clientType", "public"},
                        {"grantTypes", {"authorization_code", "refresh_token"}},
                        {"redirectUris", {kRedirectUri}},
                        {"issuerUrl", issuer_url},
                        {"scopes", scopes.empty() ? std::vector<std::string>{kDefaultAuthScope} : scopes}};
    return oidc_post(oidc, "/client/register", b, timeout_ms);
}

std::string authorization_url(const std::string& oidc, const std::string& client_id,
                              const std::string& redirect_uri, const std::string& state,
                              const std::string& code_challenge, const std::vector<std::string>& scopes) {
    std::string scope_text;
    for (const auto& s : scopes)
        scope_text += (scope_text.empty() ? "" : " ") + s;
    if (scope_text.empty()) scope_text = kDefaultAuthScope;
    std::string base = oidc;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    // "scopes" (plural), space-separated, as the AWS CLI sends it.
    return base + "/authorize?" +
           plugin::form_encode({{"response_type", "code"},
                                {"client_id", client_id},
                                {"redirect_uri", redirect_uri},
                                {"state", state},
                                {"code_challenge_method", "S256"},
                                {"scopes", scope_text},
                                {"code_challenge", code_challenge}});
}

HttpRequest create_token_auth_code_request(const std::string& oidc, const Registration& reg,
                                           const std::string& code, const std::string& redirect_uri,
                                           const std::string& code_verifier, int timeout_ms) {
    return oidc_post(oidc, "/token",
                     {{"clientId", reg.client_id},
                      {"clientSecret", reg.client_secret},
                      {"grantType", "authorization_code"},
                      {"redirectUri", redirect_uri},
                      {"codeVerifier", code_verifier},
                      {"code", code}},
                     timeout_ms);
}

HttpRequest start_device_authorization_request(const std::string& oidc, const Registration& reg,
                                               const std::string& start_url, int timeout_ms) {
    return oidc_post(
        oidc, "/device_authorization",
        {{"clientId", reg.client_id}, {"clientSecret", reg.client_secret}, {"startUrl", start_url}},
        timeout_ms);
}

HttpRequest create_token_device_request(const std::string& oidc, const Registration& reg,
                                        const std::string& device_code, int timeout_ms) {
    return oidc_post(oidc, "/token",
                     {{"clientId", reg.client_id},
                      {"clientSecret", reg.client_secret},
                      {"grantType", kDeviceGrant},
                      {"deviceCode", device_code}},
                     timeout_ms);
}

HttpRequest create_token_refresh_request(const std::string& oidc, const Token& token, int timeout_ms) {
    return oidc_post(oidc, "/token",
                     {{"clientId", token.client_id},
                      {"clientSecret", token.client_secret},
                      {"grantType", "refresh_token"},
                      {"refreshToken", token.refresh_token}},
                     timeout_ms);
}

RoleCredentialsResult read_role_credentials(const Exchange& x) {
    const char* op = "GetRoleCredentials";
    if (!ok_status(x)) return {std::nullopt, api_error(op, x)};
    auto j = ok_body(x);
    auto rc = j.is_object() ? j.find("roleCredentials") : j.end();
    if (!j.is_object() || rc == j.end() || !rc->is_object())
        return {std::nullopt, shape_error(op, x, "no roleCredentials in the response")};
    RoleCredentials c;
    const std::string* id = member(*rc, "accessKeyId");
    const std::string* secret = member(*rc, "secretAccessKey");
    const std::string* token = member(*rc, "sessionToken");
    auto exp = integer(*rc, "expiration");
    if (!id || !secret || !token || id->empty() || secret->empty() || !exp)
        return {std::nullopt, shape_error(op, x, "incomplete roleCredentials in the response")};
    c.access_key_id = *id;
    c.secret_access_key = *secret;
    c.session_token = *token;
    c.expiration = *exp / 1000; // epoch milliseconds on the wire (sso_flow checks it against the clock)
    return {c, {}};
}

RegistrationResult read_register_client(const Exchange& x, const std::vector<std::string>& scopes) {
    const char* op = "RegisterClient";
    if (!ok_status(x)) return {std::nullopt, api_error(op, x)};
    auto j = ok_body(x);
    const std::string* id = member(j, "clientId");
    const std::string* secret = member(j, "clientSecret");
    auto exp = integer(j, "clientSecretExpiresAt");
    if (!id || !secret || !exp)
        return {std::nullopt, shape_error(op, x, "incomplete registration in the response")};
    return {Registration{*id, *secret, *exp, scopes, {}}, {}};
}

DeviceAuthorizationResult read_device_authorization(const Exchange& x) {
    const char* op = "StartDeviceAuthorization";
    if (!ok_status(x)) return {std::nullopt, api_error(op, x)};
    auto j = ok_body(x);
    DeviceAuthorization d;
    const std::string* code = member(j, "deviceCode");
    const std::string* user = member(j, "userCode");
    const std::string* uri = member(j, "verificationUri");
    if (!code || !user || !uri) return {std::nullopt, shape_error(op, x, "incomplete device authorization")};
    d.device_code = *code;
    d.user_code = *user;
    d.verification_uri = *uri;
    if (const std::string* c = member(j, "verificationUriComplete")) d.verification_uri_complete = *c;
    if (auto e = integer(j, "expiresIn")) d.expires_in = *e;
    if (auto i = integer(j, "interval"); i && *i > 0) d.interval = *i;
    return {d, {}};
}

CreateTokenResult read_create_token(const Exchange& x) {
    const char* op = "CreateToken";
    if (!ok_status(x)) return {std::nullopt, api_error(op, x)};
    auto j = ok_body(x);
    const std::string* at = member(j, "accessToken");
    auto it = j.is_object() ? j.find("expiresIn") : j.end();
    if (!at || at->empty() || it == j.end())
        return {std::nullopt, shape_error(op, x, "no accessToken/expiresIn in the response")};
    // docs/security.md 46: 1e30 or INT64_MAX would overflow now + expiresIn into a nonsense date.
    auto exp = plugin::lifetime_seconds(*it, "expiresIn");
    if (!exp) return {std::nullopt, shape_error(op, x, exp.error().message)};
    CreateTokenReply r;
    r.access_token = *at;
    r.expires_in = *exp;
    if (const std::string* rt = member(j, "refreshToken")) r.refresh_token = *rt;
    return {r, {}};
}

Page read_list_accounts(const Exchange& x) {
    Page p;
    if (!ok_status(x)) {
        p.error = api_error("ListAccounts", x);
        return p;
    }
    auto j = ok_body(x);
    auto list = j.is_object() ? j.find("accountList") : j.end();
    if (!j.is_object() || (list != j.end() && !list->is_array())) {
        p.error = shape_error("ListAccounts", x, "no accountList in the response");
        return p;
    }
    if (list != j.end())
        for (const auto& a : *list) {
            const std::string* id = member(a, "accountId");
            if (!id) continue;
            const std::string* name = member(a, "accountName");
            const std::string* email = member(a, "emailAddress");
            p.accounts.push_back({*id, name ? *name : "", email ? *email : ""});
        }
    if (const std::string* n = member(j, "nextToken")) p.next_token = *n;
    return p;
}

Page read_list_account_roles(const Exchange& x) {
    Page p;
    if (!ok_status(x)) {
        p.error = api_error("ListAccountRoles", x);
        return p;
    }
    auto j = ok_body(x);
    auto list = j.is_object() ? j.find("roleList") : j.end();
    if (!j.is_object() || (list != j.end() && !list->is_array())) {
        p.error = shape_error("ListAccountRoles", x, "no roleList in the response");
        return p;
    }
    if (list != j.end())
        for (const auto& r : *list)
            if (const std::string* name = member(r, "roleName")) p.roles.push_back(*name);
    if (const std::string* n = member(j, "nextToken")) p.next_token = *n;
    return p;
}

} // namespace credsh::sso
