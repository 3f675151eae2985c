#include "sts_request.hpp"

#include "base/text.hpp"
#include "redact.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace credsh::sts {

Result<long> parse_duration(std::string_view text, long min, long max) {
    std::string_view t = trim(text);
    long v = 0;
    bool digits = !t.empty() && t.size() <= 9 &&
                  std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits)
        for (char c : t)
            v = v * 10 + (c - '0');
    if (!digits || v < min || v > max)
        return fail("duration_seconds " + printable(t) + " is not a whole number of seconds from " +
                    std::to_string(min) + " to " + std::to_string(max));
    return v;
}

Result<void> check_token_code(std::string_view code) {
    if (code.size() == 6 &&
        std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return {};
    // The code itself is never repeated: it is a secret, however wrong.
    return fail("the MFA code must be exactly 6 digits (got " + std::to_string(code.size()) + " characters)");
}

Result<void> check_session_name(std::string_view name) {
    auto ok = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '=' || c == ',' || c == '.' ||
               c == '@' || c == '_' || c == '-';
    };
    if (name.size() < 2 || name.size() > 64 || !std::all_of(name.begin(), name.end(), ok))
        return fail("role_session_name " + printable(name) +
                    " must be 2 to 64 characters of letters, digits and + = , . @ _ -");
    return {};
}

Result<void> check_external_id(std::string_view id) {
    if (id.size() < 2 || id.size() > 1224)
        return fail("external_id must be 2 to 1224 characters long (it has " + std::to_string(id.size()) +
                    ")");
    return {};
}

std::string default_session_name(std::int64_t now) {
    return "credsh-session-" + std::to_string(now);
}

Result<std::string> default_endpoint(std::string_view region, std::string_view regional_mode,
                                     plugin::EndpointVariant variant) {
    // The regions STS served from sts.amazonaws.com before regional endpoints (botocore's endpoint rules).
    static constexpr std::array<std::string_view, 16> legacy_global = {
        "ap-northeast-1", "ap-south-1", "ap-southeast-1", "ap-southeast-2", "aws-global", "ca-central-1",
        "eu-central-1",   "eu-north-1", "eu-west-1",      "eu-west-2",      "eu-west-3",  "sa-east-1",
        "us-east-1",      "us-east-2",  "us-west-1",      "us-west-2"};
    std::string mode = to_lower(trim(regional_mode));
    if (!mode.empty() && mode != "regional" && mode != "legacy")
        return fail("sts_regional_endpoints / AWS_STS_REGIONAL_ENDPOINTS is " + printable(regional_mode) +
                    "; expected regional or legacy");
    std::string r(region);
    if (r.empty()) r = "us-east-1";
    bool variant_asked = variant.fips || variant.dualstack;
    bool global =
        r == "aws-global" ||
        (mode == "legacy" && std::find(legacy_global.begin(), legacy_global.end(), r) != legacy_global.end());
    if (global && !variant_asked) return std::string("https://sts.amazonaws.com");
    if (r == "aws-global") r = "us-east-1";
    if (auto ok = plugin::checked_region(r, "region"); !ok) return ok.error();
    if (variant.fips && !variant.dualstack && r.rfind("us-gov-", 0) == 0)
        return "https://sts." + r + ".amazonaws.com";
    return plugin::default_service_url("sts", r, variant);
}

std::string signing_region(const std::string& endpoint, const std::string& region) {
    if (endpoint == "https://sts.amazonaws.com" || region.empty() || region == "aws-global")
        return "us-east-1";
    return region;
}

std::string account_from_arn(std::string_view arn) {
    auto parts = split(arn, ':');
    if (parts.size() < 6 || parts[0] != "arn") return "";
    return std::string(parts[4]);
}

std::string safe_message(std::string_view message, const std::vector<std::string>& secrets) {
    return plugin::server_text(message, secrets, 300); // the redaction every plugin shares (redact.hpp)
}

} // namespace credsh::sts
