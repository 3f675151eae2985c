#include "base/env.hpp"

#include <pwd.h>
#include <unistd.h>

namespace credsh {

Env Env::from_environ(char** envp) {
    std::map<std::string, std::string> vars;
    for (char** p = envp; p && *p; ++p) {
        std::string_view entry(*p);
        auto eq = entry.find('=');
        if (eq == std::string_view::npos) continue;
        // First definition wins, as getenv() does.
        vars.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
    }
    return Env(std::move(vars));
}

std::optional<std::string> Env::get(std::string_view name) const {
    note(name);
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) return std::nullopt;
    return it->second;
}

std::optional<std::string> Env::get_nonempty(std::string_view name) const {
    auto v = get(name);
    if (!v || v->empty()) return std::nullopt;
    return v;
}

std::vector<std::string> Env::to_strings() const {
    note("*");
    std::vector<std::string> out;
    out.reserve(vars_.size());
    for (const auto& [k, v] : vars_)
        out.push_back(k + "=" + v);
    return out;
}

std::string Env::home() const {
    if (auto h = get("HOME")) return *h;
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return "/";
}

} // namespace credsh
