// Trust for .credprofile files, modelled on direnv's allow/deny (docs/security.md 11-13).
//
// A file is used only if the user allowed exactly these bytes at exactly this path: the allow key is
// sha256(path + "\n" + bytes), where path is where the walk found the file, with its directory resolved by
// realpath but the file itself never followed (docs/security.md 11, 30). So any edit, a copy elsewhere, or a
// symlink elsewhere pointing at an allowed file (a repository can commit one) blocks it again. A deny is
// keyed by sha256(path) and wins over any allow. The store lives in $XDG_DATA_HOME/credsh (default
// ~/.local/share/credsh), directories 0700 and files 0600; a decision is believed only when its file and the
// store's directories are ours and nobody else can write them, and no symlink in the store is followed.
//
// The walk from $PWD upwards ignores files that are not owned by the user (or root), that are group- or
// world-writable, or that sit in a directory others can write (sticky /tmp included) -- those are skipped and
// the walk goes on, as if they did not exist.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/credprofile.hpp"

#include <optional>
#include <string>
#include <vector>

namespace credsh {

enum class TrustStatus { allowed, blocked, denied };

struct TrustStore {
    std::string root; // e.g. ~/.local/share/credsh
    static TrustStore from_env(const Env& env);

    std::string allow_key(const std::string& realpath, const std::string& bytes) const;
    // `notes` (when given) receives one line per store directory that was loose and tightened or that is not
    // safe to believe (then nothing in it counts: blocked).
    TrustStatus status(const std::string& realpath, const std::string& bytes,
                       std::vector<std::string>* notes = nullptr) const;
    Result<void> allow(const std::string& realpath, const std::string& bytes) const; // also clears a deny
    Result<void> deny(const std::string& realpath) const;                            // also drops allows
};

enum class DirStatus {
    none,    // no usable .credprofile from cwd to /
    allowed, // found, trusted, parsed
    blocked, // found, never allowed or edited since
    denied,  // found, explicitly denied
    invalid, // found and trusted or not, but it does not parse (message says file:line)
};

struct DirLookup {
    DirStatus status = DirStatus::none;
    std::string path; // the .credprofile as found (cwd-relative walk), empty for none
    std::string
        realpath;       // the trust key path: the directory resolved, the file name as found (never followed)
    std::string target; // when the file is a symlink: the real path it points to (for `credsh allow`)
    std::string bytes;  // what was hashed
    CredProfile content; // valid when status == allowed
    std::string message; // one line for stderr: why it is blocked/invalid, or which files were skipped
    std::vector<std::string> skipped;      // files ignored for ownership/mode reasons, for status --explain
    std::vector<std::string> skip_reasons; // parallel to `skipped`: why each was ignored (no path in it)
    std::vector<std::string> warnings;     // trust-store problems, one line each, for stderr
};

// Walk from `cwd` up to "/", stopping at the nearest .credprofile that passes the ownership checks.
DirLookup find_credprofile(const std::string& cwd, const TrustStore& store);

// The [trust] prefix policy (docs/design.md §3): the configured prefix whose tree holds `keypath` -- the
// trust key path, where the walk found the file, never a symlink's target (docs/security.md 30) -- or
// nullopt.
std::optional<std::string> trusting_prefix(const std::string& keypath,
                                           const std::vector<std::string>& prefixes);

// Applies the policy to a lookup: a blocked file under a prefix is used without `credsh allow` (parsed
// strictly: allowed, or invalid with the parser's message); a denied one stays denied. `credsh export` and
// `credsh allow` both decide through this.
void apply_trust_prefixes(DirLookup& dir, const std::vector<std::string>& prefixes);

// The trust key path of a file found at `path`: realpath of its directory + "/" + its own name. nullopt when
// the directory cannot be resolved.
std::optional<std::string> trust_key_path(const std::string& path);

} // namespace credsh
