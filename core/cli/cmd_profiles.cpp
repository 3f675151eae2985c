// credsh profiles [--json]: every profile name credsh knows, from ~/.aws/config, ~/.aws/credentials,
// ~/.ask/cli_config and credsh's own config.
//
// Completion in every shell calls this on each Tab, so the plain listing must stay within 10 ms for
// thousands of profiles (make bench measures it): it takes the names from the AWS files' section indexes,
// the ones `credsh export` saves and reuses while a file is unchanged (so a Tab reads neither file whole),
// and never resolves a provider. A file that does not parse lists every name that can be read instead, and
// says why. Only --json, which Get-CredshProfile uses, loads everything.
#include "cli/cli.hpp"
#include "config/ask_config.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/provider.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

namespace credsh {

namespace {

// The plain listing is one name per line, which completion reads as such: a name with a control character
// (a newline or a tab from a hand-edited cli_config) can be neither typed nor listed that way, so it is left
// out there and shown only by --json.
bool listable(const std::string& name) {
    return std::none_of(name.begin(), name.end(), [](char c) {
        auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

int plain_listing(Context& ctx) {
    int status = 0;
    // Sorted and unique: the AWS files' names come so, the few of cli_config and credsh's config go in place.
    std::vector<std::string> names;
    auto add = [&names](const std::string& name) {
        auto at = std::lower_bound(names.begin(), names.end(), name);
        if (at == names.end() || *at != name) names.insert(at, name);
    };
    // A broken AWS file still lists every name that can be read (completion keeps working), and says so.
    std::optional<Error> problem;
    if (auto index = load_profile_index(ctx.env, cache_dirs(ctx.env).index)) {
        names = index->names();
    } else {
        for (auto& [name, origins] : load_readable_profile_names(ctx.env, problem)) // a map: sorted
            names.push_back(name);
    }
    if (problem) {
        ctx.warn(problem->message + " (listing the profile names that could be read)");
        status = 1;
    }
    if (auto a = load_ask_config(ctx.env)) {
        for (const auto& [name, prof] : a->profiles)
            add(name);
    } else {
        ctx.warn(a.error().message);
        status = 1;
    }
    if (auto c = load_credsh_config(ctx.env)) {
        for (const auto& [name, props] : c->profiles)
            add(name);
    } else {
        ctx.warn(c.error().message);
        status = 1;
    }
    std::string out;
    for (const auto& name : names)
        if (listable(name)) out.append(name).push_back('\n');
    ctx.out(out);
    return status;
}

// Everything about each name (Get-CredshProfile): sources, their files, what serves it, its region.
int json_listing(Context& ctx) {
    int status = 0;
    std::map<std::string, std::set<std::string>> sources;
    ProfileSet profiles;
    if (auto p = load_profile_files(ctx.env)) {
        profiles = std::move(*p);
        for (const auto& [name, origins] : profiles.origins)
            for (const auto& o : origins)
                sources[name].insert(o);
        for (const auto& [name, props] : profiles.profiles)
            sources[name];
    } else {
        ctx.warn(p.error().message);
        status = 1;
    }
    AskConfig ask;
    if (auto a = load_ask_config(ctx.env)) {
        ask = std::move(*a);
        for (const auto& [name, prof] : ask.profiles)
            sources[name].insert("ask");
    } else {
        ctx.warn(a.error().message);
        status = 1;
    }
    CredshConfig config;
    if (auto c = load_credsh_config(ctx.env)) {
        config = std::move(*c);
        for (const auto& [name, props] : config.profiles)
            sources[name].insert("credsh");
    } else {
        ctx.warn(c.error().message);
        status = 1;
    }
    // Where each source lives, so Get-CredshProfile can report a ProfileLocation as the AWS Tools do.
    const ProfileFileLocations aws = locate_profile_files(ctx.env);
    const std::map<std::string, std::string> file_of = {{"config", aws.config},
                                                        {"credentials", aws.credentials},
                                                        {"ask", ask_config_path(ctx.env)},
                                                        {"credsh", credsh_config_path(ctx.env)}};
    const auto web = web_identity_env(ctx.env);
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [name, srcs] : sources) {
        nlohmann::json j;
        j["name"] = name;
        j["sources"] = srcs;
        nlohmann::json files = nlohmann::json::object();
        for (const auto& s : srcs)
            if (auto f = file_of.find(s); f != file_of.end()) files[s] = f->second;
        j["files"] = std::move(files);
        // What serves it: the last step of the chain resolution would run (an unplannable profile: none).
        auto chain = plan_chain(profiles, config, name, web);
        std::string provider = chain ? chain_summary(*chain).provider : "";
        j["provider"] = !provider.empty() ? provider : ask.profiles.count(name) ? "ask" : "";
        if (auto r = profile_region(profiles, name)) j["region"] = *r;
        arr.push_back(std::move(j));
    }
    // Names can hold any byte the parser accepted; never let invalid UTF-8 throw here.
    ctx.out(arr.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
    return status;
}

} // namespace

int cmd_profiles(Context& ctx, const Args& args) {
    po::options_description desc("options");
    desc.add_options()("json", "one JSON array: name, sources, files, provider, region");
    po::positional_options_description pos;
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "profiles [--json]",
                   "Lists profile names from the AWS config and credentials files, ~/.ask/cli_config and "
                   "credsh's config,\none per line (names that hold a control character only with --json).",
                   rc);
    if (!vm) return rc;
    if (!vm->count("json")) return plain_listing(ctx);
    return json_listing(ctx);
}

} // namespace credsh
