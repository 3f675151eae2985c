#include "lwa.hpp"

#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "expiry.hpp"
#include "http.hpp"
#include "redact.hpp"

#include <algorithm>

namespace credsh::plugin {

namespace {

// scheme://authority of a URL, and the authority alone (for messages).
std::string origin_of(const std::string& url) {
    auto start = url.find("://");
    if (start == std::string::npos) return url;
    auto end = url.find_first_of("/?#", start + 3);
    return end == std::string::npos ? url : url.substr(0, end);
}

std::string host_of(const std::string& url) {
    std::string o = origin_of(url);
    auto start = o.find("://");
    std::string authority = start == std::string::npos ? o : o.substr(start + 3);
    if (auto at = authority.rfind('@'); at != std::string::npos)
        authority = "****@" + authority.substr(at + 1);
    return authority;
}

// A token LWA issued is printable ASCII; a NUL or control character in one could not be stored or exported
// intact (docs/security.md 36), so such a reply is refused before anything is written.
bool clean_token(const std::string& t) {
    return std::all_of(t.begin(), t.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

} // namespace

Result<std::string> lwa_token_url_for_host(const std::string& host) {
    std::string h = host.empty() ? "https://api.amazon.com" : host;
    // A bare host name means https, never plain http (docs/security.md 39).
    if (h.find("://") == std::string::npos) h = "https://" + h;
    auto url = checked_https_url(origin_of(h) + "/auth/o2/token", "ASK_LWA_TOKEN_HOST");
    if (!url) return url.error();
    return *url;
}

LwaResult parse_lwa_response(const std::string& url, long status, const std::string& body,
                             std::initializer_list<std::string> secrets) {
    LwaResult r;
    const std::string where = "LWA token endpoint " + printable(host_of(url));
    const std::vector<std::string> hidden(secrets);
    // docs/security.md 41: a reply with 150k members would take seconds to read into an ordered_json.
    auto parsed = parse_json_limited<nlohmann::ordered_json>(body, "the response");
    if (!parsed && parsed.error().message.find("(the limit)") != std::string::npos) {
        r.failure = LwaFailure::other;
        r.message = where + ": HTTP " + std::to_string(status) + ", " + parsed.error().message;
        return r;
    }
    nlohmann::ordered_json j = parsed ? std::move(*parsed) : nlohmann::ordered_json();
    bool object = j.is_object();
    auto str = [&](const char* key) -> std::string {
        if (!object) return "";
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : "";
    };
    if (status == 200 && object) {
        LwaToken t;
        t.access_token = str("access_token");
        t.refresh_token = str("refresh_token");
        auto it = j.find("expires_in");
        if (t.access_token.empty() || it == j.end()) {
            r.failure = LwaFailure::other;
            r.message = where + ": the response has no access_token or expires_in";
            return r;
        }
        if (!clean_token(t.access_token) || !clean_token(t.refresh_token)) {
            r.failure = LwaFailure::other;
            r.message = where + ": the response's token contains a NUL, space or control character";
            return r;
        }
        auto secs = lifetime_seconds(*it, "expires_in");
        if (!secs) {
            r.failure = LwaFailure::other;
            r.message = where + ": " + secs.error().message;
            return r;
        }
        t.expires_in = *secs;
        t.body = std::move(j);
        r.token = std::move(t);
        return r;
    }
    std::string error = str("error");
    if (error == "invalid_grant")
        r.failure = LwaFailure::invalid_grant;
    else if (error == "invalid_client" || error == "unauthorized_client")
        r.failure = LwaFailure::invalid_client;
    else
        r.failure = LwaFailure::other;
    r.message = where + ": HTTP " + std::to_string(status);
    if (!error.empty()) r.message += ", " + server_text(error, hidden, 200);
    if (std::string d = str("error_description"); !d.empty())
        r.message += " (" + server_text(d, hidden, 200) + ")";
    return r;
}

LwaResult lwa_refresh(const LwaClient& client, const std::string& refresh_token) {
    std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "refresh_token"},
                                                             {"refresh_token", refresh_token},
                                                             {"client_id", client.client_id},
                                                             {"client_secret", client.client_secret}};
    if (!client.scope.empty()) form.emplace_back("scope", client.scope);
    HttpRequest req;
    req.method = "POST";
    if (auto url = checked_https_url(client.token_url, "the LWA token URL"); !url) {
        LwaResult r;
        r.failure = LwaFailure::other;
        r.message = url.error().message;
        return r;
    }
    req.url = client.token_url;
    req.ca_bundle = client.ca_bundle;
    req.headers = {"Content-Type: application/x-www-form-urlencoded;charset=UTF-8",
                   "Accept: application/json"};
    req.body = form_encode(form);
    req.timeout_ms = client.timeout_ms;
    req.proxy = client.proxy;
    HttpResult res = http_call(req);
    if (!res) {
        LwaResult r;
        r.failure = res.timed_out ? LwaFailure::timeout : LwaFailure::other;
        r.message = "LWA token endpoint: " + res.error; // http_call names the host and never the body
        return r;
    }
    return parse_lwa_response(client.token_url, res.response->status, res.response->body,
                              {refresh_token, client.client_secret});
}

} // namespace credsh::plugin
