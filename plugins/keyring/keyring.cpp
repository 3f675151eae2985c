// credsh-keyring: long-term AWS keys in the OS keyring instead of ~/.aws/credentials (issue 14,
// docs/security.md 29). Operations: "credentials" (the profile's keys, for the chain step credsh plans for
// its own `credential_process = credsh credential-process --profile NAME` line), "store" (args access_key_id
// and secret_access_key, from credsh store's terminal or stdin, never argv) and "remove". The backend is
// settings.keyring ([credsh] keyring = secret-service | pass), else the Secret Service when a session bus is
// there, else pass when initialised, else an error: never a plaintext fallback. Long-term keys carry no
// expiration, so the host never caches them; temporary credentials derived from them are cached as usual.
#include "backends.hpp"
#include "base/text.hpp"
#include "keyring_format.hpp"
#include "plugin_support.hpp"

#include <sys/stat.h>

namespace {

using namespace credsh;
using namespace credsh::plugin;
using namespace credsh::keyring;

std::map<std::string, std::string> request_env(const Request& req) {
    std::map<std::string, std::string> env;
    const credsh_kv_list& l = req.raw().env;
    for (size_t i = 0; i < l.count; ++i)
        if (l.items[i].key && l.items[i].value) env[l.items[i].key] = l.items[i].value;
    return env;
}

bool session_bus(const std::map<std::string, std::string>& env) {
    if (auto it = env.find("DBUS_SESSION_BUS_ADDRESS"); it != env.end() && !it->second.empty()) return true;
    auto rt = env.find("XDG_RUNTIME_DIR");
    if (rt == env.end() || rt->second.empty()) return false;
    struct stat st {};
    return ::stat((rt->second + "/bus").c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

int32_t run(const Request& req, const Output& out) {
    std::string_view op = req.operation();
    if (op != "credentials" && op != "store" && op != "remove") return CREDSH_UNSUPPORTED;
    Call c;
    c.profile = req.profile();
    if (c.profile.empty()) return out.error("keyring: no profile named");
    c.env = request_env(req);
    c.interactive = req.interactive();
    c.desktop = c.env.count("DISPLAY") || c.env.count("WAYLAND_DISPLAY");
    c.timeout_ms = req.timeout_ms();
    auto backend = choose_backend(req.setting("keyring"), session_bus(c.env), pass_initialised(c.env));
    if (!backend) return out.error(backend.error().message);
    const bool ss = *backend == Backend::secret_service;
    out.put("backend", backend_name(*backend));
    if (op == "store") {
        Keys k{req.arg("access_key_id").value_or(""), req.arg("secret_access_key").value_or("")};
        if (k.access_key_id.empty() || k.secret_access_key.empty())
            return out.error("keyring: store needs an access key id and a secret access key");
        out.add_secret(k.secret_access_key);
        auto r = ss ? secret_service_put(c, k) : pass_put(c, k);
        if (!r) return out.error(r.error().message);
        return CREDSH_OK;
    }
    if (op == "remove") {
        auto r = ss ? secret_service_remove(c) : pass_remove(c);
        if (!r) return out.error(r.error().message);
        out.put("removed", *r ? "1" : "0");
        return CREDSH_OK;
    }
    auto r = ss ? secret_service_get(c) : pass_get(c);
    if (!r) return out.error(r.error().message);
    if (!*r)
        return out.error("no keys for profile " + printable(c.profile) + " in the keyring (" +
                         backend_name(*backend) + "); store them with: credsh store " + c.profile);
    out.add_secret((*r)->secret_access_key);
    out.put("aws_access_key_id", (*r)->access_key_id);
    out.put("aws_secret_access_key", (*r)->secret_access_key);
    return CREDSH_OK;
}

} // namespace

CREDSH_CXX_PLUGIN("keyring", "1.0.0", "long-term AWS keys in the Secret Service or pass", run);
