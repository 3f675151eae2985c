#include "endpoints.hpp"

#include <algorithm>
#include <cctype>

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

std::string configured_endpoint(const Request& req, ServiceId service) {
    if (is_true(req.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) return "";
    if (!req.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS") &&
        is_true(req.setting("ignore_configured_endpoint_urls")))
        return "";
    if (auto v = req.env(std::string("AWS_ENDPOINT_URL_") + service.env_suffix)) return *v;
    if (auto v = req.setting(std::string("services.") + service.config_key + ".endpoint_url")) return *v;
    if (auto v = req.env("AWS_ENDPOINT_URL")) return *v;
    if (auto v = req.setting("endpoint_url")) return *v;
    return "";
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
