// See console_url.hpp. No I/O here.
#include "console_url.hpp"

#include "http.hpp"

#include <nlohmann/json.hpp>

namespace credsh::console {

ConsoleHosts console_hosts(const std::string& region, const std::string& override_base) {
    ConsoleHosts h{"https://signin.aws.amazon.com", "https://console.aws.amazon.com"};
    if (region.rfind("us-gov-", 0) == 0)
        h = {"https://signin.amazonaws-us-gov.com", "https://console.amazonaws-us-gov.com"};
    else if (region.rfind("cn-", 0) == 0)
        h = {"https://signin.amazonaws.cn", "https://console.amazonaws.cn"};
    if (!override_base.empty()) {
        h.federation = override_base;
        while (!h.federation.empty() && h.federation.back() == '/')
            h.federation.pop_back();
    }
    h.federation += "/federation";
    return h;
}

std::string default_destination(const ConsoleHosts& hosts, const std::string& region) {
    return hosts.console + "/console/home?region=" + region;
}

std::string session_json(const std::string& key, const std::string& secret, const std::string& token) {
    return nlohmann::ordered_json{{"sessionId", key}, {"sessionKey", secret}, {"sessionToken", token}}.dump();
}

std::string login_url(const std::string& federation, const std::string& issuer,
                      const std::string& destination, const std::string& signin_token) {
    return federation + "?" +
           plugin::form_encode({{"Action", "login"},
                                {"Issuer", issuer},
                                {"Destination", destination},
                                {"SigninToken", signin_token}});
}

} // namespace credsh::console
