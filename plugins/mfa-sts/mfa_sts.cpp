// credsh-mfa-sts: one STS call per request (ARCHITECTURE.md, "Operations"):
//   assume-role                    AssumeRole with the step's source credentials (+ MFA code, external id,
//   ...) assume-role-with-web-identity  AssumeRoleWithWebIdentity with the token file's contents (unsigned)
//   get-session-token              GetSessionToken with long-term keys and an MFA code
//   get-federation-token           GetFederationToken with long-term keys (credsh console)
// The core owns everything around the call - the chain, the cache, the lock, reading the MFA code from the
// terminal - so this file only checks settings, builds the query-protocol form, signs it with libcurl's SigV4
// (plugins/common/http), and turns STS's XML into the host's keys. Messages never carry a secret: the token
// code, the web identity token and the session token are scrubbed from anything a server says back.
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "expiry.hpp"
#include "http.hpp"
#include "plugin_support.hpp"
#include "redact.hpp"
#include "sts_request.hpp"
#include "sts_xml.hpp"
#include <credsh/policy.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

using credsh::CappedRead;
using credsh::errno_text;
using credsh::fail;
using credsh::kTokenFileCap;
using credsh::printable;
using credsh::read_capped;
using credsh::ReadEnd;
using credsh::Result;
using credsh::UniqueFd;
using namespace credsh::plugin;
namespace sts = credsh::sts;

constexpr const char* kVersion = "2011-06-15";

// The authority for messages, user information masked (docs/security.md 45).
std::string host_of(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    return redact_userinfo(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
}

// The token file, read the way the core reads its files: non-blocking open (a FIFO cannot hang the prompt),
// a regular file only, a size cap. Messages name the path, never the contents.
Result<std::string> read_token_file(const std::string& path) {
    std::string where = "web_identity_token_file " + printable(path);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!fd.valid()) return fail(where + ": " + errno_text(errno));
    struct stat st {};
    bool ok = ::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<std::size_t>(st.st_size) <= kTokenFileCap;
    CappedRead got;
    if (ok) {
        got = read_capped(fd.get(), kTokenFileCap, nullptr, static_cast<std::size_t>(st.st_size));
        ok = got.end == ReadEnd::eof;
    }
    if (!ok)
        return fail(where + ": not a regular file of at most " + std::to_string(kTokenFileCap / 1024) +
                    " KiB");
    // A trailing newline from `echo "$TOKEN" > file` is not part of a JWT.
    std::string token(credsh::trim(got.data));
    if (token.empty()) return fail(where + " is empty");
    return token;
}

struct Endpoint {
    std::string url, region;
};

Result<Endpoint> endpoint_for(const Request& req) {
    std::string region = region_for(req, "us-east-1");
    // The region is signed into every request (and names the host when no endpoint is configured).
    if (region != "aws-global")
        if (auto ok = checked_region(region, "region"); !ok) return ok.error();
    if (std::string configured = configured_endpoint(req, {"sts", "STS"}); !configured.empty())
        return Endpoint{configured, region};
    std::string mode =
        req.env("AWS_STS_REGIONAL_ENDPOINTS").value_or(req.setting("sts_regional_endpoints").value_or(""));
    auto url = sts::default_endpoint(region, mode, endpoint_variant(req));
    if (!url) return url.error();
    return Endpoint{*url, sts::signing_region(*url, region)};
}

struct StsCall {
    std::string action; // for messages: "AssumeRole"
    std::string what;   // for messages: the role ARN or MFA device
    sts::Fields fields;
    std::optional<SigV4> sign; // nullopt: unsigned (web identity)
    std::vector<std::string> secrets;
};

