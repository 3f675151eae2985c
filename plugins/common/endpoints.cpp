#include "endpoints.hpp"

#include "base/text.hpp"
#include "redact.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace credsh::plugin {

namespace {
bool is_true(const std::optional<std::string>& v) {
    if (!v) return false;
    std::string s = *v;
    s.erase(0, s.find_first_not_of(" \t"));
    s.erase(s.find_last_not_of(" \t") + 1);
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s == "true";
}
} // namespace

namespace {

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::string url_part(CURLU* u, CURLUPart part) {
    char* s = nullptr;
    if (curl_url_get(u, part, &s, 0) != CURLUE_OK || !s) return "";
    std::string out = s;
    curl_free(s);
    return out;
}

struct ParsedUrl {
    std::string scheme, host;
};

// As libcurl will read it: so the host checked is the host it connects to.
Result<ParsedUrl> parse_url(const std::string& url, const std::string& what) {
    const std::string shown = what + " " + printable(redact_userinfo(url));
    if (url.find("://") == std::string::npos) return fail(shown + " is not a URL (no scheme://host)");
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    if (!u) return fail("cannot parse URLs (libcurl)");
    if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
        return fail(shown + " is not a valid URL (" + curl_url_strerror(rc) + ")");
    ParsedUrl p{to_lower(url_part(u.get(), CURLUPART_SCHEME)), url_part(u.get(), CURLUPART_HOST)};
    if (p.scheme != "http" && p.scheme != "https")
        return fail(shown + ": only http and https URLs are allowed");
    if (!url_part(u.get(), CURLUPART_USER).empty() || !url_part(u.get(), CURLUPART_PASSWORD).empty() ||
        url.substr(0, url.find_first_of("/?#", url.find("://") + 3)).find('@') != std::string::npos)
        return fail(shown + " must not contain user information (user:password@)");
    if (p.host.size() >= 2 && p.host.front() == '[' && p.host.back() == ']')
        p.host = p.host.substr(1, p.host.size() - 2);
    if (p.host.empty()) return fail(shown + " has no host");
    return p;
}

bool loopback_host(const std::string& host) {
    unsigned char a[16];
    if (inet_pton(AF_INET, host.c_str(), a) == 1) return a[0] == 127;
    if (inet_pton(AF_INET6, host.c_str(), a) == 1) {
        static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        return std::equal(a, a + 16, one);
    }
    return to_lower(host) == "localhost"; // libcurl resolves it to loopback itself, never through DNS
}

} // namespace

std::string configured_endpoint(const Request& req, ServiceId service) {
    if (is_true(req.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return "";
    if (!req.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
        is_true(req.setting("ignore_configured_endpoint_urls")))
        return "";
    const std::string env_name = std::string("AWS_ENDPOINT_URL_") + service.env_suffix;
    const std::string key = std::string("services.") + service.config_key + ".endpoint_url";
    std::optional<std::string> v;
    std::string source;
    if ((v = req.env(env_name)))
        source = env_name;
    else if ((v = req.setting(key)))
        source = "endpoint_url in [services] for " + std::string(service.config_key);
    else if ((v = req.env("AWS_ENDPOINT_URL")))
        source = "AWS_ENDPOINT_URL";
    else if ((v = req.setting("endpoint_url")))
        source = "endpoint_url";
    else
        return "";
    if (auto ok = parse_url(*v, source); !ok) throw PluginError(ok.error().message);
    return *v;
}

bool valid_region(std::string_view region) {
    return !region.empty() && region.size() <= 63 && std::all_of(region.begin(), region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

Result<std::string> checked_region(const std::string& region, const std::string& source) {
    if (!valid_region(region))
        return fail(source + " " + printable(region) +
                    " is not a region name (lower-case letters, digits and - only)");
    return region;
}

Result<std::string> checked_https_url(const std::string& url, const std::string& what) {
    auto p = parse_url(url, what);
    if (!p) return p.error();
    if (p->scheme == "http" && !loopback_host(p->host))
        return fail(what + " " + printable(redact_userinfo(url)) +
                    ": plain http is allowed only to a loopback address (use https)");
    return url;
}

std::string ca_bundle_for(const Request& req) {
    std::string b = req.env("AWS_CA_BUNDLE").value_or(req.setting("ca_bundle").value_or(""));
    if (b.rfind("~/", 0) == 0 && !req.home().empty()) b = req.home() + b.substr(1);
    return b;
}

EndpointVariant endpoint_variant(const Request& req) {
    auto flag = [&](const char* env, const char* key) {
        if (auto v = req.env(env)) return is_true(v);
        return is_true(req.setting(key));
    };
    return {flag("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint"),
            flag("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")};
}

std::string default_service_url(const std::string& prefix, const std::string& region, EndpointVariant v) {
    if (!valid_region(region))
        throw PluginError("region " + printable(region) +
                          " is not a region name (lower-case letters, digits and - only)");
    bool china = region.rfind("cn-", 0) == 0;
    std::string suffix = v.dualstack ? (china ? "api.amazonwebservices.com.cn" : "api.aws")
                                     : (china ? "amazonaws.com.cn" : "amazonaws.com");
    return "https://" + prefix + (v.fips ? "-fips" : "") + "." + region + "." + suffix;
}

std::string region_for(const Request& req, const std::string& fallback) {
    if (auto r = req.setting("region")) return *r;
    if (auto r = req.env("AWS_REGION")) return *r;
    if (auto r = req.env("AWS_DEFAULT_REGION")) return *r;
    return fallback;
}

std::string join_url(const std::string& base, const std::string& path) {
    if (base.empty()) return path;
    bool a = base.back() == '/', b = !path.empty() && path.front() == '/';
    if (a && b) return base + path.substr(1);
    if (!a && !b && !path.empty()) return base + "/" + path;
    return base + path;
}

} // namespace credsh::plugin
