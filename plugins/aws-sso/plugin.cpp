// credsh-aws-sso.so: IAM Identity Center for credsh (ARCHITECTURE.md "Operations"). The logic is in
// sso_flow.cpp; this file connects it to the host: settings and environment from the request, libcurl for
// HTTP, the request's clock, the host's say(), Ctrl-C during a sign-in, and a browser when one may be opened.
#include "base/text.hpp"
#include "browser.hpp"
#include "endpoints.hpp"
#include "http.hpp"
#include "loopback.hpp"
#include "plugin_support.hpp"
#include "sso_config.hpp"
#include "sso_flow.hpp"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace {

using namespace credsh;
using credsh::plugin::Output;
using credsh::plugin::Request;

volatile std::sig_atomic_t g_interrupted = 0;
extern "C" void on_sigint(int) {
    g_interrupted = 1;
}

// Ctrl-C during a sign-in stops the polling cleanly (nothing is written) instead of killing the process while
// it may be renaming a file. Installed only for "login", and restored afterwards; a SIGINT the caller chose
// to ignore (nohup, a background job) stays ignored.
class SigintGuard {
  public:
    SigintGuard() {
        g_interrupted = 0;
        struct sigaction sa {};
        sa.sa_handler = on_sigint;
        sigemptyset(&sa.sa_mask);
        ::sigaction(SIGINT, &sa, &old_);
        if (old_.sa_handler == SIG_IGN) ::sigaction(SIGINT, &old_, nullptr);
    }
    ~SigintGuard() { ::sigaction(SIGINT, &old_, nullptr); }
    SigintGuard(const SigintGuard&) = delete;
    SigintGuard& operator=(const SigintGuard&) = delete;

  private:
    struct sigaction old_ {};
};

bool sleep_interruptibly(std::int64_t seconds) {
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < until) {
        if (g_interrupted) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return !g_interrupted;
}

bool truthy(const std::optional<std::string>& v) {
    if (!v) return false;
    std::string s = to_lower(trim(*v));
    return !s.empty() && s != "0" && s != "false" && s != "no";
}

// A program found on the request's PATH (plugins never read the process environment).
std::string find_program(const Request& req, const std::string& name) {
    if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
    for (std::string_view dir : split(req.env("PATH").value_or("/usr/local/bin:/usr/bin:/bin"), ':')) {
        if (dir.empty()) continue;
        std::string p = std::string(dir) + "/" + name;
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0) return p;
    }
    return "";
}

// The browser to open, or "" when none may be opened: never without a person (the hook), never when disabled
// (CREDSH_NO_BROWSER, --no-browser), and only one that exists - $BROWSER (its first entry, run with the
// private page's file:// URL as its only argument, no shell), else xdg-open when a graphical session is there
// (DISPLAY / WAYLAND_DISPLAY).
std::string browser_for(const Request& req) {
    if (!req.interactive() || truthy(req.env("CREDSH_NO_BROWSER")) || truthy(req.arg("no_browser")))
        return "";
    if (auto b = req.env("BROWSER")) {
        auto first = split(*b, ':');
        if (!first.empty() && !trim(first[0]).empty()) return find_program(req, std::string(trim(first[0])));
        return "";
    }
    if (req.env("DISPLAY") || req.env("WAYLAND_DISPLAY")) return find_program(req, "xdg-open");
    return "";
}

