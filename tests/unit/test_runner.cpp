// The step runner (core/pipeline/runner.hpp) with a fake plugin host and fake I/O: the refresh window, the
// lock and the re-read under it, the fallback to a still-valid value, the MFA prompt through the injected
// terminal, and the SSO and ASK calls that go through it. No tmux, no server, no timing.
#include "base/text.hpp"
#include "config/ask_config.hpp"
#include "helpers.hpp"
#include "pipeline/ask_token.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/runner.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace credsh;
using credsh::test::TempDir;
using credsh::test::write_file;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

// Records every call; answers with `reply` (a CREDSH_ERROR with no message when unset).
struct FakePlugins final : PluginCaller {
    struct Seen {
        std::string plugin;
        PluginCall call;
    };
    std::vector<Seen> calls;
    std::function<PluginReply(const std::string&, const PluginCall&)> reply;
    Result<PluginReply> call(const std::string& name, const PluginCall& c) override {
        calls.push_back({name, c});
        if (!reply) return PluginReply{};
        return reply(name, c);
    }
    std::size_t count(const std::string& operation) const {
        std::size_t n = 0;
        for (const auto& s : calls)
            n += s.call.operation == operation;
        return n;
    }
};

PluginReply ok(std::map<std::string, std::string> out) {
    return PluginReply{CREDSH_OK, std::move(out)};
}

Credentials creds(const std::string& key, std::int64_t expires) {
    return Credentials{key, "secret-" + key, "token-" + key, expires, "", {}};
}

// A home with a role profile (source: static keys) and an MFA role profile, and the runner's fakes.
struct World {
    TempDir dir;
    std::string home = dir.str();
    Env env{std::map<std::string, std::string>{{"HOME", home}, {"XDG_CACHE_HOME", home + "/.cache"}}};
    ProfileSet profiles;
    CredshConfig config;
    FakePlugins plugins;
    std::vector<std::string> said;
    std::vector<std::string> prompts;
    std::string typed = "123456";

    World() {
        profiles.profiles["base"] = {{"aws_access_key_id", "AKIDBASE"},
                                     {"aws_secret_access_key", "base-secret"}};
        profiles.credentials_file["base"] = profiles.profiles["base"];
        profiles.profiles["role"] = {{"role_arn", "arn:aws:iam::123456789012:role/r"},
                                     {"source_profile", "base"}};
        profiles.profiles["mfa"] = {{"role_arn", "arn:aws:iam::123456789012:role/m"},
                                    {"source_profile", "base"},
                                    {"mfa_serial", "arn:aws:iam::123456789012:mfa/me"}};
        profiles.config_file["role"] = profiles.profiles["role"];
        profiles.config_file["mfa"] = profiles.profiles["mfa"];
    }
    ResolveContext context(bool interactive) {
        ResolveContext ctx{profiles, config, env, kNow};
        ctx.plugins = &plugins;
        ctx.interactive = interactive;
        ctx.timeout_ms = 1000;
        ctx.say = [this](const std::string& line) { said.push_back(line); };
        ctx.read_secret = [this](const std::string& prompt) -> Result<std::string> {
            prompts.push_back(prompt);
            return typed;
        };
        return ctx;
    }
    // The AWS CLI's cache entry of an AssumeRole call with these arguments.
    std::string entry(const nlohmann::json& args) const {
        return cache_dirs(env).cli + "/" + assume_role_cache_key(args) + ".json";
    }
    void cache(const nlohmann::json& args, const Credentials& c) const {
        REQUIRE(write_cached_entry(entry(args), credentials_entry(c)));
    }
    RunnerIO io(bool interactive = false) {
        RunnerIO r{env, kNow};
        r.say = [this](const std::string& line) { said.push_back(line); };
        r.plugins = &plugins;
        r.interactive = interactive;
        r.timeout_ms = 1000;
        return r;
    }
};

const nlohmann::json kRole = {{"RoleArn", "arn:aws:iam::123456789012:role/r"}};
const nlohmann::json kMfaRole = {{"RoleArn", "arn:aws:iam::123456789012:role/m"},
                                 {"SerialNumber", "arn:aws:iam::123456789012:mfa/me"}};

PluginReply sts_reply(const std::string& key, std::int64_t expires) {
    return ok({{"aws_access_key_id", key},
               {"aws_secret_access_key", "secret-" + key},
               {"aws_session_token", "token-" + key},
               {"expiration", format_iso8601(expires)}});
}

} // namespace

