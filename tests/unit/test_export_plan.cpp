// The central decision of `credsh export`, phase by phase (core/pipeline/exporter.hpp): the ambient
// environment the plugins and credential_process see, the scope choice with the [trust] prefix policy, reuse
// of the applied credentials against resolving, the refresh time, a failure that keeps the shell consistent,
// ASK environment mode, the CREDSH_* variables and the next state, and messages that carry escaped text only.
#include "base/text.hpp"
#include "config/trust.hpp"
#include "pipeline/exporter.hpp"
#include "shell.hpp"

#include "helpers.hpp"

#include <memory>
#include <set>
#include <unordered_set>

using namespace credsh;
using credsh::test::TempDir;
using credsh::test::write_file;

namespace {

constexpr std::int64_t kNow = 1767225600; // 2026-01-01T00:00:00Z

// A state as `credsh export` leaves it after applying `applied` over the ambient values `ambient`.
State state_after(const std::map<std::string, std::optional<std::string>>& ambient,
                  const std::map<std::string, std::optional<std::string>>& applied,
                  const std::string& profile = "", std::optional<std::int64_t> expires = std::nullopt) {
    State st;
    for (std::string_view v : managed_vars())
        st.ambient[std::string(v)] = std::nullopt;
    for (const auto& [k, v] : ambient)
        st.ambient[k] = v;
    for (std::string_view v : managed_vars())
        st.applied[std::string(v)] = value_hash(st.ambient[std::string(v)]);
    for (const auto& [k, v] : applied)
        st.applied[k] = value_hash(v);
    st.profile = profile;
    st.provider = "credential_process";
    st.expires = expires;
    return st;
}

// The environment of a shell with those keys applied for `dev`, and its state.
struct Applied {
    Env env;
    State state;
    explicit Applied(std::optional<std::int64_t> expires, const std::string& profile = "dev") {
        env = Env({{"AWS_ACCESS_KEY_ID", "AKIAAPPLIED"},
                   {"AWS_SECRET_ACCESS_KEY", "applied-secret"},
                   {"AWS_SESSION_TOKEN", "applied-token"}});
        state = state_after({},
                            {{"AWS_ACCESS_KEY_ID", "AKIAAPPLIED"},
                             {"AWS_SECRET_ACCESS_KEY", "applied-secret"},
                             {"AWS_SESSION_TOKEN", "applied-token"}},
                            profile, expires);
    }
};

// A request for an export in `home`, with the XDG directories inside it and nothing else in the environment.
ExportRequest request_in(const std::string& home) {
    ExportRequest req;
    req.env = Env({{"HOME", home},
                   {"XDG_CONFIG_HOME", home + "/.config"},
                   {"XDG_CACHE_HOME", home + "/.cache"},
                   {"XDG_DATA_HOME", home + "/.local/share"}});
    req.cwd = home;
    req.now = kNow;
    return req;
}

// A resolver that counts its calls and answers with `result`.
struct FakeResolver {
    int calls = 0;
    Result<Credentials> result = Credentials{"AKIAFRESH", "fresh-secret", "fresh-token", kNow + 3600, "", {}};
    CredentialResolver fn() {
        return [this](std::vector<std::string>& watch) {
            ++calls;
            watch.push_back("/cache/entry.json");
            return result;
        };
    }
};

DirLookup dir_at(DirStatus status, const std::string& path, const std::string& bytes) {
    DirLookup d;
    d.status = status;
    d.path = d.realpath = path;
    d.bytes = bytes;
    if (status == DirStatus::blocked) d.message = "credsh: " + path + " is blocked";
    if (status == DirStatus::allowed) d.content = *parse_credprofile(path, bytes);
    return d;
}

VarValues no_ambient() {
    VarValues v;
    for (std::string_view name : managed_vars())
        v[std::string(name)] = std::nullopt;
    return v;
}

} // namespace

TEST_CASE("ambient_environment: credsh's exports undone, the user's own changes kept", "[export_plan]") {
    Env env({{"AWS_REGION", "eu-west-3"},
             {"AWS_PROFILE", "mine"},
             {"AWS_X_TEAM", "blue"},
             {"LWA_NOTE", "changed by hand"},
             {"CREDSH_PLUGIN_PATH", "/plugins"}});

    SECTION("without a state the current environment is the ambient one") {
        Env base = ambient_environment(env, std::nullopt);
        CHECK(base.vars() == env.vars());
    }
    SECTION("a region credsh exported for the previous scope is not ambient") {
        State st = state_after({{"AWS_DEFAULT_REGION", "us-west-2"}},
                               {{"AWS_REGION", "eu-west-3"},
                                {"AWS_DEFAULT_REGION", std::nullopt}, // credsh unset it
                                {"AWS_X_TEAM", "blue"},
                                {"LWA_NOTE", "x"}});
        Env base = ambient_environment(env, st);
        CHECK_FALSE(base.get("AWS_REGION"));                  // credsh set it; it was unset before
        CHECK(base.get("AWS_DEFAULT_REGION") == "us-west-2"); // restored from the state
        CHECK(base.get("AWS_PROFILE") == "mine");             // credsh left it alone: the user's
        CHECK_FALSE(base.get("AWS_X_TEAM"));                  // a plugin variable credsh set
        CHECK(base.get("LWA_NOTE") == "changed by hand");     // set by credsh, then changed by the user
        CHECK(base.get("CREDSH_PLUGIN_PATH") == "/plugins");  // not credsh's to undo
        CHECK(ambient_values(env, st).at("AWS_REGION") == std::nullopt);
    }
    SECTION("a variable the user changed by hand since credsh set it is the new ambient value") {
        State st = state_after({{"AWS_REGION", "us-east-2"}}, {{"AWS_REGION", "ap-south-1"}});
        Env base = ambient_environment(env, st); // the shell has eu-west-3, not what credsh left
        CHECK(base.get("AWS_REGION") == "eu-west-3");
    }
}

