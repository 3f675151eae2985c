#include "base/pyjson.hpp"

#include <cstdint>
#include <cstdio>
#include <vector>

namespace credsh {

namespace {

void dump_string(std::string& out, const std::string& s) {
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        char buf[16];
        if (c < 0x80) {
            switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            default:
                if (c < 0x20) {
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
            }
            ++i;
            continue;
        }
        // Decode one UTF-8 sequence (nlohmann only holds valid UTF-8) and escape it as Python does.
        int len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        std::uint32_t cp = c & (len == 4 ? 0x07 : len == 3 ? 0x0f : 0x1f);
        for (int k = 1; k < len && i + static_cast<std::size_t>(k) < s.size(); ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]) & 0x3f);
        i += static_cast<std::size_t>(len);
        if (cp >= 0x10000) {
            cp -= 0x10000;
            std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            std::snprintf(buf, sizeof buf, "\\u%04x", cp);
        }
        out += buf;
    }
    out += '"';
}

void dump_scalar(std::string& out, const nlohmann::json& v) {
    switch (v.type()) {
    case nlohmann::json::value_t::string:
        dump_string(out, v.get_ref<const std::string&>());
        break;
    case nlohmann::json::value_t::boolean:
        out += v.get<bool>() ? "true" : "false";
        break;
    case nlohmann::json::value_t::null:
        out += "null";
        break;
    default:
        out += v.dump(); // numbers print the same in both languages for the integers we use
    }
}

// Iterative, with an explicit stack: a value parsed from a file (a role's Policy document) may be nested as
// deeply as its bytes allow, and recursion that deep would overflow the stack (docs/security.md 36).
void dump(std::string& out, const nlohmann::json& root, bool compact) {
    const char* item_sep = compact ? "," : ", ";
    const char* key_sep = compact ? ":" : ": ";
    struct Frame {
        const nlohmann::json* value;
        nlohmann::json::const_iterator it;
        bool first = true;
    };
    std::vector<Frame> stack;
    // Writes `v` if it is a scalar; opens a frame (and its bracket) if it is a container.
    auto open = [&](const nlohmann::json& v) {
        if (v.is_object() || v.is_array()) {
            out += v.is_object() ? '{' : '[';
            stack.push_back(Frame{&v, v.cbegin()});
        } else {
            dump_scalar(out, v);
        }
    };
    open(root);
    while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.it == f.value->cend()) {
            out += f.value->is_object() ? '}' : ']';
            stack.pop_back();
            continue;
        }
        if (!f.first) out += item_sep;
        f.first = false;
        auto it = f.it++;
        if (f.value->is_object()) { // nlohmann keeps object keys sorted
            dump_string(out, it.key());
            out += key_sep;
        }
        open(*it); // may grow the stack: `f` is not used after this
    }
}

} // namespace

std::string python_json_dumps(const nlohmann::json& value, bool compact) {
    std::string out;
    dump(out, value, compact);
    return out;
}

} // namespace credsh
