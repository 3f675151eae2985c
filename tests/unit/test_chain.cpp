// The provider-chain planner against smithy-rs's assume-role-tests.json (all 28 cases, read in place), plus
// credsh's own rules: GetSessionToken for a selected profile with mfa_serial, web identity from the
// environment, and the chain description. The end-to-end run of the same cases against moto is
// tests/shell/t_sts_conformance.sh.
#include "base/text.hpp"
#include "helpers.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/exporter.hpp"
#include "pipeline/provider.hpp"

#include <nlohmann/json.hpp>

#include <map>

using namespace credsh;
using nlohmann::json;

namespace {

// Where credsh's wording differs from smithy-rs's, the phrase our message must contain instead. Every other
// expected error must appear verbatim (case-insensitively) in ours.
const std::map<std::string, std::string> kPhraseMap = {
    // smithy-rs names the missing key; credsh names the file and which half of the pair is there.
    {"profile missing aws_secret_access_key", "aws_access_key_id without aws_secret_access_key"},
    {"profile missing aws_access_key_id", "aws_secret_access_key without aws_access_key_id"},
    // credsh's planner says "source profile B ..." / "profile ..." (the caller prefixes "profile A: ").
    {"profile `B` did not contain credential information",
     "source profile B did not contain credential information"},
    {"profile `A` did not contain credential information", "profile did not contain credential information"},
    // credsh names the loop: "profile cycle: A -> B -> A" (docs/security.md 18).
    {"profile formed an infinite loop", "profile cycle: A -> B -> A"},
    {"No profiles were defined", "no profiles were defined"},
    // credsh says what to do: keep sso_region in the [sso-session] section only.
    {"`sso_region` can only be specified in the [sso-session] config when a session name is given",
     "`sso_region` differs from (or is missing in) [sso-session A]; set it in the [sso-session] section "
     "only"},
};

std::string lower(std::string s) {
    return to_lower(s);
}

ProfileSet profile_set(const json& input) {
    ProfileSet s;
    for (const auto& [name, props] : input.at("profiles").items()) {
        Properties p;
        for (const auto& [k, v] : props.items())
            p[k] = v.get<std::string>();
        s.profiles[name] = p;
        s.config_file[name] = p;
    }
    if (input.contains("sso_sessions"))
        for (const auto& [name, props] : input.at("sso_sessions").items())
            for (const auto& [k, v] : props.items())
                s.sso_sessions[name][k] = v.get<std::string>();
    return s;
}

std::optional<std::string> prop_of(const ProfileSet& s, const std::string& profile, const std::string& key) {
    auto it = s.profiles.find(profile);
    if (it == s.profiles.end()) return std::nullopt;
    const std::string* v = find_prop(it->second, key);
    return v ? std::optional<std::string>(*v) : std::nullopt;
}

// Checks one planned step against one expected ProfileChain element.
void check_step(const ProfileSet& s, const Step& step, const json& expected) {
    REQUIRE(expected.is_object());
    REQUIRE(expected.size() == 1);
    const std::string kind = expected.begin().key();
    const json& want = expected.begin().value();
    INFO("expected step " << expected.dump() << ", planned " << step_kind_name(step.kind) << " ("
                          << step.profile << ")");
    if (kind == "AccessKey") {
        REQUIRE(step.kind == StepKind::access_key);
        REQUIRE(step.keys != nullptr);
        CHECK(*find_prop(*step.keys, "aws_access_key_id") == want.at("access_key_id").get<std::string>());
        CHECK(*find_prop(*step.keys, "aws_secret_access_key") ==
              want.at("secret_access_key").get<std::string>());
        const std::string* account = find_prop(*step.keys, "aws_account_id");
        if (want.contains("account_id")) {
            REQUIRE(account != nullptr);
            CHECK(*account == want.at("account_id").get<std::string>());
        } else {
            CHECK(account == nullptr);
        }
    } else if (kind == "NamedSource") {
        CHECK(step.kind == StepKind::named_source);
        CHECK(step.named_source == want.get<std::string>());
        CHECK(step.plugin == (step.named_source == "Environment" ? "" : "imds"));
    } else if (kind == "AssumeRole" || kind == "WebIdentityToken") {
        CHECK(step.kind == (kind == "AssumeRole" ? StepKind::assume_role : StepKind::web_identity));
        CHECK(step.plugin == "mfa-sts");
        // Every setting the case names is the step profile's; every one it leaves out is absent there.
        for (const char* key : {"role_arn", "role_session_name", "external_id", "web_identity_token_file"}) {
            INFO("setting " << key);
            auto have = prop_of(s, step.profile, key);
            if (want.contains(key))
                CHECK(have == want.at(key).get<std::string>());
            else if (std::string(key) != "web_identity_token_file" || kind == "WebIdentityToken")
                CHECK_FALSE(have.has_value());
        }
    } else if (kind == "Sso") {
        CHECK(step.kind == StepKind::sso);
        CHECK(step.plugin == "aws-sso");
        auto session = prop_of(s, step.profile, "sso_session");
        for (const auto& [key, value] : want.items()) {
            INFO("setting " << key);
            auto have = prop_of(s, step.profile, key);
            if (!have && session)
                if (auto it = s.sso_sessions.find(*session); it != s.sso_sessions.end())
                    if (const std::string* v = find_prop(it->second, key)) have = *v;
            CHECK(have == value.get<std::string>());
        }
    } else {
        FAIL("unknown step kind in the suite: " << kind);
    }
}

} // namespace