// Where the one-sign-in redirect page goes (browser.hpp): the user's runtime directory when it is really
// theirs (owned, 0700), else $TMPDIR or /tmp - the page's own directory is 0700 in any case.
std::string page_base_dir(const Request& req) {
    if (auto r = req.env("XDG_RUNTIME_DIR"); r && !r->empty() && (*r)[0] == '/') {
        struct stat st {};
        if (::stat(r->c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() &&
            (st.st_mode & 077) == 0)
            return *r;
    }
    if (auto t = req.env("TMPDIR"); t && !t->empty() && (*t)[0] == '/') {
        struct stat st {};
        if (::stat(t->c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return *t;
    }
    return "/tmp";
}

// `target` is a file:// URL of our own page; the check is a last guard that nothing a browser would read as
// an option ever becomes its first argument.
bool open_browser(const Request& req, const std::string& program, const std::string& target) {
    if (target.empty() || target[0] == '-') return false;
    const std::string& url = target;
    std::vector<std::string> env_strings;
    const credsh_kv_list& env = req.raw().env;
    // A browser may stay up for days: it gets the user's environment without any credential in it
    // (docs/security.md 27).
    static const char* const kSecret[] = {"AWS_ACCESS_KEY_ID",  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                                          "AWS_SECURITY_TOKEN", "ASK_ACCESS_TOKEN",      "ASK_REFRESH_TOKEN"};
    for (std::size_t i = 0; i < env.count; ++i) {
        if (!env.items[i].key || !env.items[i].value) continue;
        bool secret = false;
        for (const char* s : kSecret)
            secret = secret || std::string_view(env.items[i].key) == s;
        if (!secret) env_strings.push_back(std::string(env.items[i].key) + "=" + env.items[i].value);
    }
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string prog = program, arg = url;
    char* argv[] = {prog.data(), arg.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    // The browser's chatter must not land in the terminal between our lines, nor read the terminal.
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, prog.c_str(), &fa, nullptr, argv, envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) return false;
    // xdg-open returns at once; a $BROWSER that stays up is left running (we do not wait for a person's
    // browser).
    for (int i = 0; i < 20; ++i) {
        int status = 0;
        pid_t w = ::waitpid(pid, &status, WNOHANG);
        if (w == pid) return WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (w < 0) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
}

int32_t run(const Request& req, const Output& out) {
    std::string op(req.operation());
    if (op != "credentials" && op != "login" && op != "logout" && op != "accounts" && op != "sign-in") {
        out.put("message", "aws-sso: unknown operation " + printable(op));
        return CREDSH_UNSUPPORTED;
    }
    auto cfg = sso::sso_config_from(req);
    if (!cfg) return out.error(cfg.error().message);
    if (req.home().empty() || req.home()[0] != '/')
        return out.error("aws-sso: no home directory (HOME is not set)");

    sso::Ctx ctx;
    ctx.cfg = *cfg;
    ctx.profile = req.profile();
    ctx.cache_dir = sso::sso_cache_dir(req.home());
    if (op == "sign-in") {
        // Which sign-in the settings use, and where its token lives: the host compares sign-ins (which
        // profiles logout and `sso accounts` concern) without knowing the token cache's rules. No I/O.
        out.put("sign_in", cfg->label());
        out.put("token_file", ctx.token_path());
        return CREDSH_OK;
    }
    ctx.locks_dir = sso::locks_dir([&](std::string_view k) { return req.env(k); }, req.home());
    ctx.endpoints = sso::sso_endpoints(req, cfg->region);
    ctx.timeout_ms = req.timeout_ms();
    ctx.interactive = req.interactive();
    auto started = std::chrono::steady_clock::now();
    std::int64_t base = req.now();
    bool clock_warned = false; // one line per run, however many calls (polling, refresh, role credentials)
    const std::string ca_bundle = plugin::ca_bundle_for(req); // docs/security.md 45
    ctx.io.http = [&](const plugin::HttpRequest& sent) {
        plugin::HttpRequest r = sent;
        r.ca_bundle = ca_bundle;
        // The portal's GETs (role credentials, account lists) change nothing, so a 429/5xx or a refused
        // connection is tried again within the deadline; the OIDC POSTs are not: a refresh-token grant that
        // reached the service may already have rotated the token a second attempt would send.
        plugin::HttpResult res =
            r.method == "GET"
                ? plugin::http_call_retrying(
                      r, [](const plugin::HttpResult& x) { return plugin::aws_retryable(x, ""); })
                : plugin::http_call(r);
        if (res && !clock_warned) {
            std::string w = plugin::clock_skew_warning(*res.response, r.url, plugin::system_now());
            if (!w.empty()) out.say(w), clock_warned = true;
        }
        return res;
    };
    ctx.io.say = [&](const std::string& line) { out.say(line); };
    ctx.io.now = [=] {
        return base +
               std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started)
                   .count();
    };
    ctx.io.sleep = sleep_interruptibly;
    ctx.io.cancelled = [] { return g_interrupted != 0; };

    sso::Outcome o;
    if (op == "credentials") {
        o = sso::get_credentials(ctx);
    } else if (op == "login") {
        // The authorization-code flow only where a browser is opened here: its redirect comes back to this
        // machine. Without one (--no-browser, SSH, no display) the device code, approvable from any device.
        std::optional<sso::LoopbackListener> listener;
        std::vector<sso::RedirectPage> pages; // removed when the login ends, however it ends
        ctx.use_device_code = truthy(req.arg("use_device_code"));
        if (std::string browser = browser_for(req); !browser.empty()) {
            // The URL goes into a private page; the browser's command line only names that file.
            ctx.io.open_browser = [&req, &pages, &out, browser](const std::string& url) {
                auto page = sso::RedirectPage::create(page_base_dir(req), url);
                if (!page) {
                    out.say("not opening the browser: " + page.error().message);
                    return false;
                }
                pages.push_back(std::move(*page));
                return open_browser(req, browser, pages.back().file_url());
            };
            ctx.io.listen = [&listener]() -> Result<int> {
                auto l = sso::LoopbackListener::open();
                if (!l) return l.error();
                listener.emplace(std::move(*l));
                return listener->port();
            };
            ctx.io.await_callback = [&listener, &out](std::int64_t seconds, const std::string& state) {
                auto cb = listener->wait(seconds, state, [] { return g_interrupted != 0; });
                if (int n = listener->foreign_callbacks(); n > 0)
                    out.say(
                        "ignored " + std::to_string(n) + (n == 1 ? " request" : " requests") +
                        " to the sign-in callback that did not belong to this sign-in (another program on "
                        "this machine?)");
                return cb;
            };
        }
        SigintGuard guard;
        o = sso::login(ctx);
    } else if (op == "logout") {
        o = sso::logout(ctx);
    } else {
        o = sso::list_accounts(ctx);
    }
    for (const auto& [k, v] : o.out)
        out.put(k, v);
    if (o.status != CREDSH_OK) {
        if (!o.message.empty()) out.put("message", o.message);
        if (!o.hint.empty()) out.put("hint", o.hint);
    }
    return o.status;
}

} // namespace

CREDSH_CXX_PLUGIN(
    "aws-sso", "0.1.0",
    "IAM Identity Center: SSO token cache shared with the AWS CLI, browser (PKCE) or device-code login", run);
