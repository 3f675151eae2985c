// credsh profiles [--json]: every profile name credsh knows, from ~/.aws/config, ~/.aws/credentials,
// ~/.ask/cli_config and credsh's own config. Completion calls this on every Tab, so it reads the files once
// and does nothing else.
#include "ask_config.hpp"
#include "cli.hpp"
#include "credsh_config.hpp"
#include "profile_file.hpp"
#include "provider.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <set>

namespace credsh {

int cmd_profiles(Context& ctx, const Args& args) {
    po::options_description desc("options");
    desc.add_options()("json", "one JSON array: name, sources, provider, region");
    po::positional_options_description pos;
    int rc = 0;
    auto vm = parse_args(ctx, args, desc, pos, "profiles [--json]",
                         "Lists profile names from the AWS config and credentials files, ~/.ask/cli_config and "
                         "credsh's config.",
                         rc);
    if (!vm) return rc;
    int status = 0;
    std::map<std::string, std::set<std::string>> sources;
    ProfileSet profiles;
    if (auto p = load_profile_files(ctx.env)) {
        profiles = std::move(*p);
        for (const auto& [name, origins] : profiles.origins)
            for (const auto& o : origins) sources[name].insert(o);
        for (const auto& [name, props] : profiles.profiles) sources[name];
    } else {
        ctx.warn(p.error().message);
        status = 1;
    }
    AskConfig ask;
    if (auto a = load_ask_config(ctx.env)) {
        ask = std::move(*a);
        for (const auto& [name, prof] : ask.profiles) sources[name].insert("ask");
    } else {
        ctx.warn(a.error().message);
        status = 1;
    }
    CredshConfig config;
    if (auto c = load_credsh_config(ctx.env)) {
        config = std::move(*c);
        for (const auto& [name, props] : config.profiles) sources[name].insert("credsh");
    } else {
        ctx.warn(c.error().message);
        status = 1;
    }
    std::string out;
    if (vm->count("json")) {
        nlohmann::json arr = nlohmann::json::array();
        for (const auto& [name, srcs] : sources) {
            nlohmann::json j;
            j["name"] = name;
            j["sources"] = srcs;
            ProviderPlan pp = classify_profile(profiles, config, name);
            j["provider"] = pp.kind == ProviderKind::none ? (ask.profiles.count(name) ? "ask" : "") : pp.name;
            if (auto r = profile_region(profiles, name)) j["region"] = *r;
            arr.push_back(std::move(j));
        }
        // Names can hold any byte the parser accepted; never let invalid UTF-8 throw here.
        out = arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    } else {
        for (const auto& [name, srcs] : sources) out += name + "\n";
    }
    ctx.out(out);
    return status;
}

} // namespace credsh
