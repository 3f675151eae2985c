#include "pipeline/chain.hpp"

#include "pipeline/process.hpp"

#include <algorithm>

namespace credsh {

namespace {

const Properties* file_section(const std::map<std::string, Properties>& file, const std::string& name) {
    auto it = file.find(name);
    return it == file.end() ? nullptr : &it->second;
}

bool complete_keys(const Properties* p) {
    return p && has_prop(*p, "aws_access_key_id") && has_prop(*p, "aws_secret_access_key");
}

// The section static keys come from: the credentials file's, else the config file's (botocore's order).
const Properties* keys_section(const ProfileSet& profiles, const std::string& name) {
    if (const Properties* c = file_section(profiles.credentials_file, name); complete_keys(c)) return c;
    if (const Properties* c = file_section(profiles.config_file, name); complete_keys(c)) return c;
    return nullptr;
}

// Keys are taken from one file's section whole (botocore); half a pair in a section is an error there.
Result<void> check_partial(const ProfileSet& profiles, const std::string& name) {
    for (auto [file, label] :
         {std::pair{&profiles.credentials_file, "credentials"}, std::pair{&profiles.config_file, "config"}}) {
        const Properties* p = file_section(*file, name);
        if (!p) continue;
        bool id = has_prop(*p, "aws_access_key_id"), secret = has_prop(*p, "aws_secret_access_key");
        if (id != secret)
            return fail(std::string("partial credentials in the ") + label + " file (" +
                        (id ? "aws_access_key_id without aws_secret_access_key"
                            : "aws_secret_access_key without aws_access_key_id") +
                        ")");
    }
    return {};
}

Result<void> check_sso(const ProfileSet& profiles, const std::string& name, const Properties& p) {
    bool account = has_prop(p, "sso_account_id"), role = has_prop(p, "sso_role_name");
    if (role && !account) return fail("if `sso_role_name` is set, then `sso_account_id` must also be set");
    if (account && !role) return fail("if `sso_account_id` is set, then `sso_role_name` must also be set");
    if (const std::string* session = nonempty_prop(p, "sso_session")) {
        auto it = profiles.sso_sessions.find(*session);
        if (it == profiles.sso_sessions.end())
            return fail("sso-session named `" + *session + "` (referenced by profile `" + name +
                        "`) was not found");
        // botocore: a profile may repeat the session's start URL or region, but not contradict it.
        for (const char* key : {"sso_region", "sso_start_url"}) {
            const std::string* mine = find_prop(p, key);
            const std::string* theirs = find_prop(it->second, key);
            if (mine && !mine->empty() && (!theirs || *mine != *theirs))
                return fail(std::string("`") + key + "` differs from (or is missing in) [sso-session " +
                            *session + "]; set it in the [sso-session] section only");
        }
        return {};
    }
    if (account && (!has_prop(p, "sso_start_url") || !has_prop(p, "sso_region")))
        return fail("legacy SSO profiles need sso_start_url and sso_region (or use sso_session)");
    return {};
}

// What one profile contributes to the chain: its steps (base first) and, for a role whose source is another
// profile, that profile's name. The chain is built by following `next` in a loop, never by recursion: a
// config file of any size cannot exhaust the stack (docs/security.md 36).
struct Link {
    Chain steps;
    std::optional<std::string> next;
};

struct Planner {
    const ProfileSet& profiles;
    const CredshConfig& config;
    const std::optional<WebIdentityEnv>& web_env;
    std::vector<std::string> visited;

    std::string loop_text(const std::string& back_to) const {
        std::string s;
        for (const auto& v : visited)
            s += v + " -> ";
        return s + back_to;
    }

    Result<Chain> plan(const std::string& name) {
        std::vector<Chain> parts; // selected profile's steps first
        std::string cur = name;
        for (bool root = true;; root = false) {
            auto link = plan_one(cur, root);
            if (!link) return link.error();
            parts.push_back(std::move(link->steps));
            if (!link->next) break;
            if (visited.size() >= kMaxChainProfiles) return too_deep(*link->next);
            cur = *link->next;
        }
        Chain chain;
        for (auto it = parts.rbegin(); it != parts.rend(); ++it)
            for (Step& s : *it)
                chain.push_back(std::move(s));
        return chain;
    }

    // One line however long the chain: the first profiles and the one where planning stopped.
    Error too_deep(const std::string& next) const {
        std::string path;
        for (std::size_t i = 0; i < visited.size() && i < 3; ++i)
            path += visited[i] + " -> ";
        return fail("source_profile chain longer than " + std::to_string(kMaxChainProfiles) + " profiles (" +
                    path + "... -> " + visited.back() + " -> " + next + "); credsh stops there");
    }

