#include "pipeline/scope.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

namespace {
DirLookup allowed(std::string profile, std::optional<std::string> region = std::nullopt) {
    DirLookup d;
    d.status = DirStatus::allowed;
    d.path = d.realpath = "/p/.credprofile";
    d.content.profile = std::move(profile);
    d.content.region = std::move(region);
    return d;
}
} // namespace

TEST_CASE("scope table: command > session > directory > ambient > default", "[scope]") {
    ScopeInputs in;
    in.command_profile = "admin";
    in.session_profile = "prod";
    in.dir = allowed("dev", "eu-west-1");
    in.ambient_aws_profile = "user";
    in.default_profile = "fallback";
    auto check = [&](Scope expect, const std::string& profile, bool applies) {
        Selection s = select_scope(in);
        REQUIRE(s.winner);
        CHECK(*s.winner == expect);
        CHECK(s.profile == profile);
        CHECK(s.applies == applies);
        CHECK(s.rows.size() == 5);
    };
    check(Scope::command, "admin", true);
    in.command_profile.reset();
    check(Scope::session, "prod", true);
    in.session_profile.reset();
    check(Scope::directory, "dev", true);
    CHECK(select_scope(in).region == "eu-west-1");
    in.dir = DirLookup{};
    check(Scope::ambient, "user", false); // ambient is left as it is, never re-applied
    in.ambient_aws_profile.reset();
    check(Scope::default_, "fallback", true);
    in.default_profile.reset();
    in.default_profile_exists = true;
    check(Scope::default_, "default", false); // the implicit default is the SDKs' own business
    in.default_profile_exists = false;
    CHECK_FALSE(select_scope(in).winner);
}

TEST_CASE("a blocked, denied or invalid .credprofile never applies and does not fall back to an outer one",
          "[scope]") {
    for (auto status : {DirStatus::blocked, DirStatus::denied, DirStatus::invalid}) {
        ScopeInputs in;
        in.dir = allowed("dev");
        in.dir.status = status;
        in.ambient_aws_profile = "user";
        Selection s = select_scope(in);
        REQUIRE(s.winner);
        CHECK(*s.winner == Scope::ambient);
        CHECK(s.rows[2].detail.find("/p/.credprofile") != std::string::npos);
        CHECK_FALSE(s.rows[2].present);
    }
}

TEST_CASE("session scope wins over a .credprofile, and its region is not taken from the file", "[scope]") {
    ScopeInputs in;
    in.session_profile = "prod";
    in.dir = allowed("dev", "eu-west-1");
    Selection s = select_scope(in);
    CHECK(s.profile == "prod");
    CHECK_FALSE(s.region);
}