TEST_CASE("trust prefix policy: the walk's path under a prefix, deny still wins", "[export_plan][trust]") {
    std::vector<std::string> prefixes = {"/home/u/src"};
    CHECK(trusting_prefix("/home/u/src/app/.credprofile", prefixes) == "/home/u/src");
    CHECK_FALSE(trusting_prefix("/home/u/srcx/app/.credprofile", prefixes)); // a sibling, not the tree
    CHECK_FALSE(trusting_prefix("/home/u/src", prefixes));
    CHECK_FALSE(trusting_prefix("/elsewhere/.credprofile", {}));

    DirLookup blocked = dir_at(DirStatus::blocked, "/home/u/src/app/.credprofile", "profile = dev\n");
    apply_trust_prefixes(blocked, prefixes);
    CHECK(blocked.status == DirStatus::allowed);
    CHECK(blocked.content.profile == "dev");
    CHECK(blocked.message.empty());

    DirLookup bad = dir_at(DirStatus::blocked, "/home/u/src/app/.credprofile", "no such line\n");
    apply_trust_prefixes(bad, prefixes);
    CHECK(bad.status == DirStatus::invalid);
    CHECK(bad.message.rfind("credsh: ", 0) == 0);

    DirLookup denied = dir_at(DirStatus::denied, "/home/u/src/app/.credprofile", "profile = dev\n");
    apply_trust_prefixes(denied, prefixes);
    CHECK(denied.status == DirStatus::denied);

    DirLookup outside = dir_at(DirStatus::blocked, "/tmp/link/.credprofile", "profile = dev\n");
    outside.target = "/home/u/src/app/.credprofile"; // a link into the prefix borrows nothing
    apply_trust_prefixes(outside, prefixes);
    CHECK(outside.status == DirStatus::blocked);
}

TEST_CASE("select_export_scope: command > session > directory > default", "[export_plan][scope]") {
    ExportWorld world;
    world.config.default_profile = "fallback";
    world.config.trust_prefixes = {"/src"};
    DirLookup dir =
        dir_at(DirStatus::blocked, "/src/app/.credprofile", "profile = dirprof\nregion = eu-west-3\n");
    ExportRequest req;
    req.command_profile = "cmd";
    req.session_profile = "sess";

    ScopeChoice c = select_export_scope(req, world, no_ambient(), dir);
    CHECK(c.selection.winner == Scope::command);
    CHECK(c.selection.profile == "cmd");
    CHECK(c.dir.status == DirStatus::allowed); // trusted through the prefix
    CHECK(c.messages.empty());

    req.command_profile.reset();
    c = select_export_scope(req, world, no_ambient(), dir);
    CHECK(c.selection.winner == Scope::session);
    CHECK(c.selection.profile == "sess");

    req.session_profile.reset();
    c = select_export_scope(req, world, no_ambient(), dir);
    CHECK(c.selection.winner == Scope::directory);
    CHECK(c.selection.profile == "dirprof");
    CHECK(c.selection.region == "eu-west-3");
    CHECK(c.selection.applies);

    c = select_export_scope(req, world, no_ambient(), DirLookup{});
    CHECK(c.selection.winner == Scope::default_);
    CHECK(c.selection.profile == "fallback");

    world.config.trust_prefixes.clear(); // blocked: the message, and no fallback to the default
    c = select_export_scope(req, world, no_ambient(), dir);
    CHECK(c.dir.status == DirStatus::blocked);
    REQUIRE(c.messages.size() == 1);
    CHECK(c.messages[0] == "credsh: /src/app/.credprofile is blocked");
}

TEST_CASE("obtain_credentials: reuse of still-valid applied credentials, else resolve", "[export_plan]") {
    FakeResolver r;

    SECTION("untouched, same profile, more than 15 minutes left: reused, nothing runs") {
        Applied a(kNow + 16 * 60);
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 0);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAAPPLIED");
        CHECK(out.creds->expiration == kNow + 16 * 60);
        CHECK(out.provider == "credential_process");
        CHECK_FALSE(out.failed);
    }
    SECTION("long-term keys (no expiry) are reused") {
        Applied a(std::nullopt);
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 0);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAAPPLIED");
    }
    SECTION("a profile's own long-term keys are read again: a rotated or removed key reaches the shell") {
        Applied a(std::nullopt);
        a.state.provider = "static";
        r.result = Credentials{"AKIAROTATED", "rotated-secret", "", std::nullopt, "", {}};
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 1);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAROTATED");
        r.result = fail("profile dev: profile did not contain credential information");
        out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 2);
        CHECK(out.failed);
        CHECK_FALSE(out.creds); // the removed key is not kept as a fallback
    }
    SECTION("15 minutes or less left: resolved again") {
        Applied a(kNow + 15 * 60);
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 1);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAFRESH");
        CHECK_FALSE(out.provider); // the resolver's provider (the mode choice's) stands
        CHECK(out.watch == std::vector<std::string>{"/cache/entry.json"});
    }
    SECTION("another profile, or keys changed by hand: resolved") {
        Applied a(kNow + 3600);
        obtain_credentials(a.env, a.state, "prod", kNow, true, r.fn());
        CHECK(r.calls == 1);
        a.env.set("AWS_SECRET_ACCESS_KEY", "typed-by-hand");
        obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(r.calls == 2);
        obtain_credentials(a.env, std::nullopt, "dev", kNow, true, r.fn());
        CHECK(r.calls == 3);
    }
    SECTION("status (no resolving): the keys in the environment are described") {
        Applied a(kNow + 60);
        a.env.set("AWS_ACCESS_KEY_ID", "AKIAHAND");
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, false, r.fn());
        CHECK(r.calls == 0);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAHAND");
        CHECK(out.creds->expiration == kNow + 60);
        CHECK(obtain_credentials(Env{}, std::nullopt, "dev", kNow, false, r.fn()).creds == std::nullopt);
    }
}

