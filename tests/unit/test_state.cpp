#include "pipeline/state.hpp"

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

TEST_CASE("a secret ambient value never appears in the state text: it goes to the stash, checked by hash",
          "[state]") {
    State st;
    st.ambient["AWS_ACCESS_KEY_ID"] = std::string("AKIAAMBIENT");
    st.ambient["AWS_SECRET_ACCESS_KEY"] = std::string("AMB1ENT-SECRET");
    st.ambient["AWS_SESSION_TOKEN"] = std::nullopt;
    st.ambient["ASK_REFRESH_TOKEN"] = std::string("Atzr|R3FRESH");
    st.stash = "4242";
    std::string text = serialize_state(st);
    CHECK(text.find("AMB1ENT") == std::string::npos);
    CHECK(text.find("R3FRESH") == std::string::npos);
    CHECK(text.find("AKIAAMBIENT") != std::string::npos); // not a secret: kept as before
    std::string stash = stash_text(st);
    CHECK(stash.find("AMB1ENT-SECRET") != std::string::npos);
    CHECK(stash.find("AKIAAMBIENT") == std::string::npos);

    auto back = parse_state(text);
    REQUIRE(back);
    CHECK(back->stash == "4242");
    CHECK(back->stashed.size() == 2);
    CHECK_FALSE(back->ambient.count("AWS_SECRET_ACCESS_KEY"));
    CHECK(apply_stash(*back, stash).empty());
    CHECK(back->ambient.at("AWS_SECRET_ACCESS_KEY") == "AMB1ENT-SECRET");
    CHECK(back->ambient.at("ASK_REFRESH_TOKEN") == "Atzr|R3FRESH");
    CHECK_FALSE(back->ambient.at("AWS_SESSION_TOKEN").has_value());
    CHECK(serialize_state(*back) == text); // what the next export writes again

    // A stash that is gone, or holds another value (another shell that had the same pid): unset, reported.
    auto gone = parse_state(text);
    REQUIRE(gone);
    CHECK(apply_stash(*gone, "") == std::vector<std::string>{"ASK_REFRESH_TOKEN", "AWS_SECRET_ACCESS_KEY"});
    CHECK_FALSE(gone->ambient.at("AWS_SECRET_ACCESS_KEY").has_value());
    auto other = parse_state(text);
    REQUIRE(other);
    CHECK(apply_stash(*other, "AWS_SECRET_ACCESS_KEY =SOMETHING-ELSE\nASK_REFRESH_TOKEN =Atzr|R3FRESH\n") ==
          std::vector<std::string>{"AWS_SECRET_ACCESS_KEY"});
    CHECK_FALSE(other->ambient.at("AWS_SECRET_ACCESS_KEY").has_value());
}

TEST_CASE("state keeps the last failure: kind, profile, message and retry time", "[state]") {
    State st;
    st.error = "failed";
    st.error_profile = "admin prod";
    st.error_message = "profile admin: STS: cannot connect; 100% \n";
    st.retry_at = 1767225660;
    st.said = "0123456789abcdef";
    auto back = parse_state(serialize_state(st));
    REQUIRE(back);
    CHECK(back->said == st.said); // what the export printed last, so it is not printed twice
    CHECK(back->error == "failed");
    CHECK(back->error_profile == "admin prod");
    CHECK(back->error_message == st.error_message);
    CHECK(back->retry_at == 1767225660);
    auto none = parse_state(serialize_state(State{}));
    REQUIRE(none);
    CHECK(none->error.empty());
    CHECK(none->said.empty());
    CHECK_FALSE(none->retry_at);
}

TEST_CASE("state keeps a credential_process's credentials for re-entry, and when the applied ones came",
          "[state]") {
    State st;
    st.obtained = 1767225600;
    st.kept["proc one"] = {"0123456789abcdef", 1767225000,
                           Credentials{"AKIAK", "s3cret %x\n", "tok en", 1767229200, "123456789012", {}}};
    st.kept["noexp"] = {"fedcba9876543210", 5, Credentials{"AKIAN", "s", "", std::nullopt, "", {}}};
    auto back = parse_state(serialize_state(st));
    REQUIRE(back);
    CHECK(back->obtained == 1767225600);
    REQUIRE(back->kept.size() == 2);
    const KeptCredentials& k = back->kept.at("proc one");
    CHECK(k.source == "0123456789abcdef");
    CHECK(k.obtained == 1767225000);
    CHECK(k.creds.access_key_id == "AKIAK");
    CHECK(k.creds.secret_access_key == "s3cret %x\n");
    CHECK(k.creds.session_token == "tok en");
    CHECK(k.creds.expiration == 1767229200);
    CHECK(k.creds.account_id == "123456789012");
    const KeptCredentials& n = back->kept.at("noexp");
    CHECK_FALSE(n.creds.expiration);
    CHECK(n.creds.session_token.empty());
    // One line per profile, nothing that would break the line-based text.
    CHECK(serialize_state(st).find("s3cret %x\n") == std::string::npos);
    // A kept line that is cut short or has an empty key is a bad state, not half-kept credentials.
    CHECK_FALSE(parse_state("credsh-state 1\nkept proc src 1 - =AKIA =s =\n"));
    CHECK_FALSE(parse_state("credsh-state 1\nkept proc src 1 - = =s = =\n"));
    CHECK_FALSE(parse_state("credsh-state 1\nkept proc src x - =AKIA =s = =\n"));
    CHECK(parse_state("credsh-state 1\nkept proc src 1 - =AKIA =s = =\n"));
    auto none = parse_state(serialize_state(State{}));
    REQUIRE(none);
    CHECK(none->kept.empty());
    CHECK_FALSE(none->obtained);
}