TEST_CASE("assume-role-tests.json: every case plans the expected chain or error", "[chain][conformance]") {
    auto path =
        test::conformance_dir() / "smithy-rs/aws/rust-runtime/aws-config/test-data/assume-role-tests.json";
    json cases = json::parse(test::read_file(path));
    REQUIRE(cases.size() == 28);
    CredshConfig config;
    int chains = 0, errors = 0;
    for (const json& c : cases) {
        std::string docs = c.at("docs").get<std::string>();
        INFO("case: " << docs);
        ProfileSet s = profile_set(c.at("input"));
        auto chain = plan_chain(s, config, c.at("input").at("selected_profile").get<std::string>());
        const json& out = c.at("output");
        if (out.contains("Error")) {
            ++errors;
            std::string expected = out.at("Error").get<std::string>();
            auto mapped = kPhraseMap.find(expected);
            std::string phrase = mapped == kPhraseMap.end() ? expected : mapped->second;
            REQUIRE_FALSE(chain);
            INFO("our message: " << chain.error().message);
            CHECK(lower(chain.error().message).find(lower(phrase)) != std::string::npos);
            continue;
        }
        ++chains;
        INFO("our message: " << (chain ? describe_chain(s, *chain) : chain.error().message));
        REQUIRE(chain);
        const json& want = out.at("ProfileChain");
        REQUIRE(chain->size() == want.size());
        for (std::size_t i = 0; i < want.size(); ++i)
            check_step(s, (*chain)[i], want[i]);
    }
    CHECK(chains == 13);
    CHECK(errors == 15);
    // Every mapped phrase is used by some case: a mapping cannot hide a case the suite no longer has.
    for (const auto& [theirs, ours] : kPhraseMap) {
        bool used = false;
        for (const json& c : cases)
            used |=
                c.at("output").contains("Error") && c.at("output").at("Error").get<std::string>() == theirs;
        INFO("mapping for: " << theirs);
        CHECK(used);
    }
}

