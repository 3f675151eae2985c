#include "expiry.hpp"

#include "base/text.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace credsh::plugin {

namespace {

template <class J> std::optional<long double> number_of(const J& v) {
    if (v.is_number_unsigned()) return static_cast<long double>(v.template get<std::uint64_t>());
    if (v.is_number_integer()) return static_cast<long double>(v.template get<std::int64_t>());
    if (v.is_number_float()) return static_cast<long double>(v.template get<double>());
    if (v.is_string()) { // "3600": whole decimal digits only, at most 18 so the parse cannot overflow
        const std::string& s = v.template get_ref<const std::string&>();
        if (s.empty() || s.size() > 18) return std::nullopt;
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
        return static_cast<long double>(n);
    }
    return std::nullopt;
}

template <class J> Result<std::int64_t> lifetime_of(const J& value, const std::string& what) {
    auto n = number_of(value);
    if (!n || !std::isfinite(*n)) return fail(what + " is not a number of seconds");
    if (*n < 1) return fail(what + " is not a positive number of seconds");
    if (*n > static_cast<long double>(kMaxLifetime))
        return fail(what + " is longer than " + std::to_string(kMaxLifetime / (366 * 24 * 3600)) +
                    " years: not a lifetime credsh accepts");
    return static_cast<std::int64_t>(*n);
}

} // namespace

Result<std::int64_t> checked_expiry(std::int64_t expires_at, std::int64_t now, const std::string& what) {
    if (expires_at <= now) return fail(what + " expired at " + format_iso8601(expires_at));
    return std::min(expires_at, kMaxExpiry);
}

Result<std::int64_t> lifetime_seconds(const nlohmann::json& value, const std::string& what) {
    return lifetime_of(value, what);
}
Result<std::int64_t> lifetime_seconds(const nlohmann::ordered_json& value, const std::string& what) {
    return lifetime_of(value, what);
}

std::optional<std::int64_t> bounded_integer(const nlohmann::json& value, std::int64_t lo, std::int64_t hi) {
    auto n = number_of(value);
    if (!n || !std::isfinite(*n) || *n < static_cast<long double>(lo) || *n > static_cast<long double>(hi))
        return std::nullopt;
    return static_cast<std::int64_t>(*n);
}

} // namespace credsh::plugin
