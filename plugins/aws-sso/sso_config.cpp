#include "sso_config.hpp"

#include "base/pyjson.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"

#include <cstdio>

namespace credsh::sso {

namespace {

std::optional<std::string> nonempty(const Lookup& f, std::string_view key) {
    auto v = f(key);
    if (v && !trim(*v).empty()) return std::string(trim(*v));
    return std::nullopt;
}

} // namespace

std::vector<std::string> parse_scopes(std::string_view raw) {
    std::vector<std::string> out;
    for (std::string_view part : split(raw, ','))
        if (auto t = trim(part); !t.empty()) out.emplace_back(t);
    return out;
}

Result<SsoConfig> sso_config_from(const Lookup& setting, const std::string& profile) {
    SsoConfig c;
    auto session = nonempty(setting, "sso_session");
    auto account = nonempty(setting, "sso_account_id");
    auto role = nonempty(setting, "sso_role_name");
    auto where = "profile " + profile;
    if (!session && !nonempty(setting, "sso_start_url") && !account && !role)
        return not_found(where + " has no IAM Identity Center (SSO) settings");
    if (account.has_value() != role.has_value())
        return fail(where + ": sso_account_id and sso_role_name must be set together");
    if (account) c.account_id = *account;
    if (role) c.role_name = *role;
    if (session) {
        c.session_name = *session;
        auto url = nonempty(setting, "sso-session.sso_start_url");
        auto region = nonempty(setting, "sso-session.sso_region");
        std::string missing;
        if (!region) missing += "sso_region";
        if (!url) missing += missing.empty() ? "sso_start_url" : ", sso_start_url";
        if (!missing.empty())
            return fail(where + ": [sso-session " + printable(*session) + "] is missing " + missing +
                        " (or does not exist)");
        c.start_url = *url;
        // docs/security.md 39: the region names the hosts the bearer and refresh tokens go to, and a file
        // name.
        if (auto ok = plugin::checked_region(*region, "[sso-session " + printable(*session) + "] sso_region");
            !ok)
            return fail(where + ": " + ok.error().message);
        c.region = *region;
        if (auto raw = nonempty(setting, "sso-session.sso_registration_scopes"))
            c.scopes = parse_scopes(*raw);
        // The current AWS CLI registers sso-session clients with this scope when none is configured; it is
        // what makes the service issue a refresh token.
        if (c.scopes.empty()) c.scopes = {"sso:account:access"};
        return c;
    }
    auto url = nonempty(setting, "sso_start_url");
    auto region = nonempty(setting, "sso_region");
    if (!url || !region)
        return fail(where + ": legacy SSO profiles need sso_start_url and sso_region (or use sso_session)");
    c.start_url = *url;
    if (auto ok = plugin::checked_region(*region, "sso_region"); !ok)
        return fail(where + ": " + ok.error().message);
    c.region = *region;
    return c;
}

Result<SsoConfig> sso_config_from(const plugin::Request& req) {
    return sso_config_from([&](std::string_view k) { return req.setting(k); }, req.profile());
}

std::string sso_cache_dir(const std::string& home) {
    return home + "/.aws/sso/cache";
}

std::string token_file_name(const SsoConfig& cfg) {
    return sha1_hex(cfg.token_key()) + ".json";
}

std::string python_dumps_registration_args(const SsoConfig& cfg) {
    nlohmann::json args = {{"region", cfg.region}, {"startUrl", cfg.start_url}, {"tool", "botocore"}};
    args["scopes"] = cfg.scopes.empty() ? nlohmann::json(nullptr) : nlohmann::json(cfg.scopes);
    args["session_name"] = cfg.legacy() ? nlohmann::json(nullptr) : nlohmann::json(cfg.session_name);
    return python_json_dumps(args);
}

std::string registration_cache_key(const SsoConfig& cfg) {
    return sha1_hex(python_dumps_registration_args(cfg));
}

std::string legacy_registration_file_name(const std::string& region) {
    return "botocore-client-id-" + region + ".json";
}

std::string locks_dir(const Lookup& env, const std::string& home) {
    if (auto r = env("XDG_RUNTIME_DIR"); r && !r->empty() && (*r)[0] == '/') return *r + "/credsh/locks";
    std::string cache = home + "/.cache";
    if (auto c = env("XDG_CACHE_HOME"); c && !c->empty() && (*c)[0] == '/') cache = *c;
    return cache + "/credsh/locks";
}

Endpoints default_endpoints(const std::string& region, bool fips, bool dualstack) {
    plugin::EndpointVariant v{fips, dualstack};
    return {plugin::default_service_url("portal.sso", region, v),
            plugin::default_service_url("oidc", region, v)};
}

Endpoints sso_endpoints(const plugin::Request& req, const std::string& sso_region) {
    plugin::EndpointVariant v = plugin::endpoint_variant(req);
    Endpoints e = default_endpoints(sso_region, v.fips, v.dualstack);
    if (auto p = plugin::configured_endpoint(req, {"sso", "SSO"}); !p.empty()) e.portal = p;
    if (auto o = plugin::configured_endpoint(req, {"sso_oidc", "SSO_OIDC"}); !o.empty()) e.oidc = o;
    return e;
}

} // namespace credsh::sso
