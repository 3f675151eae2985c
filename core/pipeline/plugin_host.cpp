#include "pipeline/plugin_host.hpp"

#include "base/text.hpp"
#include "base/tty.hpp"

// std::filesystem instead of Boost.Filesystem: Boost.DLL is then header-only and links nothing but libdl.
#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh {

// The library and its validated descriptor. Instances hold a shared_ptr to this, so the code they run from is
// mapped until the last of them is destroyed (docs/design.md §5: the library outlives everything it created).
class LoadedPlugin {
  public:
    boost::dll::shared_library lib;
    const credsh_plugin_descriptor* desc = nullptr;
    std::string path;
};

namespace {

// One instance of a plugin; destroyed through the plugin's own destroy() while the library is still loaded
// (members are destroyed in reverse order: `instance` goes first, `plugin` - the library - last).
struct Instance {
    std::shared_ptr<LoadedPlugin> plugin;
    void* instance = nullptr;
    ~Instance() {
        if (instance) plugin->desc->destroy(instance);
    }
};

struct HostContext {
    PluginReply* reply;
    int stderr_fd;
    bool interactive;
};

extern "C" void host_put(void* ctx, const char* key, const char* value) {
    auto* h = static_cast<HostContext*>(ctx);
    if (key && value) h->reply->out[key] = value;
}

extern "C" void host_say(void* ctx, const char* line) {
    auto* h = static_cast<HostContext*>(ctx);
    if (!line) return;
    std::string s = std::string("credsh: ") + printable(line) + "\n";
    if (::write(h->stderr_fd, s.data(), s.size()) < 0) { /* nothing else to tell */
    }
}

extern "C" int32_t host_read_secret(void* ctx, const char* prompt, char* buf, size_t size) {
    auto* h = static_cast<HostContext*>(ctx);
    if (!h->interactive || !buf || size == 0) return -1;
    auto line = read_secret_from_tty(prompt ? prompt : "");
    if (!line || line->size() + 1 > size) return -1;
    std::memcpy(buf, line->data(), line->size());
    buf[line->size()] = '\0';
    return static_cast<int32_t>(line->size());
}

// Borrowed C views of host maps, alive while the maps are.
struct KvList {
    std::vector<credsh_kv> items;
    explicit KvList(const std::map<std::string, std::string>& m) {
        items.reserve(m.size());
        for (const auto& [k, v] : m)
            items.push_back({k.c_str(), v.c_str()});
    }
    credsh_kv_list view() const { return {items.data(), items.size()}; }
};

constexpr std::string_view kPrefix = "credsh-";
constexpr std::string_view kSuffix = ".so";

bool valid_plugin_name(const std::string& name) {
    if (name.empty() || name.size() > 64) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

} // namespace

Result<void> validate_descriptor(const credsh_plugin_descriptor* d, const std::string& expected_name) {
    if (!d) return fail("no descriptor");
    // Magic first: until it matches, nothing else in the struct can be trusted to be ours at all.
    if (d->magic != CREDSH_PLUGIN_MAGIC) return fail("not a credsh plugin (wrong magic number)");
    if (d->abi_version != CREDSH_PLUGIN_ABI_VERSION)
        return fail("built for plugin ABI " + std::to_string(d->abi_version) + ", this credsh speaks ABI " +
                    std::to_string(CREDSH_PLUGIN_ABI_VERSION) + " (rebuild the plugin against this credsh)");
    if (d->struct_size < sizeof(credsh_plugin_descriptor))
        return fail("descriptor is " + std::to_string(d->struct_size) + " bytes, expected at least " +
                    std::to_string(sizeof(credsh_plugin_descriptor)) + " (built against an older header)");
    if (!d->name || !d->version || !d->create || !d->destroy || !d->call)
        return fail("descriptor has an empty name, version or function");
    if (expected_name != d->name)
        return fail("file is named for plugin " + expected_name + " but the plugin calls itself " +
                    printable(d->name));
    return {};
}

std::string executable_dir() {
    char buf[PATH_MAX];
    ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return "";
    std::string path(buf, static_cast<std::size_t>(n));
    auto slash = path.rfind('/');
    return slash == std::string::npos ? "" : path.substr(0, slash);
}

PluginHost::PluginHost(Env env, std::string exe_dir, int stderr_fd)
    : env_(std::move(env)), exe_dir_(std::move(exe_dir)), stderr_fd_(stderr_fd) {}

PluginHost::~PluginHost() = default;

const char* origin_name(PluginOrigin origin) {
    switch (origin) {
    case PluginOrigin::env_path:
        return "CREDSH_PLUGIN_PATH";
    case PluginOrigin::user_dir:
        return "user dir";
    case PluginOrigin::build_tree:
        return "build tree";
    case PluginOrigin::system_dir:
        return "system dir";
    }
    return "?";
}

namespace {
// The plugins credsh ships (plugins/CMakeLists.txt builds exactly these), sorted: one of the user's named
// like them is flagged.
constexpr std::array<std::string_view, 7> kBuiltinPlugins = {"ask",     "aws-sso", "console",       "imds",
                                                             "keyring", "mfa-sts", "secretsmanager"};
} // namespace

std::optional<std::string> unsafe_owner_or_mode(unsigned uid, unsigned mode, unsigned me, bool root_ok) {
    if (uid != me && (uid != 0 || !root_ok))
        return "owned by uid " + std::to_string(uid) + (root_ok ? ", not you or root" : ", not you");
    if (mode & (S_IWGRP | S_IWOTH)) {
        char octal[8];
        std::snprintf(octal, sizeof octal, "%04o", mode & 07777);
        return std::string("writable by group or others (mode ") + octal + ")";
    }
    return std::nullopt;
}

namespace {

// Whether `exe_dir` is the build tree's bin directory this binary was built into (compared by identity, not
// by name): only then are the build tree's plugins searched. A copy or an installed binary never is.
bool runs_from_build_tree(const std::string& exe_dir) {
#ifdef CREDSH_BUILD_DIR
    struct stat here {
    }, built{};
    return !exe_dir.empty() && ::stat(exe_dir.c_str(), &here) == 0 &&
           ::stat(CREDSH_BUILD_DIR "/bin", &built) == 0 && here.st_dev == built.st_dev &&
           here.st_ino == built.st_ino;
#else
    (void)exe_dir;
    return false;
#endif
}

} // namespace

std::vector<SearchDir> PluginHost::search_path() const {
    std::vector<SearchDir> dirs;
    if (auto p = env_.get_nonempty("CREDSH_PLUGIN_PATH"))
        for (auto part : split(*p, ':'))
            if (!part.empty()) dirs.push_back({std::string(part), PluginOrigin::env_path});
    // The user's own plugins (XDG base directories; HOME only as set, never guessed from passwd here).
    if (auto x = env_.get_nonempty("XDG_DATA_HOME"); x && (*x)[0] == '/')
        dirs.push_back({*x + "/credsh/plugins", PluginOrigin::user_dir});
    else if (auto h = env_.get_nonempty("HOME"); h && (*h)[0] == '/')
        dirs.push_back({*h + "/.local/share/credsh/plugins", PluginOrigin::user_dir});
    if (runs_from_build_tree(exe_dir_)) dirs.push_back({exe_dir_ + "/../plugins", PluginOrigin::build_tree});
    if (!exe_dir_.empty()) dirs.push_back({exe_dir_ + "/../lib/credsh/plugins", PluginOrigin::system_dir});
    dirs.push_back({CREDSH_PLUGIN_DIR, PluginOrigin::system_dir});
    return dirs;
}

std::vector<std::string> PluginHost::search_dirs() const {
    std::vector<std::string> out;
    for (const auto& d : search_path())
        out.push_back(d.path);
    return out;
}

void PluginHost::warn_once(const std::string& line) {
    if (std::find(warned_.begin(), warned_.end(), line) != warned_.end()) return;
    warned_.push_back(line);
    std::string s = "credsh: " + line + "\n";
    if (::write(stderr_fd_, s.data(), s.size()) < 0) { /* stderr gone: nothing else to tell */
    }
}

namespace {

// Why credsh may not load code from directory `dir` (already resolved, no symlinks), or nullopt: the
// directory and every directory above it must be owned by this user or root and writable by nobody else, so
// that no other user can swap a component of the path between the checks and the load. A sticky
// world-writable ancestor owned by root (/tmp) is fine: others cannot rename or remove what they do not own
// there.
// `root_ok`: whether the directory itself may be root's (not in the user's own plugin directory).
std::optional<std::string> unsafe_dir(const std::string& dir, bool root_ok) {
    const unsigned me = ::geteuid();
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return std::string(std::strerror(errno));
    if (auto why = unsafe_owner_or_mode(st.st_uid, st.st_mode, me, root_ok)) return "is " + *why;
    for (std::string up = dir; up.size() > 1;) {
        up.resize(std::max<std::size_t>(up.rfind('/'), 1));
        if (::stat(up.c_str(), &st) != 0) return up + ": " + std::strerror(errno);
        bool sticky_root = st.st_uid == 0 && (st.st_mode & S_ISVTX);
        if (auto why = unsafe_owner_or_mode(st.st_uid, sticky_root ? st.st_mode & ~0022u : st.st_mode, me))
            return "is inside " + printable(up) + ", which is " + *why;
    }
    return std::nullopt;
}

} // namespace

std::vector<SearchDir> PluginHost::usable_dirs() {
    std::vector<SearchDir> out;
    for (auto& d : search_path()) {
        if (d.path[0] != '/') {
            // Relative to wherever the shell happens to be: a repository could ship the plugin.
            warn_once("CREDSH_PLUGIN_PATH entry " + printable(d.path) + " is not an absolute path; ignored");
            continue;
        }
        struct stat st {};
        if (::stat(d.path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue; // absent: nothing to load
        char real[PATH_MAX];
        if (!::realpath(d.path.c_str(), real)) continue;
        if (auto why = unsafe_dir(real, d.origin != PluginOrigin::user_dir)) {
            warn_once("plugin directory " + printable(d.path) + " " + *why + "; not searched");
            continue;
        }
        out.push_back(SearchDir{d.path, d.origin, real});
    }
    return out;
}

namespace {

// One candidate file in a checked directory (docs/security.md 40): a regular file owned by this user or root,
// not writable by group or others; a symbolic link is followed only to a file of the same directory. Returns
// the path to load, in the resolved directory, or why the file is refused; a missing file is not_found.
// In the user's own directory (`root_ok` false) the file must be the user's.
Result<std::string> check_file(const std::string& real_dir, const std::string& file, bool root_ok) {
    std::string name = file;
    struct stat st {};
    if (::lstat((real_dir + "/" + name).c_str(), &st) != 0) return not_found(std::strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        char target[PATH_MAX];
        ssize_t n = ::readlink((real_dir + "/" + name).c_str(), target, sizeof target - 1);
        if (n <= 0) return fail("an unreadable symbolic link");
        std::string t(target, static_cast<std::size_t>(n));
        if (t.find('/') != std::string::npos || t == "." || t == "..")
            return fail("a symbolic link out of its directory (to " + printable(t) + ")");
        name = t;
        if (::lstat((real_dir + "/" + name).c_str(), &st) != 0) return not_found(std::strerror(errno));
        if (S_ISLNK(st.st_mode)) return fail("a symbolic link to another link");
    }
    if (!S_ISREG(st.st_mode)) return not_found("not a regular file");
    if (auto why = unsafe_owner_or_mode(st.st_uid, st.st_mode, ::geteuid(), root_ok)) return fail(*why);
    return real_dir + "/" + name;
}

// Loads one checked file and validates its descriptor. Errors say what is wrong with the file, not which file
// it is.
Result<std::shared_ptr<LoadedPlugin>> open_plugin(const std::string& name, const std::string& path,
                                                  const std::string& load_path) {
    if (!valid_plugin_name(name)) return fail("not a valid plugin name (a-z, 0-9, - and _ only)");
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->path = path;
    std::error_code ec;
    // rtld_local: two plugins never see each other's symbols; rtld_now: a missing symbol fails here, not
    // halfway through a refresh.
    plugin->lib.load(load_path, ec, boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now);
    if (ec) {
        // Boost.DLL reports every dlopen failure as "Bad file descriptor"; dlerror() still holds the reason
        // (not an ELF file, an undefined symbol, a missing dependency), prefixed with the path we already
        // name.
        const char* err = ::dlerror();
        std::string why = err ? err : ec.message();
        for (const std::string& prefix : {load_path + ": ", path + ": "})
            if (why.starts_with(prefix)) why.erase(0, prefix.size());
        return fail("cannot be loaded: " + printable(why));
    }
    if (!plugin->lib.has(CREDSH_PLUGIN_SYMBOL_NAME))
        return fail(std::string("not a credsh plugin (no ") + CREDSH_PLUGIN_SYMBOL_NAME + " symbol)");
    plugin->desc = &plugin->lib.get<const credsh_plugin_descriptor>(CREDSH_PLUGIN_SYMBOL_NAME);
    if (auto ok = validate_descriptor(plugin->desc, name); !ok) return ok.error();
    return plugin;
}

bool is_builtin(const std::string& name) {
    return std::binary_search(kBuiltinPlugins.begin(), kBuiltinPlugins.end(), name);
}

std::string file_name(const std::string& name) {
    return std::string(kPrefix) + name + std::string(kSuffix);
}

} // namespace

Result<std::shared_ptr<LoadedPlugin>> PluginHost::load(const std::string& name) {
    if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
    if (!valid_plugin_name(name)) return fail("plugin " + printable(name) + ": not a valid plugin name");
    for (const auto& dir : usable_dirs()) {
        std::string path = dir.path + "/" + file_name(name);
        auto checked = check_file(dir.real, file_name(name), dir.origin != PluginOrigin::user_dir);
        if (!checked) {
            if (checked.error().kind == ErrorKind::not_found) continue;
            // Refused: say so, and let a later directory's copy serve (it passed the same checks).
            warn_once("plugin " + name + ": " + printable(path) + " is " + checked.error().message +
                      "; refused");
            continue;
        }
        auto plugin = open_plugin(name, path, *checked);
        if (!plugin) return plugin.error().context("plugin " + name + " (" + printable(path) + ")");
        // Never silently instead of credsh's own (CREDSH_PLUGIN_PATH is the user's explicit choice).
        if (dir.origin == PluginOrigin::user_dir && is_builtin(name))
            warn_once("plugin " + name + ": using " + printable(path) + " (user dir), not the built-in one");
        loaded_[name] = *plugin;
        return plugin;
    }
    std::string all;
    for (const auto& d : search_dirs())
        all += (all.empty() ? "" : ", ") + printable(d);
    return not_found("plugin " + name + " is not installed (looked in " + all + ")");
}

std::vector<PluginInfo> PluginHost::list() {
    std::map<std::string, PluginInfo> by_name;
    std::map<std::string, std::pair<std::string, std::string>> first_refused; // name -> path, reason
    for (const auto& dir : usable_dirs()) {
        DIR* d = ::opendir(dir.path.c_str());
        if (!d) continue;
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d)) {
            std::string f = e->d_name;
            if (f.size() <= kPrefix.size() + kSuffix.size() || !f.starts_with(kPrefix) ||
                !f.ends_with(kSuffix))
                continue;
            names.push_back(f.substr(kPrefix.size(), f.size() - kPrefix.size() - kSuffix.size()));
        }
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            std::string path = dir.path + "/" + file_name(name);
            auto existing = by_name.find(name);
            bool have_usable = existing != by_name.end() && !existing->second.path.empty();
            auto checked = check_file(dir.real, file_name(name), dir.origin != PluginOrigin::user_dir);
            // Only regular files (or links to them in the same directory) count, as in load(): a directory
            // named credsh-x.so is not a plugin and does not hide a later one.
            if (!checked && checked.error().kind == ErrorKind::not_found) continue;
            PluginInfo& info = by_name[name];
            info.name = name;
            if (!checked) {
                info.refused.push_back(printable(path) + " (" + checked.error().message + ")");
                first_refused.emplace(name, std::pair{path, checked.error().message});
                continue;
            }
            if (have_usable) { // shadowed by an earlier directory
                info.shadows.push_back(printable(path) + " (" + origin_name(dir.origin) + ")");
                continue;
            }
            info.path = path;
            info.origin = dir.origin;
            info.shadows_builtin =
                (dir.origin == PluginOrigin::env_path || dir.origin == PluginOrigin::user_dir) &&
                is_builtin(name);
            std::shared_ptr<LoadedPlugin> plugin;
            if (auto it = loaded_.find(name); it != loaded_.end()) {
                plugin = it->second;
            } else if (auto p = open_plugin(name, path, *checked); p) {
                plugin = loaded_[name] = *p;
            } else {
                info.problem = p.error().message;
            }
            if (plugin) {
                info.path = plugin->path;
                info.version = plugin->desc->version;
                info.summary = plugin->desc->summary ? plugin->desc->summary : "";
            }
        }
    }
    std::vector<PluginInfo> out;
    for (auto& [name, info] : by_name) {
        if (info.path.empty()) { // every copy refused
            info.path = first_refused[name].first;
            info.problem = "refused: " + first_refused[name].second;
            info.refused.erase(info.refused.begin());
        }
        out.push_back(std::move(info));
    }
    return out;
}

