// credsh store NAME [--stdin] [--mfa-serial ARN] [--migrate]: long-term keys into the OS keyring (the keyring
// plugin: the Secret Service or pass; docs/security.md 29), and `[profile NAME]` with credsh's own
// `credential_process = credsh credential-process --profile NAME` appended to ~/.aws/config (the old file a
// byte prefix of the new one), so the AWS CLI and every SDK use it; credsh itself recognises the line and
// reads the keyring directly (pipeline/chain.cpp serves_from_keyring). The keys are read from the terminal
// with echo off, or as two lines on stdin with --stdin; never from argv. --migrate takes them from the
// profile's section in ~/.aws/credentials instead and removes those plaintext lines once the keyring holds
// them.
//
// Order, so a failure never loses the keys nor leaves them half moved: the keyring first (nothing is written
// to any file when it fails), then the config file, then (--migrate) the plaintext lines.
#include "base/text.hpp"
#include "base/tty.hpp"
#include "cli/cli.hpp"
#include "cli/profile_edit.hpp"
#include "config/credprofile.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"
#include "pipeline/chain.hpp"
#include "pipeline/runner.hpp"
#include <credsh/policy.hpp>

#include <unistd.h>

namespace credsh {

namespace {

constexpr std::size_t kStdinCap = 4096; // two lines of keys

// The section name of a profile in the config file.
std::string config_section(const std::string& name) {
    return name == "default" ? name : "profile " + name;
}

// Two lines from stdin: the key id, then the secret key.
Result<std::pair<std::string, std::string>> keys_from_stdin() {
    std::string data;
    char buf[512];
    while (data.size() <= kStdinCap) {
        ssize_t n = ::read(0, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        data.append(buf, static_cast<std::size_t>(n));
    }
    std::fill(std::begin(buf), std::end(buf), '\0');
    if (data.size() > kStdinCap) return fail("--stdin: more than two lines of keys");
    auto line = [&](std::size_t& pos) {
        auto nl = data.find('\n', pos);
        std::string l = data.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? data.size() : nl + 1;
        while (!l.empty() && (l.back() == '\r' || l.back() == ' ' || l.back() == '\t'))
            l.pop_back();
        return l;
    };
    std::size_t pos = 0;
    std::string id = line(pos), secret = line(pos);
    if (id.empty() || secret.empty())
        return fail("--stdin: expected two lines, the access key id and then the secret access key");
    return std::pair{id, secret};
}

Result<std::pair<std::string, std::string>> keys_from_tty() {
    auto id = read_secret_from_tty("AWS access key id: ");
    if (!id) {
        if (id.error().kind == ErrorKind::not_found)
            return fail("no terminal to read the keys from (pipe them in with --stdin: two lines)");
        return id.error();
    }
    auto secret = read_secret_from_tty("AWS secret access key: ");
    if (!secret) return secret.error();
    if (id->empty() || secret->empty()) return fail("an empty key was typed; nothing stored");
    return std::pair{*id, *secret};
}

bool plausible_key_id(const std::string& id) {
    if (id.size() < 16 || id.size() > 128) return false;
    for (char c : id)
        if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    return true;
}

} // namespace

// One call to the keyring plugin for `profile`, interactive (a person ran store or remove).
Result<PluginReply> keyring_call(Context& ctx, const CredshConfig& config, const std::string& operation,
                                 const std::string& profile, std::map<std::string, std::string> args) {
    StepRunner runner(RunnerIO{.env = ctx.env,
                               .now = ctx.now,
                               .plugins = ctx.plugins(),
                               .interactive = true,
                               .timeout_ms = kInteractiveTimeoutMs,
                               .stderr_fd = ctx.err_fd});
    PluginCall call;
    call.operation = operation;
    call.profile = profile;
    if (!config.keyring.empty()) call.settings["keyring"] = config.keyring;
    call.args = std::move(args);
    auto reply = runner.call("keyring", call);
    if (!reply) return reply.error();
    if (reply->status != CREDSH_OK) {
        std::string msg = reply->get("message");
        return fail(msg.empty() ? "the keyring plugin failed" : msg);
    }
    return reply;
}

int cmd_store(Context& ctx, const Args& args) {
    po::options_description desc("options");
    std::string name, mfa_serial;
    bool from_stdin = false, migrate = false;
    desc.add_options()("profile", po::value(&name)->required(), "the profile to store keys for")(
        "stdin", po::bool_switch(&from_stdin), "read the key id and the secret key as two lines from stdin")(
        "mfa-serial", po::value(&mfa_serial),
        "the MFA device's ARN: credsh then uses GetSessionToken with a code")(
        "migrate", po::bool_switch(&migrate),
        "move the profile's keys from ~/.aws/credentials into the keyring and remove the plaintext lines");
    po::positional_options_description pos;
    pos.add("profile", 1);
    int rc = 0;
    auto vm = parse_args(
        ctx, args, desc, pos, "store NAME [--stdin] [--mfa-serial ARN] [--migrate]",
        "Stores long-term AWS keys for NAME in the OS keyring (the Secret Service or pass) and adds "
        "[profile NAME] with credential_process = credsh credential-process --profile NAME to "
        "~/.aws/config. The keys are read from the terminal with echo off (or --stdin).",
        rc);
    if (!vm) return rc;
    if (!valid_profile_name(name)) {
        ctx.warn("store: not a valid profile name: " + printable(name));
        return 2;
    }
    auto profiles = load_profile_files(ctx.env);
    if (!profiles) {
        ctx.warn("store: " + profiles.error().message);
        return 1;
    }
    auto config = load_credsh_config(ctx.env);
    if (!config) {
        ctx.warn("store: " + config.error().message);
        return 1;
    }
    ProfileFileLocations files = locate_profile_files(ctx.env);
    const std::string own_line = keyring_credential_process(name);
    const Properties* in_config = nullptr;
    if (auto it = profiles->config_file.find(name); it != profiles->config_file.end())
        in_config = &it->second;
    const std::string* process = in_config ? find_prop(*in_config, "credential_process") : nullptr;
    const bool ours = process && serves_from_keyring(*process, name);
    if (process && !ours) {
        ctx.warn("store: profile " + name + " already has a credential_process in " +
                 printable(files.config) + "; nothing stored");
        return 1;
    }

    std::pair<std::string, std::string> keys;
    if (migrate) {
        auto it = profiles->credentials_file.find(name);
        const std::string* id =
            it == profiles->credentials_file.end() ? nullptr : nonempty_prop(it->second, "aws_access_key_id");
        const std::string* secret = it == profiles->credentials_file.end()
                                        ? nullptr
                                        : nonempty_prop(it->second, "aws_secret_access_key");
        if (!id || !secret) {
            ctx.warn("store --migrate: profile " + name +
                     " has no aws_access_key_id and aws_secret_access_key in " +
                     printable(files.credentials));
            return 1;
        }
        if (nonempty_prop(it->second, "aws_session_token")) {
            ctx.warn(
                "store --migrate: profile " + name +
                " holds temporary credentials (aws_session_token); only long-term keys go to the keyring");
            return 1;
        }
        keys = {*id, *secret};
    } else {
        if (!ours && (in_config || profiles->credentials_file.count(name))) {
            ctx.warn("store: profile " + name +
                     " already exists; to move its keys into the keyring: credsh store " + name +
                     " --migrate");
            return 1;
        }
        auto k = from_stdin ? keys_from_stdin() : keys_from_tty();
        if (!k) {
            ctx.warn("store: " + k.error().message);
            return 1;
        }
        keys = std::move(*k);
    }
    if (!plausible_key_id(keys.first)) {
        ctx.warn("store: that is not an access key id (16 to 128 letters and digits); nothing stored");
        return 1;
    }

    auto reply = keyring_call(ctx, *config, "store", name,
                              {{"access_key_id", keys.first}, {"secret_access_key", keys.second}});
    std::fill(keys.second.begin(), keys.second.end(), '\0');
    if (!reply) {
        ctx.warn("store: " + reply.error().message + "; nothing was written");
        return 1;
    }
    const std::string backend = reply->get("backend");
    if (!ours) {
        std::string lines = "credential_process = " + own_line + "\n";
        if (!mfa_serial.empty() && !(in_config && find_prop(*in_config, "mfa_serial")))
            lines += "mfa_serial = " + mfa_serial + "\n";
        Result<void> w =
            in_config ? edit_profile_file(files.config,
                                          [&](const std::string& old) -> Result<std::string> {
                                              std::string l = lines.substr(0, lines.size() - 1);
                                              auto s = insert_after_header(old, config_section(name), l);
                                              if (!s)
                                                  return fail("no [" + config_section(name) + "] section");
                                              return *s;
                                          })
                      : append_to_config(ctx.env, "[" + config_section(name) + "]\n" + lines);
        if (!w) {
            ctx.warn("store: the keys are in the keyring (" + backend + "), but " + w.error().message);
            return 1;
        }
    }
    if (migrate) {
        int removed = 0;
        auto w = edit_profile_file(files.credentials, [&](const std::string& old) -> Result<std::string> {
            return remove_properties(old, name, {"aws_access_key_id", "aws_secret_access_key"}, removed);
        });
        if (!w) {
            ctx.warn("store --migrate: the keys are in the keyring (" + backend +
                     "), but the plaintext ones are still in " + printable(files.credentials) + ": " +
                     w.error().message);
            return 1;
        }
        ctx.warn("stored the keys of " + name + " in the keyring (" + backend + ") and removed them from " +
                 printable(files.credentials));
        return 0;
    }
    ctx.warn("stored the keys of " + name + " in the keyring (" + backend + ")" +
             (ours ? "" : "; added [" + config_section(name) + "] to " + printable(files.config)));
    return 0;
}

} // namespace credsh
