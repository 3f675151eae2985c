#include "config/credsh_config.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "config/credprofile.hpp"
#include <credsh/policy.hpp>

#include <ini.h>

#include <charconv>

namespace credsh {

std::optional<ExportMode> parse_export_mode(std::string_view s) {
    if (s == "auto") return ExportMode::auto_;
    if (s == "keys") return ExportMode::keys;
    if (s == "profile") return ExportMode::profile;
    return std::nullopt;
}

std::string_view export_mode_name(ExportMode m) {
    switch (m) {
    case ExportMode::keys:
        return "keys";
    case ExportMode::profile:
        return "profile";
    default:
        return "auto";
    }
}

std::optional<AskExport> parse_ask_export(std::string_view s) {
    if (s == "profile") return AskExport::profile;
    if (s == "env") return AskExport::env;
    return std::nullopt;
}

std::string credsh_config_path(const Env& env) {
    if (auto x = env.get_nonempty("XDG_CONFIG_HOME"); x && (*x)[0] == '/') return *x + "/credsh/config";
    return env.home() + "/.config/credsh/config";
}

namespace {

struct ParseState {
    CredshConfig* config;
    const Env* env;
    std::string error; // without the line number; inih supplies it
};

std::string expand_home(const std::string& v, const Env& env) {
    if (v == "~") return env.home();
    if (v.rfind("~/", 0) == 0) return env.home() + v.substr(1);
    return v;
}

int handler(void* user, const char* section_c, const char* name_c, const char* value_c) {
    auto* st = static_cast<ParseState*>(user);
    std::string section(section_c), name(name_c), value(value_c);
    CredshConfig& c = *st->config;
    auto bad = [&](std::string why) {
        st->error = std::move(why);
        return 0;
    };
    if (section == "credsh") {
        if (name == "default_profile") {
            if (!valid_profile_name(value)) return bad("default_profile is not a valid profile name");
            c.default_profile = value;
        } else if (name == "prompt_format") {
            c.prompt_format = value;
        } else if (name == "export") {
            auto m = parse_export_mode(value);
            if (!m) return bad("export must be auto, keys or profile");
            c.export_mode = *m;
        } else if (name == "credential_process_timeout") {
            int secs = 0;
            auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), secs);
            if (ec != std::errc() || p != value.data() + value.size() || secs < 1 || secs > 3600)
                return bad("credential_process_timeout must be 1..3600 seconds");
            c.process_timeout = std::chrono::seconds(secs);
        } else if (name == "ask_export") {
            auto m = parse_ask_export(value);
            if (!m) return bad("ask_export must be profile or env");
            c.ask_export = *m;
        } else if (name == "keyring") {
            if (value != "secret-service" && value != "pass")
                return bad("keyring must be secret-service or pass");
            c.keyring = value;
        } else {
            return bad("unknown key '" + printable(name) + "' in [credsh]");
        }
        return 1;
    }
    if (section == "trust") {
        if (name != "prefix") return bad("unknown key '" + printable(name) + "' in [trust]");
        std::string p = expand_home(value, *st->env);
        if (p.empty() || p[0] != '/') return bad("trust prefix must be an absolute path or start with ~/");
        while (p.size() > 1 && p.back() == '/')
            p.pop_back();
        c.trust_prefixes.push_back(p);
        return 1;
    }
    if (section.rfind("profile ", 0) == 0) {
        std::string prof(trim(std::string_view(section).substr(8)));
        if (!valid_profile_name(prof)) return bad("invalid profile name in section header");
        if (name == "export" && !parse_export_mode(value)) return bad("export must be auto, keys or profile");
        c.profiles[prof][name] = value;
        return 1;
    }
    if (section.rfind("ask ", 0) == 0) {
        std::string prof(trim(std::string_view(section).substr(4)));
        if (prof.empty()) return bad("[ask NAME] needs a profile name");
        if (name != "export")
            return bad("unknown key '" + printable(name) + "' in [ask " + printable(prof) + "]");
        auto m = parse_ask_export(value);
        if (!m) return bad("export must be profile or env");
        c.ask_profiles[prof] = *m;
        return 1;
    }
    return bad("unknown section [" + printable(section) + "]");
}

} // namespace

Result<CredshConfig> parse_credsh_config(const std::string& path, const std::string& text, const Env& env) {
    CredshConfig config;
    config.path = path;
    if (text.find('\0') != std::string::npos) return fail(printable(path) + ": contains a NUL byte");
    ParseState st{&config, &env, {}};
    int line = ini_parse_string(text.c_str(), handler, &st);
    if (line != 0) {
        std::string why = st.error.empty() ? "syntax error (or a line longer than 200 bytes)" : st.error;
        return fail(printable(path) + ":" + std::to_string(line) + ": " + why);
    }
    return config;
}

Result<CredshConfig> load_credsh_config(const Env& env) {
    std::string path = credsh_config_path(env);
    auto text = safe_read_file(path, kCredprofileCap);
    if (!text) {
        if (text.error().kind == ErrorKind::not_found) {
            CredshConfig c;
            c.path = path;
            return c;
        }
        return text.error();
    }
    return parse_credsh_config(path, *text, env);
}

} // namespace credsh
