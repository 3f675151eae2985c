#include "prompt.hpp"

namespace credsh {

namespace {

// Renders [pos, end) until an unmatched ')' or the end; `any` reports whether a token produced text.
std::string render(std::string_view f, size_t& pos, const PromptValues& v, bool& any, int depth) {
    std::string out;
    while (pos < f.size()) {
        char c = f[pos];
        if (c == '\\' && pos + 1 < f.size()) {
            out.push_back(f[pos + 1]);
            pos += 2;
        } else if (c == '%' && pos + 1 < f.size()) {
            const std::string* val = nullptr;
            switch (f[pos + 1]) {
            case 'p': val = &v.profile; break;
            case 'r': val = &v.region; break;
            case 't': val = &v.time_left; break;
            case 's': val = &v.scope_marker; break;
            case 'b': val = &v.blocked; break;
            case 'a': val = &v.ask_profile; break;
            case 'v': val = &v.ask_vendor_id; break;
            case '%': out.push_back('%'); break;
            default: out.append(f.substr(pos, 2)); break;
            }
            if (val) {
                out += *val;
                any |= !val->empty();
            }
            pos += 2;
        } else if (c == '(' && depth < 8) {
            ++pos;
            bool inner_any = false;
            std::string inner = render(f, pos, v, inner_any, depth + 1);
            if (inner_any) out += inner;
            any |= inner_any;
        } else if (c == ')' && depth > 0) {
            ++pos;
            return out;
        } else {
            out.push_back(c);
            ++pos;
        }
    }
    return out;
}

} // namespace

std::string format_prompt(std::string_view format, const PromptValues& v) {
    size_t pos = 0;
    bool any = false;
    std::string out = render(format, pos, v, any, 0);
    return (v.profile.empty() && v.blocked.empty() && v.ask_profile.empty()) ? std::string() : out;
}

} // namespace credsh
