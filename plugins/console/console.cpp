// credsh-console: the AWS console sign-in URL for `credsh console` (docs/security.md 50), the federation flow
// AWS documents for custom identity brokers: the temporary credentials as the session JSON (sessionId,
// sessionKey, sessionToken) to the federation endpoint's Action=getSigninToken, then the Action=login URL
// with Issuer, Destination and the SigninToken.
//   sign-in-url   source: aws_access_key_id, aws_secret_access_key, aws_session_token (temporary only)
//                 args: region (partition and default destination), destination, session_duration (seconds;
//                 role credentials only), issuer
//                 puts: url
// Long-term keys never go to the federation endpoint: a source without a session token is refused (the host
// turns long-term keys into GetFederationToken credentials first). The URL is a bearer secret for its
// lifetime: it leaves only through put("url"), never through a message.
#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "console_url.hpp"
#include "endpoints.hpp"
#include "http.hpp"
#include "plugin_support.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <string>

namespace {

using namespace credsh::plugin;

int32_t sign_in_url(const Request& req, const Output& out) {
    auto key = req.source("aws_access_key_id");
    auto secret = req.source("aws_secret_access_key");
    auto token = req.source("aws_session_token");
    if (!key || !secret) return out.error("no credentials were passed for the console sign-in");
    if (!token)
        return out.error("the console sign-in needs temporary credentials; long-term keys are never sent");
    out.add_secret(*secret);
    out.add_secret(*token);
    std::string region = req.arg("region").value_or("us-east-1");
    if (auto ok = checked_region(region, "region"); !ok) return out.error(ok.error().message);
    std::string override_base;
    if (auto over = req.env("AWS_ENDPOINT_URL_SIGNIN")) {
        auto url = checked_https_url(*over, "AWS_ENDPOINT_URL_SIGNIN");
        if (!url) return out.error(url.error().message);
        override_base = *url;
    }
    credsh::console::ConsoleHosts hosts = credsh::console::console_hosts(region, override_base);
    const std::string& endpoint = hosts.federation;
    std::string destination =
        req.arg("destination").value_or(credsh::console::default_destination(hosts, region));
    if (auto ok = checked_https_url(destination, "--destination"); !ok) return out.error(ok.error().message);

    std::string session = credsh::console::session_json(*key, *secret, *token);
    std::vector<std::pair<std::string, std::string>> query = {{"Action", "getSigninToken"}};
    if (auto d = req.arg("session_duration")) query.emplace_back("SessionDuration", *d);
    query.emplace_back("Session", session);
    HttpRequest h;
    h.method = "GET";
    h.url = endpoint + "?" + form_encode(query);
    h.timeout_ms = req.timeout_ms();
    h.ca_bundle = ca_bundle_for(req);
    HttpResult r = http_call_retrying(h, [](const HttpResult& res) { return aws_retryable(res, ""); });
    const std::string label = "console sign-in (" + credsh::printable(endpoint) + ")";
    if (!r) return out.error(label + ": " + (r.timed_out ? std::string("no answer in time") : r.error));
    if (r.response->status != 200)
        return out.error(label + ": HTTP " + std::to_string(r.response->status) +
                         " (the credentials may be expired, or not allowed to sign in)");
    auto j = credsh::parse_json_limited(r.response->body, label + ": the reply");
    if (!j) return out.error(j.error().message);
    std::string signin_token;
    if (j->is_object() && j->contains("SigninToken") && (*j)["SigninToken"].is_string())
        signin_token = (*j)["SigninToken"].get<std::string>();
    if (signin_token.empty()) return out.error(label + ": the reply holds no SigninToken");
    out.add_secret(signin_token);
    out.put("url", credsh::console::login_url(endpoint, req.arg("issuer").value_or("credsh"), destination,
                                              signin_token));
    return CREDSH_OK;
}

int32_t run(const Request& req, const Output& out) {
    if (req.operation() == "sign-in-url") return sign_in_url(req, out);
    out.put("message", "console does not implement operation " + credsh::printable(req.operation()));
    return CREDSH_UNSUPPORTED;
}

} // namespace

CREDSH_CXX_PLUGIN("console", "1.0.0", "AWS console sign-in URL (federation getSigninToken)", run);
