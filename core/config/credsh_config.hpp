// credsh's own configuration, $XDG_CONFIG_HOME/credsh/config (default ~/.config/credsh/config), a small
// INI file parsed with inih:
//
//   [credsh]
//   default_profile = dev              ; rank 5 of the scope table; unset means the profile named "default"
//   prompt_format = aws:%p%s( %e)( \(%r\))( %t)( %b)( ask:%a( %v))
//   export = auto                      ; auto | keys | profile  (see ExportMode)
//   credential_process_timeout = 30    ; seconds
//   ask_export = profile               ; profile | env: how ASK CLI profiles reach the shell (AskExport)
//
//   [ask NAME]                         ; per ASK CLI profile (~/.ask/cli_config)
//   export = env
//
//   [trust]
//   prefix = ~/src/company             ; .credprofile files under these directories need no `credsh allow`
//
//   [profile NAME]                     ; credsh's own profiles and per-profile settings
//   export = keys
//   plugin = secretsmanager            ; a profile served only by a plugin
//
// Unknown keys are errors with file:line, so a typo does not silently change behaviour.
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"
#include "config/profile_file.hpp"

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace credsh {

// How a resolved profile reaches the shell.
//   keys:    AWS_ACCESS_KEY_ID/SECRET/SESSION_TOKEN/CREDENTIAL_EXPIRATION plus AWS_PROFILE -- what every tool
//            understands, and the only way for credentials an SDK cannot produce itself (MFA, plugins).
//   profile: only AWS_PROFILE (and region); the SDKs read the files themselves and no secret enters the
//            environment of every child process.
//   auto:    profile for long-term static keys (never copy them into the environment), keys otherwise.
enum class ExportMode { auto_, keys, profile };
std::optional<ExportMode> parse_export_mode(std::string_view s);
std::string_view export_mode_name(ExportMode m);

// How an ASK CLI profile reaches the shell.
//   profile: ASK_DEFAULT_PROFILE (and the linked AWS profile as usual); the ASK CLI reads its own file, and
//   no
//            token enters the environment.
//   env:     the ASK CLI's environment profile: ASK_ACCESS_TOKEN, ASK_VENDOR_ID and the linked AWS profile's
//            keys (docs/protocols.md §1: it needs all of them), the token kept fresh by credsh.
enum class AskExport { profile, env };
std::optional<AskExport> parse_ask_export(std::string_view s);

inline constexpr std::string_view kDefaultPromptFormat = "aws:%p%s( %e)( \\(%r\\))( %t)( %b)( ask:%a( %v))";

struct CredshConfig {
    std::string path; // where it was read from (may not exist)
    std::optional<std::string> default_profile;
    std::string prompt_format{kDefaultPromptFormat};
    ExportMode export_mode = ExportMode::auto_;
    std::chrono::seconds process_timeout{30};
    std::string keyring; // [credsh] keyring = secret-service | pass; "": the Secret Service, else pass
    std::vector<std::string> trust_prefixes; // absolute, "~/" expanded
    std::map<std::string, Properties> profiles;
    AskExport ask_export = AskExport::profile;
    std::map<std::string, AskExport> ask_profiles; // [ask NAME] export = ...
};

std::string credsh_config_path(const Env& env);
Result<CredshConfig> parse_credsh_config(const std::string& path, const std::string& text, const Env& env);
// A missing file is the default configuration.
Result<CredshConfig> load_credsh_config(const Env& env);

} // namespace credsh
