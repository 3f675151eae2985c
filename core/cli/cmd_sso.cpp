// credsh sso accounts [SESSION] [--write]: the accounts and roles an IAM Identity Center sign-in can reach
// (the aws-sso plugin's "accounts": ListAccounts + ListAccountRoles, every page), each with the profile that
// already uses it. --write appends a [profile ...] section for each role no profile uses yet to
// ~/.aws/config, leaving every existing byte of the file as it was (comments, order, spacing, line endings):
// the file is read, the new sections are appended, and the result replaces the file atomically - unless the
// file changed while we worked, in which case nothing is written.
#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "cli/cli.hpp"
#include "cli/profile_edit.hpp"
#include "config/profile_file.hpp"
#include "pipeline/provider.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh {

namespace {

struct Source {          // what the listing is for
    std::string session; // sso-session name, or "" for a legacy profile
    std::string profile; // the legacy profile (or the profile the session was found through)
    std::string start_url, sso_region;
    std::map<std::string, std::string> settings; // what the aws-sso plugin gets
};

bool has_sso(const Properties& p) {
    return nonempty_prop(p, "sso_session") || nonempty_prop(p, "sso_start_url");
}

// What the server says goes into the config file only if it is what AWS allows there: an account id of digits
// and an IAM role name ([\w+=,.@-]{1,64}). Anything else (a newline, "=", "[") could inject settings.
bool valid_account(const std::string& s) {
    return !s.empty() && s.size() <= 32 && s.find_first_not_of("0123456789") == std::string::npos;
}
bool valid_role(const std::string& s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s)
        if (c == '\0' || !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_+=,.@-", c)))
            return false;
    return true;
}

// The profile already reaching ACCOUNT/ROLE through this sign-in (one of `signed_in`, in name order), if any.
std::string existing_profile(const ProfileSet& profiles, const std::vector<std::string>& signed_in,
                             const std::string& account, const std::string& role) {
    for (const std::string& name : signed_in) {
        const Properties& p = profiles.profiles.at(name);
        if (*nonempty_prop(p, "sso_account_id") == account && *nonempty_prop(p, "sso_role_name") == role)
            return name;
    }
    return "";
}

// "{role}-{account}" (the AWS CLI's default name in `aws configure sso`), with {account_name} available too;
// characters outside the profile-name alphabet become '-'.
std::string profile_name(const std::string& format, const std::string& account,
                         const std::string& account_name, const std::string& role) {
    std::string out = format;
    auto sub = [&](const std::string& key, const std::string& value) {
        for (auto pos = out.find(key); pos != std::string::npos; pos = out.find(key, pos + value.size()))
            out.replace(pos, key.size(), value);
    };
    sub("{account_name}", account_name);
    sub("{account}", account);
    sub("{role}", role);
    for (char& c : out)
        if (c == '\0' || !(std::isalnum(static_cast<unsigned char>(c)) || std::strchr("._@+=,-", c))) c = '-';
    return out.substr(0, 64);
}

// Which sign-in the listing is for: a named sso-session, an SSO profile, the only sso-session, or the active
// profile's; with the plugin's settings for it. 0, or the exit status after saying why there is none.
int choose_sign_in(const Context& ctx, const ProfileSet& profiles, std::string& target, Source& src) {
    if (target.empty()) {
        if (profiles.sso_sessions.size() == 1) {
            target = profiles.sso_sessions.begin()->first;
        } else {
            std::string active = active_profile(ctx);
            if (auto it = profiles.profiles.find(active);
                !active.empty() && it != profiles.profiles.end() && has_sso(it->second)) {
                target = active;
            } else {
                std::string names;
                for (const auto& [n, p] : profiles.sso_sessions)
                    names += (names.empty() ? "" : ", ") + n;
                ctx.warn("sso: which sso-session? (" +
                         (names.empty() ? std::string("none is configured") : names) + ")");
                return 2;
            }
        }
    }
    if (auto ss = profiles.sso_sessions.find(target); ss != profiles.sso_sessions.end()) {
        src.session = target;
        src.settings = plugin_settings(profiles, nullptr, "", target);
    } else if (auto p = profiles.profiles.find(target); p != profiles.profiles.end() && has_sso(p->second)) {
        src.profile = target;
        src.settings = plugin_settings(profiles, nullptr, target);
        if (const std::string* s = nonempty_prop(p->second, "sso_session")) src.session = *s;
    } else {
        ctx.warn("sso: no [sso-session " + printable(target) + "] and no SSO profile of that name");
        return 1;
    }
    auto get = [&](const std::string& k) {
        return src.settings.count(k) ? src.settings.at(k) : std::string();
    };
    src.start_url = src.session.empty() ? get("sso_start_url") : get("sso-session.sso_start_url");
    src.sso_region = src.session.empty() ? get("sso_region") : get("sso-session.sso_region");
    return 0;
}

struct ListOptions {
    std::string format, region;
    bool write = false;
};

struct Listing {
    std::string table;                 // ACCOUNT NAME ROLE PROFILE, escaped
    std::vector<std::string> sections; // the [profile] sections to append (with --write)
};

// One row per account and role, with the profile already using it or the one --write adds.
Listing tabulate(const ProfileSet& profiles, const Source& src, const nlohmann::json& accounts,
                 const std::vector<std::string>& signed_in, const ListOptions& opts) {
    Listing l{"ACCOUNT\tNAME\tROLE\tPROFILE\n", {}};
    std::set<std::string> taken;
    for (const auto& [n, p] : profiles.profiles)
        taken.insert(n);
    for (const auto& a : accounts) {
        std::string id = a.value("accountId", ""), aname = a.value("accountName", "");
        for (const auto& r : a.value("roles", nlohmann::json::array())) {
            if (!r.is_string()) continue;
            std::string role = r.get<std::string>();
            std::string existing = existing_profile(profiles, signed_in, id, role);
            std::string shown = existing;
            if (!valid_account(id) || !valid_role(role)) {
                shown = "-  (not a valid account id or role name; skipped)";
            } else if (existing.empty()) {
                std::string name = profile_name(opts.format, id, aname, role);
                if (taken.count(name)) {
                    shown = "-  (" + name + " exists with other settings; not written)";
                } else if (opts.write) {
                    taken.insert(name);
                    shown = name + "  (added)";
                    std::string sec = "[profile " + name + "]\n";
                    if (!src.session.empty())
                        sec += "sso_session = " + src.session + "\n";
                    else
                        sec += "sso_start_url = " + src.start_url + "\nsso_region = " + src.sso_region + "\n";
                    sec += "sso_account_id = " + id + "\nsso_role_name = " + role + "\n";
                    if (!opts.region.empty()) sec += "region = " + opts.region + "\n";
                    l.sections.push_back(sec);
                } else {
                    shown = "-  (credsh sso accounts --write would add " + name + ")";
                }
            }
            l.table += printable(id) + "\t" + printable(aname) + "\t" + printable(role) + "\t" +
                       printable(shown) + "\n";
        }
    }
    return l;
}

// --write: the new sections appended to the AWS config file, separated by one blank line, as `aws configure
// sso` writes them; nothing else in the file changes.
int write_new_profiles(Context& ctx, const Listing& l) {
    if (l.sections.empty()) {
        ctx.warn("sso: every role already has a profile; the config file is unchanged");
        return 0;
    }
    std::string text;
    for (const auto& sec : l.sections)
        text += (text.empty() ? "" : "\n") + sec;
    if (auto w = append_to_config(ctx.env, text); !w) {
        ctx.warn("sso: " + w.error().message);
        return 1;
    }
    const std::size_t added = l.sections.size();
    ctx.warn("sso: added " + std::to_string(added) + " profile" + (added == 1 ? "" : "s") + " to " +
             printable(locate_profile_files(ctx.env).config));
    return 0;
}

} // namespace

