#include "pipeline/cred_cache.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "shell.hpp"
#include <credsh/policy.hpp>

#include <algorithm>
#include <array>
#include <charconv>

namespace credsh {

CacheDirs cache_dirs(const Env& env) {
    CacheDirs d;
    std::string home = env.home();
    d.cli = home + "/.aws/cli/cache";
    std::string cache = home + "/.cache";
    if (auto c = env.get_nonempty("XDG_CACHE_HOME"); c && (*c)[0] == '/') cache = *c;
    d.credsh = cache + "/credsh/creds";
    d.logouts = cache + "/credsh/logouts";
    d.index = cache + "/credsh/index";
    if (auto r = env.get_nonempty("XDG_RUNTIME_DIR"); r && (*r)[0] == '/')
        d.locks = *r + "/credsh/locks";
    else
        d.locks = cache + "/credsh/locks";
    return d;
}

namespace {

std::string file_safe(std::string s) {
    for (char& c : s)
        if (c == ':' || c == '/') c = '_';
    return s;
}

const std::string* str_member(const nlohmann::json& obj, const char* key) {
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

} // namespace

LogoutRecord read_logout_record(const std::string& path) {
    LogoutRecord out;
    auto text = read_state_file(path, kStateFileCap);
    if (!text) return out;
    for (auto line : split(*text, '\n')) {
        auto sp = line.find(' ');
        if (sp == std::string_view::npos || sp + 1 == line.size()) continue;
        std::int64_t t = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + sp, t);
        if (ec != std::errc() || p != line.data() + sp) continue;
        std::string name(line.substr(sp + 1));
        if (auto it = out.find(name); it == out.end() || it->second < t) out[name] = t;
    }
    return out;
}

Result<void> add_to_logout_record(const std::string& path, const std::string& locks_dir,
                                  const std::vector<std::string>& profiles, std::int64_t now,
                                  int timeout_ms) {
    auto lock = FileLock::acquire(locks_dir, "logouts", timeout_ms, [](const std::string& shown, int ms) {
        return "another credsh logout is writing the logout record (lock " + shown +
               "); gave up waiting after " + std::to_string(ms) + " ms";
    });
    if (!lock) return lock.error();
    LogoutRecord rec = read_logout_record(path);
    for (const auto& p : profiles)
        if (!p.empty() && p.find('\n') == std::string::npos) rec[p] = std::max(rec[p], now);
    std::string text;
    for (const auto& [name, t] : rec)
        text += std::to_string(t) + " " + name + "\n";
    return write_private_file(path, text);
}

std::string assume_role_cache_key(const nlohmann::json& args) {
    nlohmann::json a = args;
    // botocore replaces the policy text with the parsed document (json.loads), so the key depends on the
    // policy's content, not its formatting: the object is serialised in place, keys sorted, not as a string.
    if (auto it = a.find("Policy"); it != a.end() && it->is_string()) {
        auto parsed = nlohmann::json::parse(it->get<std::string>(), nullptr, false);
        if (!parsed.is_discarded()) *it = std::move(parsed); // a copy would recurse as deep as the document
    }
    return file_safe(sha1_hex(python_json_dumps(a)));
}

std::string sso_role_cache_key(const std::string& account_id, const std::string& role_name,
                               const std::string& session_name, const std::string& start_url) {
    nlohmann::json args = {{"accountId", account_id}, {"roleName", role_name}};
    if (!session_name.empty())
        args["sessionName"] = session_name;
    else
        args["startUrl"] = start_url;
    return file_safe(sha1_hex(python_json_dumps(args, true)));
}

bool credsh_owned_var(std::string_view name) {
    // Case-insensitively: no shell treats these differently, and PowerShell's environment ignores case.
    std::string lower = to_lower(name);
    return lower.rfind("credsh_", 0) == 0 || lower.rfind("__credsh", 0) == 0;
}

bool credential_var(std::string_view name) {
    static constexpr std::array<std::string_view, 10> kCredentialVars = {
        "ask_default_profile",    "ask_refresh_token", "aws_access_key_id",     "aws_credential_expiration",
        "aws_default_profile",    "aws_profile",       "aws_secret_access_key", "aws_security_token",
        "aws_session_expiration", "aws_session_token"};
    std::string lower = to_lower(name);
    return std::find(kCredentialVars.begin(), kCredentialVars.end(), lower) != kCredentialVars.end();
}

std::optional<std::string> refused_extra_var(const std::map<std::string, std::string>& env) {
    for (const auto& [name, value] : env)
        if (credsh_owned_var(name) || credential_var(name) || !valid_var_name(name)) return name;
    return std::nullopt;
}

Result<Credentials> read_cached_credentials(const std::string& path, std::string* note) {
    auto text = read_state_file(path, kStateFileCap, note);
    if (!text)
        return text.error().kind == ErrorKind::unsafe ? text.error().context("cache entry ignored")
                                                      : text.error();
    auto j = nlohmann::json::parse(*text, nullptr, false);
    auto bad = [&](const std::string& why) { return fail("cache file " + printable(path) + ": " + why); };
    if (j.is_discarded() || !j.is_object()) return bad("not a JSON object");
    auto c = j.find("Credentials");
    if (c == j.end() || !c->is_object()) return bad("no Credentials object");
    const std::string* key = str_member(*c, "AccessKeyId");
    const std::string* secret = str_member(*c, "SecretAccessKey");
    const std::string* token = str_member(*c, "SessionToken");
    const std::string* exp = str_member(*c, "Expiration");
    // "Env": the variables a plugin exported (ask, secretsmanager); such an entry may hold no AWS keys at
    // all.
    Credentials out;
    if (auto env = j.find("Env"); env != j.end() && env->is_object())
        for (const auto& [name, value] : env->items())
            if (value.is_string()) out.extra_env[name] = value.get<std::string>();
    // Whoever could write this entry must not be able to set credsh's own variables (or PATH) at the next
    // prompt.
    if (auto refused = refused_extra_var(out.extra_env))
        return unsafe("cache entry ignored: " + printable(path) + ": names variable " + printable(*refused) +
                      ", which a cache entry cannot set");
    if ((!key || key->empty() || !secret || secret->empty()) && out.extra_env.empty())
        return bad("no AccessKeyId/SecretAccessKey");
    if (key) out.access_key_id = *key;
    if (secret) out.secret_access_key = *secret;
    if (token) out.session_token = *token;
    if (exp) {
        out.expiration = parse_iso8601(*exp);
        if (!out.expiration) return bad("unreadable Expiration");
    } else {
        return bad("no Expiration"); // every entry in these caches is temporary
    }
    if (const std::string* a = str_member(*c, "AccountId"))
        out.account_id = *a;
    else if (auto u = j.find("AssumedRoleUser"); u != j.end() && u->is_object())
        if (const std::string* arn = str_member(*u, "Arn")) {
            auto parts = split(*arn, ':'); // arn:aws:sts::ACCOUNT:assumed-role/...
            if (parts.size() > 4) out.account_id = std::string(parts[4]);
        }
    return out;
}

nlohmann::json credentials_entry(const Credentials& c, const nlohmann::json& extra) {
    nlohmann::json e = extra.is_object() ? extra : nlohmann::json::object();
    nlohmann::json cred = nlohmann::json::object();
    if (!c.access_key_id.empty()) cred["AccessKeyId"] = c.access_key_id;
    if (!c.secret_access_key.empty()) cred["SecretAccessKey"] = c.secret_access_key;
    if (!c.extra_env.empty()) e["Env"] = c.extra_env;
    if (!c.session_token.empty()) cred["SessionToken"] = c.session_token;
    if (c.expiration) cred["Expiration"] = format_iso8601(*c.expiration);
    if (!c.account_id.empty()) cred["AccountId"] = c.account_id;
    e["Credentials"] = cred;
    return e;
}

Result<void> write_cached_entry(const std::string& path, const nlohmann::json& entry) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return fail("cache path " + printable(path) + " has no directory");
    if (auto d = ensure_private_dir(path.substr(0, slash)); !d) return d.error();
    return atomic_write_file(path, entry.dump());
}

} // namespace credsh
