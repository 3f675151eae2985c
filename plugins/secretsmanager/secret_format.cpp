#include "secret_format.hpp"

#include "base/json_limits.hpp"
#include "base/text.hpp"
#include "redact.hpp"

#include <charconv>

namespace credsh::secretsmanager {

namespace {

using ojson = nlohmann::ordered_json;

// The secret as a JSON object. Messages name the secret, never its bytes (nlohmann's own messages quote
// them).
// Read within json_limits.hpp's limits (docs/security.md 41): ordered_json is quadratic in the number of
// members, and anyone who can write a shared secret could otherwise stall every teammate's prompt.
Result<ojson> secret_object(const std::string& secret_id, const std::string& secret_string) {
    auto j = parse_json_limited<ojson>(secret_string, "secret " + printable(secret_id));
    if (!j && j.error().message.find("(the limit)") != std::string::npos) return j.error();
    if (!j || !j->is_object()) return fail("secret " + printable(secret_id) + " is not a JSON object");
    return j;
}

// A string member; "" when absent or not a string.
std::string member(const ojson& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string first_member(const ojson& j, std::initializer_list<const char*> keys) {
    for (const char* k : keys)
        if (std::string v = member(j, k); !v.empty()) return v;
    return "";
}

} // namespace

bool valid_variable(const std::string& name) {
    if (name.empty() || name.size() > 128) return false;
    auto alpha = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
    if (!alpha(name[0])) return false;
    for (char c : name)
        if (!alpha(c) && !(c >= '0' && c <= '9')) return false;
    return true;
}

Result<Settings> read_settings(const std::map<std::string, std::string>& s) {
    auto get = [&](const char* key) -> std::string {
        auto it = s.find(key);
        return it == s.end() ? "" : std::string(trim(it->second));
    };
    Settings out;
    out.secret_id = get("secret_id");
    if (out.secret_id.empty()) return fail("secret_id is not set");
    out.region = get("region");
    std::string format = get("format");
    if (format.empty() || format == "lwa")
        out.format = Format::lwa;
    else if (format == "aws")
        out.format = Format::aws;
    else if (format == "env")
        out.format = Format::env;
    else
        return fail("format must be lwa, aws or env");
    std::string vars = get("variables");
    for (char& c : vars)
        if (c == ',' || c == '\t') c = ' ';
    for (auto part : split(vars, ' ')) {
        std::string name(trim(part));
        if (name.empty()) continue;
        if (!valid_variable(name)) return fail("variables: " + printable(name) + " is not a variable name");
        out.variables.push_back(name);
    }
    if (out.format == Format::lwa && out.variables.empty()) out.variables = {"ASK_ACCESS_TOKEN"};
    if (out.format == Format::env && out.variables.empty())
        return fail("format = env needs variables = NAME ... (the allow-list of keys to export)");
    if (std::string ri = get("refresh_interval"); !ri.empty()) {
        std::int64_t n = 0;
        auto [p, ec] = std::from_chars(ri.data(), ri.data() + ri.size(), n);
        if (ec != std::errc() || p != ri.data() + ri.size() || n < 60 || n > 86400 * 7)
            return fail("refresh_interval must be 60..604800 seconds");
        out.refresh_interval = n;
    }
    return out;
}

Result<LwaSecret> parse_lwa_secret(const std::string& secret_id, const std::string& secret_string) {
    auto j = secret_object(secret_id, secret_string);
    if (!j) return j.error();
    LwaSecret s;
    s.client_id = member(*j, "lwa-client-id");
    s.client_secret = member(*j, "lwa-client-secret");
    s.refresh_token = member(*j, "lwa-refresh-token");
    s.auth_url = member(*j, "lwa-auth-url");
    s.scope = member(*j, "lwa-auth-scope");
    std::string missing;
    for (auto [key, value] :
         {std::pair{"lwa-client-id", &s.client_id}, std::pair{"lwa-client-secret", &s.client_secret},
          std::pair{"lwa-refresh-token", &s.refresh_token}})
        if (value->empty()) missing += std::string(missing.empty() ? "" : ", ") + key;
    if (!missing.empty()) return fail("secret " + printable(secret_id) + " has no " + missing);
    if (s.auth_url.empty()) s.auth_url = "https://api.amazon.com/auth/o2/token";
    s.doc = std::move(*j);
    return s;
}

std::string rotated_secret_string(const LwaSecret& secret, const std::string& new_refresh_token) {
    ojson doc = secret.doc;
    doc["lwa-refresh-token"] = new_refresh_token; // replaces in place: ordered_json keeps the key's position
    return doc.dump();
}

std::string client_request_token(const std::string& new_refresh_token) {
    // A domain-separated digest: the version id reveals nothing about the token, and is the same for every
    // writer of the same rotation. Shaped as a UUID (36 characters, within the API's 32-64).
    std::string h = sha256_hex("credsh secretsmanager rotation\n" + new_refresh_token).substr(0, 32);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
           h.substr(20);
}

Result<AwsKeys> parse_aws_secret(const std::string& secret_id, const std::string& secret_string) {
    auto j = secret_object(secret_id, secret_string);
    if (!j) return j.error();
    AwsKeys k;
    k.access_key_id = first_member(*j, {"AccessKeyId", "aws_access_key_id", "AWS_ACCESS_KEY_ID"});
    k.secret_access_key =
        first_member(*j, {"SecretAccessKey", "aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"});
    k.session_token = first_member(*j, {"SessionToken", "aws_session_token", "AWS_SESSION_TOKEN"});
    k.expiration = first_member(*j, {"Expiration", "aws_credential_expiration", "AWS_CREDENTIAL_EXPIRATION"});
    if (k.access_key_id.empty() || k.secret_access_key.empty())
        return fail("secret " + printable(secret_id) + " has no AccessKeyId and SecretAccessKey");
    if (!k.expiration.empty() && !parse_iso8601(k.expiration))
        return fail("secret " + printable(secret_id) + ": Expiration is not an ISO 8601 time");
    // What cannot cross the plugin boundary intact is refused here with a clear message (docs/security.md
    // 36).
    for (const std::string* v : {&k.access_key_id, &k.secret_access_key, &k.session_token})
        if (v->find('\0') != std::string::npos)
            return fail("secret " + printable(secret_id) + ": a key contains a NUL byte");
    return k;
}

Result<EnvValues> parse_env_secret(const std::string& secret_id, const std::string& secret_string,
                                   const std::vector<std::string>& allow) {
    auto j = secret_object(secret_id, secret_string);
    if (!j) return j.error();
    EnvValues out;
    for (const std::string& name : allow) {
        auto it = j->find(name);
        if (it == j->end() || it->is_null()) {
            out.missing.push_back(name);
        } else if (it->is_string()) {
            out.values.emplace_back(name, it->get<std::string>());
        } else if (it->is_number() || it->is_boolean()) {
            out.values.emplace_back(name, it->dump());
        } else {
            return fail("secret " + printable(secret_id) + ": " + name +
                        " is not a string, number or boolean");
        }
    }
    return out;
}

namespace {
// The text of the first <tag>...</tag>, or "".
std::string xml_element(const std::string& body, const std::string& tag) {
    auto start = body.find("<" + tag + ">");
    if (start == std::string::npos) return "";
    start += tag.size() + 2;
    auto end = body.find("</" + tag + ">", start);
    return end == std::string::npos ? "" : body.substr(start, end - start);
}
} // namespace

ServiceError parse_service_error(long status, const std::string& body, const std::string& error_type_header,
                                 const std::vector<std::string>& secrets) {
    ServiceError e;
    auto parsed = parse_json_limited(body, "the error reply");
    nlohmann::json j = parsed ? std::move(*parsed) : nlohmann::json();
    if (j.is_object()) {
        if (auto t = j.find("__type"); t != j.end() && t->is_string()) {
            e.type = t->get<std::string>();
            if (auto hash = e.type.rfind('#'); hash != std::string::npos) e.type = e.type.substr(hash + 1);
        }
        for (const char* key : {"message", "Message"})
            if (auto m = j.find(key); m != j.end() && m->is_string()) {
                e.message = m->get<std::string>();
                break;
            }
    }
    if (e.type.empty() && !error_type_header.empty())
        e.type = error_type_header.substr(0, error_type_header.find(':'));
    if (e.type.empty()) {
        e.type = xml_element(body, "Code");
        if (e.message.empty()) e.message = xml_element(body, "Message");
    }
    // Redacted before anything is cut (docs/security.md 35): a server may echo the request, session token
    // and SecretString included.
    e.type = plugin::redact(e.type, secrets);
    if (e.type.empty() || e.type.size() > 100) e.type = "HTTP " + std::to_string(status);
    e.raw_type = e.type;
    e.type = printable(e.type);
    std::string m = plugin::redact(e.message, secrets);
    m = std::string(trim(m));
    if (auto nl = m.find_first_of("\r\n"); nl != std::string::npos) m.resize(nl);
    if (m.size() > 300) m = m.substr(0, 300) + "...";
    e.raw_message = m;
    e.message = printable(m);
    return e;
}

} // namespace credsh::secretsmanager