TEST_CASE("runner: a cached value with more than 15 minutes left is used without a plugin call", "[runner]") {
    World w;
    w.cache(kRole, creds("ASIACACHED", kNow + 16 * 60));
    auto r = resolve_credentials(w.context(false), "role");
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIACACHED");
    CHECK(w.plugins.calls.empty());
    CHECK(w.said.empty());
}

TEST_CASE("runner: near expiry it locks, calls the plugin with the source credentials, and writes the entry",
          "[runner]") {
    World w;
    w.cache(kRole, creds("ASIAOLD", kNow + 10 * 60));
    w.plugins.reply = [](const std::string&, const PluginCall&) { return sts_reply("ASIANEW", kNow + 3600); };
    auto r = resolve_credentials(w.context(false), "role");
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIANEW");
    REQUIRE(w.plugins.calls.size() == 1);
    const PluginCall& c = w.plugins.calls[0].call;
    CHECK(w.plugins.calls[0].plugin == "mfa-sts");
    CHECK(c.operation == "assume-role");
    CHECK(c.source.at("aws_access_key_id") == "AKIDBASE");
    CHECK(c.settings.at("role_arn") == kRole["RoleArn"]);
    CHECK(c.now == kNow);
    CHECK(c.timeout_ms == 1000);
    CHECK(c.interactive == false);
    auto again = read_cached_credentials(w.entry(kRole));
    REQUIRE(again);
    CHECK(again->access_key_id == "ASIANEW");
}

TEST_CASE("runner: the re-read under the lock finds another shell's refresh, and nothing is called",
          "[runner]") {
    World w;
    StepRunner runner(w.io());
    int reads = 0;
    bool locked_during_reread = false;
    CachedStep step;
    step.where = "profile x";
    step.lock_key = "some-entry";
    step.read = [&]() -> std::optional<Credentials> {
        if (++reads == 1) return creds("ASIAOLD", kNow + 60);
        // The second read happens while this runner holds the entry's lock: nobody else can take it.
        locked_during_reread = !FileLock::acquire(cache_dirs(w.env).locks, "some-entry", 0);
        return creds("ASIAOTHERSHELL", kNow + 3600);
    };
    bool fetched = false;
    step.fetch = [&]() -> Result<Credentials> {
        fetched = true;
        return fail("must not be called");
    };
    StepReport report;
    auto r = runner.serve(step, &report);
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIAOTHERSHELL");
    CHECK(reads == 2);
    CHECK(locked_during_reread);
    CHECK_FALSE(fetched);
    CHECK_FALSE(report.fetched);
    // Released afterwards.
    CHECK(FileLock::acquire(cache_dirs(w.env).locks, "some-entry", 0));
}

TEST_CASE("runner: a lock another shell holds past the deadline leaves the still-valid value in use",
          "[runner]") {
    World w;
    auto held = FileLock::acquire(cache_dirs(w.env).locks, "busy-entry", 0); // the other shell
    REQUIRE(held);
    RunnerIO io = w.io();
    io.timeout_ms = 0; // one try: the outcome does not depend on timing
    StepRunner runner(io);
    CachedStep step;
    step.where = "profile x";
    step.lock_key = "busy-entry";
    std::optional<Credentials> value = creds("ASIASTILLVALID", kNow + 60);
    step.read = [&] { return value; };
    step.fetch = [&]() -> Result<Credentials> { return fail("must not be called"); };
    StepReport report;
    auto r = runner.serve(step, &report);
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIASTILLVALID");
    CHECK(report.fell_back);
    CHECK_FALSE(report.fetched);
    REQUIRE(report.lock_error);
    CHECK_THAT(report.lock_error->message, Catch::StartsWith("profile x: another credsh is refreshing"));

    // Nothing valid to fall back to: the lock error is the result.
    value = creds("ASIAEXPIRED", kNow - 1);
    auto e = runner.serve(step);
    REQUIRE_FALSE(e);
    CHECK_THAT(e.error().message, Catch::StartsWith("profile x: another credsh is refreshing"));
}

