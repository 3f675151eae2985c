#include "metadata_json.hpp"

#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "redact.hpp"

#include <nlohmann/json.hpp>

namespace credsh::imds {

namespace {

// A string member, or nullopt when absent or not a string.
std::optional<std::string> member(const nlohmann::json& j, const char* name) {
    auto it = j.find(name);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
}

} // namespace

Result<MetadataCredentials> parse_metadata_credentials(std::string_view body,
                                                       const std::vector<std::string>& secrets) {
    auto parsed = parse_json_limited(body, "the credentials response");
    if (!parsed && parsed.error().message.find("(the limit)") != std::string::npos) return parsed.error();
    if (!parsed || !parsed->is_object()) return fail("the credentials response is not a JSON object");
    const nlohmann::json& j = *parsed;
    // IMDS answers 200 with {"Code": "AssumeRoleUnauthorizedAccess", "Message": ...} when the instance
    // profile's role cannot be assumed: say that, not "no AccessKeyId".
    if (auto code = member(j, "Code"); code && *code != "Success") {
        std::string msg = plugin::server_text(member(j, "Message").value_or(""), secrets, 300);
        return fail("the credentials response says " + plugin::server_text(*code, secrets, 100) +
                    (msg.empty() ? "" : ": " + msg));
    }
    MetadataCredentials c;
    struct Field {
        const char* name;
        std::string* out;
    } fields[] = {
        {"AccessKeyId", &c.access_key_id}, {"SecretAccessKey", &c.secret_access_key}, {"Token", &c.token}};
    for (auto& f : fields) {
        auto v = member(j, f.name);
        if (!v || v->empty()) return fail(std::string("the credentials response has no ") + f.name);
        // A C string carries it to the host: a NUL would cut it (docs/security.md 36).
        if (v->find('\0') != std::string::npos)
            return fail(std::string("the credentials response's ") + f.name + " contains a NUL byte");
        *f.out = *v;
    }
    auto exp = member(j, "Expiration");
    if (!exp) return fail("the credentials response has no Expiration");
    auto when = parse_iso8601(*exp);
    if (!when) return fail("the credentials response has an unreadable Expiration: " + printable(*exp));
    c.expiration = *when;
    c.account_id = member(j, "AccountId").value_or("");
    return c;
}

} // namespace credsh::imds
