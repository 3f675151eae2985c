#include "lwa.hpp"

#include "http.hpp"
#include "text.hpp"

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
    return start == std::string::npos ? o : o.substr(start + 3);
}

// LWA's error text, one line, at most 200 bytes, with anything we sent it blanked out.
std::string scrub(std::string text, std::initializer_list<std::string> secrets) {
    for (const std::string& s : secrets) {
        if (s.size() < 4) continue; // too short to be a secret worth hiding, and would mangle words
        for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
            text.replace(pos, s.size(), "****");
    }
    if (text.size() > 200) text = text.substr(0, 200) + "...";
    return printable(text);
}

std::optional<std::int64_t> seconds_of(const nlohmann::ordered_json& v) {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_number_float()) return static_cast<std::int64_t>(v.get<double>());
    if (v.is_string()) { // some proxies and fakes send "3600"
        try {
            std::size_t used = 0;
            long long n = std::stoll(v.get<std::string>(), &used);
            if (used == v.get<std::string>().size()) return n;
        } catch (...) {
        }
    }
    return std::nullopt;
}

} // namespace

std::string lwa_token_url_for_host(const std::string& host) {
    std::string h = host.empty() ? "https://api.amazon.com" : host;
    return origin_of(h) + "/auth/o2/token";
}

LwaResult parse_lwa_response(const std::string& url, long status, const std::string& body,
                             std::initializer_list<std::string> secrets) {
    LwaResult r;
    const std::string where = "LWA token endpoint " + printable(host_of(url));
    auto j = nlohmann::ordered_json::parse(body, nullptr, false);
    bool object = !j.is_discarded() && j.is_object();
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
        auto secs = it == j.end() ? std::nullopt : seconds_of(*it);
        if (t.access_token.empty() || !secs || *secs <= 0) {
            r.failure = LwaFailure::other;
            r.message = where + ": the response has no access_token or expires_in";
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
    if (!error.empty()) r.message += ", " + scrub(error, secrets);
    if (std::string d = str("error_description"); !d.empty()) r.message += " (" + scrub(d, secrets) + ")";
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
    req.url = client.token_url;
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
