// What a shell remembers between two `credsh export` calls. The hook keeps it in one shell variable that is
// never exported (__credsh_state) and hands it to the binary on stdin, never in argv or the environment.
//
// It holds the "ambient" values -- every managed variable as it was before credsh changed it (unset and
// empty are distinct) -- so leaving all scopes restores exactly that; and a short hash of each value credsh
// left behind, so that a variable the user changed by hand since is noticed and adopted as the new ambient
// value instead of being clobbered. No secret is stored beyond the ambient values the shell had anyway.
#pragma once

#include "result.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace credsh {

struct State {
    // Managed variable -> its ambient value (nullopt: unset).
    std::map<std::string, std::optional<std::string>> ambient;
    // Managed variable -> value_hash() of what credsh left it at.
    std::map<std::string, std::string> applied;
    std::string profile;                 // the profile whose credentials are applied, "" if none
    std::string provider;                // how they were obtained ("static", "credential_process", ...)
    std::optional<std::int64_t> expires; // of the applied credentials
};

// 16 hex digits of sha256; "-" stands for unset.
std::string value_hash(const std::optional<std::string>& value);

std::string serialize_state(const State& state);
// An empty or unrecognised text is an error; callers then start from the current environment.
Result<State> parse_state(std::string_view text);

} // namespace credsh