TEST_CASE("obtain_credentials: a failed refresh keeps the shell consistent", "[export_plan]") {
    FakeResolver r;
    r.result = fail("profile dev: credential_process exited with status 1");

    SECTION("still-valid applied credentials are kept, with a warning and a minute's quiet") {
        Applied a(kNow + 5 * 60);
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(out.failed);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAAPPLIED");
        CHECK(out.provider == "credential_process");
        REQUIRE(out.messages.size() == 1);
        CHECK(
            out.messages[0] ==
            "profile dev: credential_process exited with status 1; keeping the current credentials, valid " +
                human_duration(5 * 60));
        CHECK(out.refresh_at == kNow + 60);
    }
    SECTION("expired applied credentials are not kept") {
        Applied a(kNow - 1);
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn());
        CHECK(out.failed);
        CHECK_FALSE(out.creds);
        CHECK(out.messages ==
              std::vector<std::string>{"profile dev: credential_process exited with status 1"});
        CHECK(out.refresh_at == kNow + 60);
    }
    SECTION("needs login: no retry timer, the login itself wakes the hook") {
        r.result = needs_login("profile dev: run credsh login dev");
        auto out = obtain_credentials(Env{}, std::nullopt, "dev", kNow, true, r.fn());
        CHECK(out.failed);
        CHECK(out.needs_login);
        CHECK(out.error_message == "profile dev: run credsh login dev");
        // status: remembered from the state, without resolving
        State st;
        st.error = "login";
        st.error_profile = "dev";
        st.error_message = out.error_message;
        auto status = obtain_credentials(Env{}, st, "dev", kNow, false, r.fn());
        CHECK(status.failed);
        CHECK(status.needs_login);
        CHECK(status.error_message == "profile dev: run credsh login dev; tried again after `credsh login`");
        CHECK_FALSE(obtain_credentials(Env{}, st, "prod", kNow, false, r.fn()).failed); // another profile
        CHECK_FALSE(out.refresh_at);
        CHECK(out.watch == std::vector<std::string>{"/cache/entry.json"});
    }
}

TEST_CASE("apply_credentials: the variables, the refresh time, escaped messages", "[export_plan]") {
    CredshConfig config;
    ExportPlan plan;

    SECTION("an hour left: look again 15 minutes before expiry") {
        apply_credentials(plan, {"AKIA1", "s1", "t1", kNow + 3600, "", {}}, config, "dev", kNow);
        CHECK(plan.desired["AWS_ACCESS_KEY_ID"] == "AKIA1");
        CHECK(plan.desired["AWS_SECRET_ACCESS_KEY"] == "s1");
        CHECK(plan.desired["AWS_SESSION_TOKEN"] == "t1");
        CHECK(plan.desired["AWS_CREDENTIAL_EXPIRATION"] == format_iso8601(kNow + 3600));
        CHECK(plan.expires == kNow + 3600);
        CHECK(plan.refresh_at == kNow + 3600 - 15 * 60);
    }
    SECTION("near expiry: not sooner than a minute from now, never after the expiry") {
        apply_credentials(plan, {"AKIA1", "s1", "", kNow + 10 * 60, "", {}}, config, "dev", kNow);
        CHECK(plan.refresh_at == kNow + 60);
        ExportPlan soon;
        apply_credentials(soon, {"AKIA1", "s1", "", kNow + 30, "", {}}, config, "dev", kNow);
        CHECK(soon.refresh_at == kNow + 30);
    }
    SECTION("an earlier refresh time in the plan stands") {
        plan.refresh_at = kNow + 60;
        apply_credentials(plan, {"AKIA1", "s1", "", kNow + 3600, "", {}}, config, "dev", kNow);
        CHECK(plan.refresh_at == kNow + 60);
    }
    SECTION("long-term keys: no expiry, no refresh time") {
        apply_credentials(plan, {"AKIA1", "s1", "", std::nullopt, "", {}}, config, "dev", kNow);
        CHECK_FALSE(plan.refresh_at);
        CHECK_FALSE(plan.desired.count("AWS_CREDENTIAL_EXPIRATION"));
        CHECK_FALSE(plan.desired.count("AWS_SESSION_TOKEN"));
    }
    SECTION("plugin extras: ASK_ACCESS_TOKEN by default; anything else refused with an escaped name") {
        Credentials c{"", "", "", kNow + 3600, "", {{"ASK_ACCESS_TOKEN", "Atza|x"}, {"AWS_\x1b[31mX", "v"}}};
        apply_credentials(plan, c, config, "dev", kNow);
        CHECK(plan.desired["ASK_ACCESS_TOKEN"] == "Atza|x");
        CHECK_FALSE(plan.desired.count("AWS_ACCESS_KEY_ID"));
        CHECK_FALSE(plan.desired.count("AWS_CREDENTIAL_EXPIRATION")); // no AWS keys: nothing to date
        REQUIRE(plan.messages.size() == 1);
        CHECK(plan.messages[0].find('\x1b') == std::string::npos);
        CHECK(plan.messages[0].find(printable("AWS_\x1b[31mX")) != std::string::npos);
        CHECK(plan.messages[0].rfind("credsh: profile dev: ", 0) == 0);
    }
    SECTION("plugin extras: a credential variable never, even when the profile's `variables` names it") {
        config.profiles["dev"]["variables"] = "AWS_SECRET_ACCESS_KEY, aws_session_token AWS_X_TEAM";
        Credentials c{
            "AKIA1", "s1",
            "",      kNow + 3600,
            "",      {{"AWS_SECRET_ACCESS_KEY", "evil"}, {"aws_session_token", "evil"}, {"AWS_X_TEAM", "t"}}};
        apply_credentials(plan, c, config, "dev", kNow);
        CHECK(plan.desired["AWS_SECRET_ACCESS_KEY"] == "s1");
        CHECK_FALSE(plan.desired.count("aws_session_token"));
        CHECK_FALSE(plan.desired.count("AWS_SESSION_TOKEN"));
        CHECK(plan.desired["AWS_X_TEAM"] == "t"); // named, not a credential: exported
        REQUIRE(plan.messages.size() == 2);
        CHECK(plan.messages[0] ==
              "credsh: profile dev: AWS_SECRET_ACCESS_KEY is a credential variable, set only "
              "from the credentials themselves; not exported");
    }
}

