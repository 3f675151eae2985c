// Finds, validates and calls plugins (docs/design.md §5). Loading is lazy: nothing is dlopen'ed until a profile needs
// a plugin and its cached credentials are missing or near expiry, so the prompt path never pays for libcurl.
//
// Search order, first match wins: each directory of CREDSH_PLUGIN_PATH (colon-separated), the build tree next to
// the binary (<exe>/../plugins), the install's <exe>/../lib/credsh/plugins, then the configured install dir.
// A plugin NAME lives in a file named credsh-NAME.so.
#pragma once

#include "env.hpp"
#include "result.hpp"

#include <credsh/plugin_abi.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace credsh {

struct PluginInfo {
    std::string name;     // from the file name
    std::string path;
    std::string version;  // from the descriptor, when valid
    std::string summary;
    std::string problem;  // why it cannot be used ("" when it can)
};

// What a plugin call produced: its status and every key it put.
struct PluginReply {
    int32_t status = CREDSH_ERROR;
    std::map<std::string, std::string> out;
    std::string get(const std::string& key) const {
        auto it = out.find(key);
        return it == out.end() ? std::string() : it->second;
    }
};

// A request in host types; converted to the C structs for the duration of one call.
struct PluginCall {
    std::string operation;
    std::string profile;
    std::map<std::string, std::string> settings;
    std::map<std::string, std::string> source;
    std::map<std::string, std::string> args;
    std::string home;
    std::int64_t now = 0;
    int timeout_ms = 5000;
    bool interactive = false;
};

class LoadedPlugin; // the library and its descriptor; kept alive by every instance made from it

class PluginHost {
  public:
    // `env` supplies CREDSH_PLUGIN_PATH and is what plugins see as their environment; `exe_dir` is the
    // directory of the running binary ("" to skip the paths relative to it). `say` receives plugin messages.
    PluginHost(Env env, std::string exe_dir, int stderr_fd = 2);
    ~PluginHost();
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    std::vector<std::string> search_dirs() const;
    // Every credsh-*.so found (the first per name), each loaded and validated (for `credsh plugins`).
    std::vector<PluginInfo> list();
    // Loads NAME if needed and runs one request. An error means the plugin could not be used at all
    // (not found, invalid, failed to create, threw); a plugin's own failure is a reply with its status.
    Result<PluginReply> call(const std::string& name, const PluginCall& call);

  private:
    Result<std::shared_ptr<LoadedPlugin>> load(const std::string& name);
    Env env_;
    std::string exe_dir_;
    int stderr_fd_;
    std::map<std::string, std::shared_ptr<LoadedPlugin>> loaded_;
};

// Validates a descriptor as found in a library: magic, ABI version, struct size, then the fields.
// `expected_name` is the name the file says; the descriptor must agree. Exposed for the loader tests.
Result<void> validate_descriptor(const credsh_plugin_descriptor* d, const std::string& expected_name);

// The directory holding the running executable ("" if /proc/self/exe cannot be read).
std::string executable_dir();

} // namespace credsh
