#include "state.hpp"

#include "text.hpp"

#include <charconv>

namespace credsh {

namespace {

constexpr std::string_view kMagic = "credsh-state 1";

// Percent-encoding keeps every field on one line and free of spaces, whatever bytes the value holds.
std::string encode(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c <= 0x20 || c >= 0x7f || c == '%') {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        } else {
            out.push_back(ch);
        }
    }
    return out;
}

std::optional<std::string> decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '%') {
            out.push_back(s[i]);
            continue;
        }
        if (i + 2 >= s.size()) return std::nullopt;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
        if (ec != std::errc() || p != s.data() + i + 3) return std::nullopt;
        out.push_back(static_cast<char>(v));
        i += 2;
    }
    return out;
}

} // namespace

std::string value_hash(const std::optional<std::string>& value) {
    if (!value) return "-";
    return sha256_hex(*value).substr(0, 16);
}

std::string serialize_state(const State& st) {
    std::string out(kMagic);
    out += "\n";
    out += "profile " + encode(st.profile) + "\n";
    out += "provider " + encode(st.provider) + "\n";
    if (st.expires) out += "expires " + std::to_string(*st.expires) + "\n";
    for (const auto& [name, value] : st.ambient)
        out += "ambient " + name + (value ? " =" + encode(*value) : " -") + "\n";
    for (const auto& [name, hash] : st.applied) out += "applied " + name + " " + hash + "\n";
    return out;
}

Result<State> parse_state(std::string_view text) {
    auto lines = split(text, '\n');
    if (lines.empty() || trim(lines[0]) != kMagic) return fail("no credsh state");
    State st;
    for (size_t i = 1; i < lines.size(); ++i) {
        auto line = lines[i];
        if (line.empty()) continue;
        auto sp = line.find(' ');
        if (sp == std::string_view::npos) return fail("credsh state: bad line " + std::to_string(i + 1));
        auto key = line.substr(0, sp);
        auto rest = line.substr(sp + 1);
        auto bad = [&] { return fail("credsh state: bad line " + std::to_string(i + 1)); };
        if (key == "profile" || key == "provider") {
            auto v = decode(rest);
            if (!v) return bad();
            (key == "profile" ? st.profile : st.provider) = *v;
        } else if (key == "expires") {
            std::int64_t e = 0;
            auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), e);
            if (ec != std::errc() || p != rest.data() + rest.size()) return bad();
            st.expires = e;
        } else if (key == "ambient" || key == "applied") {
            auto sp2 = rest.find(' ');
            if (sp2 == std::string_view::npos) return bad();
            std::string name(rest.substr(0, sp2));
            auto v = rest.substr(sp2 + 1);
            if (key == "applied") {
                st.applied[name] = std::string(v);
            } else if (v == "-") {
                st.ambient[name] = std::nullopt;
            } else if (!v.empty() && v[0] == '=') {
                auto d = decode(v.substr(1));
                if (!d) return bad();
                st.ambient[name] = *d;
            } else {
                return bad();
            }
        }
        // Unknown keys are ignored so a newer binary's state does not break an older one.
    }
    return st;
}

} // namespace credsh
