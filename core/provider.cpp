#include "provider.hpp"

#include "chain.hpp"
#include "suggest.hpp"
#include "text.hpp"

#include <variant>
#include <vector>

namespace credsh {

const std::string* find_prop(const Properties& props, std::string_view key) {
    if (auto it = props.find(std::string(key)); it != props.end()) return &it->second;
    for (const auto& [k, v] : props)
        if (iequals(k, key)) return &v;
    return nullptr;
}

static bool has(const Properties& p, std::string_view key) {
    const std::string* v = find_prop(p, key);
    return v && !v->empty();
}

namespace {
const Properties* section(const std::map<std::string, Properties>& file, const std::string& name) {
    auto it = file.find(name);
    return it == file.end() ? nullptr : &it->second;
}

// Static keys in one file's section: the section when complete, nullptr when absent, or the error detail.
std::variant<const Properties*, std::string> keys_in(const Properties* p, const char* file) {
    if (!p) return static_cast<const Properties*>(nullptr);
    bool id = has(*p, "aws_access_key_id"), secret = has(*p, "aws_secret_access_key");
    if (id && secret) return p;
    if (id || secret)
        return std::string("partial credentials in the ") + file + " file (" +
               (id ? "aws_access_key_id without aws_secret_access_key"
                   : "aws_secret_access_key without aws_access_key_id") +
               ")";
    return static_cast<const Properties*>(nullptr);
}
} // namespace

ProviderPlan classify_profile(const ProfileSet& profiles, const CredshConfig& config,
                              const std::string& name) {
    if (auto it = config.profiles.find(name); it != config.profiles.end()) {
        if (const std::string* plugin = find_prop(it->second, "plugin"); plugin && !plugin->empty())
            return {ProviderKind::plugin, *plugin, "credsh profile served by a plugin"};
    }
    auto it = profiles.profiles.find(name);
    if (it == profiles.profiles.end()) return {ProviderKind::none, "", "no such AWS profile"};
    const Properties& p = it->second;
    if (has(p, "role_arn")) return {ProviderKind::plugin, "mfa-sts", "role_arn (AssumeRole)"};
    if (has(p, "web_identity_token_file")) return {ProviderKind::plugin, "mfa-sts", "web identity"};
    if (has(p, "sso_session") || has(p, "sso_start_url") || has(p, "sso_account_id"))
        return {ProviderKind::plugin, "aws-sso", "IAM Identity Center (SSO)"};
    auto from_keys = [&](const Properties* keys) -> ProviderPlan {
        if (has(p, "mfa_serial")) return {ProviderKind::plugin, "mfa-sts", "mfa_serial (GetSessionToken)"};
        return {ProviderKind::static_keys, "static", "static keys", keys};
    };
    auto creds = keys_in(section(profiles.credentials_file, name), "credentials");
    if (auto* err = std::get_if<std::string>(&creds)) return {ProviderKind::none, "", *err};
    if (auto* k = std::get<const Properties*>(creds)) return from_keys(k);
    if (has(p, "credential_process"))
        return {ProviderKind::process, "credential_process", "credential_process"};
    auto conf = keys_in(section(profiles.config_file, name), "config");
    if (auto* err = std::get_if<std::string>(&conf)) return {ProviderKind::none, "", *err};
    if (auto* k = std::get<const Properties*>(conf)) return from_keys(k);
    if (has(p, "credential_source"))
        return {ProviderKind::plugin, "imds", "credential_source without role_arn"};
    return {ProviderKind::none, "", "profile has no credentials"};
}

Result<void> check_source_chain(const ProfileSet& profiles, const std::string& name) {
    std::vector<std::string> visited;
    std::string cur = name;
    for (;;) {
        visited.push_back(cur);
        auto it = profiles.profiles.find(cur);
        if (it == profiles.profiles.end()) {
            if (visited.size() == 1) return {};
            std::string chain;
            for (const auto& v : visited)
                chain += (chain.empty() ? "" : " -> ") + v;
            return fail("source_profile " + cur + " does not exist (" + chain + ")");
        }
        const std::string* next = find_prop(it->second, "source_profile");
        if (!next || next->empty() || !has(it->second, "role_arn")) return {};
        if (*next == cur && has(it->second, "aws_access_key_id")) return {};
        for (const auto& v : visited) {
            if (v != *next) continue;
            std::string chain;
            for (const auto& w : visited)
                chain += w + " -> ";
            return fail("profile cycle: " + chain + *next);
        }
        // The same bound as plan_chain: a generated file cannot make this walk (or its messages) unbounded.
        if (visited.size() >= kMaxChainProfiles)
            return fail("source_profile chain longer than " + std::to_string(kMaxChainProfiles) +
                        " profiles (" + name + " -> ... -> " + cur + " -> " + *next + ")");
        cur = *next;
    }
}

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
    if (profiles)
        for (const auto& [n, p] : profiles->profiles)
            names.push_back(n);
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
    if (const std::string* r = find_prop(it->second, "region"); r && !r->empty()) return *r;
    return std::nullopt;
}

} // namespace credsh