Result<PluginReply> PluginHost::call(const std::string& name, const PluginCall& call) {
    auto plugin = load(name);
    if (!plugin) return plugin.error();
    const credsh_plugin_descriptor* d = (*plugin)->desc;
    Instance inst{*plugin, nullptr};
    PluginReply reply;
    std::map<std::string, std::string> env_map = env_.vars();
    KvList settings(call.settings), env(env_map), source(call.source), args(call.args);
    credsh_request req{};
    req.struct_size = sizeof req;
    req.operation = call.operation.c_str();
    req.profile = call.profile.c_str();
    req.settings = settings.view();
    req.env = env.view();
    req.source = source.view();
    req.args = args.view();
    req.home = call.home.c_str();
    req.now = call.now;
    req.timeout_ms = call.timeout_ms;
    req.interactive = call.interactive ? 1 : 0;
    HostContext hctx{&reply, stderr_fd_, call.interactive};
    credsh_host host{sizeof(credsh_host), &hctx, host_put, host_say, host_read_secret};
    // The ABI forbids exceptions across the boundary; a plugin that throws anyway is reported, not fatal.
    try {
        inst.instance = d->create();
        if (!inst.instance) return fail("plugin " + name + ": could not create an instance");
        reply.status = d->call(inst.instance, &req, &host);
    } catch (const std::exception& e) {
        return fail("plugin " + name + ": threw an exception (" + printable(e.what()) + ")");
    } catch (...) {
        return fail("plugin " + name + ": threw an exception");
    }
    if (reply.status < CREDSH_OK || reply.status > CREDSH_UNSUPPORTED)
        return fail("plugin " + name + ": returned unknown status " + std::to_string(reply.status));
    return reply;
}

} // namespace credsh
