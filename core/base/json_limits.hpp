// docs/security.md 41: bounded, linear parsing of JSON that came from elsewhere (server replies, secrets,
// token and credential caches). nlohmann's ordered_json keeps members in a vector and looks each new key up
// in it, so an object with n members costs n^2; a deeply nested document costs stack in the recursive
// destructor and dump(). So a text is first read by a counting SAX pass (linear, no document built) that
// stops at the first limit it crosses, and only a text within the limits is parsed into a document. The error
// names the limit.
//
// Shared by the plugins and the host (it is in credsh_base): core/pipeline/cred_cache.cpp and the ASK
// cli_config reader can call parse_json_limited() too.
#pragma once

#include "base/result.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace credsh {

struct JsonLimits {
    std::size_t max_bytes = kReplyCap; // the text
    std::size_t max_members = 2000;    // object members and array elements, in the whole document
    std::size_t max_depth = 64;        // nesting of objects and arrays
};

// Limits for one reply or secret: a Secrets Manager SecretString is at most 64 KiB, and every reply credsh
// reads has a few dozen members; these leave a wide margin and keep ordered_json's quadratic cost small
// (10,000 members in one object took over 10 s under ASan in fuzz_lwa_reply; 2,000 cost 25 times less).
constexpr JsonLimits kReplyLimits{kReplyCap, 2000, 64};

// Checks the limits without building anything. "" when the text is within them (it may still be invalid
// JSON); otherwise which limit it crosses, e.g. "more than 2000 members". A raw NUL byte (never valid JSON,
// and where nlohmann's lexer would stop reading) is refused here too.
std::string json_limit_violation(std::string_view text, const JsonLimits& limits = kReplyLimits);

// The document, or an error: "WHAT: more than N members (the limit)", "WHAT is not valid JSON".
template <class Json = nlohmann::json>
Result<Json> parse_json_limited(std::string_view text, const std::string& what,
                                const JsonLimits& limits = kReplyLimits) {
    if (std::string why = json_limit_violation(text, limits); !why.empty())
        return fail(what + " refused: " + why);
    Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return fail(what + " is not valid JSON");
    return j;
}

} // namespace credsh