TEST_CASE("apply_ask_env: token, vendor id and AWS keys together, or profile mode", "[export_plan][ask]") {
    AskConfig ask;
    ask.profiles["skills"].vendor_id = "M1VENDOR";
    ExportPlan plan;
    plan.ask_profile = "skills";
    int calls = 0;
    AskToken tok;
    tok.access_token = "Atza|token";
    tok.refresh_at = kNow + 1800;
    auto source = [&] {
        ++calls;
        return tok;
    };

    SECTION("without the linked profile's keys: profile mode only, no token fetched") {
        apply_ask_env(plan, ask, kNow, source);
        CHECK(calls == 0);
        CHECK_FALSE(plan.desired["ASK_ACCESS_TOKEN"]);
        REQUIRE(plan.messages.size() == 1);
        CHECK(plan.messages[0].find("needs the keys of its linked AWS profile") != std::string::npos);
    }
    SECTION("without a vendor id: profile mode only") {
        ask.profiles["skills"].vendor_id.clear();
        plan.desired["AWS_ACCESS_KEY_ID"] = "AKIA1";
        apply_ask_env(plan, ask, kNow, source);
        CHECK(calls == 0);
        REQUIRE(plan.messages.size() == 1);
        CHECK(plan.messages[0].find("a vendor_id in cli_config") != std::string::npos);
    }
    SECTION("with both: the token and the vendor id, and the token's refresh time") {
        plan.desired["AWS_ACCESS_KEY_ID"] = "AKIA1";
        apply_ask_env(plan, ask, kNow, source);
        CHECK(calls == 1);
        CHECK(plan.desired["ASK_ACCESS_TOKEN"] == "Atza|token");
        CHECK(plan.desired["ASK_VENDOR_ID"] == "M1VENDOR");
        CHECK(plan.refresh_at == kNow + 1800);
        CHECK_FALSE(plan.failed);
    }
    SECTION("a failed refresh: failed, a minute's quiet, its messages prefixed") {
        plan.desired["AWS_ACCESS_KEY_ID"] = "AKIA1";
        tok = AskToken{};
        tok.failed = true;
        tok.messages = {"ASK profile skills: refresh failed"};
        apply_ask_env(plan, ask, kNow, source);
        CHECK(plan.failed);
        CHECK(plan.refresh_at == kNow + 60);
        CHECK_FALSE(plan.desired["ASK_ACCESS_TOKEN"]);
        CHECK(plan.messages == std::vector<std::string>{"credsh: ASK profile skills: refresh failed"});
    }
    SECTION("a token refresh time sooner than a minute is put off to a minute") {
        plan.desired["AWS_ACCESS_KEY_ID"] = "AKIA1";
        tok.refresh_at = kNow + 5;
        apply_ask_env(plan, ask, kNow, source);
        CHECK(plan.refresh_at == kNow + 60);
    }
}