TEST_CASE("runner: a failed refresh falls back to the still-valid cached value, with a message", "[runner]") {
    World w;
    w.cache(kRole, creds("ASIAOLD", kNow + 10 * 60));
    w.plugins.reply = [](const std::string&, const PluginCall&) {
        return PluginReply{CREDSH_ERROR, {{"message", "STS said no"}}};
    };
    auto r = resolve_credentials(w.context(false), "role");
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIAOLD");
    CHECK(w.plugins.calls.size() == 1);
    REQUIRE(w.said.size() == 1);
    CHECK(w.said[0] == "profile role: STS said no; using cached credentials, valid 10m");

    // Expired: nothing to fall back to, the error is the result.
    World gone;
    gone.cache(kRole, creds("ASIAOLD", kNow - 1));
    gone.plugins.reply = w.plugins.reply;
    auto e = resolve_credentials(gone.context(false), "role");
    REQUIRE_FALSE(e);
    CHECK(e.error().message == "profile role: STS said no");

    // `credsh login` (force_refresh) never reports the old value after a failed refresh.
    World forced;
    forced.cache(kRole, creds("ASIAOLD", kNow + 50 * 60));
    forced.plugins.reply = w.plugins.reply;
    auto ctx = forced.context(true);
    ctx.force_refresh = true;
    auto f = resolve_credentials(ctx, "role");
    REQUIRE_FALSE(f);
    CHECK(forced.plugins.calls.size() == 1);
}

TEST_CASE("runner: the MFA code is asked through the injected terminal, never without a person", "[runner]") {
    World w;
    w.plugins.reply = [](const std::string&, const PluginCall&) { return sts_reply("ASIAMFA", kNow + 3600); };
    auto r = resolve_credentials(w.context(true), "mfa");
    REQUIRE(r);
    CHECK(r->access_key_id == "ASIAMFA");
    REQUIRE(w.prompts.size() == 1);
    CHECK(w.prompts[0] == "MFA code for arn:aws:iam::123456789012:mfa/me: ");
    REQUIRE(w.plugins.calls.size() == 1);
    CHECK(w.plugins.calls[0].call.args.at("token_code") == "123456");
    CHECK(w.plugins.calls[0].call.interactive);

    // In the prompt hook: no question, no call; a hint to log in.
    World hook;
    hook.plugins.reply = w.plugins.reply;
    auto h = resolve_credentials(hook.context(false), "mfa");
    REQUIRE_FALSE(h);
    CHECK(h.error().kind == ErrorKind::needs_login);
    CHECK(h.error().message == "mfa needs an MFA code — run: credsh login mfa");
    CHECK(hook.prompts.empty());
    CHECK(hook.plugins.calls.empty());

    // Still valid inside the window: used as it is, and still no question.
    World valid;
    valid.cache(kMfaRole, creds("ASIAVALID", kNow + 5 * 60));
    auto v = resolve_credentials(valid.context(false), "mfa");
    REQUIRE(v);
    CHECK(v->access_key_id == "ASIAVALID");
    CHECK(valid.prompts.empty());
    CHECK(valid.plugins.calls.empty());

    // The runner itself refuses to prompt outside an interactive command, whatever asks it.
    StepRunner quiet(w.io(false));
    CHECK_FALSE(quiet.read_secret("code: "));
}

TEST_CASE("runner: a malformed MFA code is asked again, three tries, then the command fails", "[runner]") {
    // What the person types, one answer per prompt.
    auto typing = [](World& w, std::vector<std::string> answers) {
        auto ctx = w.context(true);
        auto queue = std::make_shared<std::vector<std::string>>(std::move(answers));
        ctx.read_secret = [&w, queue](const std::string& prompt) -> Result<std::string> {
            w.prompts.push_back(prompt);
            if (queue->empty()) return fail("cancelled");
            std::string a = queue->front();
            queue->erase(queue->begin());
            return a;
        };
        return ctx;
    };
    const std::string prompt = "MFA code for arn:aws:iam::123456789012:mfa/me: ";
    auto reply = [](const std::string&, const PluginCall&) { return sts_reply("ASIAMFA", kNow + 3600); };

    SECTION("two slips, then a good code: asked three times, one STS call with the good code") {
        World w;
        w.plugins.reply = reply;
        auto r = resolve_credentials(typing(w, {"12345", "12a456", " 654321\n"}), "mfa");
        REQUIRE(r);
        CHECK(r->access_key_id == "ASIAMFA");
        CHECK(w.prompts == std::vector<std::string>{prompt, prompt, prompt});
        REQUIRE(w.plugins.calls.size() == 1);
        CHECK(w.plugins.calls[0].call.args.at("token_code") == "654321");
        REQUIRE(w.said.size() == 2);
        CHECK(w.said[0] == "the MFA code must be exactly 6 digits (got 5 characters); try again (2 of 3)");
        CHECK(w.said[1] == "the MFA code must be exactly 6 digits (got 6 characters); try again (3 of 3)");
        for (const auto& line : w.said)
            CHECK(line.find("12a456") == std::string::npos); // what was typed is never shown
    }
    SECTION("three malformed codes: an error, no STS call, no fourth question") {
        World w;
        w.plugins.reply = reply;
        auto r = resolve_credentials(typing(w, {"1", "1234567", "abcdef", "123456"}), "mfa");
        REQUIRE_FALSE(r);
        CHECK(r.error().message == "profile mfa: MFA code: the MFA code must be exactly 6 digits (got 6 "
                                   "characters); 3 tries, giving up");
        CHECK(w.prompts.size() == 3);
        CHECK(w.plugins.calls.empty());
    }
    SECTION("a cancel ends it at once") {
        World w;
        w.plugins.reply = reply;
        auto r = resolve_credentials(typing(w, {}), "mfa");
        REQUIRE_FALSE(r);
        CHECK(r.error().message == "profile mfa: MFA code: cancelled");
        CHECK(w.prompts.size() == 1);
        CHECK(w.plugins.calls.empty());
    }
}

