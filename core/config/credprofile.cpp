// The .credprofile parser. The file arrives from any repository a user clones, so it is treated as hostile
// input (docs/security.md 9-10, 17): the grammar is a whitelist, every error names file:line, and no message
// ever repeats a value (a value could be a terminal escape sequence, a lookalike meant to confuse, or a
// secret pasted by mistake).
//
// inih does the key = value splitting, but Debian's build has properties we must not inherit, so a line
// scan runs first and rejects what inih would get wrong: lines over its 200-byte buffer (inih parses the
// tail of a long comment as a new line, so "# aaa...profile = x" would set a key), NUL bytes (inih takes a C
// string and would silently stop), continuation lines (inih would join them into a value with a newline in
// it), and sections. inih's behaviour is also configured by process-wide globals in that build; the scan
// and the handler re-check everything (inline comments included) so a change there cannot loosen the
// grammar. Patterns are checked by hand rather than with std::regex, which is slow to construct and this
// runs on the prompt path.
#include "config/credprofile.hpp"

#include "base/text.hpp"

#include <ini.h>

#include <vector>

namespace credsh {

namespace {

// inih's line buffer is 200 bytes including "\r\n\0"; stay clear of it.
constexpr std::size_t kMaxLine = 190;

bool is_lower(char c) {
    return c >= 'a' && c <= 'z';
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_lower(c) || is_digit(c) || (c >= 'A' && c <= 'Z');
}
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

// Cut a trailing comment: ';' or '#' preceded by whitespace, as inih does for ';'. Names and regions
// cannot contain either character or whitespace, so nothing valid is ever cut.
std::string_view strip_comment(std::string_view v) {
    for (std::size_t i = 1; i < v.size(); ++i)
        if ((v[i] == '#' || v[i] == ';') && is_space(v[i - 1])) {
            v = v.substr(0, i);
            break;
        }
    return trim(v);
}

// Keys that would point the AWS tools at another config, credentials file, endpoint or CA bundle, or
// run a command. They get their own message so the user learns why, not just "unknown".
bool is_redirect_key(std::string_view key) {
    std::string k = to_lower(key);
    static constexpr std::string_view exact[] = {
        "aws_config_file",
        "aws_shared_credentials_file",
        "aws_ca_bundle",
        "ca_bundle",
        "credential_process",
        "credential_source",
        "web_identity_token_file",
        "aws_web_identity_token_file",
        "aws_profile",
        "aws_default_profile",
        "ask_default_profile",
        "ask_lwa_token_host",
        "aws_ec2_metadata_service_endpoint",
    };
    for (auto e : exact)
        if (k == e) return true;
    return k.rfind("aws_endpoint_url", 0) == 0 || k.rfind("endpoint", 0) == 0 ||
           k.find("endpoint_url") != std::string::npos;
}

// A key is named in a message only if it looks like an identifier: anything else could be an attempt to
// smuggle text (or escape sequences) into the user's terminal.
bool echoable_key(std::string_view key) {
    if (key.empty() || key.size() > 64) return false;
    for (char c : key)
        if (!is_alnum(c) && c != '_' && c != '-' && c != '.') return false;
    return true;
}

struct IniState {
    CredProfile cp;
    bool seen_profile = false;
    bool seen_region = false;
    bool seen_ask = false;
    std::string error; // the first handler error; inih returns its line number
};

// Called by inih for each key = value. Returning 0 marks the line as an error; ini_parse_string then
// returns the first such line, which is where our file:line comes from.
int ini_handler(void* user, const char* section_c, const char* name_c, const char* value_c) {
    auto* st = static_cast<IniState*>(user);
    auto bad = [&](std::string why) {
        if (st->error.empty()) st->error = std::move(why);
        return 0;
    };
    std::string_view section(section_c ? section_c : ""), key(name_c ? name_c : ""),
        raw(value_c ? value_c : "");
    if (!section.empty()) return bad("sections are not allowed in a .credprofile");
    std::string_view value = strip_comment(raw);
    if (key.empty()) return bad("missing key before '='");

    auto once = [&](bool& seen) {
        if (seen) return false;
        seen = true;
        return true;
    };
    if (key == "profile") {
        if (!once(st->seen_profile)) return bad("duplicate key 'profile'");
        if (!valid_profile_name(value))
            return bad("invalid profile name for 'profile' (allowed: 1-64 of A-Z a-z 0-9 . _ @ + = , -)");
        st->cp.profile = std::string(value);
        return 1;
    }
    if (key == "ask_profile") {
        if (!once(st->seen_ask)) return bad("duplicate key 'ask_profile'");
        if (!valid_profile_name(value))
            return bad("invalid profile name for 'ask_profile' (allowed: 1-64 of A-Z a-z 0-9 . _ @ + = , -)");
        st->cp.ask_profile = std::string(value);
        return 1;
    }
    if (key == "region") {
        if (!once(st->seen_region)) return bad("duplicate key 'region'");
        if (!valid_region(value))
            return bad("invalid value for 'region' (expected a region such as eu-west-1)");
        st->cp.region = std::string(value);
        return 1;
    }
    if (is_redirect_key(key))
        return bad(
            (echoable_key(key) ? "key '" + std::string(key) + "'" : std::string("this key")) +
            " is not allowed: a .credprofile only names a profile and cannot redirect files, endpoints "
            "or commands");
    if (key == "trusted" || key == "trust" || key == "allow" || key == "allowed")
        return bad("unknown key '" + std::string(key) +
                   "': trust is given with `credsh allow`, never by the file");
    if (echoable_key(key))
        return bad("unknown key '" + std::string(key) + "' (allowed: profile, region, ask_profile)");
    return bad("unknown key (allowed: profile, region, ask_profile)");
}

struct Line {
    std::size_t number;
    std::string_view text; // without the line break
};

} // namespace

bool valid_profile_name(std::string_view name) {
    if (name.empty() || name.size() > 64) return false;
    for (char c : name) {
        if (is_alnum(c)) continue;
        switch (c) {
        case '.':
        case '_':
        case '@':
        case '+':
        case '=':
        case ',':
        case '-':
            continue;
        default:
            return false;
        }
    }
    return true;
}

// ^[a-z]{2}(-[a-z]+)+-\d{1,2}$ -- '-' appears in no class, so splitting on it matches the regex exactly.
bool valid_region(std::string_view region) {
    std::vector<std::string_view> parts = split(region, '-');
    if (parts.size() < 3) return false;
    if (parts.front().size() != 2 || !is_lower(parts.front()[0]) || !is_lower(parts.front()[1])) return false;
    for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
        if (parts[i].empty()) return false;
        for (char c : parts[i])
            if (!is_lower(c)) return false;
    }
    std::string_view last = parts.back();
    if (last.empty() || last.size() > 2) return false;
    for (char c : last)
        if (!is_digit(c)) return false;
    return true;
}

