// The AWS shared config and credentials files (~/.aws/config, ~/.aws/credentials), parsed to the cross-SDK
// profile-file rules that the conformance suites encode (smithy-rs profile-parser-tests.json, Kotlin's copy,
// file-location-tests.json). Why not inih here: Debian's libinih (r55) is built with a 200-byte stack line
// buffer and strips inline ';' comments, while session tokens are routinely longer than 200 bytes and the
// spec keeps ';' inside values; inih is used for credsh's own small files instead (.credprofile, config).
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

struct CachedProfileFile; // config/profile_index_cache.hpp

// Property name -> value. A property with sub-properties keeps its raw text as the spec's suite does
// ("\nname = value\nother = v"); sub_properties() splits it.
using Properties = std::map<std::string, std::string>;

// A property by name: exact first, then ASCII case-insensitively (the spec lower-cases keys; users don't).
const std::string* find_prop(const Properties& props, std::string_view key);

// The property when it is set to something: an empty value counts as absent, as the SDKs read profiles.
const std::string* nonempty_prop(const Properties& props, std::string_view key);
bool has_prop(const Properties& props, std::string_view key);

// The profile names IAM Identity Center (any of sso_session, sso_start_url, sso_account_id, sso_role_name):
// the chain planner then serves it by SSO and checks the rest (botocore and smithy-rs read it so).
bool is_sso_profile(const Properties& props);

struct ProfileSet {
    std::map<std::string, Properties> profiles;     // "default", "dev", ...
    std::map<std::string, Properties> sso_sessions; // [sso-session NAME]
    std::map<std::string, Properties> services;     // [services NAME]
    // Where each profile name was seen ("config", "credentials" or both), for `credsh profiles`.
    std::map<std::string, std::vector<std::string>> origins;
    // Each file's own profile sections, unmerged: the SDKs take static keys and their session token from one
    // file only (the credentials file first), never a key from one file and a token from the other.
    std::map<std::string, Properties> config_file;
    std::map<std::string, Properties> credentials_file;
    // Set when only some sections were parsed (ProfileIndex::select): every profile name in the files, read
    // from the index on demand -- for "did you mean" and "no profiles were defined", never on a prompt.
    std::function<std::vector<std::string>()> all_names;
};

// Every profile name the files define: all_names() for a partial set, the parsed names otherwise.
std::vector<std::string> profile_names(const ProfileSet& set);

struct ProfileSource {
    std::string path; // for messages: "path:line: ..."
    std::string text;
};

// Where one section header of a file starts (byte offset of its line), what kind it is and its name (byte
// range in the file's text). `ignored` headers (invalid names, other prefixes) end the section before them.
struct ProfileSectionRef {
    enum class Kind { ignored, profile, bare_default, sso_session, services };
    Kind kind;
    std::size_t begin;
    std::size_t name_at, name_len;
};

// The two files read and checked once -- every line passes exactly the syntax checks of parse_profile_files,
// so a broken file gives the same first error (file:line) -- with each section indexed, nothing copied. A
// `credsh export` needs a handful of profiles out of what may be thousands (an organisation's `sso accounts
// --write`): select() parses only the sections of the profiles asked for and of every section those refer
// to, so the cost of a cd does not grow with profiles that are never used.
struct ProfileIndexFile {
    std::optional<ProfileSource> src; // the text, when the file was read
    std::vector<ProfileSectionRef> sections;
    // Instead of both, when an index cached for exactly this file was found: sections read when wanted.
    std::shared_ptr<const CachedProfileFile> cached;
};

class ProfileIndex {
  public:
    static Result<ProfileIndex> build(std::optional<ProfileSource> config,
                                      std::optional<ProfileSource> credentials);
    // The sections of `roots` and "default", then of every profile, sso-session or services section named by
    // a value in what was parsed (or by a value `more` returns for a profile name: credsh's own settings),
    // until nothing new is named. What is in the result is parsed exactly as parse_profile_files would.
    ProfileSet select(const std::vector<std::string>& roots,
                      const std::function<std::vector<std::string>(const std::string&)>& more = {}) const;
    // Everything: parse_profile_files of the same text.
    Result<ProfileSet> all() const;
    // Every profile name of both files, sorted, each once -- parse_profile_names' names, from the section
    // headers alone (a cached index answers without reading the files; a damaged one, from the files).
    std::vector<std::string> names() const;
    // Read from a cached index (load_profile_index with a cache directory)?
    bool cached() const;

