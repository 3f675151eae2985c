#include "plugin_support.hpp"

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

std::optional<std::string> Output::read_secret(const std::string& prompt) const {
    if (!h_->read_secret) return std::nullopt;
    std::vector<char> buf(1024);
    int32_t n = h_->read_secret(h_->ctx, prompt.c_str(), buf.data(), buf.size());
    if (n < 0) return std::nullopt;
    return std::string(buf.data(), static_cast<std::size_t>(n));
}

int32_t guarded_call(RunFn fn, const credsh_request* request, const credsh_host* host) {
    if (!request || !host || request->struct_size < sizeof(credsh_request) || host->struct_size < sizeof(credsh_host))
        return CREDSH_ERROR; // a host older than this plugin's header: nothing can be read safely
    Output out(host);
    try {
        return fn(Request(request), out);
    } catch (const UnrepresentableValue& e) {
        return out.error(e.what());
    } catch (const std::exception& e) {
        return out.error(std::string("internal error: ") + e.what());
    } catch (...) {
        return out.error("internal error");
    }
}

} // namespace credsh::plugin
