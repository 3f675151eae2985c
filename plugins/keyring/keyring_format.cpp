#include "keyring_format.hpp"

#include "base/text.hpp"

#include <nlohmann/json.hpp>

namespace credsh::keyring {

const char* backend_name(Backend b) {
    return b == Backend::pass ? "pass" : "secret-service";
}

Result<Backend> choose_backend(const std::optional<std::string>& setting, bool bus, bool pass_ready) {
    if (setting && !setting->empty()) {
        if (*setting == "secret-service") return Backend::secret_service;
        if (*setting == "pass") return Backend::pass;
        return fail("keyring = " + printable(*setting) + " is not secret-service or pass");
    }
    if (bus) return Backend::secret_service;
    if (pass_ready) return Backend::pass;
    return fail(
        "no keyring: there is no session bus for the Secret Service and pass is not initialised (pass "
        "init GPG-ID); credsh never keeps keys in plaintext instead");
}

std::string encode_keys(const Keys& k) {
    nlohmann::ordered_json j;
    j["AccessKeyId"] = k.access_key_id;
    j["SecretAccessKey"] = k.secret_access_key;
    return j.dump();
}

Result<Keys> decode_keys(const std::string& text) {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return fail("the keyring entry is not credsh's (not a JSON object)");
    auto id = j.find("AccessKeyId");
    auto secret = j.find("SecretAccessKey");
    if (id == j.end() || secret == j.end() || !id->is_string() || !secret->is_string() ||
        id->get<std::string>().empty() || secret->get<std::string>().empty())
        return fail("the keyring entry lacks AccessKeyId or SecretAccessKey");
    return Keys{id->get<std::string>(), secret->get<std::string>()};
}

std::string pass_entry(const std::string& profile) {
    return "credsh/aws/" + profile;
}

} // namespace credsh::keyring
