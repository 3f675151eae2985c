#include "base/text.hpp"

// OpenSSL's SHA-1 and SHA-256 through their direct functions, not EVP: OpenSSL 3's EVP fetches the digest
// from a provider, and the first fetch in a process loads the configuration and builds the provider's
// algorithm tables (about 5 M instructions, most of a `credsh export` after a cd) to hash a few hundred
// bytes. These functions are the same implementations without that machinery. OpenSSL 3 marks them
// deprecated (in favour of EVP) but ships them throughout 3.x; the host links them statically for the same
// reason (core/CMakeLists.txt). Nothing here is a secret-key operation: names of cache and trust files, and
// the short value fingerprints the shell state keeps.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <cctype>
#include <charconv>
#include <ctime>
#include <system_error>

namespace credsh {

std::string_view trim(std::string_view s) {
    const char* ws = " \t\r\n";
    auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) return {};
    auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
        if (x != y) return false;
    }
    return true;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        auto pos = s.find(sep, start);
        out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
        if (pos == std::string_view::npos) break;
        start = pos + 1;
    }
    return out;
}

std::string hex_encode(std::string_view bytes) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    }
    return out;
}

std::string sha256_hex(std::string_view data) {
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256_CTX c;
    SHA256_Init(&c);
    SHA256_Update(&c, data.data(), data.size());
    SHA256_Final(md, &c);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}
std::string sha1_hex(std::string_view data) {
    unsigned char md[SHA_DIGEST_LENGTH];
    SHA_CTX c;
    SHA1_Init(&c);
    SHA1_Update(&c, data.data(), data.size());
    SHA1_Final(md, &c);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(md), sizeof md));
}

static bool take_int(std::string_view& s, size_t n, int& out) {
    if (s.size() < n) return false;
    int v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        v = v * 10 + (s[i] - '0');
    }
    out = v;
    s.remove_prefix(n);
    return true;
}

static bool take_char(std::string_view& s, char c) {
    if (s.empty() || (s[0] != c && !(c == 'T' && (s[0] == 't' || s[0] == ' ')))) return false;
    s.remove_prefix(1);
    return true;
}

std::optional<std::int64_t> parse_iso8601(std::string_view s) {
    s = trim(s);
    int Y, M, D, h, m, sec;
    if (!take_int(s, 4, Y) || !take_char(s, '-') || !take_int(s, 2, M) || !take_char(s, '-') ||
        !take_int(s, 2, D) || !take_char(s, 'T') || !take_int(s, 2, h) || !take_char(s, ':') ||
        !take_int(s, 2, m) || !take_char(s, ':') || !take_int(s, 2, sec))
        return std::nullopt;
    if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
    if (!s.empty() && s[0] == '.') { // fractional seconds are accepted and dropped
        s.remove_prefix(1);
        size_t n = 0;
        while (n < s.size() && std::isdigit(static_cast<unsigned char>(s[n])))
            ++n;
        if (n == 0) return std::nullopt;
        s.remove_prefix(n);
    }
    std::int64_t offset = 0;
    if (s == "Z" || s == "z" || s == "UTC" || s == "+00:00" || s.empty()) {
        // UTC. An empty zone is how some credential_process tools write it; the SDKs assume UTC too.
    } else if (s.size() == 6 && (s[0] == '+' || s[0] == '-') && s[3] == ':') {
        int oh, om;
        std::string_view t = s.substr(1);
        if (!take_int(t, 2, oh) || !take_char(t, ':') || !take_int(t, 2, om)) return std::nullopt;
        offset = (oh * 3600 + om * 60) * (s[0] == '+' ? 1 : -1);
    } else {
        return std::nullopt;
    }
    std::tm tm{};
    tm.tm_year = Y - 1900;
    tm.tm_mon = M - 1;
    tm.tm_mday = D;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = sec;
    return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

std::string format_iso8601(std::int64_t epoch) {
    std::time_t t = static_cast<std::time_t>(epoch);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string redact(std::string_view secret) {
    if (secret.size() <= 4) return "****";
    return "****" + std::string(secret.substr(secret.size() - 4));
}

namespace {

// Length and code point of the well-formed UTF-8 sequence at s[i] (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
size_t utf8_sequence(std::string_view s, size_t i, char32_t& cp) {
    auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    size_t n = 0;
    unsigned char lo = 0x80, hi = 0xbf; // the allowed range of the second byte
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        cp = c & 0x0f;
        if (c == 0xe0) lo = 0xa0; // overlong
        if (c == 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        cp = c & 0x07;
        if (c == 0xf0) lo = 0x90; // overlong
        if (c == 0xf4) hi = 0x8f; // above U+10FFFF
    } else {
        return 0;
    }
    if (i + n > s.size() || b(1) < lo || b(1) > hi) return 0;
    for (size_t k = 1; k < n; ++k) {
        if ((b(k) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (b(k) & 0x3f);
    }
    return n;
}

// Code points a terminal acts on rather than shows: the C1 controls (U+009B is CSI, U+009D OSC on
// terminals that honour 8-bit controls) and the Unicode bidi controls (Bidi_Control), which reorder
// what follows them so a line can read differently from its bytes.
bool active_code_point(char32_t cp) {
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

// printable() (lines = false) and terminal_safe() (lines = true: newline, tab and backslash kept).
std::string escape_for_terminal(std::string_view s, bool lines) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    out.reserve(s.size());
    size_t i = 0;
    auto esc = [&](unsigned char c) {
        out += "\\x";
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 15]);
    };
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        if (lines && (c == '\n' || c == '\t' || c == '\\')) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else if (c < 0x20 || c == 0x7f || c == '\\') {
            esc(c);
            ++i;
        } else if (c < 0x80) {
            out.push_back(static_cast<char>(c));
            ++i;
        } else {
            // Keep well-formed UTF-8 except the code points a terminal would act on, shown as \uXXXX;
            // escape anything else byte by byte.
            char32_t cp = 0;
            size_t n = utf8_sequence(s, i, cp);
            if (n == 0) {
                esc(c);
                ++i;
            } else if (active_code_point(cp)) {
                out += "\\u";
                for (int shift = 12; shift >= 0; shift -= 4)
                    out.push_back(hex[(cp >> shift) & 15]);
                i += n;
            } else {
                out.append(s.substr(i, n));
                i += n;
            }
        }
    }
    return out;
}

} // namespace

std::string printable(std::string_view s) {
    return escape_for_terminal(s, false);
}
std::string terminal_safe(std::string_view s) {
    return escape_for_terminal(s, true);
}

std::string human_duration(std::int64_t seconds) {
    if (seconds <= 0) return "expired";
    if (seconds < 60) return std::to_string(seconds) + "s";
    std::int64_t minutes = seconds / 60;
    if (minutes < 60) return std::to_string(minutes) + "m";
    std::int64_t hours = minutes / 60;
    if (hours < 48) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lldh%02lldm", static_cast<long long>(hours),
                      static_cast<long long>(minutes % 60));
        return buf;
    }
    return std::to_string(hours / 24) + "d";
}

std::string errno_text(int err) {
    return std::generic_category().message(err);
}

} // namespace credsh
