// plugins/common/http: the clock-skew check on a server's Date header (docs/security.md 23), and which
// failures are tried again within the one deadline.
#include "common/http.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <vector>

using credsh::plugin::clock_skew_warning;
using credsh::plugin::HttpRequest;
using credsh::plugin::HttpResponse;
using credsh::plugin::HttpResult;

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

namespace {
HttpResult answered(long status) {
    HttpResult r;
    r.response = HttpResponse{};
    r.response->status = status;
    return r;
}
HttpResult no_answer(bool timed_out) {
    HttpResult r;
    r.error = "127.0.0.1:1: Connection refused";
    r.timed_out = timed_out;
    return r;
}
} // namespace

TEST_CASE("retries: which failures the SDKs' standard mode tries again", "[http]") {
    using credsh::plugin::aws_retryable;
    for (long s : {429L, 500L, 502L, 503L, 504L})
        CHECK(aws_retryable(answered(s), ""));
    for (long s : {200L, 400L, 401L, 403L, 404L, 501L})
        CHECK_FALSE(aws_retryable(answered(s), ""));
    // Throttling and transient codes count whatever the status; other codes never do.
    for (const char* code : {"Throttling", "ThrottlingException", "TooManyRequestsException",
                             "RequestLimitExceeded", "RequestTimeout", "PriorRequestNotComplete"})
        CHECK(aws_retryable(answered(400), code));
    for (const char* code :
         {"AccessDenied", "SignatureDoesNotMatch", "ValidationError", "ExpiredToken", "throttling"})
        CHECK_FALSE(aws_retryable(answered(400), code));
    CHECK(aws_retryable(no_answer(false), ""));      // refused/reset: the time is not spent
    CHECK_FALSE(aws_retryable(no_answer(true), "")); // a timeout spent the whole budget
}

TEST_CASE("retries: at most three attempts, all inside the one deadline", "[http]") {
    using credsh::plugin::http_call_retrying;
    std::vector<int> budgets; // the timeout each attempt was given
    std::vector<HttpResult> script;
    auto transport = [&](const HttpRequest& r) {
        budgets.push_back(r.timeout_ms);
        HttpResult next = script.front();
        if (script.size() > 1) script.erase(script.begin());
        return next;
    };
    auto by_status = [](const HttpResult& r) { return credsh::plugin::aws_retryable(r, ""); };
    HttpRequest req;
    req.timeout_ms = 2000;
    int attempts = 0;

    SECTION("503, 503, 200: the third answer is the result") {
        script = {answered(503), answered(503), answered(200)};
        auto started = std::chrono::steady_clock::now();
        HttpResult r = http_call_retrying(req, by_status, &attempts, 3, transport);
        auto took = std::chrono::steady_clock::now() - started;
        REQUIRE(r);
        CHECK(r.response->status == 200);
        CHECK(attempts == 3);
        // Each later attempt gets only what is left, and the pauses (50-100 ms, then 100-200 ms) were taken.
        REQUIRE(budgets.size() == 3);
        CHECK(budgets[0] == 2000);
        CHECK(budgets[1] < budgets[0]);
        CHECK(budgets[2] < budgets[1]);
        CHECK(budgets[0] - budgets[2] >= 150);
        CHECK(took >= std::chrono::milliseconds(150));
    }
    SECTION("503 every time: three attempts, the last answer returned") {
        script = {answered(503)};
        HttpResult r = http_call_retrying(req, by_status, &attempts, 3, transport);
        REQUIRE(r);
        CHECK(r.response->status == 503);
        CHECK(attempts == 3);
    }
    SECTION("a refusal that is final (403) is not tried again") {
        script = {answered(403), answered(200)};
        HttpResult r = http_call_retrying(req, by_status, &attempts, 3, transport);
        CHECK(r.response->status == 403);
        CHECK(attempts == 1);
    }
    SECTION("a timeout is not tried again: it spent the deadline") {
        script = {no_answer(true), answered(200)};
        HttpResult r = http_call_retrying(req, by_status, &attempts, 3, transport);
        CHECK_FALSE(r);
        CHECK(attempts == 1);
    }
    SECTION("no pause that would leave under 250 ms for the next attempt") {
        req.timeout_ms = 300; // 300 - (50..100) < 250: the first failure is the answer
        script = {answered(503), answered(200)};
        HttpResult r = http_call_retrying(req, by_status, &attempts, 3, transport);
        CHECK(r.response->status == 503);
        CHECK(attempts == 1);
    }
}
