#include "plugin_support.hpp"

#include "redact.hpp"

#include <algorithm>
#include <exception>
#include <vector>

namespace credsh::plugin {

std::optional<std::string> Request::find(const credsh_kv_list& list, std::string_view key) {
    for (std::size_t i = 0; i < list.count; ++i) {
        const credsh_kv& kv = list.items[i];
        if (kv.key && kv.value && key == kv.key && kv.value[0] != '\0') return std::string(kv.value);
    }
    return std::nullopt;
}

void Output::put(const std::string& key, const std::string& value) const {
    if (key == "message" || key == "hint") {
        // Text for the person: redacted, and a NUL shown rather than cutting the line (never thrown: the
        // error path itself goes through here).
        std::string clean = redact(value, secrets_);
        for (auto at = clean.find('\0'); at != std::string::npos; at = clean.find('\0', at))
            clean.replace(at, 1, "\\x00");
        h_->put(h_->ctx, key.c_str(), clean.c_str());
        return;
    }
    if (value.find('\0') != std::string::npos)
        throw PluginError("the value for " + key.substr(key.rfind('.') + 1) +
                          " contains a NUL byte, which no shell variable can hold; nothing was exported");
    h_->put(h_->ctx, key.c_str(), value.c_str());
}

void Output::say(const std::string& line) const {
    std::string clean = redact(line, secrets_);
    h_->say(h_->ctx, clean.c_str());
}

void Output::add_secret(const std::string& secret) const {
    if (secret.size() >= kMinSecretLength &&
        std::find(secrets_.begin(), secrets_.end(), secret) == secrets_.end())
        secrets_.push_back(secret);
}

std::optional<std::string> Output::read_secret(const std::string& prompt) const {
    if (!h_->read_secret) return std::nullopt;
    std::vector<char> buf(1024);
    int32_t n = h_->read_secret(h_->ctx, prompt.c_str(), buf.data(), buf.size());
    if (n < 0) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

int32_t guarded_call(RunFn fn, const credsh_request* request, const credsh_host* host) {
    if (!request || !host || request->struct_size < sizeof(credsh_request) ||
        host->struct_size < sizeof(credsh_host))
        return CREDSH_ERROR; // a host older than this plugin's header: nothing can be read safely
    Output out(host);
    try {
        Request req(request);
        for (const char* key : {"aws_access_key_id", "aws_secret_access_key", "aws_session_token"})
            if (auto v = req.source(key)) out.add_secret(*v);
        if (auto code = req.arg("token_code")) out.add_secret(*code);
        return fn(req, out);
    } catch (const PluginError& e) {
        return out.error(e.what());
    } catch (const std::exception& e) {
        return out.error(std::string("internal error: ") + e.what());
    } catch (...) {
        return out.error("internal error");
    }
}

} // namespace credsh::plugin
