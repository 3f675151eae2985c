// Which profile applies, mirroring AWS Tools for PowerShell (docs/design.md §2):
//
//   1 command    credsh exec -p NAME          the child's environment only
//   2 session    credsh use NAME              this shell, until `credsh use --clear`
//   3 directory  nearest trusted .credprofile  while inside that tree
//   4 ambient    AWS_PROFILE/ASK_DEFAULT_PROFILE/keys that were there before credsh acted
//   5 default    [credsh] default_profile, else the profile named "default"
//
// This is a pure function of its inputs so the table is testable row by row. Ambient and an implicit
// "default" do not *apply* anything: the environment is simply left as the user had it.
#pragma once

#include "config/trust.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace credsh {

enum class Scope { command, session, directory, ambient, default_ };
std::string_view scope_name(Scope s);

struct ScopeRow {
    Scope scope;
    bool present = false;
    std::string profile;
    std::string detail; // where it came from, or why it does not count
};

struct ScopeInputs {
    std::optional<std::string> command_profile;
    std::optional<std::string> session_profile;
    DirLookup dir;
    std::optional<std::string> ambient_aws_profile; // non-empty values only
    std::optional<std::string> ambient_ask_profile;
    bool ambient_env_keys = false;
    std::optional<std::string> default_profile; // explicit, from credsh's config
    bool default_profile_exists = false;        // the implicit one: is there a profile named "default"?
};

struct Selection {
    std::optional<Scope> winner;
    std::string profile;                    // what the winner names ("" if nothing)
    std::optional<std::string> region;      // from .credprofile
    std::optional<std::string> ask_profile; // from .credprofile
    bool applies = false;                   // false: leave the ambient environment as it is
    std::vector<ScopeRow> rows;             // all five, in rank order
};

Selection select_scope(const ScopeInputs& in);

} // namespace credsh
