// A .credprofile names the profile a directory tree uses. It is declarative data, never code (docs/design.md
// §3): either a single bare profile name, or a tiny INI file parsed with inih:
//
//     profile = dev            # AWS profile; also the ASK profile of the same name if one exists
//     region = eu-west-1       # optional: AWS_REGION and AWS_DEFAULT_REGION
//     ask_profile = skills     # optional: a different ASK CLI profile
//
// The grammar is strict (docs/security.md 9-10): only these keys, one section-less block, names matching
// ^[A-Za-z0-9._@+=,-]{1,64}$, regions matching ^[a-z]{2}(-[a-z]+)+-\d{1,2}$. Anything else is an error that
// names file:line and the key, but never echoes the offending value.
#pragma once

#include "base/result.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace credsh {

struct CredProfile {
    std::string profile; // may be empty when only ask_profile is given
    std::optional<std::string> region;
    std::optional<std::string> ask_profile;
};

bool valid_profile_name(std::string_view name);
bool valid_region(std::string_view region);

// `path` is only used in messages.
Result<CredProfile> parse_credprofile(const std::string& path, std::string_view bytes);

// The text `credsh pin NAME [--region R] [--ask-profile A]` writes.
std::string render_credprofile(const CredProfile& cp);

} // namespace credsh
