// Credential caches on disk, shared with the AWS CLI where it has one (docs/design.md §5, docs/protocols.md
// §1):
//   ~/.aws/cli/cache/<key>.json   AssumeRole / web-identity results and SSO role credentials, named as the
//   CLI
//                                 names them, so either tool reuses what the other fetched;
//   $XDG_CACHE_HOME/credsh/creds  what only credsh produces (MFA sessions, plugin profiles).
// Files are 0600 in 0700 directories, replaced atomically; a refresh of one entry is single-flight across
// processes: take the entry's lock, re-read, and only then fetch (docs/security.md 20-22).
#pragma once

#include "base/env.hpp"
#include "base/pyjson.hpp"
#include "base/result.hpp"
#include "base/safe_file.hpp"
#include "pipeline/credentials.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

struct CacheDirs {
    std::string cli;     // ~/.aws/cli/cache
    std::string credsh;  // $XDG_CACHE_HOME/credsh/creds or ~/.cache/credsh/creds
    std::string locks;   // $XDG_RUNTIME_DIR/credsh/locks, else $XDG_CACHE_HOME/credsh/locks
    std::string logouts; // $XDG_CACHE_HOME/credsh/logouts: the logout record (below)
    std::string index;   // $XDG_CACHE_HOME/credsh/index: the profile files' section indexes (ProfileIndex)
};
CacheDirs cache_dirs(const Env& env);

// The CLI's AssumeRole cache key: sha1 of the sorted-keys JSON of the request arguments, ':' and '/' made
// '_'. `args` holds RoleArn and whatever of RoleSessionName (only if configured), ExternalId, SerialNumber,
// DurationSeconds (an integer) and Policy the profile sets.
std::string assume_role_cache_key(const nlohmann::json& args);
// The CLI's SSO role-credentials key: {"accountId","roleName", and "sessionName" or "startUrl"}, compact
// JSON.
std::string sso_role_cache_key(const std::string& account_id, const std::string& role_name,
                               const std::string& session_name, const std::string& start_url);

// A cached entry: {"Credentials": {AccessKeyId, SecretAccessKey, SessionToken, Expiration[, AccountId]},
// ...}. Expiration as botocore writes it ("...UTC"), or ISO 8601; the account from AccountId or
// AssumedRoleUser.Arn. ErrorKind::not_found when there is no entry; an unreadable or malformed entry is an
// error (never a crash). The file is state (safe_file.hpp read_state_file): an entry someone else could have
// planted -- not ours, writable by others, a symlink, in a directory others can write -- or one whose "Env"
// names a variable no cache may set is ErrorKind::unsafe, used as absent. `note` receives one line when a
// loose directory of ours was tightened.
Result<Credentials> read_cached_credentials(const std::string& path, std::string* note = nullptr);

// Variables beside the credentials (a cache entry's "Env", a plugin's env.NAME, a secret's keys) may never be
// credsh's own (CREDSH_*, __credsh_*: the hook runs $__credsh_bin and shows $CREDSH_PROMPT) and must be a
// name the shells' allow-list takes. The first name that is refused, if any.
std::optional<std::string> refused_extra_var(const std::map<std::string, std::string>& env);
bool credsh_owned_var(std::string_view name);
// The variables that carry credentials or choose them (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_PROFILE, ASK_REFRESH_TOKEN, ...; case-insensitively): credsh sets them only from a
// reply's aws_* keys and the scope, never as a plugin's env.NAME, whatever a profile's `variables` names.
bool credential_var(std::string_view name);
// Writes `entry` (whose "Credentials" the reader above understands) atomically, 0600, creating the directory
// 0700.
Result<void> write_cached_entry(const std::string& path, const nlohmann::json& entry);
// The entry for credentials credsh fetched: {"Credentials": {...}} plus `extra` members (ProviderType, ...).
nlohmann::json credentials_entry(const Credentials& c,
                                 const nlohmann::json& extra = nlohmann::json::object());

// The logout record: profile -> when `credsh logout` last removed or invalidated its credentials. Every
// export watches the file (the hooks test it with -nt, no process), so a logout in one shell reaches every
// shell at its next prompt; there, credentials the shell holds in its state (applied or kept) that were
// obtained at or before that time are not reused for that profile (docs/security.md 48). One line per
// profile, "<epoch> <name>". A missing, unreadable or planted file (read_state_file) is an empty record.
using LogoutRecord = std::map<std::string, std::int64_t>;
LogoutRecord read_logout_record(const std::string& path);
// Adds `profiles` at `now` to the record (each profile keeps its latest time), written atomically, 0600. The
// read and the rewrite hold the lock "logouts" in `locks_dir`, so two logouts at once both land; another's
// rewrite is waited for at most `timeout_ms`.
Result<void> add_to_logout_record(const std::string& path, const std::string& locks_dir,
                                  const std::vector<std::string>& profiles, std::int64_t now, int timeout_ms);

// The lock around a refresh of one entry is safe_file.hpp's FileLock, in CacheDirs::locks: it waits at most
// the request's timeout (a prompt must not hang on another shell's refresh); the error names the lock.

} // namespace credsh
