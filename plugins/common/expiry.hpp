// docs/security.md 46: every expiry a server (or a secret) gives is checked before it is used or written,
// without overflow. Credentials that have already expired are refused (as imds always did). A lifetime too
// long to be meant - or one that would overflow the arithmetic (expiresIn = 1e30, INT64_MAX) - is refused. An
// absolute date is kept as the server gave it (the AWS CLI exports it unchanged), but one past
// 9999-12-31T23:59:59Z, which no ISO 8601 reader takes (epoch milliseconds can say anything), is clamped to
// that.
#pragma once

#include "base/result.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace credsh::plugin {

// Ten years: longer than any credential or token lifetime AWS or LWA issues, far inside every integer range.
constexpr std::int64_t kMaxLifetime = 10LL * 366 * 24 * 3600;

// The latest expiry credsh writes: 9999-12-31T23:59:59Z, the last second a four-digit year can show.
constexpr std::int64_t kMaxExpiry = 253402300799;

// An absolute expiry (epoch seconds) for `what` ("the credentials from X"): refused when not after `now`,
// clamped to kMaxExpiry beyond it.
Result<std::int64_t> checked_expiry(std::int64_t expires_at, std::int64_t now, const std::string& what);

// A lifetime in seconds from a JSON value (integer, float or a decimal string, as proxies send "3600"):
// refused when it is not a number, not positive, not finite, or longer than kMaxLifetime; checked before any
// conversion, so no value can overflow. The expiry is now + the lifetime.
Result<std::int64_t> lifetime_seconds(const nlohmann::json& value, const std::string& what);
Result<std::int64_t> lifetime_seconds(const nlohmann::ordered_json& value, const std::string& what);

// A JSON number that must be a whole count within [lo, hi] (epoch milliseconds, intervals): nullopt
// otherwise, never a converted out-of-range double.
std::optional<std::int64_t> bounded_integer(const nlohmann::json& value, std::int64_t lo, std::int64_t hi);

} // namespace credsh::plugin
