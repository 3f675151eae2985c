#include "redact.hpp"

#include "base/text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace credsh::plugin {

namespace {

// RFC 3986 unreserved characters stay; everything else becomes %XX in the given hex case. A space also as '+'
// (application/x-www-form-urlencoded) when `plus`.
std::string percent(std::string_view s, bool upper, bool plus) {
    const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string out;
    for (unsigned char c : s) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else if (plus && c == ' ') {
            out += '+';
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string json_escaped(std::string_view s) {
    // error_handler_t::replace: a secret that is not valid UTF-8 still gets a form (never an exception).
    std::string d =
        nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return d.size() >= 2 ? d.substr(1, d.size() - 2) : d;
}

void replace_all(std::string& text, const std::string& needle) {
    if (needle.empty()) return;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 4))
        text.replace(at, needle.size(), "****");
}

} // namespace

std::vector<std::string> secret_forms(std::string_view secret) {
    std::vector<std::string> forms;
    if (secret.size() < kMinSecretLength) return forms;
    std::string json = json_escaped(secret);
    for (std::string f : {std::string(secret), percent(secret, true, false), percent(secret, false, false),
                          percent(secret, true, true), percent(secret, false, true), json,
                          [&] { // JSON writers that escape '/' as "\/"
                              std::string j;
                              for (char c : json)
                                  j += c == '/' ? std::string("\\/") : std::string(1, c);
                              return j;
                          }(),
                          printable(secret), printable(json)})
        if (std::find(forms.begin(), forms.end(), f) == forms.end()) forms.push_back(std::move(f));
    std::stable_sort(forms.begin(), forms.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    return forms;
}

std::string redact_userinfo(std::string text) {
    for (auto scheme = text.find("://"); scheme != std::string::npos; scheme = text.find("://", scheme + 3)) {
        std::size_t start = scheme + 3;
        std::size_t end = text.find_first_of("/?#\\ \t\r\n\"'<>", start);
        if (end == std::string::npos) end = text.size();
        auto at = text.rfind('@', end == 0 ? 0 : end - 1);
        if (at == std::string::npos || at < start || at >= end) continue;
        text.replace(start, at - start, "****");
    }
    return text;
}

std::string redact(std::string text, const std::vector<std::string>& secrets) {
    std::vector<std::string> forms;
    for (const std::string& s : secrets)
        for (std::string& f : secret_forms(s))
            forms.push_back(std::move(f));
    // Longest first: a shorter secret inside a longer one must not leave the rest of the longer one behind.
    std::stable_sort(forms.begin(), forms.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const std::string& f : forms)
        replace_all(text, f);
    return redact_userinfo(std::move(text));
}

std::string server_text(std::string_view text, const std::vector<std::string>& secrets, std::size_t cap) {
    std::string t = redact(std::string(text), secrets);
    t = std::string(trim(t));
    if (auto nl = t.find_first_of("\r\n"); nl != std::string::npos) t.resize(nl);
    if (t.size() > cap) t = t.substr(0, cap) + "...";
    // Once more after escaping: an escape can make what looks like a secret from bytes that were not one
    // ("\x94" before "93817" shows an MFA code 493817), and a reader cannot tell the difference.
    return redact(printable(t), secrets);
}

} // namespace credsh::plugin
