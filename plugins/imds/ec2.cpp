// EC2 instance metadata, the way botocore's InstanceMetadataFetcher does it:
//   PUT /latest/api/token with x-aws-ec2-metadata-token-ttl-seconds: 21600 -> a session token (IMDSv2);
//   GET /latest/meta-data/iam/security-credentials/      -> the instance profile's role name;
//   GET /latest/meta-data/iam/security-credentials/ROLE  -> the credentials document (metadata_json.hpp);
// both GETs carry x-aws-ec2-metadata-token. Without a token - the PUT answered 403, 404 or 405 (IMDSv2 not
// offered there), or it got no answer at all (a container behind a hop limit of 1 drops the PUT's reply,
// which is why botocore treats a timeout the same) - the GETs go without it (IMDSv1), unless v1 is disabled.
// A 400 from the PUT is an error: the request itself was wrong. Each request gets 1 s and one attempt.
#include "base/text.hpp"
#include "fetch.hpp"
#include "http.hpp"

namespace credsh::imds {

namespace {

constexpr int kRequestMs = 1000;
constexpr const char* kCredentialsPath = "/latest/meta-data/iam/security-credentials/";

} // namespace

Result<Fetched> fetch_ec2(const plugin::Request& req, const Deadline& deadline) {
    auto cfg = ec2_config(env_lookup(req), setting_lookup(req));
    if (!cfg) return cfg.error();
    const std::string where = "EC2 instance metadata (" + url_origin(cfg->endpoint) + ")";

    auto send = [&](const std::string& method, const std::string& path,
                    std::vector<std::string> headers) -> Result<plugin::HttpResponse> {
        int ms = deadline.cap(kRequestMs);
        if (ms <= 0) return fail("out of time (the call's deadline passed)");
        plugin::HttpRequest r;
        r.method = method;
        r.url = cfg->endpoint + path;
        r.headers = std::move(headers);
        r.timeout_ms = ms;
        plugin::HttpResult res = plugin::http_call(r);
        if (!res) return fail(res.error);
        return *res.response;
    };

    // 1. The session token.
    std::optional<std::string> token;
    std::string no_token; // why there is none, for messages
    auto put = send("PUT", "/latest/api/token", {"x-aws-ec2-metadata-token-ttl-seconds: 21600"});
    if (!put) {
        no_token = "the token request failed: " + put.error().message;
    } else if (put->status == 200 && !trim(put->body).empty()) {
        token = std::string(trim(put->body));
        if (auto ok = check_header_value(*token, "the IMDSv2 token"); !ok) return ok.error().context(where);
    } else if (put->status == 400) {
        return fail(where + ": the token request was rejected (HTTP 400)");
    } else if (put->status == 403 || put->status == 404 || put->status == 405) {
        no_token = "the token request answered HTTP " + std::to_string(put->status);
    } else {
        return fail(where + ": the token request answered HTTP " + std::to_string(put->status));
    }
    if (!token && cfg->v1_disabled)
        return fail(where + ": no IMDSv2 token (" + no_token +
                    ") and IMDSv1 is disabled (ec2_metadata_v1_disabled / AWS_EC2_METADATA_V1_DISABLED)");
    std::vector<std::string> headers;
    if (token) headers.push_back("x-aws-ec2-metadata-token: " + *token);
    const std::string how = token ? "" : " (IMDSv1, as " + no_token + ")";

    auto refused = [&](long status, const std::string& what) -> Error {
        if (status == 401 && token)
            return fail(where + ": " + what + ": the metadata token was refused (HTTP 401)");
        if (status == 401)
            return fail(where + ": " + what + ": HTTP 401, the instance requires IMDSv2" + how);
        return fail(where + ": " + what + ": HTTP " + std::to_string(status) + how);
    };

    // 2. The role name.
    auto role_res = send("GET", kCredentialsPath, headers);
    if (!role_res) return fail(where + ": role name: " + role_res.error().message + how);
    if (role_res->status == 404)
        return fail(where + ": no IAM role is attached to this instance (HTTP 404)" + how);
    if (role_res->status != 200) return refused(role_res->status, "role name");
    std::string role(trim(role_res->body.substr(0, role_res->body.find('\n'))));
    if (role.empty())
        return fail(where + ": no IAM role is attached to this instance (empty role list)" + how);

    // 3. The credentials.
    auto creds_res = send("GET", kCredentialsPath + plugin::url_encode(role), headers);
    const std::string what = "role " + printable(role);
    if (!creds_res) return fail(where + ": " + what + ": " + creds_res.error().message + how);
    if (creds_res->status == 404) return fail(where + ": " + what + ": no credentials (HTTP 404)" + how);
    if (creds_res->status != 200) return refused(creds_res->status, what);
    auto creds = parse_metadata_credentials(creds_res->body);
    if (!creds) return creds.error().context(where + ": " + what);
    return Fetched{*creds, "EC2 instance metadata, " + what,
                   plugin::clock_skew_warning(*creds_res, cfg->endpoint, plugin::system_now())};
}

} // namespace credsh::imds