TEST_CASE("web identity from the environment serves a profile without credentials, and only that",
          "[chain]") {
    CredshConfig config;
    ProfileSet s;
    s.profiles["bare"] = {{"region", "eu-west-1"}};
    s.profiles["keys"] = {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}};
    s.profiles["role"] = {{"role_arn", "arn:aws:iam::1:role/R"}, {"source_profile", "keys"}};
    s.config_file = s.profiles;
    Env env({{"AWS_ROLE_ARN", "arn:aws:iam::1:role/Web"},
             {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t/token"},
             {"AWS_ROLE_SESSION_NAME", "ci"}});
    auto web = web_identity_env(env);
    REQUIRE(web);
    CHECK(web->session_name == "ci");

    auto bare = plan_chain(s, config, "bare", web);
    REQUIRE(bare);
    REQUIRE(bare->size() == 1);
    CHECK((*bare)[0].kind == StepKind::web_identity);
    REQUIRE((*bare)[0].web_env);
    CHECK((*bare)[0].web_env->role_arn == "arn:aws:iam::1:role/Web");
    CHECK(describe_chain(s, *bare) == "AssumeRoleWithWebIdentity arn:aws:iam::1:role/Web (AWS_ROLE_ARN, "
                                      "AWS_WEB_IDENTITY_TOKEN_FILE) (bare)");
    // Without the variables the same profile has no credentials.
    auto none = plan_chain(s, config, "bare");
    REQUIRE_FALSE(none);
    CHECK(none.error().message == "profile did not contain credential information");
    // Profiles with credentials of their own keep them.
    auto keys = plan_chain(s, config, "keys", web);
    REQUIRE(keys);
    CHECK(keys->back().kind == StepKind::access_key);
    auto role = plan_chain(s, config, "role", web);
    REQUIRE(role);
    CHECK(role->back().kind == StepKind::assume_role);
    CHECK_FALSE(role->back().web_env);
    // One variable alone is not a web identity configuration.
    CHECK_FALSE(web_identity_env(
        Env(std::map<std::string, std::string>{{"AWS_ROLE_ARN", "arn:aws:iam::1:role/Web"}})));
    CHECK_FALSE(web_identity_env(Env({{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}, {"AWS_ROLE_ARN", ""}})));
}

TEST_CASE(
    "mfa_serial on the selected profile's static keys adds GetSessionToken; on a source profile it does not",
    "[chain]") {
    CredshConfig config;
    ProfileSet s;
    s.profiles["mfa"] = {
        {"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"mfa_serial", "arn:mfa"}};
    s.profiles["role"] = {
        {"role_arn", "arn:aws:iam::1:role/R"}, {"source_profile", "mfa"}, {"mfa_serial", "arn:m2"}};
    s.config_file = s.profiles;
    auto mfa = plan_chain(s, config, "mfa");
    REQUIRE(mfa);
    REQUIRE(mfa->size() == 2);
    CHECK((*mfa)[1].kind == StepKind::session_token);
    CHECK((*mfa)[1].keys == (*mfa)[0].keys);
    // botocore: a source profile's mfa_serial starts no session; the role's own mfa_serial goes to
    // AssumeRole.
    auto role = plan_chain(s, config, "role");
    REQUIRE(role);
    REQUIRE(role->size() == 2);
    CHECK((*role)[0].kind == StepKind::access_key);
    CHECK((*role)[1].kind == StepKind::assume_role);
    CHECK(describe_chain(s, *role) == "static keys (mfa) -> AssumeRole arn:aws:iam::1:role/R (role)");
}

TEST_CASE("chains of any depth, and cycles named from the selected profile", "[chain]") {
    CredshConfig config;
    ProfileSet s;
    for (int i = 0; i < 12; ++i)
        s.profiles["r" + std::to_string(i)] = {{"role_arn", "arn:aws:iam::1:role/R" + std::to_string(i)},
                                               {"source_profile", "r" + std::to_string(i + 1)}};
    s.profiles["r12"] = {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}};
    s.profiles["x"] = {{"role_arn", "arn:r"}, {"source_profile", "y"}};
    s.profiles["y"] = {{"role_arn", "arn:r"}, {"source_profile", "z"}};
    s.profiles["z"] = {{"role_arn", "arn:r"}, {"source_profile", "y"}};
    s.config_file = s.profiles;
    auto deep = plan_chain(s, config, "r0");
    REQUIRE(deep);
    CHECK(deep->size() == 13);
    CHECK(deep->front().kind == StepKind::access_key);
    CHECK(deep->back().profile == "r0");
    auto loop = plan_chain(s, config, "x");
    REQUIRE_FALSE(loop);
    CHECK(loop.error().message == "profile cycle: x -> y -> z -> y");
}

TEST_CASE("a chain longer than kMaxChainProfiles ends in one error, without recursion", "[chain][limits]") {
    // 10,000 hops crashed the recursive planner (SIGSEGV); the loop stops at the limit with one line.
    CredshConfig config;
    ProfileSet s;
    const int n = 10000;
    for (int i = 0; i < n; ++i)
        s.profiles["p" + std::to_string(i)] = {{"role_arn", "arn:aws:iam::1:role/R" + std::to_string(i)},
                                               {"source_profile", "p" + std::to_string(i + 1)}};
    s.profiles["p" + std::to_string(n)] = {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}};
    s.config_file = s.profiles;
    auto deep = plan_chain(s, config, "p0");
    REQUIRE_FALSE(deep);
    CHECK(deep.error().message ==
          "source_profile chain longer than 64 profiles (p0 -> p1 -> p2 -> ... -> p63 -> "
          "p64); credsh stops there");
    CHECK(deep.error().message.find('\n') == std::string::npos);

    // Exactly at the limit: 64 profiles (63 roles and the keys) still plan.
    ProfileSet ok;
    for (std::size_t i = 0; i + 1 < kMaxChainProfiles; ++i)
        ok.profiles["q" + std::to_string(i)] = {{"role_arn", "arn:aws:iam::1:role/Q" + std::to_string(i)},
                                                {"source_profile", "q" + std::to_string(i + 1)}};
    ok.profiles["q" + std::to_string(kMaxChainProfiles - 1)] = {{"aws_access_key_id", "AK"},
                                                                {"aws_secret_access_key", "S"}};
    ok.config_file = ok.profiles;
    auto at_limit = plan_chain(ok, config, "q0");
    REQUIRE(at_limit);
    CHECK(at_limit->size() == kMaxChainProfiles);
    CHECK(at_limit->front().kind == StepKind::access_key);
    CHECK(at_limit->back().profile == "q0");
}

