// HTTP for plugins, through libcurl: hard timeouts, http/https only, no redirects, a response size cap, and
// SigV4 signing by libcurl itself (CURLOPT_AWS_SIGV4; docs/protocols.md §2 shows it accepted by moto's auth
// mode). The session token travels as X-Amz-Security-Token, which libcurl signs with the other x-amz-*
// headers.
#pragma once

#include <credsh/policy.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace credsh::plugin {

struct SigV4 {
    std::string region, service;
    std::string access_key_id, secret_access_key, session_token;
};

struct HttpRequest {
    std::string method = "GET"; // GET, POST, PUT
    std::string url;
    std::vector<std::string> headers; // "Name: value"
    std::string body;
    int timeout_ms = kStepTimeoutMs; // the whole transfer
    int connect_timeout_ms = 0;      // 0: same as timeout_ms
    std::optional<SigV4> sigv4;
    std::string proxy; // "" : libcurl's defaults (the *_proxy variables)
    // A PEM file of the CAs to trust instead of the system store (AWS_CA_BUNDLE / ca_bundle, endpoints.hpp
    // ca_bundle_for); "" : the system store.
    std::string ca_bundle;
};

struct HttpResponse {
    long status = 0;
    std::string body;
    std::map<std::string, std::string> headers; // names lower-cased
};

// The response, or an error text that names the URL's host and what failed (never a header or body).
struct HttpResult {
    std::optional<HttpResponse> response;
    std::string error;
    bool timed_out = false;
    explicit operator bool() const { return response.has_value(); }
};
HttpResult http_call(const HttpRequest& request);

// Retries, as the AWS SDKs' standard mode judges failures (botocore's retryhandler, smithy's standard
// classifier): worth another attempt are a transfer that failed before any answer but not by running out of
// time (refused, reset: the budget is not spent), HTTP 429/500/502/503/504, and the throttling and transient
// error codes a service may send with any status. `error_code` is the service's code from the body ("" if
// none); anything else - AccessDenied, a bad signature, a validation error - fails at once.
bool aws_retryable(const HttpResult& result, const std::string& error_code);

// http_call up to `max_attempts` times within request.timeout_ms *in all* (the hook's 2 s step deadline stays
// the deadline): each attempt gets what is left, after a jittered pause of 50-100 ms, doubling per attempt;
// no pause is taken that would leave less than 250 ms for the attempt after it. `retryable` judges a result;
// `attempts` (optional) says how many were made. `transport` is http_call but for the unit tests.
using Transport = std::function<HttpResult(const HttpRequest&)>;
HttpResult http_call_retrying(HttpRequest request, const std::function<bool(const HttpResult&)>& retryable,
                              int* attempts = nullptr, int max_attempts = 3, const Transport& transport = {});

// docs/security.md 23: the server's Date header against this machine's real clock (never the injected test
// clock: the skew that matters is the system's). More than 5 minutes apart gives one line for the person,
// naming the host and the direction; otherwise "". Expiry times come from the server, so a wrong local
// clock makes credentials look fresher or staler than they are.
std::string clock_skew_warning(const HttpResponse& response, const std::string& url, long long local_now);
long long system_now();

// application/x-www-form-urlencoded, in the given order.
std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields);
std::string url_encode(const std::string& s);

} // namespace credsh::plugin