    // `root`: the selected profile. Source profiles differ in two ways, as in botocore and smithy-rs: their
    // own static keys win over their role_arn, and their mfa_serial does not start a GetSessionToken.
    Result<Link> plan_one(const std::string& name, bool root) {
        if (root)
            if (auto it = config.profiles.find(name); it != config.profiles.end())
                if (const std::string* plugin = nonempty_prop(it->second, "plugin"))
                    return plan_plugin(name, *plugin, it->second);
        auto it = profiles.profiles.find(name);
        if (it == profiles.profiles.end()) {
            if (root)
                return fail(profile_names(profiles).empty() ? "not found: no profiles were defined"
                                                            : "not found");
            return fail("could not find source profile " + name + " referenced from " + visited.back());
        }
        const Properties& p = it->second;
        visited.push_back(name);
        if (!root) {
            if (auto partial = check_partial(profiles, name); !partial)
                return partial.error().context("source profile " + name);
            if (const Properties* k = keys_section(profiles, name))
                return done(Chain{Step{StepKind::access_key, name, "", "", k}});
        }
        if (has_prop(p, "role_arn")) return plan_role(name, p);
        return plan_own(name, p, root);
    }

    static Result<Link> done(Chain c) { return Link{std::move(c), std::nullopt}; }

    // credsh's own [profile X] plugin = NAME. Its source_profile is the AWS profile whose credentials the
    // plugin works with (secretsmanager reads its secret with them), resolved as a source profile is for
    // role_arn.
    Result<Link> plan_plugin(const std::string& name, const std::string& plugin, const Properties& props) {
        Step step{StepKind::plugin, name, plugin, "", nullptr};
        const std::string* source = nonempty_prop(props, "source_profile");
        if (!source) return done(Chain{step});
        if (*source == name) return fail("profile cycle: " + name + " -> " + name);
        visited.push_back(name);
        return Link{Chain{step}, *source};
    }

    // role_arn: web identity, or AssumeRole from credential_source, the profile's own keys or the next
    // profile.
    Result<Link> plan_role(const std::string& name, const Properties& p) {
        if (has_prop(p, "web_identity_token_file"))
            return done(Chain{Step{StepKind::web_identity, name, "mfa-sts", "", nullptr}});
        bool src = has_prop(p, "source_profile"), cred_src = has_prop(p, "credential_source");
        if (src && cred_src) return fail("profile contained both source_profile and credential_source");
        Step role{StepKind::assume_role, name, "mfa-sts", "", nullptr};
        if (cred_src) {
            const std::string& cs = *find_prop(p, "credential_source");
            if (cs != "Environment" && cs != "Ec2InstanceMetadata" && cs != "EcsContainer")
                return fail("credential_source " + cs +
                            " is not one of Environment, Ec2InstanceMetadata, EcsContainer");
            return done(Chain{named_source(name, cs), role});
        }
        if (!src) return fail("profile must contain `source_profile` or `credential_source` with `role_arn`");
        const std::string& source = *find_prop(p, "source_profile");
        if (source == name) {
            // Self-reference: "use my own keys as the source".
            if (auto partial = check_partial(profiles, name); !partial) return partial.error();
            const Properties* k = keys_section(profiles, name);
            if (!k)
                return fail("profile cycle: " + name + " -> " + name +
                            " (it names itself as source_profile without static keys of its own)");
            return done(Chain{Step{StepKind::access_key, name, "", "", k}, role});
        }
        if (std::find(visited.begin(), visited.end(), source) != visited.end())
            return fail("profile cycle: " + loop_text(source)); // smithy-rs: "formed an infinite loop"
        return Link{Chain{role}, source};
    }

    // A profile without role_arn: SSO, then (botocore's order within one profile) keys in the credentials
    // file, credential_process, keys in the config file, each file's section taken whole; then
    // credential_source alone, then web identity from the environment for the selected profile.
    Result<Link> plan_own(const std::string& name, const Properties& p, bool root) {
        if (has_prop(p, "web_identity_token_file")) {
            // Name the profile that lacks it: from a source profile, the error reaches the user under the
            // selected profile's name, which has a role_arn of its own.
            Error e = fail("web_identity_token_file is set but `role_arn` was missing");
            return root ? e : e.context("source profile " + name);
        }
        if (is_sso_profile(p)) {
            if (auto ok = check_sso(profiles, name, p); !ok)
                return root ? ok.error() : ok.error().context("source profile " + name);
            return done(Chain{Step{StepKind::sso, name, "aws-sso", "", nullptr}});
        }
        if (auto partial = check_partial(profiles, name); !partial) return partial.error();
        const Properties* creds_keys = file_section(profiles.credentials_file, name);
        if (complete_keys(creds_keys)) return done(with_mfa(name, p, creds_keys, root));
        // credsh's own line (credsh store wrote it): the keys are in the keyring; read them there instead of
        // running credsh again, which would plan this very step.
        if (const std::string* cp = find_prop(p, "credential_process");
            cp && serves_from_keyring(*cp, name)) {
            Chain c{Step{StepKind::plugin, name, "keyring", "", nullptr}};
            if (root && has_prop(p, "mfa_serial"))
                c.push_back(Step{StepKind::session_token, name, "mfa-sts", "", nullptr});
            return done(c);
        }
        if (has_prop(p, "credential_process"))
            return done(Chain{Step{StepKind::process, name, "", "", nullptr}});
        const Properties* config_keys = file_section(profiles.config_file, name);
        if (complete_keys(config_keys)) return done(with_mfa(name, p, config_keys, root));
        if (const std::string* cs = nonempty_prop(p, "credential_source"))
            return done(Chain{named_source(name, *cs)});
        if (root && web_env) {
            Step step{StepKind::web_identity, name, "mfa-sts", "", nullptr};
            step.web_env = web_env;
            return done(Chain{step});
        }
        return fail(root ? "profile did not contain credential information"
                         : "source profile " + name + " did not contain credential information");
    }