namespace {

// A home whose AWS config holds the profiles the old classifier read differently from the chain planner.
struct GraphWorld {
    credsh::test::TempDir dir;
    std::string home = dir.str() + "/home";
    GraphWorld() {
        credsh::test::write_file(home + "/.aws/config", "[profile envsrc]\n"
                                                        "credential_source = Environment\n"
                                                        "[profile ssorole]\n"
                                                        "aws_access_key_id = AKIASSOROLE\n"
                                                        "aws_secret_access_key = S3NT1NEL-ssorole\n"
                                                        "sso_role_name = Admin\n"
                                                        "[profile ssotoken]\n"
                                                        "sso_session = corp\n"
                                                        "[sso-session corp]\n"
                                                        "sso_start_url = https://corp.awsapps.com/start\n"
                                                        "sso_region = eu-west-1\n"
                                                        "[profile plain]\n"
                                                        "aws_access_key_id = AKIAPLAIN\n"
                                                        "aws_secret_access_key = S3NT1NEL-plain\n"
                                                        "[profile bare]\n"
                                                        "region = eu-west-1\n");
    }
    // What `credsh status` (resolve = false) or an export (resolve = true) plans for `profile`.
    ExportPlan plan(const std::string& profile, bool resolve,
                    std::map<std::string, std::string> extra = {}) const {
        extra["HOME"] = home;
        extra["XDG_CONFIG_HOME"] = home + "/.config";
        extra["XDG_CACHE_HOME"] = home + "/.cache";
        ExportRequest req;
        req.env = Env(std::move(extra));
        req.cwd = home;
        req.now = 1767225600;
        req.command_profile = profile;
        req.resolve = resolve;
        req.plugins = nullptr; // a plugin-backed step fails with "needs plugin X": nothing here may need one
        return plan_export(req);
    }
};

} // namespace

