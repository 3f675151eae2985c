// credsh remove NAME [--yes]: the keys credsh store put in the keyring are deleted, and credsh's own lines
// for NAME (its credential_process, and an mfa_serial when nothing else is left) leave ~/.aws/config; every
// other byte of the file stays. Asks first on the terminal; without one, --yes is needed. The keyring goes
// first: when it fails, the config file is left as it was.
#include "base/text.hpp"
#include "base/tty.hpp"
#include "cli/cli.hpp"
#include "cli/profile_edit.hpp"
#include "config/credprofile.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"

namespace credsh {

Result<PluginReply> keyring_call(Context& ctx, const CredshConfig& config, const std::string& operation,
                                 const std::string& profile, std::map<std::string, std::string> args);

int cmd_remove(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name;
    bool yes = false;
    desc.add_options()("profile", po::value(&name)->required(),
                       "the profile whose stored keys to remove")("yes", po::bool_switch(&yes), "do not ask");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "remove NAME [--yes]",
        "Deletes the keys credsh store kept for NAME in the OS keyring, and credsh's lines for NAME "
        "from ~/.aws/config.",
        rc);
    if (!vm) return rc;
    if (!valid_profile_name(name)) {
        ctx.warn("remove: not a valid profile name: " + printable(name));
        return 2;
    }
    auto config = load_credsh_config(ctx.env);
    if (!config) {
        ctx.warn("remove: " + config.error().message);
        return 1;
    }
    ProfileFileLocations files = locate_profile_files(ctx.env);
    if (!yes) {
        auto answer =
            read_line_from_tty("Remove the keys of profile " + name + " from the keyring and its line from " +
                               printable(files.config) + "? [y/N] ");
        if (!answer) {
            ctx.warn(answer.error().kind == ErrorKind::not_found
                         ? "remove: no terminal to ask on; run credsh remove " + name + " --yes"
                         : "remove: " + answer.error().message);
            return 2;
        }
        if (*answer != "y" && *answer != "Y" && *answer != "yes") {
            ctx.warn("remove: nothing removed");
            return 1;
        }
    }
    auto reply = keyring_call(ctx, *config, "remove", name, {});
    if (!reply) {
        ctx.warn("remove: " + reply.error().message + "; nothing was changed");
        return 1;
    }
    const std::string section = name == "default" ? name : "profile " + name;
    bool had_line = false;
    auto edited = edit_profile_file(files.config, [&](const std::string& old) -> Result<std::string> {
        int removed = 0;
        // Only credsh's own line goes; a credential_process of someone else's stays.
        auto loaded = load_profile_files(ctx.env);
        if (!loaded) return loaded.error();
        auto it = loaded->config_file.find(name);
        const std::string* process =
            it == loaded->config_file.end() ? nullptr : find_prop(it->second, "credential_process");
        if (!process || !serves_from_keyring(*process, name)) return old;
        had_line = true;
        std::string all = remove_properties(old, section, {"credential_process", "mfa_serial"}, removed);
        if (!has_section(all, section)) return all;
        return remove_properties(old, section, {"credential_process"}, removed);
    });
    if (!edited) {
        ctx.warn("remove: the keys are gone from the keyring, but " + edited.error().message);
        return 1;
    }
    const bool was_stored = reply->get("removed") == "1";
    ctx.warn(
        std::string(was_stored
                        ? "removed the keys of " + name + " from the keyring (" + reply->get("backend") + ")"
                        : "the keyring (" + reply->get("backend") + ") held no keys for " + name) +
        (had_line ? "; removed its credential_process from " + printable(files.config) : ""));
    return 0;
}

} // namespace credsh
