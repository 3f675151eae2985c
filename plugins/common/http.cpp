#include "http.hpp"

#include "base/text.hpp"
#include "redact.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <ctime>
#include <memory>
#include <random>
#include <string_view>
#include <thread>

namespace credsh::plugin {

namespace {

constexpr std::size_t kMaxBody = 4 * 1024 * 1024;

struct Sink {
    std::string body;
    std::map<std::string, std::string> headers;
    bool too_big = false;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    size_t len = size * n;
    if (sink->body.size() + len > kMaxBody) {
        sink->too_big = true;
        return 0; // aborts the transfer
    }
    sink->body.append(data, len);
    return len;
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
    auto* sink = static_cast<Sink*>(user);
    std::string line(data, size * n);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
            value.erase(0, 1);
        while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
            value.pop_back();
        sink->headers[name] = value;
    }
    return size * n;
}

// The authority of a URL for messages, without user information (docs/security.md 45: a password in an
// endpoint URL is never shown).
std::string host_of(const std::string& url) {
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (auto at = authority.rfind('@'); at != std::string::npos)
        authority = "****@" + authority.substr(at + 1);
    return authority;
}

struct CurlDeleter {
    void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
    void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

} // namespace

std::string url_encode(const std::string& s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string form_encode(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string out;
    for (const auto& [k, v] : fields) {
        if (!out.empty()) out += '&';
        out += url_encode(k) + "=" + url_encode(v);
    }
    return out;
}

HttpResult http_call(const HttpRequest& req) {
    HttpResult result;
    std::unique_ptr<CURL, CurlDeleter> curl(curl_easy_init());
    if (!curl) {
        result.error = "cannot initialise libcurl";
        return result;
    }
    CURL* h = curl.get();
    Sink sink;
    char errbuf[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL,
                     1L); // timeouts without SIGALRM: we run inside someone else's process
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout_ms));
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     static_cast<long>(req.connect_timeout_ms > 0 ? req.connect_timeout_ms : req.timeout_ms));
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); // a credential endpoint that redirects is not followed
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "credsh");
    if (!req.proxy.empty()) curl_easy_setopt(h, CURLOPT_PROXY, req.proxy.c_str());
    if (!req.ca_bundle.empty()) {
        // As botocore's verify=<bundle>: this file alone is trusted, not the system store besides it.
        curl_easy_setopt(h, CURLOPT_CAINFO, req.ca_bundle.c_str());
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
    }
    if (req.method == "POST" || req.method == "PUT" || !req.body.empty()) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.c_str());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
    }
    if (req.method != "GET" && req.method != "POST")
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    curl_slist* raw_headers = nullptr;
    for (const auto& line : req.headers)
        raw_headers = curl_slist_append(raw_headers, line.c_str());
    std::string aws_sigv4;
    if (req.sigv4) {
        aws_sigv4 = "aws:amz:" + req.sigv4->region + ":" + req.sigv4->service;
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, aws_sigv4.c_str());
        // Separate user and password options: a secret containing ':' must not be split.
        curl_easy_setopt(h, CURLOPT_USERNAME, req.sigv4->access_key_id.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, req.sigv4->secret_access_key.c_str());
        if (!req.sigv4->session_token.empty())
            raw_headers =
                curl_slist_append(raw_headers, ("X-Amz-Security-Token: " + req.sigv4->session_token).c_str());
    }
    // libcurl adds "Expect: 100-continue" to larger POSTs, which costs a round trip with servers that ignore
    // it. Not when signing: libcurl 7.88 signs every CURLOPT_HTTPHEADER entry, removals included, so
    // "Expect:" would be listed in SignedHeaders yet never sent (tests/shell/t_sts_sigv4.sh checks the wire).
    if (!req.sigv4) raw_headers = curl_slist_append(raw_headers, "Expect:");
    std::unique_ptr<curl_slist, SlistDeleter> headers(raw_headers);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());

    CURLcode rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        result.timed_out = rc == CURLE_OPERATION_TIMEDOUT;
        if (sink.too_big)
            result.error = host_of(req.url) + ": response larger than " + std::to_string(kMaxBody) + " bytes";
        else
            result.error =
                host_of(req.url) + ": " + redact_userinfo(errbuf[0] ? errbuf : curl_easy_strerror(rc));
        if (!req.ca_bundle.empty() && (rc == CURLE_SSL_CACERT_BADFILE ||
                                       rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CONNECT_ERROR))
            result.error += " (CA bundle " + printable(req.ca_bundle) + ")";
        return result;
    }
    HttpResponse resp;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
    resp.body = std::move(sink.body);
    resp.headers = std::move(sink.headers);
    result.response = std::move(resp);
    return result;
}

