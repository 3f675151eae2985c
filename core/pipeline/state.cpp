#include "pipeline/state.hpp"

#include "base/text.hpp"

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

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t e = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), e);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
    return e;
}

} // namespace

bool is_secret_var(std::string_view name) {
    return name == "AWS_SECRET_ACCESS_KEY" || name == "AWS_SESSION_TOKEN" || name == "AWS_SECURITY_TOKEN" ||
           name == "ASK_ACCESS_TOKEN" || name == "ASK_REFRESH_TOKEN";
}

std::string process_source_key(std::string_view command) {
    return sha256_hex(command).substr(0, 16);
}

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
    if (st.obtained) out += "obtained " + std::to_string(*st.obtained) + "\n";
    for (const auto& [profile, k] : st.kept) {
        const Credentials& c = k.creds;
        out += "kept " + encode(profile) + " " + encode(k.source) + " " + std::to_string(k.obtained) + " " +
               (c.expiration ? std::to_string(*c.expiration) : "-") + " =" + encode(c.access_key_id) + " =" +
               encode(c.secret_access_key) + " =" + encode(c.session_token) + " =" + encode(c.account_id) +
               "\n";
    }
    if (!st.error.empty()) {
        out += "error " + encode(st.error) + "\n";
        out += "error_profile " + encode(st.error_profile) + "\n";
        out += "error_message " + encode(st.error_message) + "\n";
    }
    if (st.retry_at) out += "retry_at " + std::to_string(*st.retry_at) + "\n";
    if (!st.stash.empty()) out += "stash " + encode(st.stash) + "\n";
    for (const auto& [name, value] : st.ambient) {
        if (value && is_secret_var(name))
            out += "ambient " + name + " #" + sha256_hex(*value) + "\n"; // the value is in the stash
        else
            out += "ambient " + name + (value ? " =" + encode(*value) : " -") + "\n";
    }
    for (const auto& [name, hash] : st.stashed) // not restored: kept for a later read
        if (!st.ambient.count(name)) out += "ambient " + name + " #" + hash + "\n";
    for (const auto& [name, hash] : st.applied)
        out += "applied " + name + " " + hash + "\n";
    for (const auto& name : st.hand)
        out += "hand " + name + "\n";
    if (!st.hand_scope.empty()) out += "handscope " + encode(st.hand_scope) + "\n";
    if (!st.said.empty()) out += "said " + encode(st.said) + "\n";
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
        if (key == "stash") {
            auto v = decode(rest);
            if (!v) return bad();
            st.stash = *v;
        } else if (key == "profile" || key == "provider") {
            auto v = decode(rest);
            if (!v) return bad();
            (key == "profile" ? st.profile : st.provider) = *v;
        } else if (key == "error" || key == "error_profile" || key == "error_message") {
            auto v = decode(rest);
            if (!v) return bad();
            (key == "error" ? st.error : key == "error_profile" ? st.error_profile : st.error_message) = *v;
        } else if (key == "hand") {
            st.hand.insert(std::string(rest));
        } else if (key == "handscope" || key == "said") {
            auto v = decode(rest);
            if (!v) return bad();
            (key == "said" ? st.said : st.hand_scope) = *v;
        } else if (key == "expires" || key == "retry_at" || key == "obtained") {
            auto e = parse_int(rest);
            if (!e) return bad();
            (key == "expires" ? st.expires : key == "obtained" ? st.obtained : st.retry_at) = *e;
        } else if (key == "kept") {
            auto f = split(rest, ' ');
            if (f.size() != 8) return bad();
            auto profile = decode(f[0]), source = decode(f[1]);
            auto obtained = parse_int(f[2]);
            std::optional<std::int64_t> expires;
            if (f[3] != "-" && !(expires = parse_int(f[3]))) return bad();
            std::optional<std::string> v[4];
            for (size_t j = 0; j < 4; ++j)
                if (f[4 + j].empty() || f[4 + j][0] != '=' || !(v[j] = decode(f[4 + j].substr(1))))
                    return bad();
            if (!profile || !source || !obtained || profile->empty() || v[0]->empty() || v[1]->empty())
                return bad();
            st.kept[*profile] = {*source, *obtained, Credentials{*v[0], *v[1], *v[2], expires, *v[3], {}}};
        } else if (key == "ambient" || key == "applied") {
            auto sp2 = rest.find(' ');
            if (sp2 == std::string_view::npos) return bad();
            std::string name(rest.substr(0, sp2));
            auto v = rest.substr(sp2 + 1);
            if (key == "applied") {
                st.applied[name] = std::string(v);
            } else if (v.size() == 65 && v[0] == '#') {
                st.stashed[name] = std::string(v.substr(1));
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

std::string stash_text(const State& st) {
    std::string out;
    for (const auto& [name, value] : st.ambient)
        if (value && is_secret_var(name)) out += name + " =" + encode(*value) + "\n";
    return out;
}

std::vector<std::string> apply_stash(State& st, std::string_view text) {
    std::map<std::string, std::string> found;
    for (auto line : split(text, '\n')) {
        auto sp = line.find(" =");
        if (sp == std::string_view::npos) continue;
        if (auto v = decode(line.substr(sp + 2))) found[std::string(line.substr(0, sp))] = *v;
    }
    std::vector<std::string> lost;
    for (const auto& [name, hash] : st.stashed) {
        auto it = found.find(name);
        if (it != found.end() && sha256_hex(it->second) == hash) {
            st.ambient[name] = it->second;
        } else {
            st.ambient[name] = std::nullopt;
            lost.push_back(name);
        }
    }
    st.stashed.clear();
    return lost;
}

} // namespace credsh