TEST_CASE("decorate: stale plugin variables, CREDSH_* variables and the next state", "[export_plan]") {
    SECTION("a plugin variable no longer wanted is unset, unless the user changed it") {
        State st = state_after({}, {{"AWS_X_TEAM", "blue"}, {"LWA_NOTE", "x"}});
        Env env({{"AWS_X_TEAM", "blue"}, {"LWA_NOTE", "mine now"}});
        ExportPlan plan;
        forget_stale_extras(plan, env, st);
        CHECK(plan.desired.count("AWS_X_TEAM"));
        CHECK(plan.desired["AWS_X_TEAM"] == std::nullopt);
        CHECK_FALSE(plan.desired.count("LWA_NOTE"));
    }
    SECTION("CREDSH_* variables of an applied scope, and the state names the keys' profile") {
        ExportWorld world;
        ScopeChoice scope;
        scope.selection.winner = Scope::directory;
        scope.selection.applies = true;
        ExportPlan plan;
        plan.aws_profile = "dev";
        plan.provider = "sso";
        plan.expires = kNow + 3600;
        plan.desired = no_ambient();
        plan.desired["AWS_ACCESS_KEY_ID"] = "AKIA1";
        describe(plan, scope, world, std::string("eu-west-3"));
        CHECK(plan.info["CREDSH_PROFILE"] == "dev");
        CHECK(plan.info["CREDSH_SCOPE"] == "directory");
        CHECK(plan.info["CREDSH_REGION"] == "eu-west-3");
        CHECK(plan.info["CREDSH_EXPIRES"] == std::to_string(kNow + 3600));
        CHECK_FALSE(plan.info["CREDSH_BLOCKED"]);
        CHECK(plan.region == "eu-west-3");
        State st = next_state(plan, no_ambient());
        CHECK(st.profile == "dev");
        CHECK(st.provider == "sso");
        CHECK(st.expires == kNow + 3600);
        CHECK(st.applied["AWS_ACCESS_KEY_ID"] == value_hash(std::string("AKIA1")));
        plan.desired["AWS_ACCESS_KEY_ID"] = std::nullopt; // profile mode: no keys, no profile in the state
        CHECK(next_state(plan, no_ambient()).profile.empty());
    }
    SECTION("a blocked file: CREDSH_BLOCKED names it, nothing else is claimed") {
        ExportWorld world;
        ScopeChoice scope;
        scope.dir = dir_at(DirStatus::blocked, "/src/app/.credprofile", "profile = dev\n");
        ExportPlan plan;
        plan.desired = no_ambient();
        describe(plan, scope, world, std::nullopt);
        CHECK(plan.info["CREDSH_BLOCKED"] == "/src/app/.credprofile");
        CHECK_FALSE(plan.info["CREDSH_PROFILE"]);
        CHECK_FALSE(plan.info["CREDSH_REGION"]);
    }
}

TEST_CASE("plan_export: a scope whose profile fails leaves nothing stale and stays consistent",
          "[export_plan]") {
    TempDir dir;
    std::string home = dir.str() + "/home";
    write_file(home + "/.aws/config",
               "[profile dev]\nregion = eu-west-1\ncredential_process = /nonexistent/x\n");
    write_file(home + "/.aws/credentials", "");
    Env env({{"HOME", home},
             {"XDG_CONFIG_HOME", home + "/.config"},
             {"XDG_CACHE_HOME", home + "/.cache"},
             {"XDG_DATA_HOME", home + "/.local/share"},
             {"AWS_ACCESS_KEY_ID", "AKIAAMBIENT"},
             {"AWS_SECRET_ACCESS_KEY", "ambient-secret"},
             {"AWS_REGION", "us-east-2"}});
    ExportRequest req;
    req.env = env;
    req.cwd = home;
    req.now = kNow;

    SECTION("an unknown profile: everything managed unset but the user's region, failed") {
        req.command_profile = "nosuch";
        ExportPlan plan = plan_export(req);
        CHECK(plan.failed);
        CHECK(plan.selection.applies);
        CHECK_FALSE(plan.desired["AWS_ACCESS_KEY_ID"]);
        CHECK_FALSE(plan.desired["AWS_SECRET_ACCESS_KEY"]);
        CHECK(plan.desired["AWS_REGION"] == "us-east-2");
        REQUIRE_FALSE(plan.messages.empty());
        CHECK(plan.messages[0].rfind("credsh: ", 0) == 0);
        CHECK(plan.state.ambient["AWS_ACCESS_KEY_ID"] == "AKIAAMBIENT"); // restored when the scope ends
        CHECK(plan.state.profile.empty());
    }
    SECTION("a credential_process that cannot run: no keys, a minute's quiet, the profile's region") {
        req.command_profile = "dev";
        ExportPlan plan = plan_export(req);
        CHECK(plan.failed);
        CHECK(plan.mode == ExportMode::keys);
        CHECK_FALSE(plan.desired["AWS_ACCESS_KEY_ID"]);
        CHECK(plan.desired["AWS_REGION"] == "eu-west-1");
        CHECK(plan.refresh_at == kNow + 60);
        CHECK(plan.state.profile.empty());
        CHECK(plan.state.ambient["AWS_REGION"] == "us-east-2");
    }
    SECTION(
        "the failure is marked (CREDSH_ERROR, %e), remembered, and status reports it with the retry time") {
        req.command_profile = "dev";
        ExportPlan plan = plan_export(req);
        CHECK(plan.error == "failed");
        CHECK(plan.info["CREDSH_ERROR"] == "failed");
        CHECK(plan.info["CREDSH_PROFILE"] == "dev");
        CHECK(plan.prompt_template == "aws:dev! ! (eu-west-1)");
        CHECK(plan.state.error == "failed");
        CHECK(plan.state.error_profile == "dev");
        CHECK(plan.state.retry_at == kNow + 60);
        CHECK_FALSE(plan.state.error_message.empty());
        // `credsh status` plans without resolving, from the state that export left in the shell.
        ExportRequest st = req;
        st.resolve = false;
        st.state = plan.state;
        st.env = child_environment(plan, env);
        st.now = kNow + 15;
        ExportPlan status = plan_export(st);
        CHECK(status.failed);
        CHECK(status.error == "failed");
        CHECK(status.error_message ==
              plan.state.error_message +
                  "; tried again at the first prompt after 2026-01-01T00:01:00Z (in 45s)");
        // A healthy profile clears the mark.
        req.command_profile.reset();
        ExportPlan none = plan_export(req);
        CHECK(none.error.empty());
        CHECK_FALSE(none.info["CREDSH_ERROR"]);
        CHECK(none.state.error.empty());
    }
    SECTION("an unknown profile is still shown, marked") {
        req.session_profile = "nosuch";
        ExportPlan plan = plan_export(req);
        CHECK(plan.error == "failed");
        CHECK(plan.prompt_template == "aws:nosuch* ! (us-east-2)"); // the user's region stays
    }
    SECTION("a broken ~/.aws/config: one line with file:line, no 'profile not found' after it, the mark") {
        write_file(home + "/.aws/config", "[profile dev]\nregion = eu-west-1\noops\n");
        req.session_profile = "dev";
        ExportPlan plan = plan_export(req);
        CHECK(plan.failed);
        REQUIRE(plan.messages.size() == 1);
        CHECK(plan.messages[0] ==
              "credsh: " + home + "/.aws/config:3: Expected an '=' sign defining a property");
        CHECK(plan.error == "failed");
        CHECK(plan.error_message == home + "/.aws/config:3: Expected an '=' sign defining a property");
        CHECK(plan.prompt_template == "aws:dev* ! (us-east-2)");
        CHECK(plan.info["CREDSH_PROFILE"] == "dev");
    }
    SECTION("no scope applies: the ambient environment stays as it is") {
        ExportPlan plan = plan_export(req);
        CHECK_FALSE(plan.failed);
        CHECK_FALSE(plan.selection.applies);
        CHECK(plan.desired["AWS_ACCESS_KEY_ID"] == "AKIAAMBIENT");
        CHECK(plan.desired["AWS_REGION"] == "us-east-2");
    }
}

