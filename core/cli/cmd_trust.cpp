// credsh allow / deny / pin: the trust commands for .credprofile files (docs/security.md 11-13). `allow`
// shows exactly the bytes it is about to trust, so what the user approves is what gets hashed.
#include "base/safe_file.hpp"
#include "base/suggest.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "config/ask_config.hpp"
#include "config/credprofile.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "config/trust.hpp"
#include "pipeline/provider.hpp"
#include <credsh/policy.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace credsh {

namespace {

struct Target {
    std::string keypath; // where the file is, its directory resolved: what trust is keyed on
    std::string target;  // when that is a symlink: the real path it points to, shown beside it
    std::string bytes;
};

// PATH (a .credprofile or a directory holding one), or the nearest one from cwd. The key is the path itself,
// its directory resolved, never a symlink's target (docs/security.md 11, 30), as the walk keys it.
Result<Target> locate(const Context& ctx, const std::string& arg, const TrustStore& store) {
    std::string path;
    if (arg.empty()) {
        DirLookup d = find_credprofile(ctx.cwd, store);
        if (d.status == DirStatus::none) {
            std::string why = "no .credprofile in " + printable(ctx.cwd) + " or above";
            if (!d.skipped.empty())
                why += " (skipped, not safely owned: " + printable(d.skipped.front()) + ")";
            return fail(why);
        }
        path = d.path;
    } else {
        path = arg[0] == '/' ? arg : ctx.cwd + "/" + arg;
        while (path.size() > 1 && path.back() == '/')
            path.pop_back();
        struct stat sb;
        if (::stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) path += "/.credprofile";
    }
    auto key = trust_key_path(path);
    if (!key) return fail(printable(path) + ": " + std::strerror(errno));
    Target t{*key, {}, {}};
    struct stat lst {};
    if (::lstat(t.keypath.c_str(), &lst) == 0 && S_ISLNK(lst.st_mode)) {
        char buf[PATH_MAX];
        if (!::realpath(t.keypath.c_str(), buf))
            return fail(printable(t.keypath) + ": " + std::strerror(errno));
        t.target = buf;
    }
    auto bytes = safe_read_file(t.keypath, kCredprofileCap);
    if (!bytes) return bytes.error();
    t.bytes = std::move(*bytes);
    return t;
}

std::string shown(const Target& t) {
    return printable(t.keypath) + (t.target.empty() ? "" : " (a symlink to " + printable(t.target) + ")");
}

void show_bytes(const Context& ctx, const Target& t) {
    ctx.err("credsh: trusting " + shown(t) + " with exactly this content:\n");
    auto lines = split(t.bytes, '\n');
    if (!lines.empty() && lines.back().empty()) lines.pop_back(); // the final newline is not a line
    for (auto line : lines)
        ctx.err("  | " + printable(line) + "\n");
}

// Whether a profile of that name exists; if not, `near` gets the names it may have been meant as.
bool profile_known(const Context& ctx, const std::string& name, std::vector<std::string>& near) {
    auto profiles = load_profile_files(ctx.env);
    auto ask = load_ask_config(ctx.env);
    auto config = load_credsh_config(ctx.env);
    if ((profiles && profiles->profiles.count(name)) || (ask && ask->profiles.count(name)) ||
        (config && config->profiles.count(name)))
        return true;
    near = did_you_mean(name, known_profile_names(profiles ? &*profiles : nullptr, ask ? &*ask : nullptr,
                                                  config ? &*config : nullptr));
    return false;
}

int trust_command(Context& ctx, const Args& args, bool allow) {
    po::options_description desc("options");
    std::string path;
    desc.add_options()("path", po::value(&path), "a .credprofile file or its directory (default: nearest)");
    po::positional_options_description pos;
    pos.add("path", 1);
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, allow ? "allow [PATH]" : "deny [PATH]",
                   allow ? "Trusts the .credprofile at PATH (default: the nearest one from here up) exactly "
                           "as it is now.\nAny later edit, or a copy elsewhere, blocks it again."
                         : "Never uses the .credprofile at PATH (default: the nearest), whatever it "
                           "contains, until `credsh allow`.",
                   rc);
    if (!vm) return rc;
    TrustStore store = TrustStore::from_env(ctx.env);
    auto t = locate(ctx, path, store);
    if (!t) {
        ctx.warn((allow ? "allow: " : "deny: ") + t.error().message);
        return 1;
    }
    if (!allow) {
        if (auto r = store.deny(t->keypath); !r) {
            ctx.warn("deny: " + r.error().message);
            return 1;
        }
        ctx.warn("denied " + shown(*t));
        return 0;
    }
    auto cp = parse_credprofile(t->keypath, t->bytes);
    if (!cp) {
        ctx.warn("allow: " + cp.error().message + " -- fix the file first; nothing was trusted");
        return 1;
    }
    show_bytes(ctx, *t);
    if (auto r = store.allow(t->keypath, t->bytes); !r) {
        ctx.warn("allow: " + r.error().message);
        return 1;
    }
    // The policy `credsh export` applies (trust.hpp), on the same key path: say when a prefix trusts it
    // already.
    if (auto config = load_credsh_config(ctx.env))
        if (auto prefix = trusting_prefix(t->keypath, config->trust_prefixes))
            ctx.warn("note: " + shown(*t) + " is under [trust] prefix " + printable(*prefix) +
                     ", which trusts it already; this allow keeps it trusted without the prefix");
    if (std::vector<std::string> near; !cp->profile.empty() && !profile_known(ctx, cp->profile, near))
        ctx.warn("note: profile " + printable(cp->profile) + " is not defined anywhere yet" +
                 did_you_mean_text(near) + " (see: credsh profiles)");
    return 0;
}

} // namespace