// One STS round trip; on success puts the credentials.
int32_t call_sts(const Request& req, const Output& out, StsCall call) {
    auto ep = endpoint_for(req);
    if (!ep) return out.error(ep.error().message);
    std::string label = "STS " + call.action + (call.what.empty() ? "" : " (" + printable(call.what) + ")");
    call.fields.insert(call.fields.begin(), {{"Action", call.action}, {"Version", kVersion}});
    HttpRequest h;
    h.method = "POST";
    h.url = ep->url;
    h.headers = {"Content-Type: application/x-www-form-urlencoded; charset=utf-8"};
    h.body = form_encode(call.fields);
    h.timeout_ms = req.timeout_ms();
    h.ca_bundle = ca_bundle_for(req);
    for (const std::string& s : call.secrets)
        out.add_secret(s);
    if (call.sign) {
        call.sign->region = ep->region;
        call.sign->service = "sts";
        h.sigv4 = call.sign;
    }
    // Web identity adds one code: STS could not reach the identity provider to check the token, which the
    // STS API reference says to retry "a limited number of times". InvalidIdentityToken is final (as in
    // smithy-rs: its recorded web_identity_token_invalid_jwt case makes one request).
    const bool web_identity = call.action == "AssumeRoleWithWebIdentity";
    int attempts = 0;
    HttpResult r = http_call_retrying(
        h,
        [&](const HttpResult& res) {
            std::string code = res ? sts::parse_reply(res.response->body).error_code : "";
            if (web_identity && code == "IDPCommunicationError") return true;
            return aws_retryable(res, code);
        },
        &attempts);
    // "(3 attempts)": the person knows it was not one unlucky packet.
    const std::string tries = attempts > 1 ? " (" + std::to_string(attempts) + " attempts)" : "";
    if (!r) {
        std::string why = r.timed_out
                              ? host_of(h.url) + ": no answer within " + std::to_string(h.timeout_ms) + " ms"
                              : r.error;
        return out.error(label + ": " + sts::safe_message(why, call.secrets) + tries);
    }
    // Before the reply is judged: a far-off clock is also why STS refuses a signature ("Signature expired").
    if (std::string w = clock_skew_warning(*r.response, h.url, system_now()); !w.empty()) out.say(w);
    sts::Reply reply = sts::parse_reply(r.response->body);
    if (reply.is_error())
        return out.error(label + ": " + sts::safe_message(reply.error_code, call.secrets) + ": " +
                         sts::safe_message(reply.error_message, call.secrets) + tries);
    if (r.response->status != 200)
        return out.error(label + ": HTTP " + std::to_string(r.response->status) + " from " + host_of(h.url) +
                         tries);
    if (!reply.has_credentials())
        return out.error(label + ": the reply from " + host_of(h.url) +
                         " holds no credentials (is it an STS endpoint?)");
    auto parsed_expiry = credsh::parse_iso8601(reply.expiration);
    if (!parsed_expiry)
        return out.error(label + ": the reply from " + host_of(h.url) + " has no readable Expiration");
    // docs/security.md 46: credentials that are already expired are refused, not exported.
    auto expires = checked_expiry(*parsed_expiry, req.now(), "the credentials from " + host_of(h.url));
    if (!expires) return out.error(label + ": " + expires.error().message);

    out.put("aws_access_key_id", reply.access_key_id);
    out.put("aws_secret_access_key", reply.secret_access_key);
    out.put("aws_session_token", reply.session_token);
    out.put("expiration", credsh::format_iso8601(*expires));
    out.put("source", "sts " + call.action);
    std::string account = sts::account_from_arn(reply.assumed_role_arn);
    if (account.empty()) account = req.source("account_id").value_or("");
    if (!account.empty()) out.put("account_id", account);
    if (!reply.assumed_role_arn.empty()) {
        out.put("assumed_role_arn", reply.assumed_role_arn);
        out.put("assumed_role_id", reply.assumed_role_id);
    }
    return CREDSH_OK;
}

// The source credentials of a signed call, or an error naming what is missing.
Result<SigV4> source_keys(const Request& req) {
    auto key = req.source("aws_access_key_id");
    auto secret = req.source("aws_secret_access_key");
    if (!key || !secret) return fail("no source credentials were passed for this step");
    return SigV4{"", "", *key, *secret, req.source("aws_session_token").value_or("")};
}

// SerialNumber + TokenCode when the profile has mfa_serial. The core read the code from the terminal; without
// one (a prompt hook) a person has to run `credsh login`.
Result<bool> add_mfa(const Request& req, StsCall& call) {
    auto serial = req.setting("mfa_serial");
    if (!serial) return false;
    auto code = req.arg("token_code");
    if (!code) return credsh::needs_login("an MFA code for " + printable(*serial) + " is needed");
    if (auto ok = sts::check_token_code(*code); !ok) return ok.error();
    call.fields.emplace_back("SerialNumber", *serial);
    call.fields.emplace_back("TokenCode", *code);
    call.secrets.push_back(*code);
    return true;
}

int32_t fail_with(const Request& req, const Output& out, const credsh::Error& e) {
    if (e.kind == credsh::ErrorKind::needs_login)
        return out.needs_login(e.message, "credsh login " + req.profile());
    return out.error(e.message);
}

