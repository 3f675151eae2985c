// The authorization-code flow's redirect target (RFC 8252 §7.3): a listener on 127.0.0.1 only - never on all
// interfaces, so no other machine can hand us a code - on a port the kernel picks. It answers the browser's
// GET /oauth/callback?code=..&state=.. (or ?error=..&state=..) with a short page and reports it; anything
// else (a favicon, a stray request) gets 404 and the wait goes on.
//
// Another local user can find the port (/proc/net/tcp) and connect too (docs/security.md 37), so:
//   - every open connection is served at once (one poll over the listening socket and all connections), each
//     with its own deadline for the whole request, not per read: a client that trickles bytes or sends
//     nothing is closed when its time is up, and meanwhile the browser's request is answered;
//   - at most `max_connections` are kept; a new one pushes out the oldest, and only a few are accepted per
//     round, so a flood cannot push out a connection before its request is read;
//   - only a callback carrying this sign-in's state counts: a foreign one (wrong or no state, also an
//     error= without the state) is answered with an error page and ignored; its text is never shown;
//   - Ctrl-C (`cancelled()`, checked at least every quarter second and whenever poll is interrupted) and the
//     overall limit end the wait whatever the connections are doing.
#pragma once

#include "base/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace credsh::sso {

struct AuthCallback {
    std::string code, state, error, error_description;
};

struct ListenerLimits {
    int connection_ms = 5000;         // accept to complete request (a browser sends it at once)
    std::size_t max_connections = 32; // open at the same time; the oldest goes first
    std::size_t max_accepts_per_round = 8;
    std::size_t max_request = 16384; // request line and headers
    // The clock for the deadlines (the connections' and the overall one); empty: steady_clock. Tests drive
    // it so that no outcome depends on how fast the machine is.
    std::function<std::chrono::steady_clock::time_point()> now;
};

class LoopbackListener {
  public:
    static Result<LoopbackListener> open(ListenerLimits limits = {});
    LoopbackListener(LoopbackListener&& other) noexcept;
    LoopbackListener& operator=(LoopbackListener&&) = delete;
    LoopbackListener(const LoopbackListener&) = delete;
    ~LoopbackListener();

    int port() const { return port_; }
    // Up to `seconds` for the callback that carries `state`; nullopt when the time ran out or `cancelled()`
    // said so. Every connection still open is closed before it returns.
    std::optional<AuthCallback> wait(std::int64_t seconds, const std::string& state,
                                     const std::function<bool()>& cancelled);
    // Callbacks answered and ignored because their state was not this sign-in's.
    int foreign_callbacks() const { return foreign_; }

  private:
    LoopbackListener(int fd, int port, ListenerLimits limits)
        : fd_(fd), port_(port), limits_(std::move(limits)) {}
    int fd_ = -1;
    int port_ = 0;
    ListenerLimits limits_;
    int foreign_ = 0;
};

// The parts of a request target "/oauth/callback?a=b&c=d": nullopt unless the path is /oauth/callback and it
// carries a code and a state, or an error.
std::optional<AuthCallback> parse_callback_target(const std::string& target);

// What a request's target is to a sign-in waiting for `state`: not the callback (404), a callback that is not
// ours (wrong or missing state: answered, ignored), or ours (a code or an error with the right state).
enum class CallbackKind { not_callback, foreign, ours };
struct JudgedCallback {
    CallbackKind kind = CallbackKind::not_callback;
    AuthCallback callback; // set for `ours`
};
JudgedCallback judge_callback(const std::string& target, const std::string& state);

// The request target of a complete GET request head ("GET /x HTTP/1.1\r\n...\r\n\r\n"); nullopt for anything
// else (another method, a malformed line).
std::optional<std::string> request_target(const std::string& head);

} // namespace credsh::sso
