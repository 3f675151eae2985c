// credsh console [-p NAME] [--print] [--destination URL] [--duration SECONDS]: the AWS console as the profile
// (docs/security.md 50). The profile's credentials come from plan_export (keys mode, the caches); long-term
// keys are first turned into GetFederationToken credentials (mfa-sts), so they never reach the federation
// endpoint; the console plugin does the sign-in flow and returns the URL. The URL is a bearer secret for its
// lifetime: it is printed only with --print (to stdout, nothing else), never logged, and the browser gets the
// path of a 0600 page that redirects to it rather than the URL in its argv (which every local user can read).
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace credsh {

namespace {

// The federated user's session may do what the keys may do and no more: GetFederationToken's effective
// permissions are the intersection of this policy and the user's own.
constexpr const char* kFederationPolicy =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";

std::string html_escape(const std::string& s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&':
            o += "&amp;";
            break;
        case '<':
            o += "&lt;";
            break;
        case '>':
            o += "&gt;";
            break;
        case '"':
            o += "&quot;";
            break;
        case '\'':
            o += "&#39;";
            break;
        default:
            o += c;
        }
    }
    return o;
}

// Opens `url` through a page only this user can read: $BROWSER (its first word), else xdg-open, started with
// the page's path. The page stays (0600, in a 0700 directory of the user's) until the next `credsh console`,
// which removes it first: the browser reads it whenever it gets to it.
int open_browser(Context& ctx, const std::string& url) {
    std::string dir = shell_files_dir(ctx.env) + "/console";
    std::string page = dir + "/signin.html";
    ::unlink(page.c_str());
    if (auto ok = ensure_private_dir(dir); !ok) {
        ctx.warn("console: " + ok.error().message + " (credsh console --print prints the URL instead)");
        return 1;
    }
    std::string html =
        "<!doctype html><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"
        "<meta http-equiv=\"refresh\" content=\"0;url=" +
        html_escape(url) + "\"><a href=\"" + html_escape(url) + "\">AWS console</a>\n";
    if (auto ok = atomic_write_file(page, html); !ok) {
        ctx.warn("console: " + ok.error().message);
        return 1;
    }
    std::string browser = ctx.env.get_nonempty("BROWSER").value_or("xdg-open");
    browser = browser.substr(0, browser.find(':')); // $BROWSER may list several, ':'-separated
    std::vector<std::string> args{browser, page};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_strings = ctx.env.to_strings();
    std::vector<char*> envp;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    pid_t pid = ::fork();
    if (pid == 0) {
        ::execvpe(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        ctx.warn("console: could not start the browser (" + printable(browser) +
                 "); credsh console --print prints the URL");
        return 1;
    }
    ctx.warn("console: opened the AWS console in the browser");
    return 0;
}

} // namespace

int cmd_console(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string profile, destination;
    long duration = 0;
    bool print = false;
    desc.add_options()("profile,p", po::value(&profile), "the profile (default: this shell's scope)")(
        "print", po::bool_switch(&print),
        "print the sign-in URL instead of opening a browser (it is a secret)")(
        "destination", po::value(&destination),
        "the console page to open (default: the region's console home)")(
        "duration", po::value(&duration), "how long the console session lasts, in seconds (900 to 43200)");
    po::positional_options_description pos;
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "console [-p NAME] [--print] [--destination URL] [--duration SECONDS]",
        "Opens the AWS console signed in with NAME's credentials (the federation sign-in).", rc);
    if (!vm) return rc;
    if (duration != 0 && (duration < 900 || duration > 43200)) {
        ctx.warn("console: --duration must be 900 to 43200 seconds");
        return 2;
    }
    ExportRequest req = base_request(ctx);
    req.interactive = true;
    req.timeout_ms = kInteractiveTimeoutMs;
    req.mode_override = ExportMode::keys;
    if (!profile.empty()) req.command_profile = profile;
    ExportPlan plan = plan_export(req);
    for (const auto& m : plan.messages)
        ctx.err(m + "\n");
    auto get = [&](const char* name) -> std::string {
        auto it = plan.desired.find(name);
        return it != plan.desired.end() && it->second ? *it->second : std::string();
    };
    std::map<std::string, std::string> source{{"aws_access_key_id", get("AWS_ACCESS_KEY_ID")},
                                              {"aws_secret_access_key", get("AWS_SECRET_ACCESS_KEY")}};
    if (plan.failed || source["aws_access_key_id"].empty() || source["aws_secret_access_key"].empty()) {
        ctx.warn("console: no credentials to sign in with");
        return 1;
    }
    std::string region = plan.region.empty() ? "us-east-1" : plan.region;
    const Env ambient = ambient_environment(ctx.env, ctx.state); // RunnerIO holds a reference
    StepRunner runner(RunnerIO{.env = ambient,
                               .now = ctx.now,
                               .plugins = ctx.plugins(),
                               .interactive = true,
                               .timeout_ms = kInteractiveTimeoutMs,
                               .stderr_fd = ctx.err_fd});
    std::map<std::string, std::string> sign_args{{"region", region}};
    if (!destination.empty()) sign_args["destination"] = destination;
    if (std::string token = get("AWS_SESSION_TOKEN"); !token.empty()) {
        source["aws_session_token"] = token;
        if (duration) sign_args["session_duration"] = std::to_string(duration);
    } else {
        // Long-term keys: never to the federation endpoint (docs/security.md 50).
        PluginCall fed;
        fed.operation = "get-federation-token";
        fed.profile = plan.aws_profile;
        fed.settings = {{"region", region}};
        fed.source = source;
        fed.args = {{"name", "credsh"}, {"policy", kFederationPolicy}};
        if (duration) fed.args["duration"] = std::to_string(duration);
        auto reply = runner.call("mfa-sts", std::move(fed));
        if (!reply || reply->status != CREDSH_OK) {
            ctx.warn("console: " + (reply ? reply->get("message") : reply.error().message));
            return 1;
        }
        source = {{"aws_access_key_id", reply->get("aws_access_key_id")},
                  {"aws_secret_access_key", reply->get("aws_secret_access_key")},
                  {"aws_session_token", reply->get("aws_session_token")}};
    }
    PluginCall sign;
    sign.operation = "sign-in-url";
    sign.profile = plan.aws_profile;
    sign.source = source;
    sign.args = sign_args;
    auto reply = runner.call("console", std::move(sign));
    if (!reply || reply->status != CREDSH_OK) {
        ctx.warn("console: " + (reply ? reply->get("message") : reply.error().message));
        return 1;
    }
    std::string url = reply->get("url");
    if (url.empty() || url.find_first_of("\r\n\t \x1b") != std::string::npos) {
        ctx.warn("console: the console plugin gave no usable URL");
        return 1;
    }
    if (print) {
        ctx.out(url + "\n");
        return 0;
    }
    return open_browser(ctx, url);
}

} // namespace credsh
