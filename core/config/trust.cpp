// Trust decisions for .credprofile files, the way direnv makes them for .envrc (docs/security.md 11-13, 16).
//
// The threat is a directory the user did not write: a cloned repository, a shared /tmp, another user's tree.
// Such a directory must not choose the user's credentials, so a file counts only if it is the user's (or
// root's), nobody else can rewrite it or swap it (file and directory modes), and the user allowed exactly
// these bytes at exactly the path where the walk found them (a symlink's target lends it nothing). The store
// is a pair of directories of empty-looking files whose names are hashes, so checking trust at a prompt costs
// two stat() calls and no directory scan; each allow file holds the path it is for, so `deny` can find and
// drop the allows of a path (as direnv does).
//
// The walk is lexical, from the cwd string upwards, like the shell hook's own [[ -e ]] walk over $PWD: it
// ends after as many steps as the path has components, whatever the file system does (deleted cwd,
// symlink loops, unreadable ancestors, paths longer than PATH_MAX all become "nothing here" for that step).
#include "config/trust.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <dirent.h>
#include <memory>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace credsh {

namespace {

std::string deny_path(const TrustStore& s, const std::string& realpath) {
    return s.root + "/deny/" + sha256_hex(realpath);
}

std::string allow_path(const TrustStore& s, const std::string& key) {
    return s.root + "/allow/" + key;
}

std::string parent_of(const std::string& path) {
    auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return {};
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Collapse "//" and drop a trailing "/", so the walk's parent steps are plain string cuts.
std::string normalize(const std::string& cwd) {
    std::string out;
    out.reserve(cwd.size());
    for (char c : cwd) {
        if (c == '/' && !out.empty() && out.back() == '/') continue;
        out.push_back(c);
    }
    while (out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

// For the hint line: the path as printable() shows it, single-quoted when a shell would split or expand it.
std::string shell_hint(const std::string& path) {
    std::string p = printable(path);
    bool plain = !p.empty();
    for (char c : p) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  std::string_view("/._-+@%=:,").find(c) != std::string_view::npos ||
                  static_cast<unsigned char>(c) >= 0x80;
        if (!ok) plain = false;
    }
    if (plain) return p;
    std::string q = "'";
    for (char c : p) {
        if (c == '\'')
            q += "'\\''";
        else
            q.push_back(c);
    }
    return q + "'";
}

bool owner_ok(uid_t uid, uid_t me) {
    return uid == me || uid == 0;
}

// nullopt: fine. Otherwise why a file (or its directory) may have been written by someone else.
std::optional<std::string> unsafe_file(const struct stat& st, uid_t me) {
    if (!S_ISREG(st.st_mode)) return std::string("not a regular file");
    if (!owner_ok(st.st_uid, me)) return "owned by uid " + std::to_string(st.st_uid);
    if (st.st_mode & (S_IWGRP | S_IWOTH)) return std::string("writable by group or others");
    return std::nullopt;
}

std::optional<std::string> unsafe_dir(const std::string& dir) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) return std::string("its directory cannot be checked");
    // Sticky or not: in a directory others can write, another user could have put the file there.
    if (st.st_mode & (S_IWGRP | S_IWOTH)) return std::string("in a directory writable by group or others");
    return std::nullopt;
}

std::optional<std::string> real_path(const std::string& path) {
    std::unique_ptr<char, decltype(&std::free)> r(::realpath(path.c_str(), nullptr), &std::free);
    if (!r) return std::nullopt;
    return std::string(r.get());
}

} // namespace

std::optional<std::string> trust_key_path(const std::string& path) {
    std::string dir = parent_of(path);
    std::string name = path.substr(path.find_last_of('/') + 1);
    if (dir.empty()) dir = ".";
    if (name.empty() || name == "." || name == "..") return std::nullopt;
    auto rdir = real_path(dir);
    if (!rdir) return std::nullopt;
    return *rdir == "/" ? "/" + name : *rdir + "/" + name;
}

TrustStore TrustStore::from_env(const Env& env) {
    // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
    if (auto x = env.get_nonempty("XDG_DATA_HOME"); x && (*x)[0] == '/') return TrustStore{*x + "/credsh"};
    return TrustStore{env.home() + "/.local/share/credsh"};
}

std::string TrustStore::allow_key(const std::string& realpath, const std::string& bytes) const {
    return sha256_hex(realpath + "\n" + bytes);
}