TEST_CASE("the export mode and the provider shown follow the planned chain, as resolution does",
          "[chain][exporter]") {
    GraphWorld w;
    // credential_source = Environment without role_arn: the core reads the environment's keys; no plugin
    // (the old classifier said imds).
    const std::map<std::string, std::string> keys = {{"AWS_ACCESS_KEY_ID", "AKIAENVKEY"},
                                                     {"AWS_SECRET_ACCESS_KEY", "S3NT1NEL-env"}};
    auto env_status = w.plan("envsrc", false, keys);
    CHECK(env_status.provider == "environment");
    CHECK(env_status.mode == ExportMode::keys);
    auto env_export = w.plan("envsrc", true, keys);
    CHECK_FALSE(env_export.failed);
    CHECK(env_export.provider == "environment");
    CHECK(env_export.desired["AWS_ACCESS_KEY_ID"] == std::optional<std::string>("AKIAENVKEY"));

    // sso_role_name makes a profile an SSO profile (smithy-rs, botocore's sso_* keys), so keys beside it are
    // not "static keys the SDKs read themselves" (the old classifier chose profile mode and called it
    // static): the profile is resolved, and the planner's error reaches the user.
    auto role_status = w.plan("ssorole", false);
    CHECK(role_status.provider.empty());
    CHECK(role_status.mode == ExportMode::keys);
    CHECK_FALSE(role_status.desired["AWS_ACCESS_KEY_ID"]);
    auto role_export = w.plan("ssorole", true);
    CHECK(role_export.failed);
    REQUIRE(role_export.messages.size() == 1);
    CHECK(role_export.messages[0] ==
          "credsh: profile ssorole: if `sso_role_name` is set, then `sso_account_id` "
          "must also be set");

    // sso_session alone: a token-only SSO profile, served by aws-sso on both readings.
    auto token = w.plan("ssotoken", false);
    CHECK(token.provider == "aws-sso");
    CHECK(token.mode == ExportMode::keys);

    // Web identity from the environment serves a profile without credentials (resolution's reading).
    auto web =
        w.plan("bare", false,
               {{"AWS_ROLE_ARN", "arn:aws:iam::1:role/Web"}, {"AWS_WEB_IDENTITY_TOKEN_FILE", "/t/token"}});
    CHECK(web.provider == "mfa-sts");
    CHECK(web.mode == ExportMode::keys);
    CHECK(w.plan("bare", false).provider.empty()); // no variables: nothing serves it

    // Long-term static keys alone: profile mode, only AWS_PROFILE.
    auto plain = w.plan("plain", true);
    CHECK_FALSE(plain.failed);
    CHECK(plain.provider == "static");
    CHECK(plain.mode == ExportMode::profile);
    CHECK(plain.desired["AWS_PROFILE"] == std::optional<std::string>("plain"));
    CHECK_FALSE(plain.desired["AWS_ACCESS_KEY_ID"]);
}

namespace {

// Profiles as if they came from the config file only, plus `creds` sections from the credentials file.
ProfileSet set_of(std::map<std::string, Properties> profiles, std::map<std::string, Properties> creds = {}) {
    ProfileSet s;
    s.config_file = profiles;
    s.profiles = std::move(profiles);
    for (auto& [name, props] : creds) {
        for (auto& [k, v] : props)
            s.profiles[name][k] = v;
        s.credentials_file[name] = props;
    }
    return s;
}

// The last step's kind and provider, or the planner's error.
std::string served_by(const ProfileSet& s, const CredshConfig& config, const std::string& name,
                      const std::optional<WebIdentityEnv>& web = std::nullopt) {
    auto chain = plan_chain(s, config, name, web);
    if (!chain) return "error: " + chain.error().message;
    ChainSummary sum = chain_summary(*chain);
    return std::string(step_kind_name(sum.kind)) + " / " + sum.provider +
           (sum.static_keys ? " / own keys" : "");
}

} // namespace