bool aws_retryable(const HttpResult& result, const std::string& error_code) {
    // botocore/data/_retry.json and the SDKs' standard retry mode: throttling, then transient codes.
    static constexpr std::array<std::string_view, 16> kCodes = {"Throttling",
                                                                "ThrottlingException",
                                                                "ThrottledException",
                                                                "RequestThrottledException",
                                                                "TooManyRequestsException",
                                                                "ProvisionedThroughputExceededException",
                                                                "TransactionInProgressException",
                                                                "RequestLimitExceeded",
                                                                "BandwidthLimitExceeded",
                                                                "LimitExceededException",
                                                                "RequestThrottled",
                                                                "SlowDown",
                                                                "PriorRequestNotComplete",
                                                                "EC2ThrottledException",
                                                                "RequestTimeout",
                                                                "RequestTimeoutException"};
    if (!result.response) return !result.timed_out;
    if (std::find(kCodes.begin(), kCodes.end(), error_code) != kCodes.end()) return true;
    long s = result.response->status;
    return s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

HttpResult http_call_retrying(HttpRequest request, const std::function<bool(const HttpResult&)>& retryable,
                              int* attempts, int max_attempts, const Transport& transport) {
    using clock = std::chrono::steady_clock;
    constexpr int kFloorMs = 250; // an attempt with less time than this is not worth a pause
    const auto end = clock::now() + std::chrono::milliseconds(request.timeout_ms);
    auto left_ms = [&] {
        return static_cast<int>(
            std::chrono::duration_cast<std::chrono::milliseconds>(end - clock::now()).count());
    };
    // Jitter keeps many shells that failed together (a throttled STS) from coming back in step.
    std::minstd_rand jitter(std::random_device{}());
    HttpResult result;
    int n = 0;
    for (;;) {
        if (n > 0) request.timeout_ms = std::max(left_ms(), 1); // the first has the whole budget
        result = transport ? transport(request) : http_call(request);
        ++n;
        if (n >= max_attempts || !retryable(result)) break;
        int base = 100 << (n - 1);
        int pause = base / 2 + static_cast<int>(jitter() % static_cast<unsigned>(base / 2 + 1));
        if (left_ms() - pause < kFloorMs) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(pause));
    }
    if (attempts) *attempts = n;
    return result;
}

long long system_now() {
    return static_cast<long long>(std::time(nullptr));
}

std::string clock_skew_warning(const HttpResponse& response, const std::string& url, long long local_now) {
    auto it = response.headers.find("date");
    if (it == response.headers.end()) return "";
    time_t server = curl_getdate(it->second.c_str(), nullptr); // RFC 1123 and the other HTTP date forms
    if (server < 0) return "";
    long long skew = static_cast<long long>(server) - local_now;
    if (skew >= -300 && skew <= 300) return "";
    long long minutes = (skew < 0 ? -skew : skew) / 60;
    return "this machine's clock is " + std::to_string(minutes) + " min " +
           (skew > 0 ? "behind" : "ahead of") + " " + host_of(url) +
           "'s (its Date header): expiry times will be off — set the clock (NTP, timedatectl)";
}

} // namespace credsh::plugin