TrustStatus TrustStore::status(const std::string& realpath, const std::string& bytes,
                               std::vector<std::string>* notes) const {
    auto note = [&](std::string line) {
        if (notes) notes->push_back("credsh: trust store: " + std::move(line));
    };
    // The prompt path: two lstats when nothing is allowed, two more for the store's directories when it is.
    struct stat st {};
    // Any entry under the deny name denies, whoever made it: a planted deny can only take trust away.
    if (::lstat(deny_path(*this, realpath).c_str(), &st) == 0) return TrustStatus::denied;
    // Only an allow file we wrote counts: a regular file (a symlink in the store is never followed), ours,
    // that nobody else can write, in store directories that are ours and nobody else can write.
    const std::string allow = allow_path(*this, allow_key(realpath, bytes));
    if (::lstat(allow.c_str(), &st) != 0) return TrustStatus::blocked;
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        note("ignored " + printable(allow) +
             (S_ISLNK(st.st_mode) ? " (a symlink)" : " (not a file only we can write)"));
        return TrustStatus::blocked;
    }
    for (const std::string& dir : {root, root + "/allow"}) {
        std::string tightened;
        auto r = check_state_dir(dir, &tightened);
        if (!tightened.empty()) note(tightened);
        if (!r) {
            note(r.error().message);
            return TrustStatus::blocked;
        }
    }
    return TrustStatus::allowed;
}

Result<void> TrustStore::allow(const std::string& realpath, const std::string& bytes) const {
    if (auto r = ensure_private_dir(root); !r) return r.error().context("trust store");
    if (auto r = ensure_private_dir(root + "/allow"); !r) return r.error().context("trust store");
    if (auto r = atomic_write_file(allow_path(*this, allow_key(realpath, bytes)), realpath + "\n"); !r)
        return r.error().context("trust store");
    // Written before the deny goes, so there is no moment where neither decision is on disk.
    std::string deny = deny_path(*this, realpath);
    if (::unlink(deny.c_str()) != 0 && errno != ENOENT)
        return fail("trust store: " + printable(deny) + ": " + std::generic_category().message(errno));
    return {};
}

Result<void> TrustStore::deny(const std::string& realpath) const {
    if (auto r = ensure_private_dir(root); !r) return r.error().context("trust store");
    if (auto r = ensure_private_dir(root + "/deny"); !r) return r.error().context("trust store");
    // The deny first: it wins over any allow, so from here on the path is denied even if dropping the
    // allows below fails half-way.
    if (auto r = atomic_write_file(deny_path(*this, realpath), realpath + "\n"); !r)
        return r.error().context("trust store");

    const std::string dir = root + "/allow";
    struct CloseDir {
        void operator()(DIR* p) const { ::closedir(p); }
    };
    std::unique_ptr<DIR, CloseDir> d(::opendir(dir.c_str()));
    if (!d) {
        if (errno == ENOENT) return {};
        return fail("trust store: " + printable(dir) + ": " + std::generic_category().message(errno));
    }
    const std::string want = realpath + "\n";
    while (dirent* e = ::readdir(d.get())) {
        std::string name = e->d_name;
        if (name.size() != 64 || name.find_first_not_of("0123456789abcdef") != std::string::npos) continue;
        std::string file = dir + "/" + name;
        auto content = safe_read_file(file, want.size() + 1);
        if (content && *content == want && ::unlink(file.c_str()) != 0 && errno != ENOENT)
            return fail("trust store: " + printable(file) + ": " + std::generic_category().message(errno));
    }
    return {};
}

namespace {

// One step of the walk: a .credprofile the checks accept, a reason to skip it, or nothing there.
struct Candidate {
    bool present = false;
    std::string skip;   // why it was ignored ("" when accepted); no secret, no content in it
    std::string key;    // trust_key_path(): where the walk found it, its directory resolved
    std::string target; // the symlink's real target, when it is one
    Result<std::string> bytes = std::string(); // its content, or why it could not be read
};

// The ownership, mode and swap checks for one path (docs/security.md 11, 30, 32). No trust decision here.
Candidate check_candidate(const std::string& dir, const std::string& candidate, uid_t me) {
    Candidate c;
    auto skip = [&](std::string why) {
        c.present = true;
        c.skip = std::move(why);
        return c;
    };
    struct stat lst {};
    // Absent, unreachable (EACCES, ENAMETOOLONG, ELOOP in a component) or vanished: nothing here.
    if (::lstat(candidate.c_str(), &lst) != 0) return c;
    // Someone else's symlink could point at one of the user's allowed files from a directory of theirs.
    if (S_ISLNK(lst.st_mode) && !owner_ok(lst.st_uid, me))
        return skip("a symlink owned by uid " + std::to_string(lst.st_uid));
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0) return c; // a dangling symlink
    if (auto why = unsafe_file(st, me)) return skip(*why);
    if (auto why = unsafe_dir(dir)) return skip(*why);
    // Trust is keyed on where the file was found (docs/security.md 11, 30): the directory resolved, the
    // file itself never followed, so a symlink a repository commits to an allowed file elsewhere borrows
    // nothing.
    auto key = trust_key_path(candidate);
    auto real = real_path(candidate);
    if (!key || !real) return skip("its real path cannot be resolved");
    if (std::string rdir = parent_of(*real); rdir != dir && !rdir.empty()) {
        if (auto why = unsafe_dir(rdir)) return skip("target " + *why);
    }

