// The authorization-code flow's redirect target (RFC 8252 §7.3): a listener on 127.0.0.1 only - never on all
// interfaces, so no other machine can hand us a code - on a port the kernel picks. It answers the browser's
// GET /oauth/callback?code=..&state=.. (or ?error=..) with a short page and reports what came; anything else
// (a favicon, a stray request) gets 404 and the wait goes on.
#pragma once

#include "result.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace credsh::sso {

struct AuthCallback {
    std::string code, state, error, error_description;
};

class LoopbackListener {
  public:
    static Result<LoopbackListener> open();
    LoopbackListener(LoopbackListener&& other) noexcept;
    LoopbackListener& operator=(LoopbackListener&&) = delete;
    LoopbackListener(const LoopbackListener&) = delete;
    ~LoopbackListener();

    int port() const { return port_; }
    // Up to `seconds` for the callback; nullopt when the time ran out or `cancelled()` said so (checked every
    // quarter second, so Ctrl-C is prompt).
    std::optional<AuthCallback> wait(std::int64_t seconds, const std::function<bool()>& cancelled);

  private:
    explicit LoopbackListener(int fd, int port) : fd_(fd), port_(port) {}
    int fd_ = -1;
    int port_ = 0;
};

// The parts of a request target "/oauth/callback?a=b&c=d": nullopt unless the path is /oauth/callback and it
// carries a code and a state, or an error.
std::optional<AuthCallback> parse_callback_target(const std::string& target);

} // namespace credsh::sso