int32_t assume_role(const Request& req, const Output& out) {
    auto role = req.setting("role_arn");
    if (!role) return out.error("role_arn is not set");
    StsCall call{"AssumeRole", *role, {{"RoleArn", *role}}, std::nullopt, {}};
    std::string session = req.setting("role_session_name").value_or(sts::default_session_name(req.now()));
    if (auto ok = sts::check_session_name(session); !ok) return out.error(ok.error().message);
    call.fields.emplace_back("RoleSessionName", session);
    if (auto d = req.setting("duration_seconds")) {
        auto secs = sts::parse_duration(*d, sts::kRoleMinDuration, sts::kRoleMaxDuration);
        if (!secs) return out.error(secs.error().message);
        call.fields.emplace_back("DurationSeconds", std::to_string(*secs));
    }
    if (auto id = req.setting("external_id")) {
        if (auto ok = sts::check_external_id(*id); !ok) return out.error(ok.error().message);
        call.fields.emplace_back("ExternalId", *id);
    }
    auto keys = source_keys(req);
    if (!keys) return out.error(keys.error().message);
    call.sign = *keys;
    call.secrets = {keys->access_key_id, keys->secret_access_key, keys->session_token};
    if (auto mfa = add_mfa(req, call); !mfa) return fail_with(req, out, mfa.error());
    return call_sts(req, out, std::move(call));
}

int32_t assume_role_with_web_identity(const Request& req, const Output& out) {
    auto role = req.setting("role_arn");
    if (!role) return out.error("role_arn is not set");
    auto file = req.setting("web_identity_token_file");
    if (!file) return out.error("web_identity_token_file is not set");
    auto token = read_token_file(*file);
    if (!token) return out.error(token.error().message);
    StsCall call{"AssumeRoleWithWebIdentity", *role, {{"RoleArn", *role}}, std::nullopt, {*token}};
    std::string session = req.setting("role_session_name").value_or(sts::default_session_name(req.now()));
    if (auto ok = sts::check_session_name(session); !ok) return out.error(ok.error().message);
    call.fields.emplace_back("RoleSessionName", session);
    // botocore sends no DurationSeconds here (the role's default applies), and neither does credsh: the
    // AWS CLI's cache key for this call holds only RoleArn and RoleSessionName.
    call.fields.emplace_back("WebIdentityToken", *token);
    return call_sts(req, out, std::move(call));
}

int32_t get_session_token(const Request& req, const Output& out) {
    StsCall call{"GetSessionToken", req.setting("mfa_serial").value_or(""), {}, std::nullopt, {}};
    if (auto d = req.setting("duration_seconds")) {
        auto secs = sts::parse_duration(*d, sts::kSessionMinDuration, sts::kSessionMaxDuration);
        if (!secs) return out.error(secs.error().message);
        call.fields.emplace_back("DurationSeconds", std::to_string(*secs));
    }
    auto keys = source_keys(req);
    if (!keys) return out.error(keys.error().message);
    if (!keys->session_token.empty())
        return out.error(
            "GetSessionToken needs long-term keys, but the profile's keys carry a session token");
    call.sign = *keys;
    call.secrets = {keys->access_key_id, keys->secret_access_key};
    if (auto mfa = add_mfa(req, call); !mfa) return fail_with(req, out, mfa.error());
    return call_sts(req, out, std::move(call));
}

// For `credsh console` with long-term keys (docs/security.md 50): temporary credentials the federation
// endpoint may see. args: duration (seconds, 900..129600), name (the federated user's name), policy (what the
// keys may do is the most the session gets; the policy only narrows it).
int32_t get_federation_token(const Request& req, const Output& out) {
    std::string name = req.arg("name").value_or("credsh");
    StsCall call{"GetFederationToken", name, {{"Name", name}}, std::nullopt, {}};
    if (auto d = req.arg("duration")) {
        auto secs = sts::parse_duration(*d, sts::kSessionMinDuration, sts::kSessionMaxDuration);
        if (!secs) return out.error(secs.error().message);
        call.fields.emplace_back("DurationSeconds", std::to_string(*secs));
    }
    if (auto policy = req.arg("policy")) call.fields.emplace_back("Policy", *policy);
    auto keys = source_keys(req);
    if (!keys) return out.error(keys.error().message);
    if (!keys->session_token.empty())
        return out.error("GetFederationToken needs long-term keys, but these carry a session token");
    call.sign = *keys;
    call.secrets = {keys->access_key_id, keys->secret_access_key};
    return call_sts(req, out, std::move(call));
}

int32_t run(const Request& req, const Output& out) {
    std::string_view op = req.operation();
    if (op == "assume-role") return assume_role(req, out);
    if (op == "assume-role-with-web-identity") return assume_role_with_web_identity(req, out);
    if (op == "get-session-token") return get_session_token(req, out);
    if (op == "get-federation-token") return get_federation_token(req, out);
    out.put("message", "mfa-sts does not implement operation " + printable(op));
    return CREDSH_UNSUPPORTED;
}

} // namespace

CREDSH_CXX_PLUGIN("mfa-sts", "1.0.0", "STS: AssumeRole chains, web identity, MFA sessions (GetSessionToken)",
                  run);
