// What every plugin shares: a C++ view of the C request (plugin_abi.hpp), the output channel, and the macro
// that exports a C++ function as a plugin while keeping exceptions on the plugin's side of the boundary.
#pragma once

#include <credsh/policy.hpp>

#include <credsh/plugin_abi.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace credsh::plugin {

// Read-only view of one request; valid for the call only.
class Request {
  public:
    explicit Request(const credsh_request* r) : r_(r) {}
    std::string_view operation() const { return r_->operation ? r_->operation : ""; }
    std::string profile() const { return r_->profile ? r_->profile : ""; }
    // A setting (the profile's property, "sso-session.KEY", "services.SERVICE.KEY", "credsh.KEY"): the value
    // when present and non-empty.
    std::optional<std::string> setting(std::string_view key) const { return find(r_->settings, key); }
    // An environment variable credsh was started with: the value when set and non-empty.
    std::optional<std::string> env(std::string_view name) const { return find(r_->env, name); }
    std::optional<std::string> source(std::string_view key) const { return find(r_->source, key); }
    std::optional<std::string> arg(std::string_view key) const { return find(r_->args, key); }
    std::string home() const { return r_->home ? r_->home : ""; }
    std::int64_t now() const { return r_->now; }
    int timeout_ms() const { return r_->timeout_ms > 0 ? r_->timeout_ms : kStepTimeoutMs; }
    bool interactive() const { return r_->interactive != 0; }
    const credsh_request& raw() const { return *r_; }

  private:
    static std::optional<std::string> find(const credsh_kv_list& list, std::string_view key);
    const credsh_request* r_;
};

// An error whose message is meant for the person as it is (not an "internal error"): guarded_call() reports
// it with CREDSH_ERROR. Thrown where a Result cannot travel, e.g. from a shared helper deep in a call.
class PluginError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The output channel of one call. Every message, hint and say() line is redacted (redact.hpp) with the call's
// secrets - the request's source credentials and MFA code, registered by guarded_call(), plus whatever the
// plugin adds with add_secret() - so no server echo and no careless message can show one (docs/security.md
// 35).
class Output {
  public:
    explicit Output(const credsh_host* h) : h_(h) {}
    // A value crosses the ABI as a C string, so one holding a NUL byte would arrive cut short: it is refused
    // (PluginError), and the call fails with nothing exported (docs/security.md 36).
    void put(const std::string& key, const std::string& value) const;
    void say(const std::string& line) const;
    // A value of this call that must never appear in a message (kept for the call only).
    void add_secret(const std::string& secret) const;
    const std::vector<std::string>& secrets() const { return secrets_; }
    // Reads a secret from the terminal (interactive requests only).
    std::optional<std::string> read_secret(const std::string& prompt) const;
    // Convenience: an error with a message, or a login hint.
    int32_t error(const std::string& message) const {
        put("message", message);
        return CREDSH_ERROR;
    }
    int32_t needs_login(const std::string& message, const std::string& hint) const {
        put("message", message);
        put("hint", hint);
        return CREDSH_NEEDS_LOGIN;
    }

  private:
    const credsh_host* h_;
    // mutable: plugins pass `const Output&` everywhere; registering a secret changes no output.
    mutable std::vector<std::string> secrets_;
};

// The function each plugin implements.
using RunFn = int32_t (*)(const Request&, const Output&);

// Runs `fn`, turning any exception into CREDSH_ERROR with its message (the ABI forbids throwing).
int32_t guarded_call(RunFn fn, const credsh_request* request, const credsh_host* host);

} // namespace credsh::plugin

// Exports FN (int32_t FN(const Request&, const Output&)) as plugin NAME. Plugins keep no state between calls,
// so create/destroy manage a dummy instance.
#define CREDSH_CXX_PLUGIN(NAME, VERSION, SUMMARY, FN)                                                        \
    namespace {                                                                                              \
    int credsh_plugin_instance_;                                                                             \
    extern "C" void* credsh_plugin_create() {                                                                \
        return &credsh_plugin_instance_;                                                                     \
    }                                                                                                        \
    extern "C" void credsh_plugin_destroy(void*) {}                                                          \
    extern "C" int32_t credsh_plugin_call(void*, const credsh_request* r, const credsh_host* h) {            \
        return ::credsh::plugin::guarded_call(FN, r, h);                                                     \
    }                                                                                                        \
    }                                                                                                        \
    CREDSH_DEFINE_PLUGIN(NAME, VERSION, SUMMARY, credsh_plugin_create, credsh_plugin_destroy,                \
                         credsh_plugin_call)
