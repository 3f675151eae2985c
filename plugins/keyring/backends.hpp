// The two keyring backends behind one shape. Each call is for one profile's keys; `may_prompt` means a person
// is there (an interactive request) and a desktop session could show its own unlock prompt: only then may a
// locked keyring be unlocked. Messages never hold a secret.
#pragma once

#include "base/result.hpp"
#include "keyring_format.hpp"

#include <map>
#include <optional>
#include <string>

namespace credsh::keyring {

struct Call {
    std::string profile;
    std::map<std::string, std::string> env; // the environment credsh was started with (the ambient one)
    bool interactive = false;
    bool desktop = false; // DISPLAY or WAYLAND_DISPLAY: the desktop's own unlock prompt can appear
    int timeout_ms = 0;
};

// The Secret Service through libsecret (secret_service.cpp).
Result<std::optional<Keys>> secret_service_get(const Call& c);
Result<void> secret_service_put(const Call& c, const Keys& k);
Result<bool> secret_service_remove(const Call& c);

// pass, the standard Unix password store (pass_backend.cpp): the `pass` program, gpg behind it.
bool pass_initialised(const std::map<std::string, std::string>& env);
Result<std::optional<Keys>> pass_get(const Call& c);
Result<void> pass_put(const Call& c, const Keys& k);
Result<bool> pass_remove(const Call& c);

} // namespace credsh::keyring
