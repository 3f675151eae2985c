// credsh serve -p NAME, and the endpoint behind credsh exec -p NAME --server -- CMD: a local credential
// server in the ECS container-credentials format (what every SDK's container provider reads through
// AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN), so a command that runs for hours
// keeps getting fresh credentials instead of keys that expire under it.
//
// Every request is answered by plan_export() with the request's clock: the same caches, single flight and
// 15-minute refresh window as every other path; nothing here knows how credentials are made. It never prints
// the token or a key to stderr, never listens beyond 127.0.0.1, answers only `GET` of its one path with the
// run's random token (docs/security.md 49), and never links libcurl: a blocking HTTP/1.1 server on poll().
// Signals reach the command (exec) through a signalfd; the endpoint closes when the command exits, and the
// command's exit status (or the signal that ended it) becomes credsh's.
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "base/unique_fd.hpp"
#include "cli/cli.hpp"
#include <credsh/policy.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>

namespace credsh {

namespace {

constexpr std::string_view kPath = "/credsh/credentials";

// What the command must not carry: keys would win over the endpoint in every SDK's chain, and so would a
// profile, a web identity or another container setting (the token file beats the token).
constexpr std::string_view kHiddenFromCommand[] = {
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_SESSION_EXPIRATION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_SESSION_NAME",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
};

std::int64_t mono_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

Result<std::string> random_token() {
    unsigned char buf[32];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = ::getrandom(buf + got, sizeof buf - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return fail("serve: getrandom: " + errno_text(errno));
        }
        got += static_cast<size_t>(n);
    }
    return hex_encode(std::string_view(reinterpret_cast<const char*>(buf), sizeof buf));
}

struct Reply {
    int status = 200;
    std::string body;
};

std::string status_text(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Internal Server Error";
    }
}

Reply error_reply(int status, const std::string& code, const std::string& message) {
    return {status, nlohmann::json{{"Code", code}, {"Message", message}}.dump()};
}

void send_reply(int fd, const Reply& r) {
    std::string out =
        "HTTP/1.1 " + std::to_string(r.status) + " " + status_text(r.status) +
        "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(r.body.size()) +
        "\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n" + r.body;
    std::string_view s = out;
    // A few hundred bytes into a fresh socket's buffer: one send; a client that does not read loses its
    // answer.
    while (!s.empty()) {
        ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        s.remove_prefix(static_cast<size_t>(n));
    }
}

struct Client {
    UniqueFd fd;
    std::string buf;
    std::int64_t deadline = 0; // mono_ms
    // Answered early (431) while it may still be sending: what it sends is read and dropped until it closes
    // or its deadline passes, so the answer is not lost to a reset from closing over unread data.
    bool draining = false;
    std::size_t drained = 0;
};

class Server {
  public:
    Server(Context& ctx, ExportRequest base, std::string token)
        : ctx_(ctx), base_(std::move(base)), token_(std::move(token)), start_ms_(mono_ms()) {}

