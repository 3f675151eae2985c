// Edits of the AWS profile files that keep every other byte: credsh sso accounts --write and credsh store
// append sections to ~/.aws/config (the old file a byte prefix of the new one); credsh store --migrate and
// credsh remove take out their own lines. Every edit reads the file, computes the new text, re-reads it right
// before the atomic replace (a concurrent edit by an editor or `aws configure` aborts it: nothing written),
// replaces only a file of ours, and keeps its mode, set on the descriptor (docs/security.md 21, 31).
#pragma once

#include "base/env.hpp"
#include "base/result.hpp"

#include <functional>
#include <optional>
#include <set>
#include <string>

namespace credsh {

// `edit` gets the file's text ("" when it does not exist) and returns the new text; returning the same text
// writes nothing.
Result<void> edit_profile_file(const std::string& path,
                               const std::function<Result<std::string>(const std::string&)>& edit);

// Appends `text` (sections, '\n' line ends: converted to the file's CRLF when it uses them) to the AWS config
// file after one blank line.
Result<void> append_to_config(const Env& env, const std::string& text);

// The pure text edits, for tests/unit/test_profile_edit.cpp. `section` is the name inside the brackets as the
// file spells it for that profile: "profile NAME" (or "default") in the config file, "NAME" in the
// credentials file; whitespace inside the brackets is not significant.
std::string append_sections(const std::string& old, const std::string& text);
// Removes the lines (with their continuation lines) of `keys` in `section`; when no property is left in it,
// the header and the blank lines after the section go too. `removed` counts the property lines taken out.
std::string remove_properties(const std::string& old, const std::string& section,
                              const std::set<std::string>& keys, int& removed);
// `line` inserted right after the header of `section`; nullopt when there is no such section.
std::optional<std::string> insert_after_header(const std::string& old, const std::string& section,
                                               const std::string& line);
// Whether the file has `section`.
bool has_section(const std::string& text, const std::string& section);

} // namespace credsh