    struct stat fst {};
    c.bytes = safe_read_file(candidate, kCredprofileCap, fst);
    if (!c.bytes && c.bytes.error().kind == ErrorKind::not_found) return c; // removed since the lstat
    // What we read must pass the same checks as what we stat'ed (the path could have been swapped).
    if (c.bytes) {
        if (auto why = unsafe_file(fst, me)) return skip(*why);
        // Replaced in between: the real path we resolved may not be the file we read.
        if (fst.st_dev != st.st_dev || fst.st_ino != st.st_ino) return skip("it changed while being read");
    }
    c.present = true;
    c.key = std::move(*key);
    if (S_ISLNK(lst.st_mode)) c.target = std::move(*real);
    return c;
}

// The nearest acceptable file decides: its trust status and its parse, in that order.
void decide(DirLookup& r, const std::string& candidate, Candidate c, const TrustStore& store) {
    r.path = candidate;
    r.realpath = std::move(c.key);
    r.target = std::move(c.target);
    if (!c.bytes) { // too large, unreadable, or swapped for something that is not a file
        r.status = DirStatus::invalid;
        r.message = "credsh: " + c.bytes.error().message;
        return;
    }
    r.bytes = std::move(*c.bytes);

    const TrustStatus trust = store.status(r.realpath, r.bytes, &r.warnings);
    if (trust == TrustStatus::denied) {
        r.status = DirStatus::denied;
        r.message = "credsh: " + printable(candidate) + " is denied — run: credsh allow " +
                    shell_hint(candidate) + " to use it";
        return;
    }
    // Parsed before the allow check: strict parsing is safe on untrusted bytes, and telling the user
    // the file is broken beats asking them to allow a file that cannot work.
    auto parsed = parse_credprofile(candidate, r.bytes);
    if (!parsed) {
        r.status = DirStatus::invalid;
        r.message = "credsh: " + parsed.error().message;
        return;
    }
    if (trust != TrustStatus::allowed) {
        r.status = DirStatus::blocked;
        r.message =
            "credsh: " + printable(candidate) + " is blocked — run: credsh allow " + shell_hint(candidate);
        return;
    }
    r.status = DirStatus::allowed;
    r.content = std::move(*parsed);
}

} // namespace

DirLookup find_credprofile(const std::string& cwd, const TrustStore& store) {
    DirLookup r;
    const uid_t me = ::geteuid();
    for (std::string dir = normalize(cwd); !dir.empty(); dir = dir == "/" ? std::string() : parent_of(dir)) {
        std::string candidate = dir == "/" ? "/.credprofile" : dir + "/.credprofile";
        Candidate c = check_candidate(dir, candidate, me);
        if (!c.present) continue;
        if (!c.skip.empty()) {
            r.skipped.push_back(candidate);
            r.skip_reasons.push_back(std::move(c.skip));
            continue;
        }
        // From here on this is the nearest acceptable file, and it decides: no falling back to outer ones.
        decide(r, candidate, std::move(c), store);
        break;
    }

    if (!r.skipped.empty()) {
        r.message = "credsh: ignored ";
        for (std::size_t i = 0; i < r.skipped.size(); ++i) {
            if (i) r.message += "; ";
            r.message += printable(r.skipped[i]) + " (" + r.skip_reasons[i] + ")";
        }
    }
    return r;
}

std::optional<std::string> trusting_prefix(const std::string& keypath,
                                           const std::vector<std::string>& prefixes) {
    for (const auto& prefix : prefixes)
        if (keypath.rfind(prefix + "/", 0) == 0) return prefix;
    return std::nullopt;
}

void apply_trust_prefixes(DirLookup& dir, const std::vector<std::string>& prefixes) {
    if (dir.status != DirStatus::blocked || !trusting_prefix(dir.realpath, prefixes)) return;
    if (auto cp = parse_credprofile(dir.realpath, dir.bytes)) {
        dir.status = DirStatus::allowed;
        dir.content = *cp;
        dir.message.clear();
    } else {
        dir.status = DirStatus::invalid;
        dir.message = "credsh: " + cp.error().message;
    }
}

} // namespace credsh
