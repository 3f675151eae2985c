#include "imds_config.hpp"

#include "base/text.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <array>
#include <memory>

namespace credsh::imds {

namespace {

bool is_true(const std::optional<std::string>& v) {
    return v && iequals(trim(*v), "true");
}

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

std::string get_part(CURLU* u, CURLUPart part) {
    char* s = nullptr;
    if (curl_url_get(u, part, &s, 0) != CURLUE_OK || !s) return "";
    std::string out = s;
    curl_free(s);
    return out;
}

// The same address, however it is written ("fd00:ec2:0::23" is fd00:ec2::23).
bool same_address(const std::string& host, const char* literal) {
    std::array<unsigned char, 16> a{}, b{};
    if (inet_pton(AF_INET, host.c_str(), a.data()) == 1)
        return inet_pton(AF_INET, literal, b.data()) == 1 && a == b;
    if (inet_pton(AF_INET6, host.c_str(), a.data()) == 1)
        return inet_pton(AF_INET6, literal, b.data()) == 1 && a == b;
    return false;
}

} // namespace

Result<UrlParts> parse_http_url(const std::string& url) {
    // smithy-rs's wording for a URI without scheme and authority ("/credentials").
    if (url.find("://") == std::string::npos) return fail("URI did not specify a host");
    std::unique_ptr<CURLU, UrlDeleter> u(curl_url());
    if (!u) return fail("cannot parse URLs (libcurl)");
    if (CURLUcode rc = curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0); rc != CURLUE_OK)
        return fail(std::string("not a valid URL (") + curl_url_strerror(rc) + ")");
    UrlParts parts;
    parts.scheme = to_lower(get_part(u.get(), CURLUPART_SCHEME));
    if (parts.scheme != "http" && parts.scheme != "https")
        return fail("only http and https URLs are allowed");
    // "http://127.0.0.1@example.com/" connects to example.com: refuse user information outright.
    if (!get_part(u.get(), CURLUPART_USER).empty() || !get_part(u.get(), CURLUPART_PASSWORD).empty())
        return fail("the URL must not contain user information");
    parts.host = get_part(u.get(), CURLUPART_HOST);
    if (parts.host.size() >= 2 && parts.host.front() == '[' && parts.host.back() == ']')
        parts.host = parts.host.substr(1, parts.host.size() - 2);
    if (parts.host.empty()) return fail("URI did not specify a host");
    return parts;
}

bool is_loopback_literal(const std::string& host) {
    unsigned char v4[4];
    if (inet_pton(AF_INET, host.c_str(), v4) == 1) return v4[0] == 127;
    return same_address(host, "::1");
}

std::string url_origin(const std::string& url) {
    auto start = url.find("://");
    if (start == std::string::npos) return printable(url.substr(0, url.find_first_of("?#")));
    auto end = url.find_first_of("/?#", start + 3);
    return printable(url.substr(0, end));
}

Result<Ec2Config> ec2_config(const Lookup& env, const Lookup& setting) {
    if (is_true(env("AWS_EC2_METADATA_DISABLED")))
        return fail("EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)");
    Ec2Config c;
    auto v1 = env("AWS_EC2_METADATA_V1_DISABLED");
    c.v1_disabled = v1 ? is_true(v1) : is_true(setting("ec2_metadata_v1_disabled"));

    std::string source;
    if (auto e = env("AWS_EC2_METADATA_SERVICE_ENDPOINT")) {
        c.endpoint = *e;
        source = "AWS_EC2_METADATA_SERVICE_ENDPOINT";
    } else if (auto s = setting("ec2_metadata_service_endpoint")) {
        c.endpoint = *s;
        source = "ec2_metadata_service_endpoint";
    } else {
        // The mode matters only when no endpoint is given (botocore warns and uses the endpoint).
        std::optional<std::string> mode = env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
        const char* mode_source = "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE";
        if (!mode) {
            mode = setting("ec2_metadata_service_endpoint_mode");
            mode_source = "ec2_metadata_service_endpoint_mode";
        }
        if (!mode || iequals(trim(*mode), "ipv4"))
            c.endpoint = kImdsIpv4;
        else if (iequals(trim(*mode), "ipv6"))
            c.endpoint = kImdsIpv6;
        else
            return fail(std::string(mode_source) + " is " + printable(*mode) + ", expected IPv4 or IPv6");
        return c;
    }
    if (auto ok = parse_http_url(c.endpoint); !ok)
        return ok.error().context(source + " " + printable(c.endpoint));
    while (!c.endpoint.empty() && c.endpoint.back() == '/')
        c.endpoint.pop_back();
    return c;
}

Result<std::string> container_url(const Lookup& env) {
    if (auto rel = env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")) {
        // Appended to the agent's address as is (query included); without the leading slash it would change
        // the host.
        if (rel->front() != '/')
            return fail("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI " + printable(*rel) + " must start with /");
        return std::string("http://") + kEcsHost + *rel;
    }
    auto full = env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    if (!full)
        return fail("No environment variables were set to configure ECS provider (AWS_CONTAINER_CREDENTIALS_"
                    "RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI)");
    std::string where = "AWS_CONTAINER_CREDENTIALS_FULL_URI " + printable(*full);
    auto parts = parse_http_url(*full);
    if (!parts) return parts.error().context(where);
    if (parts->scheme == "https") return *full;
    static const char* const kAgents[] = {"169.254.170.2", "169.254.170.23", "fd00:ec2::23"};
    bool allowed = is_loopback_literal(parts->host) || iequals(parts->host, "localhost");
    for (const char* agent : kAgents)
        allowed = allowed || same_address(parts->host, agent);
    if (!allowed)
        return fail(where + ": plain http is allowed only to a loopback address, localhost, 169.254.170.2, "
                            "169.254.170.23 or fd00:ec2::23 (use https for any other host)");
    return *full;
}

Result<void> check_header_value(const std::string& value, const std::string& where) {
    if (value.find_first_of("\r\n") != std::string::npos)
        return fail(where + " contains a line break (CR or LF), which is not a legal header value");
    return {};
}

} // namespace credsh::imds