Result<CredProfile> parse_credprofile(const std::string& path, std::string_view bytes) {
    const std::string where = printable(path);
    auto error_at = [&](std::size_t line, const std::string& why) {
        return fail(where + ":" + std::to_string(line) + ": " + why);
    };

    // A UTF-8 BOM is what some Windows editors put first; it is not part of the first key.
    if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);

    // Structural scan (see the top of the file for why this does not trust inih alone).
    std::vector<Line> content;
    bool seen_key_line = false;
    std::size_t number = 0;
    for (std::string_view rest = bytes; !rest.empty() || number == 0;) {
        ++number;
        std::size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (line.find('\0') != std::string_view::npos) return error_at(number, "contains a NUL byte");
        if (line.size() > kMaxLine)
            return error_at(number, "line longer than " + std::to_string(kMaxLine) + " bytes");
        std::string_view t = trim(line);
        while (!t.empty() && is_space(t.front()))
            t.remove_prefix(1); // \v \f too, as inih
        if (t.empty() || t.front() == '#' || t.front() == ';') continue;
        if (t.front() == '[') return error_at(number, "sections are not allowed in a .credprofile");
        if (is_space(line.front()) && seen_key_line)
            return error_at(number, "indented line: a value cannot continue onto the next line");
        content.push_back({number, t});
        seen_key_line = true;
    }
    if (content.empty()) return error_at(1, "names no profile (write `profile = NAME` or just NAME)");

    // The bare form: the whole file is one profile name.
    // The separator must come before any inline comment: "dev  # use x=y" is a bare name with a comment.
    auto has_separator = [](std::string_view t) {
        return strip_comment(t).find_first_of("=:") != std::string_view::npos;
    };
    if (content.size() == 1 && !has_separator(content[0].text)) {
        std::string_view name = strip_comment(content[0].text);
        if (!valid_profile_name(name))
            return error_at(content[0].number,
                            "not a valid profile name (allowed: 1-64 of A-Z a-z 0-9 . _ @ + = , -)");
        return CredProfile{std::string(name), std::nullopt, std::nullopt};
    }
    for (const Line& l : content)
        if (!has_separator(l.text)) return error_at(l.number, "expected `key = value`");

    // No NUL bytes remain (checked above), so the C string is the whole file.
    const std::string text(bytes);
    IniState st;
    int line = ini_parse_string(text.c_str(), ini_handler, &st);
    if (line > 0)
        return error_at(static_cast<std::size_t>(line), st.error.empty() ? "syntax error" : st.error);
    if (line < 0 || !st.error.empty())
        return fail(where + ": " + (st.error.empty() ? "cannot parse" : st.error));
    if (st.cp.profile.empty() && !st.cp.ask_profile)
        return error_at(content[0].number, "names no profile (add `profile = NAME`)");
    return st.cp;
}

std::string render_credprofile(const CredProfile& cp) {
    std::string out;
    if (!cp.profile.empty()) out += "profile = " + cp.profile + "\n";
    if (cp.region) out += "region = " + *cp.region + "\n";
    if (cp.ask_profile) out += "ask_profile = " + *cp.ask_profile + "\n";
    return out;
}

} // namespace credsh
