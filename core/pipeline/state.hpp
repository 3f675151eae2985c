// What a shell remembers between two `credsh export` calls. The hook keeps it in one shell variable that is
// never exported (__credsh_state) and hands it to the binary on stdin, never in argv or the environment.
//
// It holds the "ambient" values -- every managed variable as it was before credsh changed it (unset and
// empty are distinct) -- so leaving all scopes restores exactly that; and a short hash of each value credsh
// left behind, so that a variable the user changed by hand since is noticed and adopted as the new ambient
// value instead of being clobbered. No secret is held in the shell's text at all (docs/security.md 42): the
// ambient value of a secret variable (a secret key or token the user had before credsh removed it for a
// scope) is kept in a 0600 stash file of that shell (stash_text(), written by `credsh export`), and the text
// holds only its sha256, against which the stash is checked when it is read back.
//
// The one secret the text does hold: credentials a credential_process gave for a profile the shell has left
// (`kept`), so that re-entering it while they are valid runs the helper again only when they are near expiry
// (docs/security.md 42, 47). They move here from the environment when the scope ends and back when it
// returns: the shell holds them in one place at a time, in memory, never in a file.
#pragma once

#include "base/result.hpp"
#include "pipeline/credentials.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

// Credentials of a credential_process profile kept for re-entry (State::kept).
struct KeptCredentials {
    std::string source;        // process_source_key() of the profile's credential_process when they came
    std::int64_t obtained = 0; // when the process gave them
    Credentials creds;         // key, secret, token, expiration, account
};

struct State {
    // Managed variable -> its ambient value (nullopt: unset).
    std::map<std::string, std::optional<std::string>> ambient;
    // Managed variable -> value_hash() of what credsh left it at.
    std::map<std::string, std::string> applied;
    // Secret variables (is_secret_var) whose ambient value lives in the shell's stash file, not in the text
    // the shell keeps: name -> sha256_hex of the value. apply_stash() moves them back into `ambient`.
    std::map<std::string, std::string> stashed;
    std::string stash;                   // the stash file's id (the shell's pid), "" if none
    std::string profile;                 // the profile whose credentials are applied, "" if none
    std::string provider;                // how they were obtained ("static", "credential_process", ...)
    std::optional<std::int64_t> expires; // of the applied credentials
    // When the applied credentials were obtained: `credsh logout` refuses state credentials from before it
    // (cred_cache.hpp: the logout record). Unknown (an older state): as old as can be.
    std::optional<std::int64_t> obtained;
    // Profile -> credentials its credential_process gave, kept while the shell is outside that profile.
    std::map<std::string, KeptCredentials> kept;
    // The last export's failure (ExportPlan::error): what `credsh status` reports without running anything.
    std::string error;                    // "", "failed" or "login"
    std::string error_profile;            // the profile whose credentials failed
    std::string error_message;            // the one line the export printed (no secret: it went to stderr)
    std::optional<std::int64_t> retry_at; // when the hook tries again ("failed" only)
    // Variables whose value was set by hand while a scope applied and still stands (exporter.hpp:
    // hand_vars()), and the scope the export applied ("" none): a change of scope ends them.
    std::set<std::string> hand;
    std::string hand_scope;
    // value_hash() of the lines the last export printed ("" none): the same lines again, with nothing asked
    // for, are not printed twice (an edit in the export's own timestamp tick makes the hook look again).
    std::string said;
};

// The managed variables whose value is a secret: their ambient values go to the stash file.
bool is_secret_var(std::string_view name);

// What identifies a credential_process command for `kept`: credentials are reused only for the same command.
std::string process_source_key(std::string_view command);

// 16 hex digits of sha256; "-" stands for unset.
std::string value_hash(const std::optional<std::string>& value);

std::string serialize_state(const State& state);
// An empty or unrecognised text is an error; callers then start from the current environment.
Result<State> parse_state(std::string_view text);

// The stash file's contents for `state`: one line per secret ambient value (percent-encoded), "" when there
// is none (the file is then removed).
std::string stash_text(const State& state);
// Moves each `stashed` value found in `text` with the right sha256 into `ambient`. Returns the names that
// could not be restored (file gone or changed); they become unset, since the value is not known.
std::vector<std::string> apply_stash(State& state, std::string_view text);

} // namespace credsh
