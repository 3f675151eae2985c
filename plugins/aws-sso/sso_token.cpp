#include "sso_token.hpp"

#include "base/text.hpp"

#include <algorithm>

namespace credsh::sso {

namespace {

const std::string* str(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

std::string str_or_empty(const nlohmann::json& j, const char* key) {
    const std::string* s = str(j, key);
    return s ? *s : std::string();
}

} // namespace

std::optional<std::int64_t> parse_expiry(std::string_view text) {
    std::string s(trim(text));
    if (s.size() > 10 && s[10] == ' ') s[10] = 'T';
    // "... UTC" / "... Z" -> "...UTC" / "...Z"
    if (auto sp = s.rfind(' '); sp != std::string::npos && sp > 10) s.erase(sp, 1);
    // "+0000" -> "+00:00"
    if (s.size() > 5) {
        char sign = s[s.size() - 5];
        std::string_view tail(s.data() + s.size() - 4, 4);
        bool digits = tail.find_first_not_of("0123456789") == std::string_view::npos;
        if ((sign == '+' || sign == '-') && digits && s.size() - 5 > 18)
            s = s.substr(0, s.size() - 2) + ":" + s.substr(s.size() - 2);
    }
    return parse_iso8601(s);
}

Result<Token> parse_token(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("the token file is not a JSON object");
    const std::string* at = str(j, "accessToken");
    const std::string* exp = str(j, "expiresAt");
    if (!at || at->empty()) return fail("the token file has no accessToken");
    if (!exp) return fail("the token file has no expiresAt");
    Token t;
    t.access_token = *at;
    auto e = parse_expiry(*exp);
    if (!e) return fail("the token file's expiresAt is not a date");
    t.expires_at = *e;
    t.start_url = str_or_empty(j, "startUrl");
    t.region = str_or_empty(j, "region");
    t.client_id = str_or_empty(j, "clientId");
    t.client_secret = str_or_empty(j, "clientSecret");
    t.refresh_token = str_or_empty(j, "refreshToken");
    if (const std::string* r = str(j, "registrationExpiresAt")) {
        t.registration_expires_text = *r;
        t.registration_expires_at = parse_expiry(*r); // unreadable: treated as expired, so no refresh
    }
    return t;
}

std::string token_json(const Token& t) {
    nlohmann::ordered_json j;
    if (!t.start_url.empty()) j["startUrl"] = t.start_url;
    if (!t.region.empty()) j["region"] = t.region;
    j["accessToken"] = t.access_token;
    j["expiresAt"] = format_iso8601(t.expires_at);
    if (!t.client_id.empty()) j["clientId"] = t.client_id;
    if (!t.client_secret.empty()) j["clientSecret"] = t.client_secret;
    if (!t.registration_expires_text.empty())
        j["registrationExpiresAt"] = t.registration_expires_text;
    else if (t.registration_expires_at)
        j["registrationExpiresAt"] = format_iso8601(*t.registration_expires_at);
    if (!t.refresh_token.empty()) j["refreshToken"] = t.refresh_token;
    return j.dump();
}

bool token_fresh(const Token& t, std::int64_t now) {
    return t.expires_at - now > kRefreshWindow;
}

bool token_refreshable(const Token& t, std::int64_t now) {
    return !t.refresh_token.empty() && !t.client_id.empty() && !t.client_secret.empty() &&
           t.registration_expires_at && *t.registration_expires_at > now;
}

Token refreshed_token(const Token& old, const SsoConfig& cfg, const CreateTokenReply& reply,
                      std::int64_t now) {
    Token t = old;
    t.start_url = cfg.start_url;
    t.region = cfg.region;
    t.access_token = reply.access_token;
    t.expires_at = now + reply.expires_in;
    if (!reply.refresh_token.empty()) t.refresh_token = reply.refresh_token;
    return t;
}

Result<Registration> parse_registration(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("the registration file is not a JSON object");
    Registration r;
    r.client_id = str_or_empty(j, "clientId");
    r.client_secret = str_or_empty(j, "clientSecret");
    const std::string* exp = str(j, "expiresAt");
    if (r.client_id.empty() || r.client_secret.empty() || !exp)
        return fail("the registration file lacks clientId, clientSecret or expiresAt");
    auto e = parse_expiry(*exp);
    if (!e) return fail("the registration file's expiresAt is not a date");
    r.expires_at = *e;
    if (auto s = j.find("scopes"); s != j.end() && s->is_array())
        for (const auto& v : *s)
            if (v.is_string()) r.scopes.push_back(v.get<std::string>());
    if (auto g = j.find("grantTypes"); g != j.end() && g->is_array())
        for (const auto& v : *g)
            if (v.is_string()) r.grant_types.push_back(v.get<std::string>());
    return r;
}

std::string registration_json(const Registration& r) {
    nlohmann::ordered_json j;
    j["clientId"] = r.client_id;
    j["clientSecret"] = r.client_secret;
    j["expiresAt"] = format_iso8601(r.expires_at);
    if (!r.scopes.empty()) j["scopes"] = r.scopes;
    if (!r.grant_types.empty()) j["grantTypes"] = r.grant_types;
    return j.dump();
}

bool registration_usable(const Registration& r, std::int64_t now) {
    return r.expires_at - now > kRefreshWindow;
}

bool registration_for_auth_code(const Registration& r) {
    return std::find(r.grant_types.begin(), r.grant_types.end(), "authorization_code") != r.grant_types.end();
}

} // namespace credsh::sso
