#include "loopback.hpp"

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

namespace credsh::sso {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded: "+" is a space, %XX a byte; a broken escape is kept as it is.
std::string form_decode(const std::string& s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

// One non-blocking send: the answers are a few hundred bytes into an empty socket buffer, and a client that
// does not read must not hold us either.
void send_once(int fd, const std::string& data) {
    (void)::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

void reply(int fd, int status, const std::string& text) {
    const char* reason = status == 200   ? " OK"
                         : status == 400 ? " Bad Request"
                         : status == 404 ? " Not Found"
                                         : "";
    std::string body = "<!doctype html><meta charset=utf-8><title>credsh</title><p>" + text + "</p>\n";
    send_once(fd, "HTTP/1.1 " + std::to_string(status) + reason +
                      "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                      "Content-Length: " +
                      std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

struct Conn {
    int fd = -1;
    std::chrono::steady_clock::time_point deadline;
    std::string data;
};

void close_all(std::deque<Conn>& conns) {
    for (auto& c : conns)
        ::close(c.fd);
    conns.clear();
}

} // namespace

std::optional<std::string> request_target(const std::string& head) {
    auto eol = head.find("\r\n");
    if (eol == std::string::npos) return std::nullopt;
    std::string line = head.substr(0, eol);
    auto sp1 = line.find(' ');
    if (sp1 == std::string::npos || line.compare(0, sp1, "GET") != 0) return std::nullopt;
    auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string::npos || sp2 == sp1 + 1) return std::nullopt;
    return line.substr(sp1 + 1, sp2 - sp1 - 1);
}

JudgedCallback judge_callback(const std::string& target, const std::string& state) {
    auto cb = parse_callback_target(target);
    if (!cb) {
        // /oauth/callback with neither a code+state nor an error is still somebody's callback, not a favicon.
        auto q = target.find('?');
        return {target.substr(0, q) == "/oauth/callback" ? CallbackKind::foreign : CallbackKind::not_callback,
                {}};
    }
    // Constant time: how much of the state a guess got right must not show in the answer's timing.
    bool same = !state.empty() && cb->state.size() == state.size() &&
                CRYPTO_memcmp(cb->state.data(), state.data(), state.size()) == 0;
    if (!same) return {CallbackKind::foreign, {}};
    return {CallbackKind::ours, *cb};
}

std::optional<AuthCallback> parse_callback_target(const std::string& target) {
    auto q = target.find('?');
    if (target.substr(0, q) != "/oauth/callback" || q == std::string::npos) return std::nullopt;
    AuthCallback cb;
    std::string query = target.substr(q + 1);
    std::size_t start = 0;
    while (start <= query.size()) {
        auto amp = query.find('&', start);
        std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
        auto eq = pair.find('=');
        std::string key = form_decode(pair.substr(0, eq));
        std::string value = eq == std::string::npos ? "" : form_decode(pair.substr(eq + 1));
        if (key == "code") cb.code = value;
        if (key == "state") cb.state = value;
        if (key == "error") cb.error = value;
        if (key == "error_description") cb.error_description = value;
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    if (cb.error.empty() && (cb.code.empty() || cb.state.empty())) return std::nullopt;
    return cb;
}

Result<LoopbackListener> LoopbackListener::open(ListenerLimits limits) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return fail(std::string("cannot open a socket for the sign-in callback: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return fail("cannot listen on 127.0.0.1 for the sign-in callback: " + why);
    }
    return LoopbackListener(fd, ntohs(addr.sin_port), limits);
}

LoopbackListener::LoopbackListener(LoopbackListener&& other) noexcept
    : fd_(other.fd_), port_(other.port_), limits_(std::move(other.limits_)), foreign_(other.foreign_) {
    other.fd_ = -1;
}

LoopbackListener::~LoopbackListener() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<AuthCallback> LoopbackListener::wait(std::int64_t seconds, const std::string& state,
                                                   const std::function<bool()>& cancelled) {
    using clock = std::chrono::steady_clock;
    auto clock_now = [this] { return limits_.now ? limits_.now() : clock::now(); };
    const auto end = clock_now() + std::chrono::seconds(seconds);
    std::deque<Conn> conns; // oldest first
    std::optional<AuthCallback> result;
    while (!result) {
        if (cancelled && cancelled()) break;
        auto now = clock_now();
        if (now >= end) break;
        // Connections whose time is up are closed without an answer, whatever they are sending.
        for (auto it = conns.begin(); it != conns.end();) {
            if (it->deadline <= now) {
                ::close(it->fd);
                it = conns.erase(it);
            } else {
                ++it;
            }
        }
        auto next = std::min(end, now + std::chrono::milliseconds(250));
        for (const auto& c : conns)
            next = std::min(next, c.deadline);
        int timeout_ms =
            static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1);
        std::vector<pollfd> fds;
        fds.push_back({fd_, POLLIN, 0});
        for (const auto& c : conns)
            fds.push_back({c.fd, POLLIN, 0});
        int r = ::poll(fds.data(), fds.size(), timeout_ms);
        if (r <= 0) continue; // timeout or EINTR (Ctrl-C): look at the clock and the flag again
        // Requests first, so that the connections accepted below cannot push out one whose request is here.
        std::vector<int> done;
        for (std::size_t i = 1; i < fds.size() && !result; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            Conn& c = conns[i - 1];
            char buf[4096];
            ssize_t n = ::recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK)) continue;
            if (n <= 0) {
                done.push_back(c.fd);
                continue;
            }
            c.data.append(buf, static_cast<std::size_t>(n));
            bool complete = c.data.find("\r\n\r\n") != std::string::npos;
            if (!complete && c.data.size() < limits_.max_request) continue;
            done.push_back(c.fd);
            auto target = complete ? request_target(c.data) : std::nullopt;
            if (!target) {
                reply(c.fd, 400, "Not a request credsh understands.");
                continue;
            }
            JudgedCallback j = judge_callback(*target, state);
            switch (j.kind) {
            case CallbackKind::not_callback:
                reply(c.fd, 404, "Not the sign-in callback.");
                break;
            case CallbackKind::foreign:
                ++foreign_;
                reply(c.fd, 400,
                      "This answer does not belong to the sign-in credsh is waiting for; it was ignored.");
                break;
            case CallbackKind::ours:
                reply(c.fd, 200,
                      j.callback.error.empty()
                          ? "Signed in. You can close this window and return to the terminal."
                          : "The sign-in did not complete. Return to the terminal for details.");
                result = std::move(j.callback);
                break;
            }
        }
        for (int fd : done) {
            ::close(fd);
            conns.erase(std::find_if(conns.begin(), conns.end(), [fd](const Conn& c) { return c.fd == fd; }));
        }
        if (result || !(fds[0].revents & POLLIN)) continue;
        for (std::size_t k = 0; k < limits_.max_accepts_per_round; ++k) {
            int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
            if (conn < 0) break; // EAGAIN: none left (or a transient error: the next round tries again)
            if (conns.size() >= limits_.max_connections) {
                ::close(conns.front().fd);
                conns.pop_front();
            }
            conns.push_back({conn, clock_now() + std::chrono::milliseconds(limits_.connection_ms), {}});
        }
    }
    close_all(conns);
    return result;
}

} // namespace credsh::sso
