#include "shell.hpp"

#include <array>
#include <cctype>

namespace credsh {

namespace {
// Sorted by name; tests/unit/test_shell.cpp checks the order.
const std::array<const Shell*, 4> kShells = {&kBash, &kFish, &kPwsh, &kZsh};
} // namespace

std::span<const Shell* const> all_shells() { return kShells; }

const Shell* find_shell(std::string_view name) {
    for (const Shell* s : kShells)
        if (s->name == name) return s;
    return nullptr;
}

bool valid_var_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return false;
    if (!(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
    for (char c : name)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
    for (std::string_view prefix : {"AWS_", "ASK_", "CREDSH_", "__credsh_", "AWSUME_", "GRANTED_"})
        if (name.substr(0, prefix.size()) == prefix) return true;
    return name == "AWS_VAULT";
}

} // namespace credsh