TEST_CASE("the planned chain follows botocore's order within a profile", "[chain]") {
    CredshConfig config;
    auto s = set_of(
        {
            {"static", {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}}},
            {"proc", {{"credential_process", "x"}}},
            {"role", {{"role_arn", "arn:aws:iam::1:role/r"}, {"source_profile", "static"}}},
            {"sso", {{"sso_session", "s"}, {"sso_account_id", "1"}, {"sso_role_name", "r"}}},
            {"sso_nosession", {{"sso_session", "gone"}, {"sso_account_id", "1"}, {"sso_role_name", "r"}}},
            {"mfa", {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"mfa_serial", "arn"}}},
            {"both_config",
             {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"credential_process", "x"}}},
            {"both_creds", {{"credential_process", "x"}}},
            {"region_in_creds",
             {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"credential_process", "x"}}},
            {"empty", {{"region", "eu-west-1"}}},
        },
        {{"both_creds", {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}}},
         {"region_in_creds", {{"region", "eu-west-1"}}}});
    s.sso_sessions["s"] = {{"sso_start_url", "https://s.awsapps.com/start"}, {"sso_region", "eu-west-1"}};
    CHECK(served_by(s, config, "static") == "static keys / static / own keys");
    CHECK(served_by(s, config, "proc") == "credential_process / credential_process");
    CHECK(served_by(s, config, "role") == "AssumeRole / mfa-sts");
    CHECK(served_by(s, config, "sso") == "IAM Identity Center / aws-sso");
    // An SSO profile whose [sso-session] is missing is served by nothing: resolving it fails with this.
    CHECK(served_by(s, config, "sso_nosession") ==
          "error: sso-session named `gone` (referenced by profile `sso_nosession`) was not found");
    CHECK(served_by(s, config, "mfa") == "GetSessionToken (MFA) / mfa-sts");
    // credentials-file keys beat credential_process; config-file keys lose to it (botocore's chain order)
    CHECK(served_by(s, config, "both_creds") == "static keys / static / own keys");
    auto both = plan_chain(s, config, "both_creds");
    REQUIRE(both);
    CHECK(both->front().keys ==
          &s.credentials_file.at("both_creds")); // the keys come from that file's section
    CHECK(served_by(s, config, "both_config") == "credential_process / credential_process");
    // a credentials-file section without keys does not make the config file's keys win over the process
    CHECK(served_by(s, config, "region_in_creds") == "credential_process / credential_process");
    CHECK(served_by(s, config, "empty") == "error: profile did not contain credential information");
    CHECK(served_by(s, config, "missing") == "error: not found");
    config.profiles["sm"]["plugin"] = "secretsmanager";
    CHECK(served_by(s, config, "sm") == "plugin / secretsmanager");
}

TEST_CASE("what serves a profile where the old classifier read it differently", "[chain]") {
    CredshConfig config;
    auto s = set_of({
        {"env", {{"credential_source", "Environment"}}},
        {"ec2", {{"credential_source", "Ec2InstanceMetadata"}}},
        {"env_role", {{"role_arn", "arn:aws:iam::1:role/r"}, {"credential_source", "Environment"}}},
        {"role_only", {{"aws_access_key_id", "AK"}, {"aws_secret_access_key", "S"}, {"sso_role_name", "r"}}},
        {"account_only", {{"sso_account_id", "1"}}},
        {"token_only", {{"sso_session", "s"}}},
        {"legacy",
         {{"sso_start_url", "https://l"},
          {"sso_region", "eu-west-1"},
          {"sso_account_id", "1"},
          {"sso_role_name", "r"}}},
        {"bare", {{"region", "eu-west-1"}}},
    });
    s.sso_sessions["s"] = {{"sso_start_url", "https://s.awsapps.com/start"}, {"sso_region", "eu-west-1"}};
    // credential_source = Environment alone is read by the core from the environment, not by a plugin.
    CHECK(served_by(s, config, "env") == "credential_source / environment");
    CHECK(served_by(s, config, "ec2") == "credential_source / imds");
    CHECK(served_by(s, config, "env_role") == "AssumeRole / mfa-sts");
    // sso_role_name alone makes an SSO profile (static keys beside it are not "own keys"), and an incomplete
    // one.
    CHECK(served_by(s, config, "role_only") ==
          "error: if `sso_role_name` is set, then `sso_account_id` must also be set");
    CHECK(served_by(s, config, "account_only") ==
          "error: if `sso_account_id` is set, then `sso_role_name` must also be set");
    // sso_session alone: a token-only profile, still served by aws-sso.
    CHECK(served_by(s, config, "token_only") == "IAM Identity Center / aws-sso");
    CHECK(served_by(s, config, "legacy") == "IAM Identity Center / aws-sso");
    // Web identity from the environment serves a profile with no credentials of its own.
    WebIdentityEnv web{"arn:aws:iam::1:role/Web", "/t/token", ""};
    CHECK(served_by(s, config, "bare", web) == "AssumeRoleWithWebIdentity / mfa-sts");
    CHECK(served_by(s, config, "bare") == "error: profile did not contain credential information");
}