TEST_CASE("runner: settings are flattened once for every plugin use", "[runner]") {
    ProfileSet p;
    p.profiles["dev"] = {{"SSO_Session", "corp"}, {"sso_account_id", "1"}, {"services", "svc"}};
    p.sso_sessions["corp"] = {{"sso_start_url", "https://corp"}, {"SSO_Region", "eu-west-1"}};
    p.services["svc"] = {{"s3", "\nendpoint_url = http://x"}};
    CredshConfig cfg;
    cfg.profiles["dev"]["Plugin"] = "secretsmanager";
    auto s = plugin_settings(p, &cfg, "dev");
    CHECK(s.at("sso_session") == "corp");
    CHECK(s.at("sso-session.sso_start_url") == "https://corp");
    CHECK(s.at("sso-session.sso_region") == "eu-west-1");
    CHECK(s.at("services.s3.endpoint_url") == "http://x");
    CHECK(s.at("credsh.plugin") == "secretsmanager");
    CHECK(plugin_settings(p, nullptr, "dev").count("credsh.plugin") == 0);
    // An sso-session alone (login / logout --sso-session).
    auto alone = plugin_settings(p, nullptr, "", "corp");
    CHECK(alone == std::map<std::string, std::string>{{"sso_session", "corp"},
                                                      {"sso-session.sso_start_url", "https://corp"},
                                                      {"sso-session.sso_region", "eu-west-1"}});
}

TEST_CASE("runner: SSO login, logout and accounts are plugin calls through the runner", "[runner]") {
    World w;
    w.plugins.reply = [](const std::string&, const PluginCall& c) {
        if (c.operation == "login") return ok({{"expiration", format_iso8601(kNow + 3600)}});
        if (c.operation == "logout") return ok({{"removed", "1"}});
        return PluginReply{CREDSH_NEEDS_LOGIN, {{"hint", "credsh login --sso-session corp"}}};
    };
    StepRunner runner(w.io(true));
    auto in = sso_login(runner, "", {{"sso_session", "corp"}}, {.no_browser = true, .device_code = false});
    REQUIRE(in);
    REQUIRE(w.plugins.calls.size() == 1);
    const PluginCall& c = w.plugins.calls[0].call;
    CHECK(w.plugins.calls[0].plugin == "aws-sso");
    CHECK(c.operation == "login");
    CHECK(c.args == std::map<std::string, std::string>{{"no_browser", "1"}});
    CHECK(c.home == w.home);
    CHECK(c.now == kNow);
    CHECK(c.interactive);

    auto out = sso_logout(runner, "dev", {});
    REQUIRE(out);
    CHECK(out->get("removed") == "1");
    CHECK(w.plugins.calls.back().call.operation == "logout");

    auto list = sso_accounts(runner, "", {});
    REQUIRE_FALSE(list);
    CHECK(list.error().kind == ErrorKind::needs_login);
    CHECK(list.error().message == "credsh login --sso-session corp");

    // A failed sign-in says what the plugin said, or that it failed.
    w.plugins.reply = [](const std::string&, const PluginCall&) { return PluginReply{CREDSH_ERROR, {}}; };
    auto bad = sso_login(runner, "dev", {}, {});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().message == "sign-in failed");

    // Without a plugin host nothing is loaded, and the error says so.
    StepRunner none(RunnerIO{w.env, kNow});
    auto missing = sso_logout(none, "dev", {});
    REQUIRE_FALSE(missing);
    CHECK_THAT(missing.error().message, Catch::Contains("aws-sso") && Catch::Contains("not installed"));
}