TEST_CASE("load_world and choose_export_mode: profile mode for static keys in the files, keys otherwise",
          "[export_plan]") {
    TempDir dir;
    std::string home = dir.str() + "/home";
    write_file(home + "/.aws/config", "[profile proc]\ncredential_process = /bin/true\n[profile pinned]\n");
    write_file(home + "/.aws/credentials",
               "[static]\naws_access_key_id = AKIA1\naws_secret_access_key = s\n"
               "[pinned]\naws_access_key_id = AKIA2\naws_secret_access_key = s\n");
    write_file(home + "/.config/credsh/config", "[profile pinned]\nexport = keys\n");
    Env env(
        {{"HOME", home}, {"XDG_CONFIG_HOME", home + "/.config"}, {"XDG_DATA_HOME", home + "/.local/share"}});
    ExportWorld world = load_world(env);
    REQUIRE_FALSE(world.failed);
    CHECK(world.messages.empty());
    CHECK(world.profiles.profiles.count("static"));
    CHECK(world.store.root == home + "/.local/share/credsh");

    Target stat{"static", true, ""};
    CHECK(choose_export_mode(world, stat, std::nullopt, false).mode == ExportMode::profile);
    CHECK(choose_export_mode(world, stat, std::nullopt, false).provider == "static");
    // ASK environment mode needs keys, unless the command asked for profile mode.
    CHECK(choose_export_mode(world, stat, std::nullopt, true).mode == ExportMode::keys);
    CHECK(choose_export_mode(world, stat, ExportMode::profile, true).mode == ExportMode::profile);
    CHECK(choose_export_mode(world, stat, ExportMode::keys, false).mode == ExportMode::keys);
    // Not in the AWS files: AWS_PROFILE could not name it, so keys whatever was asked.
    CHECK(choose_export_mode(world, Target{"static", false, ""}, ExportMode::profile, false).mode ==
          ExportMode::keys);
    CHECK(choose_export_mode(world, Target{"proc", true, ""}, std::nullopt, false).mode == ExportMode::keys);
    // A profile's own `export` setting, unless the command overrides it.
    CHECK(choose_export_mode(world, Target{"pinned", true, ""}, std::nullopt, false).mode ==
          ExportMode::keys);
    CHECK(choose_export_mode(world, Target{"pinned", true, ""}, ExportMode::profile, false).mode ==
          ExportMode::profile);

    write_file(home + "/.config/credsh/config", "[credsh]\nno_such_key = 1\n");
    ExportWorld broken = load_world(env);
    CHECK(broken.failed);
    REQUIRE(broken.messages.size() == 1);
    CHECK(broken.messages[0].rfind("credsh: ", 0) == 0);
    CHECK(broken.messages[0].find("(using defaults)") != std::string::npos);
}

