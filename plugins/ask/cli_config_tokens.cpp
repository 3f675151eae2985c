#include "cli_config_tokens.hpp"

#include "base/text.hpp"

namespace credsh::ask {

namespace {

using ojson = nlohmann::ordered_json;

// Parsed without exceptions: nlohmann's messages quote the bytes around an error, and this file holds tokens.
Result<ojson> parse(const std::string& path, const std::string& bytes) {
    if (bytes.find('\0') != std::string::npos) return fail(printable(path) + ": invalid JSON (NUL byte)");
    ojson doc = ojson::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail(printable(path) + ": invalid JSON");
    if (!doc.is_object()) return fail(printable(path) + ": not a JSON object");
    return doc;
}

std::string string_member(const ojson& obj, const char* key) {
    if (!obj.is_object()) return "";
    auto it = obj.find(key);
    return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

Result<ojson*> profile_entry(const std::string& path, ojson& doc, const std::string& profile) {
    auto profiles = doc.find("profiles");
    if (profiles == doc.end() || !profiles->is_object())
        return not_found(printable(path) + ": no profiles (run `ask configure`)");
    auto it = profiles->find(profile);
    if (it == profiles->end() || !it->is_object())
        return not_found(printable(path) + ": no ASK profile " + printable(profile));
    return &*it;
}

} // namespace

std::string js_iso_string(std::int64_t epoch) {
    std::string s = format_iso8601(epoch); // "...T07:08:09Z"
    if (!s.empty() && s.back() == 'Z') s.insert(s.size() - 1, ".000");
    return s;
}

Result<StoredToken> read_profile_token(const std::string& path, const std::string& bytes,
                                       const std::string& profile) {
    auto doc = parse(path, bytes);
    if (!doc) return doc.error();
    auto entry = profile_entry(path, *doc, profile);
    if (!entry) return entry.error();
    StoredToken t;
    t.vendor_id = string_member(**entry, "vendor_id");
    auto token = (*entry)->find("token");
    if (token != (*entry)->end() && token->is_object()) {
        t.access_token = string_member(*token, "access_token");
        t.refresh_token = string_member(*token, "refresh_token");
        if (std::string exp = string_member(*token, "expires_at"); !exp.empty())
            t.expires_at = parse_iso8601(exp);
    }
    return t;
}

Result<std::string> apply_refreshed_token(const std::string& path, const std::string& bytes,
                                          const std::string& profile, const plugin::LwaToken& fresh,
                                          std::int64_t now, const std::string& used_refresh) {
    auto doc = parse(path, bytes);
    if (!doc) return doc.error();
    auto entry = profile_entry(path, *doc, profile);
    if (!entry) return entry.error();
    ojson& token = (**entry)["token"];
    if (!token.is_object()) token = ojson::object();
    // The ASK CLI stores the response body as it came; keep our old members first so their order holds.
    for (const auto& [key, value] : fresh.body.items()) {
        if (key == "refresh_token" && (!value.is_string() || value.get<std::string>().empty() ||
                                       (!used_refresh.empty() && value.get<std::string>() == used_refresh)))
            continue; // not rotated: the file's own refresh token stays, whoever wrote it last
        token[key] = value;
    }
    token["expires_at"] = js_iso_string(now + fresh.expires_in);
    return doc->dump(2, ' ', false);
}

} // namespace credsh::ask
