// The keyring plugin's pure parts, unit-tested without dlopen, D-Bus or gpg (tests/unit/test_keyring.cpp):
// which backend serves a request ([credsh] keyring = secret-service | pass, else the Secret Service when a
// session bus is there, else pass when initialised, else an error - never a plaintext fallback,
// docs/security.md 29), and how one profile's long-term keys are held as one secret.
#pragma once

#include "base/result.hpp"

#include <optional>
#include <string>

namespace credsh::keyring {

enum class Backend { secret_service, pass };

const char* backend_name(Backend b);

// `setting`: the [credsh] keyring value ("" or nullopt: choose). `bus`: a session bus address is known
// (DBUS_SESSION_BUS_ADDRESS, or $XDG_RUNTIME_DIR/bus); `pass_ready`: the password store has a .gpg-id.
Result<Backend> choose_backend(const std::optional<std::string>& setting, bool bus, bool pass_ready);

struct Keys {
    std::string access_key_id, secret_access_key;
};

// One JSON object {"AccessKeyId","SecretAccessKey"} on one line; decode refuses anything else without ever
// quoting the text (it is a secret).
std::string encode_keys(const Keys& k);
Result<Keys> decode_keys(const std::string& text);

// The item names: the Secret Service attribute value and the pass entry, both the profile name.
inline constexpr const char* kSchemaName = "org.credsh.AwsKeys";
std::string pass_entry(const std::string& profile); // "credsh/aws/PROFILE"

} // namespace credsh::keyring
