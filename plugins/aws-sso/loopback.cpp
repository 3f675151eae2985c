#include "loopback.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

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

void send_all(int fd, const std::string& data) {
    std::size_t sent = 0;
    while (sent < data.size()) {
        ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        sent += static_cast<std::size_t>(n);
    }
}

void reply(int fd, int status, const std::string& text) {
    std::string body = "<!doctype html><meta charset=utf-8><title>credsh</title><p>" + text + "</p>\n";
    send_all(fd, "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
                     "\r\nContent-Type: text/html; charset=utf-8\r\nCache-Control: no-store\r\n"
                     "Content-Length: " +
                     std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

// The request line's target, read with a 5 s limit and an 8 KiB cap (a browser's GET is far smaller).
std::optional<std::string> read_target(int fd) {
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string data;
    char buf[2048];
    while (data.find("\r\n") == std::string::npos && data.size() < 8192) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return std::nullopt;
        data.append(buf, static_cast<std::size_t>(n));
    }
    auto eol = data.find("\r\n");
    if (eol == std::string::npos) return std::nullopt;
    std::string line = data.substr(0, eol);
    auto sp1 = line.find(' ');
    auto sp2 = line.find(' ', sp1 == std::string::npos ? sp1 : sp1 + 1);
    if (sp1 == std::string::npos || sp2 == std::string::npos || line.compare(0, sp1, "GET") != 0)
        return std::nullopt;
    return line.substr(sp1 + 1, sp2 - sp1 - 1);
}

} // namespace

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

Result<LoopbackListener> LoopbackListener::open() {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return fail(std::string("cannot open a socket for the sign-in callback: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 8) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
        std::string why = std::strerror(errno);
        ::close(fd);
        return fail("cannot listen on 127.0.0.1 for the sign-in callback: " + why);
    }
    return LoopbackListener(fd, ntohs(addr.sin_port));
}

LoopbackListener::LoopbackListener(LoopbackListener&& other) noexcept : fd_(other.fd_), port_(other.port_) {
    other.fd_ = -1;
}

LoopbackListener::~LoopbackListener() {
    if (fd_ >= 0) ::close(fd_);
}

std::optional<AuthCallback> LoopbackListener::wait(std::int64_t seconds,
                                                   const std::function<bool()>& cancelled) {
    auto end = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (cancelled && cancelled()) return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        int r = ::poll(&p, 1, 250);
        if (r <= 0) continue; // timeout or EINTR (Ctrl-C): look at the clock and the flag again
        int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (conn < 0) continue;
        auto target = read_target(conn);
        auto cb = target ? parse_callback_target(*target) : std::nullopt;
        if (!cb) {
            reply(conn, 404, "Not the sign-in callback.");
            ::close(conn);
            continue;
        }
        reply(conn, 200,
              cb->error.empty() ? "Signed in. You can close this window and return to the terminal."
                                : "The sign-in did not complete. Return to the terminal for details.");
        ::close(conn);
        return cb;
    }
    return std::nullopt;
}

} // namespace credsh::sso
