#include "pipeline/runner.hpp"

#include "base/text.hpp"
#include "base/tty.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/provider.hpp"

#include <unistd.h>

#include <algorithm>
#include <string_view>

namespace credsh {

void StepRunner::say(const std::string& line) const {
    if (io_.say) return io_.say(line);
    std::string s = "credsh: " + line + "\n";
    if (::write(io_.stderr_fd, s.data(), s.size()) < 0) { /* stderr gone: nothing else to tell */
    }
}

Result<std::string> StepRunner::read_secret(const std::string& prompt) const {
    if (!io_.interactive) return not_found("not asking for a secret outside an interactive command");
    return io_.read_secret ? io_.read_secret(prompt) : read_secret_from_tty(prompt);
}

Result<std::string> StepRunner::read_mfa_code(const std::string& prompt) const {
    auto six_digits = [](std::string_view c) {
        return c.size() == 6 && std::all_of(c.begin(), c.end(), [](char d) { return d >= '0' && d <= '9'; });
    };
    for (int i = 1;; ++i) {
        auto code = read_secret(prompt);
        if (!code) return code.error();
        std::string c(trim(*code));
        if (six_digits(c)) return c;
        // The length only: what was typed is a secret (or a slip of one) and never shown.
        std::string why =
            "the MFA code must be exactly 6 digits (got " + std::to_string(c.size()) + " characters)";
        if (i >= kMfaCodeTries) return fail(why + "; " + std::to_string(kMfaCodeTries) + " tries, giving up");
        say(why + "; try again (" + std::to_string(i + 1) + " of " + std::to_string(kMfaCodeTries) + ")");
    }
}

Result<Credentials> StepRunner::serve(const CachedStep& step, StepReport* report) {
    StepReport local;
    StepReport& rep = report ? *report : local;
    std::optional<Credentials> cached;
    auto reread = [&] { cached = step.read ? step.read() : std::nullopt; };
    auto fresh = [&] {
        return !step.force && cached && cached->expiration && *cached->expiration - io_.now > kRefreshWindow;
    };
    auto still_valid = [&] { return cached && cached->expiration && *cached->expiration > io_.now; };
    reread();
    if (fresh()) return *cached;
    if (step.needs_person && !io_.interactive) {
        if (still_valid()) return *cached; // inside the refresh window but valid: login when convenient
        return needs_login(step.person_hint);
    }
    // A chain can reach the same entry twice (two profiles with the same role_arn and session name): the
    // outer step already holds its lock, and flock would make this process wait on itself until the
    // deadline. The inner step runs under the outer's lock instead.
    std::optional<FileLock> lock;
    std::optional<HeldKey> hold;
    if (!step.lock_key.empty() && held_.count(step.lock_key) == 0) {
        auto l = FileLock::acquire(cache_dirs(io_.env).locks, step.lock_key, io_.timeout_ms);
        if (!l) {
            Error e = l.error().context(step.where);
            if (!still_valid()) return e;
            rep.fell_back = true;
            rep.lock_error = e;
            return *cached;
        }
        lock.emplace(std::move(*l));
        hold.emplace(held_, step.lock_key);
        reread(); // another process may have refreshed while we waited: single flight
        if (fresh()) return *cached;
    }
    rep.fetched = true;
    auto got = step.fetch();
    if (got) return got;
    // `credsh login` asked for new credentials: a wrong MFA code must fail, not report the old session.
    const Error& e = got.error();
    if (e.kind == ErrorKind::needs_login || !still_valid() || step.force) return e;
    say(e.message + "; " + step.fallback_note + ", valid " + human_duration(*cached->expiration - io_.now));
    rep.fell_back = true;
    return *cached;
}

Result<PluginReply> StepRunner::call(const std::string& plugin, PluginCall call) {
    if (!io_.plugins) return fail("plugin " + plugin + " is not installed in this build");
    call.home = io_.env.home();
    call.now = io_.now;
    call.timeout_ms = io_.timeout_ms;
    call.interactive = io_.interactive;
    return io_.plugins->call(plugin, call);
}

std::map<std::string, std::string> plugin_settings(const ProfileSet& profiles, const CredshConfig* config,
                                                   const std::string& profile, const std::string& session) {
    std::map<std::string, std::string> s;
    std::string sess = session;
    if (auto it = profiles.profiles.find(profile); !profile.empty() && it != profiles.profiles.end()) {
        for (const auto& [k, v] : it->second)
            s[to_lower(k)] = v;
        if (const std::string* v = find_prop(it->second, "sso_session"); v && !v->empty() && sess.empty())
            sess = *v;
        if (const std::string* services = find_prop(it->second, "services"); services && !services->empty())
            if (auto sv = profiles.services.find(*services); sv != profiles.services.end())
                for (const auto& [service, raw] : sv->second)
                    for (const auto& [k, v] : sub_properties(raw))
                        s["services." + to_lower(service) + "." + to_lower(k)] = v;
    } else if (profile.empty() && !session.empty()) {
        s["sso_session"] = session;
    }
    if (!sess.empty())
        if (auto ss = profiles.sso_sessions.find(sess); ss != profiles.sso_sessions.end())
            for (const auto& [k, v] : ss->second)
                s["sso-session." + to_lower(k)] = v;
    if (config && !profile.empty())
        if (auto c = config->profiles.find(profile); c != config->profiles.end())
            for (const auto& [k, v] : c->second)
                s["credsh." + to_lower(k)] = v;
    return s;
}

namespace {

// One aws-sso call. A reply that is not OK is an error with the plugin's message (or `failed` when it gave
// none); with `hint_on_login`, CREDSH_NEEDS_LOGIN is ErrorKind::needs_login carrying the plugin's hint.
Result<PluginReply> sso_call(StepRunner& runner, const char* operation, const std::string& profile,
                             std::map<std::string, std::string> settings,
                             std::map<std::string, std::string> args, const char* failed,
                             bool hint_on_login = false) {
    PluginCall call;
    call.operation = operation;
    call.profile = profile;
    call.settings = std::move(settings);
    call.args = std::move(args);
    auto reply = runner.call("aws-sso", call);
    if (!reply) return reply.error();
    if (reply->status == CREDSH_NEEDS_LOGIN && hint_on_login) return needs_login(reply->get("hint"));
    if (reply->status != CREDSH_OK) {
        std::string msg = reply->get("message");
        return fail(msg.empty() ? std::string(failed) : msg);
    }
    return reply;
}

} // namespace

Result<PluginReply> sso_login(StepRunner& runner, const std::string& profile,
                              std::map<std::string, std::string> settings, const SsoLoginOptions& options) {
    std::map<std::string, std::string> args;
    if (options.no_browser) args["no_browser"] = "1";
    if (options.device_code) args["use_device_code"] = "1";
    return sso_call(runner, "login", profile, std::move(settings), std::move(args), "sign-in failed");
}

Result<PluginReply> sso_logout(StepRunner& runner, const std::string& profile,
                               std::map<std::string, std::string> settings) {
    return sso_call(runner, "logout", profile, std::move(settings), {}, "the aws-sso plugin failed");
}

Result<PluginReply> sso_accounts(StepRunner& runner, const std::string& profile,
                                 std::map<std::string, std::string> settings) {
    return sso_call(runner, "accounts", profile, std::move(settings), {}, "", true);
}

Result<PluginReply> sso_sign_in(StepRunner& runner, const std::string& profile,
                                std::map<std::string, std::string> settings) {
    return sso_call(runner, "sign-in", profile, std::move(settings), {}, "the aws-sso plugin failed");
}

std::vector<std::string> profiles_signed_in_with(StepRunner& runner, const ProfileSet& profiles,
                                                 const std::string& sign_in) {
    std::vector<std::string> out;
    for (const auto& [name, props] : profiles.profiles) {
        const std::string* account = find_prop(props, "sso_account_id");
        const std::string* role = find_prop(props, "sso_role_name");
        if (!account || account->empty() || !role || role->empty()) continue;
        // A profile whose settings the plugin cannot read is signed in through nothing.
        if (auto r = sso_sign_in(runner, name, plugin_settings(profiles, nullptr, name));
            r && r->get("sign_in") == sign_in)
            out.push_back(name);
    }
    return out;
}

} // namespace credsh
