// credsh-secretsmanager: a credsh profile whose credentials live in AWS Secrets Manager (secret_format.hpp
// shows the profile). The core resolves `source_profile` first and passes its credentials as `source`; this
// plugin reads the secret with them (GetSecretValue, JSON 1.1, SigV4 by libcurl as for STS) and turns it into
// variables:
//   lwa  the asp-cli bundle -> a fresh LWA access token. When LWA rotates the refresh token, the new one is
//        written back (PutSecretValue, other keys kept, ClientRequestToken derived from the new token) so the
//        rest of the team keeps working. The core holds the profile's lock around this call, so the shells of
//        one machine refresh once; across machines, a refresh token another writer already rotated away gives
//        invalid_grant, and the secret is read once more to pick up the new one.
//   aws  AWS keys -> aws_* outputs.
//   env  a JSON object -> the allow-listed keys as variables.
#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "expiry.hpp"
#include "http.hpp"
#include "lwa.hpp"
#include "plugin_support.hpp"
#include "secret_format.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

namespace {

using namespace credsh;
using namespace credsh::plugin;
namespace sm = credsh::secretsmanager;

// The call's whole deadline (the request's timeout_ms), shared by every request it makes: a Get, an LWA
// refresh and a Put must together fit the budget a prompt gave, not each take all of it.
struct Deadline {
    std::chrono::steady_clock::time_point end;
    explicit Deadline(int ms) : end(std::chrono::steady_clock::now() + std::chrono::milliseconds(ms)) {}
    int left_ms() const {
        auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        return static_cast<int>(std::max<std::int64_t>(left.count(), 1));
    }
};

// The exception name Secrets Manager answered with (header or body), "" for a 200; the call's secrets
// redacted from its message.
sm::ServiceError error_of(const HttpResponse& response, const std::vector<std::string>& secrets = {}) {
    if (response.status == 200) return {};
    auto header = response.headers.find("x-amzn-errortype");
    return sm::parse_service_error(response.status, response.body,
                                   header == response.headers.end() ? "" : header->second, secrets);
}

struct Client {
    std::string endpoint;
    SigV4 sig;
    std::string ca_bundle; // "" : the system store
    const Deadline* deadline = nullptr;
    const Output* out = nullptr;        // for the clock-skew line (docs/security.md 23)
    mutable bool clock_checked = false; // once per run: the first reply is enough

    // One JSON 1.1 call; the reply object, or an error keyed on the exception name in __type. `floor_ms`: at
    // least this long even when the deadline is (nearly) spent.
    // `raw`: the error text unescaped, for a say() line (the host escapes those itself).
    Result<nlohmann::json> call(const std::string& action, const nlohmann::json& body, int floor_ms = 0,
                                bool raw = false) const {
        HttpRequest req;
        req.method = "POST";
        req.url = join_url(endpoint, "/");
        req.headers = {"Content-Type: application/x-amz-json-1.1", "X-Amz-Target: secretsmanager." + action};
        req.body = body.dump();
        req.timeout_ms = std::max(deadline->left_ms(), floor_ms);
        req.sigv4 = sig;
        req.ca_bundle = ca_bundle;
        // PutSecretValue carries a ClientRequestToken, so a retried Put is the same write, never a second
        // one.
        int attempts = 0;
        HttpResult res = http_call_retrying(
            req, [](const HttpResult& r) { return aws_retryable(r, r ? error_of(*r.response).type : ""); },
            &attempts);
        const std::string tries = attempts > 1 ? " (" + std::to_string(attempts) + " attempts)" : "";
        if (!res) return fail(action + ": " + res.error + tries);
        if (!clock_checked && out) {
            clock_checked = true;
            if (std::string w = clock_skew_warning(*res.response, req.url, system_now()); !w.empty())
                out->say(w);
        }
        if (res.response->status != 200) {
            sm::ServiceError e = error_of(*res.response, out ? out->secrets() : std::vector<std::string>{});
            const std::string& type = raw ? e.raw_type : e.type;
            const std::string& message = raw ? e.raw_message : e.message;
            return fail(action + ": " + type + (message.empty() ? "" : ": " + message) + tries);
        }
        auto j = parse_json_limited(res.response->body, action + ": the response");
        if (!j && j.error().message.find("(the limit)") != std::string::npos) return j.error();
        // A server that is not Secrets Manager (or one that routed the request elsewhere) may answer 200 too.
        if (!j || !j->is_object() || !j->contains("ARN"))
            return fail(action + ": the response is not a Secrets Manager reply");
        return j;
    }

