#include "pipeline/provider.hpp"

#include "base/suggest.hpp"
#include "base/text.hpp"

#include <vector>

namespace credsh {

Result<Target> resolve_target(const std::string& name, const std::optional<std::string>& ask_override,
                              const ProfileSet& profiles, const AskConfig& ask, const CredshConfig& config) {
    Target t;
    bool in_aws = profiles.profiles.count(name) > 0;
    bool in_credsh = config.profiles.count(name) > 0;
    bool in_ask = ask.profiles.count(name) > 0;
    if (in_aws || in_credsh) {
        t.aws_profile = name;
        t.aws_in_files = in_aws;
    } else if (in_ask && !ask.profiles.at(name).aws_profile.empty()) {
        const std::string& linked = ask.profiles.at(name).aws_profile;
        t.aws_profile = linked;
        t.aws_in_files = profiles.profiles.count(linked) > 0;
    }
    if (ask_override) {
        if (!ask.profiles.count(*ask_override))
            return fail("ASK profile " + *ask_override + " not found in ~/.ask/cli_config");
        t.ask_profile = *ask_override;
    } else if (in_ask) {
        t.ask_profile = name;
    }
    if (name.empty() && t.ask_profile.empty()) return fail("no profile named");
    if (!name.empty() && !in_aws && !in_credsh && !in_ask)
        return fail(
            "profile " + printable(name) +
            " not found (not in the AWS config or credentials files, ~/.ask/cli_config or credsh's config)" +
            did_you_mean_text(did_you_mean(name, known_profile_names(&profiles, &ask, &config))));
    return t;
}

std::vector<std::string> known_profile_names(const ProfileSet* profiles, const AskConfig* ask,
                                             const CredshConfig* config) {
    std::vector<std::string> names;
    if (profiles) names = profile_names(*profiles); // every name in the files, also of a partial set
    if (ask)
        for (const auto& [n, p] : ask->profiles)
            names.push_back(n);
    if (config)
        for (const auto& [n, p] : config->profiles)
            names.push_back(n);
    return names;
}

std::optional<std::string> profile_region(const ProfileSet& profiles, const std::string& name) {
    auto it = profiles.profiles.find(name);
    if (it == profiles.profiles.end()) return std::nullopt;
    if (const std::string* r = nonempty_prop(it->second, "region")) return *r;
    return std::nullopt;
}

} // namespace credsh
