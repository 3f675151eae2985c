// plugins/common/http: the clock-skew check on a server's Date header (SECURITY.md 23).
#include "common/http.hpp"

#include <catch2/catch.hpp>

using credsh::plugin::clock_skew_warning;
using credsh::plugin::HttpResponse;

namespace {
HttpResponse with_date(const std::string& date) {
    HttpResponse r;
    r.status = 200;
    if (!date.empty()) r.headers["date"] = date;
    return r;
}
// Sun, 22 Nov 2026 08:00:00 GMT
constexpr long long kServer = 1795334400;
} // namespace

TEST_CASE("clock skew: the server's Date against this machine's clock", "[http]") {
    const std::string url = "https://sts.eu-west-1.amazonaws.com/";
    const auto r = with_date("Sun, 22 Nov 2026 08:00:00 GMT");
    SECTION("within 5 minutes either way: nothing to say") {
        CHECK(clock_skew_warning(r, url, kServer).empty());
        CHECK(clock_skew_warning(r, url, kServer - 300).empty());
        CHECK(clock_skew_warning(r, url, kServer + 300).empty());
    }
    SECTION("more than 5 minutes behind the server") {
        CHECK(clock_skew_warning(r, url, kServer - 301) ==
              "this machine's clock is 5 min behind sts.eu-west-1.amazonaws.com's (its Date header): "
              "expiry times will be off — set the clock (NTP, timedatectl)");
        CHECK(clock_skew_warning(r, url, kServer - 7200).find("is 120 min behind") != std::string::npos);
    }
    SECTION("ahead of the server") {
        CHECK(clock_skew_warning(r, url, kServer + 3600).find("is 60 min ahead of sts.eu-west-1") !=
              std::string::npos);
    }
    SECTION("the older HTTP date forms are read too") {
        CHECK(!clock_skew_warning(with_date("Sunday, 22-Nov-26 08:00:00 GMT"), url, kServer - 3600).empty());
        CHECK(!clock_skew_warning(with_date("Sun Nov 22 08:00:00 2026"), url, kServer - 3600).empty());
    }
    SECTION("no Date header, or one that is not a date: nothing to say") {
        CHECK(clock_skew_warning(with_date(""), url, 0).empty());
        CHECK(clock_skew_warning(with_date("yesterday-ish"), url, 0).empty());
    }
}
