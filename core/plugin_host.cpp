#include "plugin_host.hpp"

#include "text.hpp"
#include "tty.hpp"

// std::filesystem instead of Boost.Filesystem: Boost.DLL is then header-only and links nothing but libdl.
#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <dlfcn.h>
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
    if (::write(h->stderr_fd, s.data(), s.size()) < 0) { /* nothing else to tell */ }
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
        for (const auto& [k, v] : m) items.push_back({k.c_str(), v.c_str()});
    }
    credsh_kv_list view() const { return {items.data(), items.size()}; }
};

bool is_regular(const std::string& path) {
    struct stat st{};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

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
        return fail("file is named for plugin " + expected_name + " but the plugin calls itself " + printable(d->name));
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

std::vector<std::string> PluginHost::search_dirs() const {
    std::vector<std::string> dirs;
    if (auto p = env_.get_nonempty("CREDSH_PLUGIN_PATH"))
        for (auto part : split(*p, ':'))
            if (!part.empty()) dirs.emplace_back(part);
    if (!exe_dir_.empty()) {
        dirs.push_back(exe_dir_ + "/../plugins");
        dirs.push_back(exe_dir_ + "/../lib/credsh/plugins");
    }
    dirs.emplace_back(CREDSH_PLUGIN_DIR);
    return dirs;
}

namespace {

// Opens one file and validates its descriptor. Errors say what is wrong with the file, not which file it is.
Result<std::shared_ptr<LoadedPlugin>> open_plugin(const std::string& name, const std::string& path) {
    if (!valid_plugin_name(name)) return fail("not a valid plugin name (a-z, 0-9, - and _ only)");
    auto plugin = std::make_shared<LoadedPlugin>();
    plugin->path = path;
    std::error_code ec;
    // rtld_local: two plugins never see each other's symbols; rtld_now: a missing symbol fails here, not
    // halfway through a refresh.
    plugin->lib.load(path, ec, boost::dll::load_mode::rtld_local | boost::dll::load_mode::rtld_now);
    if (ec) {
        // Boost.DLL reports every dlopen failure as "Bad file descriptor"; dlerror() still holds the reason
        // (not an ELF file, an undefined symbol, a missing dependency), prefixed with the path we already name.
        const char* err = ::dlerror();
        std::string why = err ? err : ec.message();
        if (why.starts_with(path + ": ")) why.erase(0, path.size() + 2);
        return fail("cannot be loaded: " + printable(why));
    }
    if (!plugin->lib.has(CREDSH_PLUGIN_SYMBOL_NAME))
        return fail(std::string("not a credsh plugin (no ") + CREDSH_PLUGIN_SYMBOL_NAME + " symbol)");
    plugin->desc = &plugin->lib.get<const credsh_plugin_descriptor>(CREDSH_PLUGIN_SYMBOL_NAME);
    if (auto ok = validate_descriptor(plugin->desc, name); !ok) return ok.error();
    return plugin;
}

} // namespace

Result<std::shared_ptr<LoadedPlugin>> PluginHost::load(const std::string& name) {
    if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
    if (!valid_plugin_name(name)) return fail("plugin " + printable(name) + ": not a valid plugin name");
    std::string path;
    for (const auto& dir : search_dirs()) {
        std::string candidate = dir + "/" + std::string(kPrefix) + name + std::string(kSuffix);
        if (is_regular(candidate)) {
            path = candidate;
            break;
        }
    }
    if (path.empty()) {
        std::string all;
        for (const auto& d : search_dirs()) all += (all.empty() ? "" : ", ") + printable(d);
        return not_found("plugin " + name + " is not installed (looked in " + all + ")");
    }
    auto plugin = open_plugin(name, path);
    if (!plugin) return plugin.error().context("plugin " + name + " (" + printable(path) + ")");
    loaded_[name] = *plugin;
    return plugin;
}

std::vector<PluginInfo> PluginHost::list() {
    std::vector<PluginInfo> out;
    std::set<std::string> seen;
    for (const auto& dir : search_dirs()) {
        DIR* d = ::opendir(dir.c_str());
        if (!d) continue;
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d)) {
            std::string f = e->d_name;
            if (f.size() <= kPrefix.size() + kSuffix.size() || !f.starts_with(kPrefix) || !f.ends_with(kSuffix))
                continue;
            // Only regular files (or links to them) count, as in load(): a directory named credsh-x.so is not
            // a plugin and does not hide a later one.
            if (!is_regular(dir + "/" + f)) continue;
            names.push_back(f.substr(kPrefix.size(), f.size() - kPrefix.size() - kSuffix.size()));
        }
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            if (!seen.insert(name).second) continue; // shadowed by an earlier directory
            PluginInfo info;
            info.name = name;
            info.path = dir + "/" + std::string(kPrefix) + name + std::string(kSuffix);
            std::shared_ptr<LoadedPlugin> plugin;
            if (auto it = loaded_.find(name); it != loaded_.end()) {
                plugin = it->second;
            } else if (auto p = open_plugin(name, info.path); p) {
                plugin = loaded_[name] = *p;
            } else {
                info.problem = p.error().message;
            }
            if (plugin) {
                info.path = plugin->path;
                info.version = plugin->desc->version;
                info.summary = plugin->desc->summary ? plugin->desc->summary : "";
            }
            out.push_back(std::move(info));
        }
    }
    std::sort(out.begin(), out.end(), [](const PluginInfo& a, const PluginInfo& b) { return a.name < b.name; });
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