TEST_CASE("plan_export: a value set by hand stands, marked, until credsh use, another scope or unset",
          "[export_plan][hand]") {
    TempDir dir;
    std::string home = dir.str() + "/home";
    write_file(home + "/.aws/config",
               "[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\n");
    write_file(home + "/.aws/credentials", "[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = s\n"
                                           "[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = s\n");
    ExportRequest req = request_in(home);
    Env env = req.env;
    req.session_profile = "prod";
    ExportPlan first = plan_export(req);
    REQUIRE(first.desired["AWS_PROFILE"] == "prod");
    CHECK(first.hand.empty());
    CHECK(first.prompt_template == "aws:prod* (us-east-1)");
    // What the shell holds after that export, then AWS_PROFILE=dev by hand.
    req.env = child_environment(first, env);
    req.env.set("AWS_PROFILE", "dev");
    req.state = first.state;
    ExportPlan hand = plan_export(req);
    REQUIRE(hand.hand.size() == 1);
    CHECK(hand.hand[0].name == "AWS_PROFILE");
    CHECK(hand.hand[0].value == "dev");
    CHECK(hand.hand[0].choice == "prod (session)");
    CHECK(hand.desired["AWS_PROFILE"] == "dev");
    CHECK(hand.prompt_template == "aws:dev\u270B");
    CHECK(hand.state.hand == std::set<std::string>{"AWS_PROFILE"});
    auto back = parse_state(serialize_state(hand.state));
    REQUIRE(back);
    CHECK(back->hand == hand.state.hand);
    CHECK(back->hand_scope == hand.state.hand_scope);

    req.env = child_environment(hand, env);
    req.state = *back;
    SECTION("the next export: it still stands") {
        ExportPlan again = plan_export(req);
        CHECK(again.desired["AWS_PROFILE"] == "dev");
        CHECK(again.prompt_template == "aws:dev\u270B");
    }
    SECTION("credsh use: credsh's choice again") {
        req.forget_hand = true;
        ExportPlan use = plan_export(req);
        CHECK(use.hand.empty());
        CHECK(use.desired["AWS_PROFILE"] == "prod");
        CHECK(use.state.hand.empty());
    }
    SECTION("another scope: credsh's choice there") {
        req.session_profile = "dev";
        ExportPlan other = plan_export(req);
        CHECK(other.hand.empty());
        CHECK(other.desired["AWS_PROFILE"] == "dev");
        CHECK(other.prompt_template == "aws:dev* (eu-west-1)");
    }
    SECTION("unset by hand: credsh's choice again") {
        req.env.unset("AWS_PROFILE");
        ExportPlan unset = plan_export(req);
        CHECK(unset.hand.empty());
        CHECK(unset.desired["AWS_PROFILE"] == "prod");
    }
}

TEST_CASE("obtain_credentials: a credential_process profile's kept credentials on re-entry, and logouts",
          "[export_plan][logout]") {
    FakeResolver r;
    State st = state_after({}, {}, "", std::nullopt); // in no profile now: nothing applied
    st.kept["dev"] = {"cmd1", kNow - 600,
                      Credentials{"AKIAKEPT", "kept-secret", "kept-token", kNow + 3600, "", {}}};
    ReuseRules rules{"cmd1", std::nullopt};

    SECTION("the same command, more than 15 minutes left: reused, the helper does not run") {
        auto out = obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), rules);
        CHECK(r.calls == 0);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAKEPT");
        CHECK(out.creds->secret_access_key == "kept-secret");
        CHECK(out.provider == "credential_process");
        CHECK(out.obtained == kNow - 600);
    }
    SECTION("no expiration: kept as not expiring") {
        st.kept["dev"].creds.expiration = std::nullopt;
        auto out = obtain_credentials(Env{}, st, "dev", kNow + 86400 * 30, true, r.fn(), rules);
        CHECK(r.calls == 0);
        REQUIRE(out.creds);
        CHECK(out.creds->access_key_id == "AKIAKEPT");
    }
    SECTION(
        "15 minutes or less left, another command, not a process profile, another profile: the helper runs") {
        st.kept["dev"].creds.expiration = kNow + 15 * 60;
        obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), rules);
        CHECK(r.calls == 1);
        st.kept["dev"].creds.expiration = kNow + 3600;
        obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), ReuseRules{"cmd2", std::nullopt});
        CHECK(r.calls == 2);
        obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), ReuseRules{});
        CHECK(r.calls == 3);
        auto out = obtain_credentials(Env{}, st, "prod", kNow, true, r.fn(), rules);
        CHECK(r.calls == 4);
        CHECK(out.obtained == kNow); // fresh
    }
    SECTION("status never describes kept credentials as the shell's") {
        auto out = obtain_credentials(Env{}, st, "dev", kNow, false, r.fn(), rules);
        CHECK(r.calls == 0);
        CHECK_FALSE(out.creds);
    }
    SECTION("a logout at or after they were obtained: kept ones are not reused") {
        obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), ReuseRules{"cmd1", kNow - 600});
        CHECK(r.calls == 1);
        auto out = obtain_credentials(Env{}, st, "dev", kNow, true, r.fn(), ReuseRules{"cmd1", kNow - 601});
        CHECK(r.calls == 1);
        CHECK(out.creds->access_key_id == "AKIAKEPT");
    }
    SECTION("a logout after the applied credentials were obtained: not reused, not kept as a fallback") {
        Applied a(kNow + 3600);
        a.state.obtained = kNow - 100;
        auto out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn(), ReuseRules{"", kNow - 50});
        CHECK(r.calls == 1);
        CHECK(out.creds->access_key_id == "AKIAFRESH");
        r.result = needs_login("profile dev: run credsh login dev");
        out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn(), ReuseRules{"", kNow - 50});
        CHECK(r.calls == 2);
        CHECK_FALSE(out.creds); // the still-valid applied ones are gone for good
        CHECK(out.needs_login);
        // Obtained after the logout: reused. A state that does not say when (older binary): as old as can be.
        r.result = Credentials{"AKIAFRESH", "fresh-secret", "fresh-token", kNow + 3600, "", {}};
        out = obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn(), ReuseRules{"", kNow - 150});
        CHECK(r.calls == 2);
        CHECK(out.creds->access_key_id == "AKIAAPPLIED");
        a.state.obtained.reset();
        obtain_credentials(a.env, a.state, "dev", kNow, true, r.fn(), ReuseRules{"", 0});
        CHECK(r.calls == 3);
    }
}