int cmd_allow(Context& ctx, const Args& args) {
    return trust_command(ctx, args, true);
}
int cmd_deny(Context& ctx, const Args& args) {
    return trust_command(ctx, args, false);
}

int cmd_pin(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name, region, ask_profile, dir;
    desc.add_options()("profile", po::value(&name)->required(), "the profile this directory tree uses")(
        "region", po::value(&region), "also set AWS_REGION and AWS_DEFAULT_REGION")(
        "ask-profile", po::value(&ask_profile), "an ASK CLI profile other than NAME")(
        "dir", po::value(&dir), "where to write .credprofile (default: the current directory)");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "pin NAME [--region REGION] [--ask-profile NAME] [--dir DIR]",
        "Writes DIR/.credprofile naming NAME and trusts it, so this directory tree follows NAME.", rc);
    if (!vm) return rc;
    CredProfile cp;
    cp.profile = name;
    if (!valid_profile_name(name)) {
        ctx.warn("pin: not a valid profile name: " + printable(name));
        return 1;
    }
    if (!region.empty()) {
        if (!valid_region(region)) {
            ctx.warn("pin: not a valid region: " + printable(region));
            return 1;
        }
        cp.region = region;
    }
    if (!ask_profile.empty()) {
        if (!valid_profile_name(ask_profile)) {
            ctx.warn("pin: not a valid ASK profile name: " + printable(ask_profile));
            return 1;
        }
        cp.ask_profile = ask_profile;
    }
    if (std::vector<std::string> near; !profile_known(ctx, name, near)) {
        ctx.warn("pin: profile " + printable(name) + " not found" + did_you_mean_text(near) +
                 " (see: credsh profiles)");
        return 1;
    }
    std::string target_dir = dir.empty() ? ctx.cwd : (dir[0] == '/' ? dir : ctx.cwd + "/" + dir);
    // The directory is resolved once, before writing: the file's key is that directory + "/.credprofile", and
    // nothing after the write looks a path up again (docs/security.md 11, 31).
    char buf[PATH_MAX];
    if (!::realpath(target_dir.c_str(), buf)) {
        ctx.warn("pin: " + printable(target_dir) + ": " + std::strerror(errno));
        return 1;
    }
    const std::string real_dir = buf;
    const std::string path = (real_dir == "/" ? "" : real_dir) + "/.credprofile";
    std::string bytes = render_credprofile(cp);
    // Project data, not a secret: 0644 so it can be committed and shared. The mode is set on the temp file's
    // descriptor before the rename, never by name afterwards: in a directory someone else can write, they
    // could swap in a symlink to any file of ours between a rename and a chmod (docs/security.md 31).
    WriteOptions opts;
    opts.mode = 0644;
    if (auto r = atomic_write_file(path, bytes, opts); !r) {
        ctx.warn("pin: " + r.error().message);
        return 1;
    }
    TrustStore store = TrustStore::from_env(ctx.env);
    if (auto r = store.allow(path, bytes); !r) {
        ctx.warn("pin: " + r.error().message);
        return 1;
    }
    if (struct stat st{}; ::stat(real_dir.c_str(), &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
        ctx.warn("note: others can write " + printable(real_dir) +
                 ", so credsh ignores a .credprofile there");
    ctx.warn("pinned " + printable(path) + " to " + name);
    return 0;
}

} // namespace credsh
