#include "pipeline/prompt.hpp"

#include "base/text.hpp"

namespace credsh {

namespace {

// A token's value comes from a file or a server (a profile name, a region, an ASK vendor id): printable()
// escapes what a terminal would act on, and `$` and '`' become \x24 and \x60 as well, so the text stays
// inert even where a prompt's value is pasted into PS1/PROMPT and expanded again (bash promptvars, zsh
// PROMPT_SUBST) instead of being referenced as ${CREDSH_PROMPT}.
std::string shown(std::string_view value) {
    std::string p = printable(value), out;
    out.reserve(p.size());
    for (char c : p) {
        if (c == '$')
            out += "\\x24";
        else if (c == '`')
            out += "\\x60";
        else
            out.push_back(c);
    }
    return out;
}

// Renders [pos, end) until an unmatched ')' or the end; `any` reports whether a token produced text. The
// format's own text (the user's setting) is collected in `lit` and escaped with printable() a run at a time,
// so a multi-byte character of the format stays whole.
std::string render(std::string_view f, size_t& pos, const PromptValues& v, bool& any, int depth) {
    std::string out, lit;
    auto flush = [&] {
        out += printable(lit);
        lit.clear();
    };
    while (pos < f.size()) {
        char c = f[pos];
        if (c == '\\' && pos + 1 < f.size()) {
            lit.push_back(f[pos + 1]);
            pos += 2;
        } else if (c == '%' && pos + 1 < f.size()) {
            const std::string* val = nullptr;
            switch (f[pos + 1]) {
            case 'p':
                val = &v.profile;
                break;
            case 'r':
                val = &v.region;
                break;
            case 't':
                val = &v.time_left;
                break;
            case 's':
                val = &v.scope_marker;
                break;
            case 'b':
                val = &v.blocked;
                break;
            case 'e':
                val = &v.error;
                break;
            case 'a':
                val = &v.ask_profile;
                break;
            case 'v':
                val = &v.ask_vendor_id;
                break;
            case '%':
                lit.push_back('%');
                break;
            default:
                lit.append(f.substr(pos, 2));
                break;
            }
            if (val) {
                flush();
                out += shown(*val);
                any |= !val->empty();
            }
            pos += 2;
        } else if (c == '(' && depth < 8) {
            ++pos;
            flush();
            bool inner_any = false;
            std::string inner = render(f, pos, v, inner_any, depth + 1);
            if (inner_any) out += inner;
            any |= inner_any;
        } else if (c == ')' && depth > 0) {
            ++pos;
            flush();
            return out;
        } else {
            lit.push_back(c);
            ++pos;
        }
    }
    flush();
    return out;
}

} // namespace

std::string format_prompt(std::string_view format, const PromptValues& v) {
    size_t pos = 0;
    bool any = false;
    std::string out = render(format, pos, v, any, 0);
    return (v.profile.empty() && v.blocked.empty() && v.ask_profile.empty() && v.error.empty())
               ? std::string()
               : out;
}

} // namespace credsh