TEST_CASE("next_kept: leaving a credential_process profile keeps its credentials, entering takes them out",
          "[export_plan][logout]") {
    TempDir dir;
    std::string home = dir.str() + "/home";
    write_file(home + "/.aws/config", "[profile proc]\ncredential_process = /bin/helper a\n"
                                      "[profile other]\ncredential_process = /bin/helper b\n[profile sso]\n");
    Env base({{"HOME", home}, {"XDG_CONFIG_HOME", home + "/.config"}, {"XDG_CACHE_HOME", home + "/.cache"}});
    ExportWorld world = load_world(base);
    REQUIRE_FALSE(world.failed);
    std::string src = process_source_key("/bin/helper a");
    Applied a(kNow + 3600, "proc"); // the shell is in proc, its helper's keys applied
    a.state.obtained = kNow - 60;
    ExportPlan leaving; // the next plan applies nothing of proc's
    auto kept = next_kept(leaving, a.env, a.state, world, kNow);
    REQUIRE(kept.count("proc"));
    CHECK(kept["proc"].source == src);
    CHECK(kept["proc"].obtained == kNow - 60);
    CHECK(kept["proc"].creds.secret_access_key == "applied-secret");

    State later = a.state;
    later.profile = "";
    later.kept = kept;
    ExportPlan entering;
    entering.state.profile = "proc"; // applied again: back in the environment, out of the state
    CHECK(next_kept(entering, Env{}, later, world, kNow).empty());
    CHECK(next_kept(leaving, Env{}, later, world, kNow).count("proc"));
    // Near expiry, a logout since, another command in the config, keys changed by hand: not kept.
    CHECK(next_kept(leaving, Env{}, later, world, kNow + 3600 - 15 * 60).empty());
    world.logouts["proc"] = kNow - 60;
    CHECK(next_kept(leaving, Env{}, later, world, kNow).empty());
    world.logouts.clear();
    later.kept["proc"].source = process_source_key("/bin/helper old");
    CHECK(next_kept(leaving, Env{}, later, world, kNow).empty());
    a.env.set("AWS_SECRET_ACCESS_KEY", "typed-by-hand");
    CHECK(next_kept(leaving, a.env, a.state, world, kNow).empty());
    // Only a profile served by its own credential_process.
    a = Applied(kNow + 3600, "sso");
    a.state.provider = "sso";
    CHECK(next_kept(leaving, a.env, a.state, world, kNow).empty());
}

TEST_CASE("plan_export: a watched file that exists is watched, a missing one is watched for its appearance",
          "[export_plan]") {
    TempDir dir;
    std::string home = dir.str() + "/home";
    write_file(home + "/.aws/config", "[profile dev]\nregion = eu-west-1\n");
    ExportRequest req = request_in(home);
    const Env& env = req.env;
    ExportPlan plan = plan_export(req);
    auto has = [](const std::vector<std::string>& v, const std::string& s) {
        return std::find(v.begin(), v.end(), s) != v.end();
    };
    CHECK(has(plan.watch, home + "/.aws/config"));
    // Missing: the files themselves, not $HOME or ~/.aws (whose mtime unrelated files change).
    CHECK(has(plan.absent, home + "/.aws/credentials"));
    CHECK(has(plan.absent, home + "/.config/credsh/config"));
    CHECK(has(plan.absent, home + "/.ask/cli_config"));
    CHECK_FALSE(has(plan.watch, home));
    CHECK_FALSE(has(plan.watch, home + "/.aws"));
    for (const auto& a : plan.absent)
        CHECK_FALSE(has(plan.watch, a));

    auto out = render_export(plan, env, kBash, "/stamp");
    REQUIRE(out);
    CHECK(out->find("__credsh_absent=") < out->find("__credsh_set_watch"));
    CHECK(out->find(home + "/.aws/credentials\n" + home) != std::string::npos); // one value, a line each
}

TEST_CASE(
    "Env::record_reads: every lookup through the Env or a copy of it, and '*' for the whole environment") {
    // `credsh export --memo` names the variables its result depends on from this record; a copy made for the
    // ambient environment or a request must record into the same set.
    Env env(std::map<std::string, std::string>{{"HOME", "/h"}, {"AWS_PROFILE", "dev"}});
    auto reads = std::make_shared<NameSet>();
    env.record_reads(reads);
    Env copy = env;
    copy.set("AWS_REGION", "eu-west-1");
    CHECK(env.get("AWS_PROFILE") == "dev");
    CHECK_FALSE(env.get_nonempty("AWS_CONFIG_FILE"));
    CHECK(copy.get("AWS_REGION") == "eu-west-1");
    CHECK(copy.home() == "/h");
    CHECK(*reads == NameSet{"AWS_CONFIG_FILE", "AWS_PROFILE", "AWS_REGION", "HOME"});
    CHECK(reads->count("*") == 0);
    (void)copy.to_strings(); // what a child process gets: everything
    CHECK(reads->count("*") == 1);
    reads->clear();
    (void)env.vars(); // what a plugin gets: everything
    CHECK(reads->count("*") == 1);
    Env unrecorded(std::map<std::string, std::string>{{"HOME", "/x"}});
    (void)unrecorded.get("HOME");
    CHECK(reads->size() == 1);
}