TEST_CASE("source_profile cycles are detected and every profile is named (docs/security.md 18)", "[chain]") {
    auto s = set_of({
        {"a", {{"role_arn", "arn:r"}, {"source_profile", "b"}}},
        {"b", {{"role_arn", "arn:r"}, {"source_profile", "a"}}},
        {"self", {{"role_arn", "arn:r"}, {"source_profile", "self"}}},
        {"selfkeys",
         {{"role_arn", "arn:r"},
          {"source_profile", "selfkeys"},
          {"aws_access_key_id", "AK"},
          {"aws_secret_access_key", "S"}}},
        {"c", {{"role_arn", "arn:r"}, {"source_profile", "d"}}},
        {"d", {{"role_arn", "arn:r"}, {"source_profile", "nowhere"}}},
    });
    CredshConfig config;
    auto ab = plan_chain(s, config, "a");
    REQUIRE_FALSE(ab);
    CHECK(ab.error().message == "profile cycle: a -> b -> a");
    auto self = plan_chain(s, config, "self");
    REQUIRE_FALSE(self);
    CHECK(self.error().message ==
          "profile cycle: self -> self (it names itself as source_profile without static keys of its own)");
    // A profile that names itself and holds static keys is not a cycle: "use my own keys as the source".
    auto selfkeys = plan_chain(s, config, "selfkeys");
    REQUIRE(selfkeys);
    CHECK(describe_chain(s, *selfkeys) == "static keys (selfkeys) -> AssumeRole arn:r (selfkeys)");
    auto dangling = plan_chain(s, config, "c");
    REQUIRE_FALSE(dangling);
    CHECK(dangling.error().message == "could not find source profile nowhere referenced from d");
    // A credsh plugin profile whose source_profile is itself.
    config.profiles["sm"] = {{"plugin", "secretsmanager"}, {"source_profile", "sm"}};
    auto sm = plan_chain(s, config, "sm");
    REQUIRE_FALSE(sm);
    CHECK(sm.error().message == "profile cycle: sm -> sm");
    Env env;
    ResolveContext ctx{s, config, env, 0};
    auto r = resolve_credentials(ctx, "a");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "profile a: profile cycle: a -> b -> a");
}

TEST_CASE("one reading of a property: set means non-empty, names case-insensitively",
          "[chain][profile_file]") {
    Properties p = {{"Region", "eu-west-1"}, {"sso_session", ""}, {"role_arn", "arn:r"}};
    REQUIRE(find_prop(p, "region"));
    CHECK(*find_prop(p, "region") == "eu-west-1");
    REQUIRE(find_prop(p, "sso_session")); // present, but empty
    CHECK_FALSE(nonempty_prop(p, "sso_session"));
    CHECK_FALSE(has_prop(p, "sso_session"));
    CHECK(has_prop(p, "ROLE_ARN"));
    CHECK_FALSE(has_prop(p, "missing"));
    CHECK_FALSE(is_sso_profile(p));
    for (const char* key : {"sso_session", "sso_start_url", "sso_account_id", "sso_role_name"}) {
        INFO(key);
        CHECK(is_sso_profile({{key, "x"}}));
        CHECK_FALSE(is_sso_profile({{key, ""}}));
    }
    CHECK_FALSE(is_sso_profile({{"sso_region", "eu-west-1"}})); // a region alone names no sign-in
}