    Result<int> listen() {
        listen_fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
        if (!listen_fd_.valid()) return fail("serve: socket: " + errno_text(errno));
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = 0;
        if (::bind(listen_fd_.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            return fail("serve: bind 127.0.0.1: " + errno_text(errno));
        if (::listen(listen_fd_.get(), 64) != 0) return fail("serve: listen: " + errno_text(errno));
        socklen_t len = sizeof a;
        if (::getsockname(listen_fd_.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
            return fail("serve: getsockname: " + errno_text(errno));
        return static_cast<int>(ntohs(a.sin_port));
    }

    // Serves until stop() says so; `sigfd` carries the blocked signals, `on_signal` decides about each.
    template <class OnSignal> void run(int sigfd, OnSignal on_signal) {
        while (!stopped_) {
            std::vector<pollfd> fds;
            fds.push_back({sigfd, POLLIN, 0});
            fds.push_back({listen_fd_.get(), POLLIN, 0});
            for (auto& c : clients_)
                fds.push_back({c.fd.get(), POLLIN, 0});
            std::int64_t now = mono_ms();
            int timeout = -1;
            for (auto& c : clients_)
                timeout = static_cast<int>(
                    timeout < 0
                        ? std::max<std::int64_t>(0, c.deadline - now)
                        : std::min<std::int64_t>(timeout, std::max<std::int64_t>(0, c.deadline - now)));
            int n = ::poll(fds.data(), fds.size(), timeout);
            if (n < 0 && errno != EINTR) {
                ctx_.warn("serve: poll: " + errno_text(errno));
                return;
            }
            if (n > 0 && (fds[0].revents & POLLIN)) {
                signalfd_siginfo si;
                while (::read(sigfd, &si, sizeof si) == static_cast<ssize_t>(sizeof si))
                    on_signal(si);
                if (stopped_) return;
            }
            // Clients first (their indexes match fds), then new connections.
            std::vector<bool> done(clients_.size(), false);
            for (size_t i = 0; n > 0 && i < clients_.size(); ++i)
                if (fds[i + 2].revents) done[i] = read_client(clients_[i]);
            now = mono_ms();
            std::deque<Client> kept;
            for (size_t i = 0; i < clients_.size(); ++i)
                if (!done[i] && clients_[i].deadline > now) kept.push_back(std::move(clients_[i]));
            clients_ = std::move(kept);
            if (n > 0 && (fds[1].revents & POLLIN)) accept_all();
        }
    }

    void stop() { stopped_ = true; }
    void close_all() {
        clients_.clear();
        listen_fd_.reset();
    }

  private:
    void accept_all() {
        for (;;) {
            int fd = ::accept4(listen_fd_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (fd < 0) return;
            if (clients_.size() >= kServeMaxClients) clients_.pop_front();
            clients_.push_back({UniqueFd(fd), {}, mono_ms() + kServeClientTimeoutMs});
        }
    }

    // True when the client is finished with (answered or gone).
    bool read_client(Client& c) {
        char buf[2048];
        for (;;) {
            ssize_t n = ::recv(c.fd.get(), buf, sizeof buf, 0);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
            if (n == 0) return true;
            if (c.draining) {
                c.drained += static_cast<size_t>(n);
                if (c.drained > 8 * kServeRequestCap) return true; // a flood is not a request: close
                continue;
            }
            c.buf.append(buf, static_cast<size_t>(n));
            size_t end = c.buf.find("\r\n\r\n");
            if (end != std::string::npos && end + 4 <= kServeRequestCap) {
                send_reply(c.fd.get(), answer(c.buf));
                return true;
            }
            if (end != std::string::npos || c.buf.size() > kServeRequestCap) {
                send_reply(c.fd.get(), error_reply(431, "RequestTooLarge", "request too large"));
                ::shutdown(c.fd.get(), SHUT_WR);
                c.draining = true;
                c.buf.clear();
                c.buf.shrink_to_fit();
            }
        }
    }

    // The clock of one request: the real one moved on from the start (CREDSH_TEST_NOW pins the start), or,
    // for tests that move time while the server runs, the number in the file CREDSH_TEST_NOW_FILE names.
    std::int64_t now() const {
        if (auto f = ctx_.env.get_nonempty("CREDSH_TEST_NOW_FILE")) {
            auto t = safe_read_file(*f, 64);
            if (t && !t->empty() && std::isdigit(static_cast<unsigned char>((*t)[0])))
                return std::strtoll(t->c_str(), nullptr, 10);
        }
        return ctx_.now + (mono_ms() - start_ms_) / 1000;
    }

    Reply answer(const std::string& req) {
        std::string_view head(req);
        head = head.substr(0, head.find("\r\n\r\n"));
        std::string_view line = head.substr(0, head.find("\r\n"));
        auto words = split(line, ' ');
        if (words.size() != 3 || words[2].substr(0, 5) != "HTTP/")
            return error_reply(400, "BadRequest", "not an HTTP request");
        std::optional<std::string_view> auth;
        size_t pos = line.size();
        while (pos < head.size()) {
            pos += 2;
            size_t end = head.find("\r\n", pos);
            if (end == std::string_view::npos) end = head.size();
            std::string_view h = head.substr(pos, end - pos);
            size_t colon = h.find(':');
            if (colon != std::string_view::npos && iequals(trim(h.substr(0, colon)), "authorization"))
                auth = trim(h.substr(colon + 1));
            pos = end;
        }
        // docs/security.md 49: no token, no answer; a wrong one likewise. One line each, never the token.
        if (!auth) {
            ctx_.warn("serve: refused a request without the endpoint's token (401)");
            return error_reply(401, "Unauthorized", "no authorization token");
        }
        if (auth->size() != token_.size() || CRYPTO_memcmp(auth->data(), token_.data(), token_.size()) != 0) {
            ctx_.warn("serve: refused a request with a wrong token (403)");
            return error_reply(403, "Forbidden", "wrong authorization token");
        }
        if (words[0] != "GET") return error_reply(405, "MethodNotAllowed", "only GET");
        if (words[1] != kPath) return error_reply(404, "NotFound", "no such path");

        ExportRequest r = base_;
        r.now = now();
        r.interactive = false; // mid-command: never a prompt on the terminal the command is using
        r.timeout_ms = kStepTimeoutMs;
        r.mode_override = ExportMode::keys;
        ExportPlan plan = plan_export(r);
        for (const auto& m : plan.messages)
            ctx_.err(m + "\n");
        auto get = [&](const char* name) -> std::string {
            auto it = plan.desired.find(name);
            return it != plan.desired.end() && it->second ? *it->second : std::string();
        };
        std::string akid = get("AWS_ACCESS_KEY_ID"), secret = get("AWS_SECRET_ACCESS_KEY");
        if (plan.failed || akid.empty() || secret.empty()) {
            std::string why = plan.error_message.empty() ? "no credentials" : plan.error_message;
            ctx_.warn("serve: answered 500: " + why);
            return error_reply(500, "CredentialsUnavailable", why);
        }
        std::int64_t expires = plan.expires.value_or(r.now + kServeStaticLifetime);
        nlohmann::json j{
            {"AccessKeyId", akid},
            {"SecretAccessKey", secret},
            {"Token", get("AWS_SESSION_TOKEN")}, // "" for long-term keys: botocore needs the member
            {"Expiration", format_iso8601(expires)}};
        return {200, j.dump()};
    }

    Context& ctx_;
    ExportRequest base_;
    std::string token_;
    std::int64_t start_ms_;
    UniqueFd listen_fd_;
    std::deque<Client> clients_;
    bool stopped_ = false;
};

// The signals credsh takes over while it serves; a command gets them forwarded.
sigset_t served_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT})
        sigaddset(&set, s);
    return set;
}

} // namespace

int serve_credentials(Context& ctx, const ExportRequest& base, const std::vector<std::string>& command,
                      Env child_env) {
    auto token = random_token();
    if (!token) {
        ctx.warn(token.error().message);
        return 1;
    }
    Server server(ctx, base, *token);
    auto port = server.listen();
    if (!port) {
        ctx.warn(port.error().message);
        return 1;
    }
    const std::string uri = "http://127.0.0.1:" + std::to_string(*port) + std::string(kPath);

    sigset_t set = served_signals(), old;
    ::sigprocmask(SIG_BLOCK, &set, &old);
    UniqueFd sigfd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!sigfd.valid()) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        ctx.warn("serve: signalfd: " + errno_text(errno));
        return 1;
    }

    if (command.empty()) { // credsh serve: print what to set, serve until INT, TERM or HUP
        ctx.out("export AWS_CONTAINER_CREDENTIALS_FULL_URI=" + uri +
                "\nexport AWS_CONTAINER_AUTHORIZATION_TOKEN=" + *token + "\n");
        ctx.warn("serve: serving credentials on " + uri + " until interrupted");
        server.run(sigfd.get(), [&](const signalfd_siginfo& si) {
            int s = static_cast<int>(si.ssi_signo);
            if (s == SIGINT || s == SIGTERM || s == SIGHUP) server.stop();
        });
        server.close_all();
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        return 0;
    }

    for (auto name : kHiddenFromCommand)
        child_env.unset(std::string(name));
    child_env.set("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri);
    child_env.set("AWS_CONTAINER_AUTHORIZATION_TOKEN", *token);
    std::vector<std::string> env_strings = child_env.to_strings();
    std::vector<std::string> args = command;
    std::vector<char*> envp, argv;
    for (auto& s : env_strings)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    for (auto& s : args)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    const std::string failed = "credsh: exec: " + printable(command[0]) + ": ";

    pid_t child = ::fork();
    if (child < 0) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        ctx.warn("exec: fork: " + errno_text(errno));
        return 1;
    }
    if (child == 0) {
        ::sigprocmask(SIG_SETMASK, &old, nullptr);
        ::execvpe(argv[0], argv.data(), envp.data());
        int e = errno;
        std::string msg = failed + std::strerror(e) + "\n";
        (void)!::write(2, msg.data(), msg.size());
        ::_exit(e == ENOENT ? 127 : 126);
    }

    int status = 0;
    bool reaped = false;
    server.run(sigfd.get(), [&](const signalfd_siginfo& si) {
        int s = static_cast<int>(si.ssi_signo);
        if (s == SIGCHLD) {
            if (::waitpid(child, &status, WNOHANG) == child) {
                reaped = true;
                server.stop();
            }
            return;
        }
        // What the terminal sends (Ctrl-C, a hangup, a resize) already reached the command's process group;
        // what a process sent to credsh is passed on.
        if (si.ssi_code != SI_KERNEL) ::kill(child, s);
    });
    server.close_all(); // the port is closed before credsh reports the command's end
    if (!reaped)
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
    if (WIFSIGNALED(status)) {
        int s = WTERMSIG(status);
        ::signal(s, SIG_DFL);
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, s);
        ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
        ::raise(s);
        return 128 + s;
    }
    ::sigprocmask(SIG_SETMASK, &old, nullptr);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int cmd_serve(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string profile, location;
    desc.add_options()("profile,p", po::value(&profile)->required(),
                       "the profile whose credentials to serve")(
        "profile-location", po::value(&location), "a credentials file to read the profile from");
    po::positional_options_description pos;
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "serve -p NAME [--profile-location FILE]",
                   "Serves NAME's credentials on 127.0.0.1 in the ECS container format, refreshed as they "
                   "near expiry, until interrupted.\nPrints the two variables to set: "
                   "AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN.",
                   rc);
    if (!vm) return rc;
    ExportRequest req = base_request(ctx);
    req.interactive = true; // before serving: an MFA code may be asked for on /dev/tty
    req.timeout_ms = kInteractiveTimeoutMs;
    req.command_profile = profile;
    req.mode_override = ExportMode::keys;
    if (!location.empty()) req.profile_location = location;
    ExportPlan plan = plan_export(req);
    for (const auto& m : plan.messages)
        ctx.err(m + "\n");
    if (plan.failed) {
        ctx.warn("serve: not serving " + printable(profile) + " without its credentials");
        return 1;
    }
    return serve_credentials(ctx, req, {}, Env{});
}

} // namespace credsh
