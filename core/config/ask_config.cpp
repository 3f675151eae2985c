// ~/.ask/cli_config is the ASK CLI's file, and it holds LWA refresh tokens: long-lived secrets that mint
// access to a developer's skills. The core reads it only to list profiles and follow their links (vendor id,
// aws_profile), so tokens never leave this file's scope: AskProfile records only whether a refresh token is
// there and when the access token expires. A broken file must be reported without quoting it, and nlohmann's
// own parse messages quote the bytes around the error, so positions are taken from a SAX pass and the message
// is built here.
#include "config/ask_config.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include <credsh/policy.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace credsh {

namespace {

// Validates only, remembering where the parser gave up. Every value callback accepts; nothing is stored.
class ErrorPosition final : public nlohmann::json_sax<nlohmann::json> {
  public:
    bool failed = false;
    std::size_t position = 0; // bytes read when the parser stopped, the failing byte included (1-based)

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t pos, const std::string&, const nlohmann::detail::exception&) override {
        failed = true;
        position = pos;
        return false;
    }
};

// "line 3, column 7 (byte 42)" for the 1-based byte position the parser stopped at.
std::string where(const std::string& bytes, std::size_t position) {
    const std::size_t index = position - 1;
    const auto line = std::count(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(index), '\n') + 1;
    const std::size_t newline = index == 0 ? std::string::npos : bytes.rfind('\n', index - 1);
    const std::size_t column = newline == std::string::npos ? index + 1 : index - newline;
    return "line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
           std::to_string(position) + ")";
}

std::string describe_error(const std::string& bytes, std::size_t position) {
    if (position == 0 || position > bytes.size()) {
        const auto lines = std::count(bytes.begin(), bytes.end(), '\n');
        return "unexpected end of input at line " + std::to_string(lines + 1);
    }
    return "syntax error at " + where(bytes, position);
}

const nlohmann::json* member(const nlohmann::json& obj, const char* name) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(name);
    return it == obj.end() ? nullptr : &*it;
}

// The ASK CLI reads fields with ramda's lensPath, so a missing or oddly typed field is simply absent there.
std::string string_or_empty(const nlohmann::json& obj, const char* name) {
    const auto* v = member(obj, name);
    return v && v->is_string() ? v->get<std::string>() : std::string();
}

AskProfile read_profile(const nlohmann::json& entry) {
    AskProfile profile;
    profile.vendor_id = string_or_empty(entry, "vendor_id");
    profile.aws_profile = string_or_empty(entry, "aws_profile");
    if (const auto* token = member(entry, "token"); token && token->is_object()) {
        const auto* refresh = member(*token, "refresh_token");
        profile.has_refresh_token =
            refresh && refresh->is_string() && !refresh->get_ref<const std::string&>().empty();
        if (const auto* expires = member(*token, "expires_at"); expires && expires->is_string())
            profile.token_expires_at = parse_iso8601(expires->get_ref<const std::string&>());
    }
    return profile;
}

} // namespace

std::string ask_config_path(const Env& env) {
    std::string home = env.home();
    while (home.size() > 1 && home.back() == '/')
        home.pop_back();
    if (home == "/") home.clear();
    return home + "/.ask/cli_config";
}

Result<AskConfig> parse_ask_config(const std::string& path, const std::string& bytes) {
    // nlohmann's lexer takes a NUL byte for the end of input, which would let anything after one through.
    if (auto nul = bytes.find('\0'); nul != std::string::npos)
        return fail(printable(path) + ": invalid JSON: NUL byte at " + where(bytes, nul + 1));
    ErrorPosition check;
    nlohmann::json::sax_parse(bytes, &check);
    if (check.failed)
        return fail(printable(path) + ": invalid JSON: " + describe_error(bytes, check.position));

    const nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return fail(printable(path) + ": invalid JSON");
    if (!doc.is_object()) return fail(printable(path) + ": not a JSON object");

    AskConfig config;
    const auto* profiles = member(doc, "profiles");
    if (!profiles || !profiles->is_object()) return config; // no profiles yet: `ask configure` not run
    for (const auto& [name, entry] : profiles->items()) {
        // A profile that is not an object cannot hold a vendor id or token; the ASK CLI itself fails on it.
        if (!entry.is_object()) continue;
        config.profiles.emplace(name, read_profile(entry));
    }
    return config;
}

Result<AskConfig> load_ask_config(const Env& env) {
    const std::string path = ask_config_path(env);
    auto bytes = safe_read_file(path, kConfigCap);
    if (!bytes) {
        if (bytes.error().kind == ErrorKind::not_found) return AskConfig{};
        return bytes.error();
    }
    return parse_ask_config(path, *bytes);
}

Result<AskTokens> parse_ask_tokens(const std::string& path, const std::string& bytes,
                                   const std::string& profile) {
    if (bytes.find('\0') != std::string::npos) return fail(printable(path) + ": invalid JSON");
    const nlohmann::json doc = nlohmann::json::parse(bytes, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) return fail(printable(path) + ": invalid JSON");
    const auto* profiles = member(doc, "profiles");
    const auto* entry = profiles ? member(*profiles, profile.c_str()) : nullptr;
    if (!entry || !entry->is_object())
        return not_found(printable(path) + ": no ASK profile " + printable(profile));
    AskTokens t;
    if (const auto* token = member(*entry, "token"); token && token->is_object()) {
        t.access_token = string_or_empty(*token, "access_token");
        if (std::string exp = string_or_empty(*token, "expires_at"); !exp.empty())
            t.expires_at = parse_iso8601(exp);
    }
    return t;
}

AskExport ask_export_for(const CredshConfig& config, const std::string& profile) {
    auto it = config.ask_profiles.find(profile);
    return it == config.ask_profiles.end() ? config.ask_export : it->second;
}

} // namespace credsh
