#include "state.hpp"

#include <catch2/catch.hpp>

using namespace credsh;

TEST_CASE("state round-trips any bytes, keeping unset and empty apart", "[state]") {
    State st;
    st.profile = "dev";
    st.provider = "credential_process";
    st.expires = 1767323045;
    std::string weird = "a b%c\nd\te'f\"g$(x)\xff\x01";
    st.ambient["AWS_PROFILE"] = weird;
    st.ambient["AWS_REGION"] = std::string();
    st.ambient["AWS_ACCESS_KEY_ID"] = std::nullopt;
    st.applied["AWS_PROFILE"] = value_hash(std::string("dev"));
    st.applied["AWS_REGION"] = value_hash(std::nullopt);
    std::string text = serialize_state(st);
    CHECK(text.find('\t') == std::string::npos);
    auto back = parse_state(text);
    REQUIRE(back);
    CHECK(back->profile == "dev");
    CHECK(back->provider == "credential_process");
    CHECK(back->expires == 1767323045);
    CHECK(back->ambient.at("AWS_PROFILE") == weird);
    CHECK(back->ambient.at("AWS_REGION") == std::string());
    CHECK_FALSE(back->ambient.at("AWS_ACCESS_KEY_ID").has_value());
    CHECK(back->applied == st.applied);
}

TEST_CASE("value_hash distinguishes unset from empty", "[state]") {
    CHECK(value_hash(std::nullopt) == "-");
    CHECK(value_hash(std::string()) != "-");
    CHECK(value_hash(std::string("a")).size() == 16);
}

TEST_CASE("garbage state is an error, so the caller falls back to the current environment", "[state]") {
    CHECK_FALSE(parse_state(""));
    CHECK_FALSE(parse_state("hello\n"));
    CHECK_FALSE(parse_state("credsh-state 1\nambient AWS_PROFILE x\n"));
    CHECK_FALSE(parse_state("credsh-state 1\nprofile %Z1\n"));
    CHECK_FALSE(parse_state("credsh-state 1\nexpires soon\n"));
    CHECK(parse_state("credsh-state 1\nfuture-key whatever\n")); // newer binaries may add keys
}