TEST_CASE("runner: which profiles share a sign-in is the aws-sso plugin's answer", "[runner]") {
    World w;
    ProfileSet p;
    p.profiles["a"] = {{"sso_session", "corp"}, {"sso_account_id", "1"}, {"sso_role_name", "R"}};
    p.profiles["b"] = {{"sso_session", "corp"}, {"sso_account_id", "2"}, {"sso_role_name", "R"}};
    p.profiles["legacy"] = {
        {"sso_start_url", "https://corp"}, {"sso_account_id", "1"}, {"sso_role_name", "R"}};
    p.profiles["token-only"] = {{"sso_session", "corp"}};
    p.sso_sessions["corp"] = {{"sso_start_url", "https://corp"}, {"sso_region", "eu-west-1"}};
    // The fake plays the plugin: the sign-in is the sso-session, else the start URL.
    w.plugins.reply = [](const std::string&, const PluginCall& c) {
        auto s = c.settings.find("sso_session");
        return ok({{"sign_in",
                    s != c.settings.end() ? "sso-session " + s->second : c.settings.at("sso_start_url")}});
    };
    StepRunner runner(w.io());
    CHECK(profiles_signed_in_with(runner, p, "sso-session corp") == std::vector<std::string>{"a", "b"});
    CHECK(profiles_signed_in_with(runner, p, "https://corp") == std::vector<std::string>{"legacy"});
    CHECK(w.plugins.count("sign-in") == 6); // one per profile with an account and a role, per question
    for (const auto& seen : w.plugins.calls)
        CHECK_FALSE(seen.call.interactive);
}

TEST_CASE("runner: the ASK token refresh goes through the runner", "[runner][ask]") {
    auto world = [](std::int64_t expires) {
        auto w = std::make_unique<World>();
        w->env.set("ASK_LWA_CLIENT_ID", "amzn1.application-oa2-client.x");
        w->env.set("ASK_LWA_CLIENT_CONFIRMATION", "client-secret");
        nlohmann::json cfg = {
            {"profiles",
             {{"skills",
               {{"vendor_id", "V"},
                {"token", {{"access_token", "Atza|CURRENT"}, {"expires_at", format_iso8601(expires)}}}}}}}};
        write_file(w->home + "/.ask/cli_config", cfg.dump());
        return w;
    };
    // Fresh: no plugin call.
    auto fresh = world(kNow + 3600);
    AskToken f = ask_access_token({fresh->env, "skills", kNow, &fresh->plugins, true, 1000});
    CHECK(f.access_token == std::optional<std::string>("Atza|CURRENT"));
    CHECK(fresh->plugins.calls.empty());

    // Near expiry: the ask plugin refreshes (it writes cli_config itself); its token is used.
    auto near = world(kNow + 5 * 60);
    near->plugins.reply = [](const std::string&, const PluginCall&) {
        return ok({{"env.ASK_ACCESS_TOKEN", "Atza|NEW"}, {"expiration", format_iso8601(kNow + 3600)}});
    };
    AskToken n = ask_access_token({near->env, "skills", kNow, &near->plugins, true, 1000});
    CHECK(n.access_token == std::optional<std::string>("Atza|NEW"));
    CHECK(n.refresh_at == kNow + 3600 - 900);
    CHECK_FALSE(n.failed);
    REQUIRE(near->plugins.calls.size() == 1);
    CHECK(near->plugins.calls[0].plugin == "ask");
    CHECK(near->plugins.calls[0].call.operation == "credentials");
    CHECK(near->plugins.calls[0].call.timeout_ms == 1000);

    // The refresh fails: the current token stays in use until it expires, with a message and no token in it.
    auto failing = world(kNow + 5 * 60);
    failing->plugins.reply = [](const std::string&, const PluginCall&) {
        return PluginReply{CREDSH_ERROR, {{"message", "LWA said no"}}};
    };
    AskToken e = ask_access_token({failing->env, "skills", kNow, &failing->plugins, true, 1000});
    CHECK(e.access_token == std::optional<std::string>("Atza|CURRENT"));
    CHECK(e.failed);
    CHECK(e.refresh_at == kNow + 5 * 60);
    REQUIRE(e.messages.size() == 1);
    CHECK(e.messages[0] == "LWA said no; using the current token, valid 5m");

    // Expired and the refresh fails: no token at all.
    auto gone = world(kNow - 1);
    gone->plugins.reply = failing->plugins.reply;
    AskToken g = ask_access_token({gone->env, "skills", kNow, &gone->plugins, true, 1000});
    CHECK_FALSE(g.access_token);
    CHECK(g.failed);
    CHECK(g.messages == std::vector<std::string>{"LWA said no"});
}
