#include "sts_xml.hpp"

#include <cstdint>

namespace credsh::sts {

namespace {

constexpr std::size_t kMaxDepth = 64;

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

// A numeric character reference's code point, or 0 when it is not a valid XML character.
std::uint32_t char_ref(std::string_view digits, int base) {
    if (digits.empty() || digits.size() > 8) return 0;
    std::uint32_t cp = 0;
    for (char c : digits) {
        int d = c >= '0' && c <= '9'                 ? c - '0'
                : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
                : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                     : -1;
        if (d < 0) return 0;
        cp = cp * static_cast<std::uint32_t>(base) + static_cast<std::uint32_t>(d);
    }
    if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return cp;
}

// Character data with the predefined entities and character references decoded; anything else that starts
// with '&' is kept as written (a tolerant reader, not a validating one).
void append_text(std::string& out, std::string_view raw) {
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] != '&') {
            out += raw[i];
            continue;
        }
        std::size_t semi = raw.find(';', i + 1);
        if (semi == std::string_view::npos || semi - i > 12) {
            out += '&';
            continue;
        }
        std::string_view name = raw.substr(i + 1, semi - i - 1);
        std::uint32_t cp = 0;
        if (name == "amp")
            cp = '&';
        else if (name == "lt")
            cp = '<';
        else if (name == "gt")
            cp = '>';
        else if (name == "quot")
            cp = '"';
        else if (name == "apos")
            cp = '\'';
        else if (name.size() > 2 && (name[1] == 'x' || name[1] == 'X') && name[0] == '#')
            cp = char_ref(name.substr(2), 16);
        else if (name.size() > 1 && name[0] == '#')
            cp = char_ref(name.substr(1), 10);
        if (cp == 0) {
            out += '&';
            continue;
        }
        append_utf8(out, cp);
        i = semi;
    }
}

std::string_view trim_ws(std::string_view s) {
    auto ws = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && ws(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && ws(s.back()))
        s.remove_suffix(1);
    return s;
}

// "sts:Credentials" -> "Credentials".
std::string local_name(std::string_view qname) {
    auto colon = qname.rfind(':');
    return std::string(colon == std::string_view::npos ? qname : qname.substr(colon + 1));
}

// The '>' that ends a tag starting at `from`, skipping '>' inside quoted attribute values.
std::size_t tag_end(std::string_view xml, std::size_t from) {
    char quote = 0;
    for (std::size_t i = from; i < xml.size(); ++i) {
        char c = xml[i];
        if (quote) {
            if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '>') {
            return i;
        }
    }
    return std::string_view::npos;
}

bool ends_with_path(const std::string& path, std::string_view suffix) {
    if (path.size() < suffix.size() || path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0)
        return false;
    return path.size() == suffix.size() || path[path.size() - suffix.size() - 1] == '/';
}

} // namespace

std::vector<std::pair<std::string, std::string>> leaf_elements(std::string_view xml) {
    struct Open {
        std::string name, text;
        bool has_child = false;
    };
    std::vector<Open> stack;
    std::vector<std::pair<std::string, std::string>> leaves;
    auto path_with = [&](const std::string& last) {
        std::string p;
        for (const Open& o : stack)
            p += o.name + "/";
        return p + last;
    };
    auto starts = [&](std::size_t i, std::string_view s) { return xml.compare(i, s.size(), s) == 0; };
    std::size_t i = 0;
    while (i < xml.size()) {
        if (xml[i] != '<') {
            std::size_t j = xml.find('<', i);
            if (j == std::string_view::npos) j = xml.size();
            if (!stack.empty()) append_text(stack.back().text, xml.substr(i, j - i));
            i = j;
            continue;
        }
        if (starts(i, "<!--")) {
            std::size_t j = xml.find("-->", i + 4);
            if (j == std::string_view::npos) break;
            i = j + 3;
            continue;
        }
        if (starts(i, "<![CDATA[")) {
            std::size_t j = xml.find("]]>", i + 9);
            if (j == std::string_view::npos) break;
            if (!stack.empty()) stack.back().text.append(xml.substr(i + 9, j - i - 9));
            i = j + 3;
            continue;
        }
        if (starts(i, "<?")) {
            std::size_t j = xml.find("?>", i + 2);
            if (j == std::string_view::npos) break;
            i = j + 2;
            continue;
        }
        if (starts(i, "<!")) { // DOCTYPE, possibly with an internal subset: skipped, never expanded
            std::size_t bracket = xml.find('[', i), close = xml.find('>', i);
            std::size_t j =
                bracket != std::string_view::npos && bracket < close ? xml.find("]>", bracket) : close;
            if (j == std::string_view::npos) break;
            i = j + (xml[j] == ']' ? 2 : 1);
            continue;
        }
        std::size_t end = tag_end(xml, i + 1);
        if (end == std::string_view::npos) break;
        std::string_view tag = xml.substr(i + 1, end - i - 1);
        i = end + 1;
        if (!tag.empty() && tag[0] == '/') {
            std::string name = local_name(trim_ws(tag.substr(1)));
            // Close the nearest open element of that name; a stray end tag is ignored, unclosed children are
            // closed with it.
            std::size_t k = stack.size();
            while (k > 0 && stack[k - 1].name != name)
                --k;
            if (k == 0) continue;
            while (stack.size() >= k) {
                Open o = std::move(stack.back());
                stack.pop_back();
                if (!o.has_child) leaves.emplace_back(path_with(o.name), std::string(trim_ws(o.text)));
            }
            continue;
        }
        bool self_closing = !tag.empty() && tag.back() == '/';
        if (self_closing) tag.remove_suffix(1);
        std::size_t name_end = tag.find_first_of(" \t\r\n");
        std::string name = local_name(tag.substr(0, name_end));
        if (name.empty()) continue;
        if (!stack.empty()) stack.back().has_child = true;
        if (self_closing) {
            leaves.emplace_back(path_with(name), "");
            continue;
        }
        if (stack.size() >= kMaxDepth) break;
        stack.push_back(Open{name, "", false});
    }
    return leaves;
}

Reply parse_reply(std::string_view xml) {
    Reply r;
    struct Field {
        std::string_view suffix;
        std::string Reply::*member;
    };
    static const Field fields[] = {
        {"Credentials/AccessKeyId", &Reply::access_key_id},
        {"Credentials/SecretAccessKey", &Reply::secret_access_key},
        {"Credentials/SessionToken", &Reply::session_token},
        {"Credentials/Expiration", &Reply::expiration},
        {"AssumedRoleUser/Arn", &Reply::assumed_role_arn},
        {"AssumedRoleUser/AssumedRoleId", &Reply::assumed_role_id},
        {"Error/Code", &Reply::error_code},
        {"Error/Message", &Reply::error_message},
    };
    for (const auto& [path, text] : leaf_elements(xml))
        for (const Field& f : fields)
            if ((r.*f.member).empty() && ends_with_path(path, f.suffix)) r.*f.member = text;
    return r;
}

} // namespace credsh::sts