    Result<std::string> get_secret_string(const std::string& secret_id) const {
        auto r = call("GetSecretValue", {{"SecretId", secret_id}});
        if (!r) return r.error();
        auto it = r->find("SecretString");
        if (it == r->end() || !it->is_string())
            return fail("secret " + printable(secret_id) +
                        " has no SecretString (binary secrets are not supported)");
        return it->get<std::string>();
    }
};

int32_t lwa_format(const Request& req, const Output& out, const sm::Settings& s, const Client& client) {
    auto text = client.get_secret_string(s.secret_id);
    if (!text) return out.error(text.error().message);
    auto secret = sm::parse_lwa_secret(s.secret_id, *text);
    if (!secret) return out.error(secret.error().message);
    // docs/security.md 35: LWA's or Secrets Manager's error text never shows the bundle's secrets.
    auto hide = [&](const sm::LwaSecret& from) {
        out.add_secret(from.client_secret);
        out.add_secret(from.refresh_token);
    };
    hide(*secret);

    auto refresh = [&](const sm::LwaSecret& from) {
        LwaClient lwa;
        lwa.ca_bundle = client.ca_bundle;
        lwa.token_url = from.auth_url;
        lwa.client_id = from.client_id;
        lwa.client_secret = from.client_secret;
        lwa.scope = from.scope;
        lwa.timeout_ms = client.deadline->left_ms();
        return lwa_refresh(lwa, from.refresh_token);
    };
    LwaResult fresh = refresh(*secret);
    if (fresh.failure == LwaFailure::invalid_grant) {
        // Someone else may have rotated the token and written it back since we read the secret.
        auto again = client.get_secret_string(s.secret_id);
        auto reread =
            again ? sm::parse_lwa_secret(s.secret_id, *again) : Result<sm::LwaSecret>(again.error());
        if (reread && reread->refresh_token != secret->refresh_token) {
            hide(*reread);
            secret = std::move(reread);
            fresh = refresh(*secret);
        }
    }
    if (!fresh) {
        std::string msg = "secret " + printable(s.secret_id) + ": " + fresh.message;
        if (fresh.failure == LwaFailure::invalid_grant)
            msg += "; the refresh token in the secret needs replacing";
        return out.error(msg);
    }

    out.add_secret(fresh.token->access_token);
    out.add_secret(fresh.token->refresh_token);
    const std::string& rotated = fresh.token->refresh_token;
    if (!rotated.empty() && rotated != secret->refresh_token) {
        nlohmann::json put = {{"SecretId", s.secret_id},
                              {"ClientRequestToken", sm::client_request_token(rotated)},
                              {"SecretString", sm::rotated_secret_string(*secret, rotated)}};
        // LWA may already have revoked the old token: losing the new one would lock the whole team out, so
        // the write-back gets a full timeout of its own even when the prompt's budget is spent.
        auto written = client.call("PutSecretValue", put, req.timeout_ms(), /*raw=*/true);
        if (!written && written.error().message.find("ResourceExistsException") == std::string::npos)
            written = client.call("PutSecretValue", put, req.timeout_ms(),
                                  /*raw=*/true); // same token: never a second version
        // The host prefixes "credsh: " and escapes the line itself; the error is already escaped text, so
        // the secret id is the only raw part.
        if (!written)
            out.say("secret " + s.secret_id +
                    ": LWA rotated the refresh token but it could not be written back (" +
                    written.error().message + "); others using this secret may need a new one");
    }
    for (const std::string& name : s.variables)
        out.put("env." + name, fresh.token->access_token);
    // expires_in is at most kMaxLifetime (lwa.cpp checked it), so this cannot overflow.
    out.put("expiration", format_iso8601(req.now() + fresh.token->expires_in));
    out.put("source", "secretsmanager " + s.secret_id);
    return CREDSH_OK;
}

int32_t run(const Request& req, const Output& out) {
    if (req.operation() != "credentials") return CREDSH_UNSUPPORTED;
    const std::string where = "profile " + printable(req.profile());
    std::map<std::string, std::string> settings;
    const credsh_kv_list& list = req.raw().settings;
    for (std::size_t i = 0; i < list.count; ++i) {
        std::string_view key = list.items[i].key ? list.items[i].key : "";
        if (key.starts_with("credsh.") && list.items[i].value)
            settings[std::string(key.substr(7))] = list.items[i].value;
    }
    auto s = sm::read_settings(settings);
    if (!s) return out.error(where + ": " + s.error().message);

    auto key = req.source("aws_access_key_id"), secret = req.source("aws_secret_access_key");
    if (!key || !secret)
        return out.error(
            where + ": reading a secret needs source_profile = PROFILE (the AWS profile that can read it)");
    Client client;
    std::string region = s->region.empty() ? region_for(req) : s->region;
    // docs/security.md 39: the region names the host the signed request goes to, and is signed into it.
    if (auto ok = checked_region(region, s->region.empty() ? "region" : "credsh setting region"); !ok)
        return out.error(where + ": " + ok.error().message);
    client.ca_bundle = ca_bundle_for(req);
    client.endpoint = configured_endpoint(req, ServiceId{"secrets_manager", "SECRETS_MANAGER"});
    if (client.endpoint.empty())
        client.endpoint = default_service_url("secretsmanager", region, endpoint_variant(req));
    client.sig = SigV4{region, "secretsmanager", *key, *secret, req.source("aws_session_token").value_or("")};
    Deadline deadline(req.timeout_ms());
    client.deadline = &deadline;
    client.out = &out;

    if (s->format == sm::Format::lwa) return lwa_format(req, out, *s, client);
    auto text = client.get_secret_string(s->secret_id);
    if (!text) return out.error(where + ": " + text.error().message);
    if (s->format == sm::Format::aws) {
        auto k = sm::parse_aws_secret(s->secret_id, *text);
        if (!k) return out.error(where + ": " + k.error().message);
        // Long-term keys get no made-up expiry: botocore would treat AWS_CREDENTIAL_EXPIRATION as real and
        // fail a long-running process after it. Without one the core does not cache them; the secret is read
        // again each time the profile becomes active. An expiry that has passed is refused
        // (docs/security.md 46).
        std::optional<std::int64_t> expires;
        if (!k->expiration.empty()) {
            auto e = checked_expiry(*parse_iso8601(k->expiration), req.now(),
                                    "the credentials in secret " + printable(s->secret_id));
            if (!e) return out.error(where + ": " + e.error().message);
            expires = *e;
        }
        out.put("aws_access_key_id", k->access_key_id);
        out.put("aws_secret_access_key", k->secret_access_key);
        if (!k->session_token.empty()) out.put("aws_session_token", k->session_token);
        if (expires) out.put("expiration", format_iso8601(*expires));
    } else {
        auto env = sm::parse_env_secret(s->secret_id, *text, s->variables);
        if (!env) return out.error(where + ": " + env.error().message);
        if (env->values.empty())
            return out.error(where + ": secret " + printable(s->secret_id) +
                             " has none of the variables listed");
        for (const auto& [name, value] : env->values)
            out.put("env." + name, value);
        out.put("expiration", format_iso8601(req.now() + s->refresh_interval));
    }
    out.put("source", "secretsmanager " + s->secret_id);
    return CREDSH_OK;
}

} // namespace

CREDSH_CXX_PLUGIN("secretsmanager", "0.1.0",
                  "credentials, LWA tokens or variables stored in AWS Secrets Manager", run);