int cmd_sso(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string what, target, region, format = "{role}-{account}";
    bool write = false;
    desc.add_options()("what", po::value(&what), "accounts")(
        "session", po::value(&target), "the [sso-session] (or an SSO profile) to list for")(
        "write", po::bool_switch(&write), "append a [profile] section for every role no profile uses yet")(
        "region", po::value(&region), "with --write: the region to put in the new profiles")(
        "name", po::value(&format),
        "with --write: profile name format ({role}, {account}, {account_name}; "
        "default {role}-{account})");
    po::positional_options_description pos;
    pos.add("what", 1).add("session", 1);
    int rc = 0;
    auto vm =
        parse_args(ctx, args, desc, pos, "sso accounts [SESSION] [--write] [--region R] [--name FORMAT]",
                   "Lists the accounts and roles an IAM Identity Center sign-in reaches; --write adds "
                   "matching profiles to the AWS config file and changes nothing else in it.",
                   rc);
    if (!vm) return rc;
    if (!region.empty() &&
        region.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
        ctx.warn("sso: --region must look like eu-west-1");
        return 2;
    }
    if (what != "accounts") {
        ctx.warn("sso: unknown subcommand '" + printable(what) +
                 "' (credsh sso accounts [SESSION] [--write])");
        return 2;
    }
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn(profiles.error().message);
        return 1;
    }
    Source src;
    if (int chosen = choose_sign_in(ctx, *profiles, target, src); chosen != 0) return chosen;

    // A listing never starts a sign-in; it says how to.
    StepRunner runner(RunnerIO{.env = ctx.env,
                               .now = ctx.now,
                               .plugins = ctx.plugins(),
                               .timeout_ms = kInteractiveTimeoutMs,
                               .stderr_fd = ctx.err_fd});
    const std::string profile = src.session.empty() ? src.profile : "";
    auto reply = sso_accounts(runner, profile, src.settings);
    if (!reply) {
        if (reply.error().kind == ErrorKind::needs_login)
            ctx.warn(printable(target) + " needs login — run: " + reply.error().message);
        else
            ctx.warn("sso: " + reply.error().message);
        return 1;
    }
    auto accounts = nlohmann::json::parse(reply->get("accounts"), nullptr, false);
    if (!accounts.is_array()) {
        ctx.warn("sso: the aws-sso plugin returned no account list");
        return 1;
    }
    // Which profiles already use this sign-in: the plugin names each profile's sign-in.
    auto who = sso_sign_in(runner, profile, src.settings);
    const std::vector<std::string> signed_in =
        who ? profiles_signed_in_with(runner, *profiles, who->get("sign_in")) : std::vector<std::string>{};

    Listing l = tabulate(*profiles, src, accounts, signed_in, {format, region, write});
    ctx.out(l.table);
    return write ? write_new_profiles(ctx, l) : 0;
}

} // namespace credsh
