// Finds, validates and calls plugins (docs/design.md §5). Loading is lazy: nothing is dlopen'ed until a
// profile needs a plugin and its cached credentials are missing or near expiry, so the prompt path never pays
// for libcurl.
//
// Search order, first usable match wins (docs/security.md 40):
//   1. each absolute directory of CREDSH_PLUGIN_PATH (colon-separated; a relative entry is ignored, with a
//      warning: it would load code from whatever directory the shell is in);
//   2. the user's own plugins, $XDG_DATA_HOME/credsh/plugins (default ~/.local/share/credsh/plugins; a
//      relative XDG_DATA_HOME is ignored, as the XDG spec says);
//   3. the build tree's <exe>/../plugins, only when this binary runs from the build tree it was built in (its
//      directory is the compiled-in <build>/bin): an installed copy never looks there;
//   4. the installation's <exe>/../lib/credsh/plugins, then the configured install directory.
// Code is loaded only from a directory owned by this user or root that nobody else can write to, nor any
// directory above it (a root-owned sticky one such as /tmp aside), so no other user can swap a path component
// between the checks and the load; and only from a file with the same owners, not writable by group or
// others, which may be a symbolic link only to a file in the same directory. In the user's own directory the
// directory and its files must be the user's (root's is not expected there). Anything else is refused with
// one line naming the path, and the search goes on. A plugin NAME lives in a file named credsh-NAME.so.
// A plugin named like one credsh ships (kBuiltinPlugins) from CREDSH_PLUGIN_PATH or the user directory
// hides the built-in one: `credsh plugins` flags it, and loading it from the user directory says so once.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include <credsh/policy.hpp>

#include <credsh/plugin_abi.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

enum class PluginOrigin { env_path, user_dir, build_tree, system_dir };
// "CREDSH_PLUGIN_PATH", "user dir", "build tree", "system dir".
const char* origin_name(PluginOrigin origin);

struct SearchDir {
    std::string path;
    PluginOrigin origin;
    std::string real = {}; // the resolved path, once checked (usable_dirs)
    bool operator==(const SearchDir&) const = default;
};

struct PluginInfo {
    std::string name; // from the file name
    std::string path;
    PluginOrigin origin = PluginOrigin::system_dir;
    std::string version; // from the descriptor, when valid
    std::string summary;
    std::string problem; // why it cannot be used ("" when it can)
    // Later files of the same name, which this one hides ("PATH (origin)"), and earlier ones that were
    // refused ("PATH (REASON)"), in search order.
    std::vector<std::string> shadows;
    std::vector<std::string> refused;
    // Named like a plugin credsh ships, but found in CREDSH_PLUGIN_PATH or the user directory: it hides the
    // built-in one.
    bool shadows_builtin = false;
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
    int timeout_ms = kStepTimeoutMs;
    bool interactive = false;
};

class LoadedPlugin; // the library and its descriptor; kept alive by every instance made from it

// What the runner (runner.hpp) needs of a plugin host: one call. Tests give the runner a fake.
class PluginCaller {
  public:
    virtual ~PluginCaller() = default;
    // Loads NAME if needed and runs one request. An error means the plugin could not be used at all
    // (not found, invalid, failed to create, threw); a plugin's own failure is a reply with its status.
    virtual Result<PluginReply> call(const std::string& name, const PluginCall& call) = 0;
};

class PluginHost final : public PluginCaller {
  public:
    // `env` supplies CREDSH_PLUGIN_PATH and is what plugins see as their environment: the ambient one
    // (Context::plugins() passes ambient_environment(), exporter.hpp); `exe_dir` is the
    // directory of the running binary ("" to skip the paths relative to it). `say` receives plugin messages.
    PluginHost(Env env, std::string exe_dir, int stderr_fd = 2);
    ~PluginHost() override;
    PluginHost(const PluginHost&) = delete;
    PluginHost& operator=(const PluginHost&) = delete;

    // The directories searched, in order, with where each comes from (nothing is checked here).
    std::vector<SearchDir> search_path() const;
    std::vector<std::string> search_dirs() const; // their paths
    // Every credsh-*.so found (the first per name), each loaded and validated (for `credsh plugins`).
    std::vector<PluginInfo> list();
    // Loads NAME if needed and runs one request. An error means the plugin could not be used at all
    // (not found, invalid, failed to create, threw); a plugin's own failure is a reply with its status.
    Result<PluginReply> call(const std::string& name, const PluginCall& call) override;

  private:
    Result<std::shared_ptr<LoadedPlugin>> load(const std::string& name);
    // The search path's directories that pass the checks; each refused one is reported once.
    std::vector<SearchDir> usable_dirs();
    void warn_once(const std::string& line);
    Env env_;
    std::string exe_dir_;
    int stderr_fd_;
    std::map<std::string, std::shared_ptr<LoadedPlugin>> loaded_;
    std::vector<std::string> warned_;
};

// Validates a descriptor as found in a library: magic, ABI version, struct size, then the fields.
// `expected_name` is the name the file says; the descriptor must agree. Exposed for the loader tests.
Result<void> validate_descriptor(const credsh_plugin_descriptor* d, const std::string& expected_name);

// The directory holding the running executable ("" if /proc/self/exe cannot be read).
std::string executable_dir();

// Whether credsh may load code from a directory or file with this owner and mode: owned by `me` or (when
// `root_ok`) root, not writable by group or others. The reason when not ("owned by uid 1001, not you or
// root").
std::optional<std::string> unsafe_owner_or_mode(unsigned uid, unsigned mode, unsigned me,
                                                bool root_ok = true);

} // namespace credsh
