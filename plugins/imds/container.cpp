// ECS task and EKS Pod Identity credentials, the way botocore's ContainerProvider does it: one GET to the URL
// chosen by container_url() (imds_config.hpp) with Accept: application/json and, when configured, an
// Authorization header - the content of AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each call: EKS
// rotates it), else AWS_CONTAINER_AUTHORIZATION_TOKEN - sent verbatim. 2 s per attempt, 3 attempts, 1 s
// apart, all within the call's deadline. Only failures that may pass are retried (no answer, 5xx, 429); a 4xx
// is final.
#include "base/json_limits.hpp"
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "endpoints.hpp"
#include "fetch.hpp"
#include "http.hpp"
#include "redact.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace credsh::imds {

namespace {

constexpr int kAttemptMs = 2000;
constexpr int kAttempts = 3;
constexpr int kPauseMs = 1000;

// A small regular file, read without blocking on a FIFO or a device.
Result<std::string> read_token_file(const std::string& path) {
    const std::string where = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " + printable(path);
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) return fail(where + ": " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return fail(where + ": not a regular file");
    CappedRead got = read_capped(fd.get(), kTokenFileCap);
    if (got.end == ReadEnd::io_error) return fail(where + ": " + errno_text(got.err));
    if (got.end == ReadEnd::too_big)
        return fail(where + ": larger than " + std::to_string(kTokenFileCap) + " bytes");
    if (got.data.empty()) return fail(where + ": the file is empty");
    return std::move(got.data);
}

// The endpoint's own explanation of an error, when it gives one as JSON ({"code","message"} from the EKS
// agent, {"Code","Message"} elsewhere); never the raw body, and never the token we sent (an endpoint or a
// proxy may echo the request: docs/security.md 35).
std::string error_detail(const std::string& body, const std::vector<std::string>& secrets) {
    auto j = parse_json_limited(body, "the error reply");
    if (!j || !j->is_object()) return "";
    std::string out;
    for (const char* k : {"code", "Code", "message", "Message"})
        if (auto it = j->find(k); it != j->end() && it->is_string())
            out += (out.empty() ? "" : ": ") + it->get<std::string>();
    out = plugin::server_text(out, secrets, 300);
    return out.empty() ? "" : " (" + out + ")";
}

} // namespace

Result<Fetched> fetch_container(const plugin::Request& req, const Deadline& deadline) {
    Lookup env = env_lookup(req);
    auto url = container_url(env);
    if (!url) return url.error();
    const std::string where = "container endpoint " + url_origin(*url);

    plugin::HttpRequest r;
    r.url = *url;
    r.headers = {"Accept: application/json"};
    r.ca_bundle = plugin::ca_bundle_for(req);
    std::vector<std::string> secrets; // what an echo of the request must not show
    if (auto file = env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")) {
        auto token = read_token_file(*file);
        if (!token) return token.error();
        if (auto ok = check_header_value(*token, "the token in AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE " +
                                                     printable(*file));
            !ok)
            return ok.error();
        r.headers.push_back("Authorization: " + *token);
        secrets.push_back(*token);
    } else if (auto token = env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
        if (auto ok = check_header_value(*token, "AWS_CONTAINER_AUTHORIZATION_TOKEN"); !ok) return ok.error();
        r.headers.push_back("Authorization: " + *token);
        secrets.push_back(*token);
    }

    std::string last;
    int attempts = 0;
    while (attempts < kAttempts) {
        if (attempts > 0) {
            int pause = deadline.cap(kPauseMs);
            if (pause < kPauseMs) break; // no time left for a pause and another attempt
            std::this_thread::sleep_for(std::chrono::milliseconds(pause));
        }
        r.timeout_ms = deadline.cap(kAttemptMs);
        if (r.timeout_ms <= 0) break;
        ++attempts;
        plugin::HttpResult res = plugin::http_call(r);
        if (!res) {
            last = plugin::redact(res.error, secrets);
            continue;
        }
        long status = res.response->status;
        if (status == 200) {
            auto creds = parse_metadata_credentials(res.response->body, secrets);
            if (!creds) return creds.error().context(where);
            return Fetched{*creds, where,
                           plugin::clock_skew_warning(*res.response, r.url, plugin::system_now())};
        }
        last = "HTTP " + std::to_string(status) + error_detail(res.response->body, secrets);
        if (status < 500 && status != 429) return fail(where + ": " + last);
    }
    if (attempts == 0) return fail(where + ": out of time (the call's deadline passed)");
    return fail(where + ": " + last + " (" + std::to_string(attempts) +
                (attempts == 1 ? " attempt)" : " attempts)"));
}

} // namespace credsh::imds