  private:
    Result<ProfileIndex> uncached() const;
    friend Result<ProfileIndex> load_profile_index(const Env& env, const std::string& cache_dir,
                                                   std::optional<std::int64_t> now);
    using File = ProfileIndexFile;
    struct Files {
        File config, credentials;
    };
    std::shared_ptr<const Files> files_; // shared with the all_names() of the sets select() returns
};

// Parse and merge the two files with the spec's rules (credentials wins on duplicate properties; config
// sections need the "profile " prefix except [default]; credentials sections must not have it; invalid names
// are ignored; errors name "path:line" and never echo a value).
Result<ProfileSet> parse_profile_files(const std::optional<ProfileSource>& config,
                                       const std::optional<ProfileSource>& credentials);

// Only the profile names and where each was seen (ProfileSet::origins), with the same syntax checks and
// errors as parse_profile_files but no values copied: the fast path for `credsh profiles` and completion.
Result<std::map<std::string, std::vector<std::string>>>
parse_profile_names(const std::optional<ProfileSource>& config,
                    const std::optional<ProfileSource>& credentials);

// For completion when a file is broken: every name that can be read, a malformed line skipped; `problem` is
// the first error (file:line), as parse_profile_names would report it.
std::map<std::string, std::vector<std::string>>
readable_profile_names(const std::optional<ProfileSource>& config,
                       const std::optional<ProfileSource>& credentials, std::optional<Error>& problem);

// Sub-properties of a raw property value ("\ns3 = x" style), in the spec's shape.
Properties sub_properties(const std::string& raw);

struct ProfileFileLocations {
    std::string config;      // AWS_CONFIG_FILE or ~/.aws/config
    std::string credentials; // AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials
};

// The file-location rules of the spec (HOME, USERPROFILE, HOMEDRIVE+HOMEPATH on windows, "~/" expansion).
ProfileFileLocations locate_profile_files(const Env& env, bool windows = false);

// As above, with `fallback_home` standing in for the passwd lookup when no variable names a home directory
// (the suites' "languageSpecificHome"); nullopt leaves "~" unexpanded, which load_profile_files reads as
// absent.
ProfileFileLocations locate_profile_files(const Env& env, bool windows,
                                          const std::optional<std::string>& fallback_home);

// The profile the SDKs select from the environment alone: AWS_PROFILE when set and non-empty, else "default".
// (botocore also reads AWS_DEFAULT_PROFILE first, a trap scope code must clear; the cross-SDK spec does not.)
std::string sdk_profile_name(const Env& env);

// Locate, read (missing files are empty, not errors; reads go through safe_read_file) and parse both files.
Result<ProfileSet> load_profile_files(const Env& env);
// The same files, indexed (ProfileIndex), for a caller that needs only some profiles. With a `cache_dir`,
// each file's index is reused from there while the file is unchanged, and saved there after a full read
// (config/profile_index_cache.hpp): neither file is then read whole or checked line by line again.
Result<ProfileIndex> load_profile_index(const Env& env);
// `now` (epoch seconds, the clock if unset) decides whether a file changed too recently to save its index.
Result<ProfileIndex> load_profile_index(const Env& env, const std::string& cache_dir,
                                        std::optional<std::int64_t> now = std::nullopt);

// The same files, names only (parse_profile_names).
Result<std::map<std::string, std::vector<std::string>>> load_profile_names(const Env& env);
// The same files, every name that can be read (readable_profile_names); `problem` set when a file is broken.
std::map<std::string, std::vector<std::string>> load_readable_profile_names(const Env& env,
                                                                            std::optional<Error>& problem);

} // namespace credsh