    // Environment is read by the core itself; the instance and container endpoints by the imds plugin.
    static Step named_source(const std::string& name, const std::string& source) {
        return Step{StepKind::named_source, name, source == "Environment" ? "" : "imds", source, nullptr};
    }

    Chain with_mfa(const std::string& name, const Properties& p, const Properties* keys, bool root) {
        Chain c{Step{StepKind::access_key, name, "", "", keys}};
        if (root && has_prop(p, "mfa_serial"))
            c.push_back(Step{StepKind::session_token, name, "mfa-sts", "", keys});
        return c;
    }
};

} // namespace

bool serves_from_keyring(const std::string& credential_process, const std::string& profile) {
    auto words = split_command_line(credential_process);
    if (!words || words->empty()) return false;
    std::vector<std::string>& w = *words;
    std::string prog = w[0].substr(w[0].rfind('/') == std::string::npos ? 0 : w[0].rfind('/') + 1);
    if (prog != "credsh" || w.size() < 3 || w[1] != "credential-process") return false;
    if (w.size() == 3) return w[2] == "--profile=" + profile || w[2] == "-p=" + profile;
    return w.size() == 4 && (w[2] == "--profile" || w[2] == "-p") && w[3] == profile;
}

std::string keyring_credential_process(const std::string& profile) {
    return "credsh credential-process --profile " + profile;
}

Result<Chain> plan_chain(const ProfileSet& profiles, const CredshConfig& config, const std::string& name,
                         const std::optional<WebIdentityEnv>& web_env) {
    Planner planner{profiles, config, web_env, {}};
    return planner.plan(name);
}

std::optional<WebIdentityEnv> web_identity_env(const Env& env) {
    auto role = env.get_nonempty("AWS_ROLE_ARN");
    auto file = env.get_nonempty("AWS_WEB_IDENTITY_TOKEN_FILE");
    if (!role || !file) return std::nullopt;
    return WebIdentityEnv{*role, *file, env.get_nonempty("AWS_ROLE_SESSION_NAME").value_or("")};
}

const char* step_kind_name(StepKind k) {
    switch (k) {
    case StepKind::access_key:
        return "static keys";
    case StepKind::process:
        return "credential_process";
    case StepKind::named_source:
        return "credential_source";
    case StepKind::web_identity:
        return "AssumeRoleWithWebIdentity";
    case StepKind::assume_role:
        return "AssumeRole";
    case StepKind::session_token:
        return "GetSessionToken (MFA)";
    case StepKind::sso:
        return "IAM Identity Center";
    case StepKind::plugin:
        return "plugin";
    }
    return "?";
}

ChainSummary chain_summary(const Chain& chain) {
    const Step& last = chain.back();
    ChainSummary out{last.kind, last.plugin, chain.size() == 1 && last.kind == StepKind::access_key};
    if (out.provider.empty()) {
        switch (last.kind) {
        case StepKind::access_key:
            out.provider = "static";
            break;
        case StepKind::process:
            out.provider = "credential_process";
            break;
        case StepKind::named_source: // only Environment has no plugin
            out.provider = "environment";
            break;
        default:
            break;
        }
    }
    return out;
}

std::string describe_chain(const ProfileSet& profiles, const Chain& chain) {
    std::string out;
    for (const Step& s : chain) {
        if (!out.empty()) out += " -> ";
        out += step_kind_name(s.kind);
        if (s.kind == StepKind::named_source) out += " " + s.named_source;
        if (s.kind == StepKind::plugin) out += " " + s.plugin;
        if (s.web_env) {
            out += " " + s.web_env->role_arn + " (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE) (" + s.profile +
                   ")";
            continue;
        }
        if (s.kind == StepKind::assume_role || s.kind == StepKind::web_identity) {
            auto it = profiles.profiles.find(s.profile);
            if (it != profiles.profiles.end())
                if (const std::string* arn = find_prop(it->second, "role_arn")) out += " " + *arn;
        }
        out += " (" + s.profile + ")";
    }
    return out;
}

} // namespace credsh
