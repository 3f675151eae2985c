#include "cli/profile_edit.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "config/profile_file.hpp"
#include <credsh/policy.hpp>

#include <climits>
#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace credsh {

namespace {

// Lines with their terminators, so joining them gives back the exact bytes.
std::vector<std::string> split_lines(const std::string& s) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < s.size()) {
        auto nl = s.find('\n', start);
        std::size_t end = nl == std::string::npos ? s.size() : nl + 1;
        out.push_back(s.substr(start, end - start));
        start = end;
    }
    return out;
}

std::string strip(const std::string& line) {
    std::size_t b = line.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return "";
    std::size_t e = line.find_last_not_of(" \t\r\n");
    return line.substr(b, e - b + 1);
}

// "[ profile  NAME ]" -> "profile NAME"; nullopt for a line that is not a header.
std::optional<std::string> header_name(const std::string& line) {
    std::string t = strip(line);
    if (t.size() < 2 || t.front() != '[') return std::nullopt;
    auto close = t.find(']');
    if (close == std::string::npos) return std::nullopt;
    std::string inner = t.substr(1, close - 1), out;
    bool space = false;
    for (char c : strip(inner)) {
        if (c == ' ' || c == '\t') {
            space = true;
            continue;
        }
        if (space && !out.empty()) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool is_blank_or_comment(const std::string& line) {
    std::string t = strip(line);
    return t.empty() || t[0] == '#' || t[0] == ';';
}

bool is_continuation(const std::string& line) {
    return !line.empty() && (line[0] == ' ' || line[0] == '\t') && !strip(line).empty();
}

std::string property_key(const std::string& line) {
    auto eq = line.find('=');
    if (eq == std::string::npos) return "";
    return strip(line.substr(0, eq));
}

std::string normalise(const std::string& section) {
    auto h = header_name("[" + section + "]");
    return h ? *h : section;
}

} // namespace

std::string append_sections(const std::string& old, const std::string& text) {
    bool crlf = old.find("\r\n") != std::string::npos;
    std::string add;
    for (char c : text)
        add += c == '\n' && crlf ? std::string("\r\n") : std::string(1, c);
    std::string nl = crlf ? "\r\n" : "\n";
    std::string sep = old.empty() ? "" : (old.back() == '\n' ? nl : nl + nl);
    return old + sep + add;
}

bool has_section(const std::string& text, const std::string& section) {
    std::string want = normalise(section);
    for (const auto& line : split_lines(text))
        if (auto h = header_name(line); h && *h == want) return true;
    return false;
}

std::string remove_properties(const std::string& old, const std::string& section,
                              const std::set<std::string>& keys, int& removed) {
    removed = 0;
    std::string want = normalise(section);
    auto lines = split_lines(old);
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < lines.size()) {
        auto h = header_name(lines[i]);
        if (!h || *h != want) {
            out.push_back(lines[i++]);
            continue;
        }
        // The section: its header, then everything up to the next header.
        std::string header = lines[i++];
        std::vector<std::string> body;
        bool kept_property = false;
        while (i < lines.size() && !header_name(lines[i])) {
            const std::string& line = lines[i];
            if (!is_blank_or_comment(line) && !is_continuation(line) && keys.count(property_key(line))) {
                ++removed;
                ++i;
                while (i < lines.size() && is_continuation(lines[i]))
                    ++i;
                continue;
            }
            if (!is_blank_or_comment(line)) kept_property = true;
            body.push_back(line);
            ++i;
        }
        if (kept_property) {
            out.push_back(header);
            out.insert(out.end(), body.begin(), body.end());
            continue;
        }
        // Nothing of the section is left but comments and blank lines: the header and the blank lines go, a
        // comment stays (it may be about the next section).
        for (const auto& line : body)
            if (!strip(line).empty()) out.push_back(line);
        // The blank line that separated it from what came before goes too, when the file ends here.
        if (i == lines.size())
            while (!out.empty() && strip(out.back()).empty())
                out.pop_back();
    }
    std::string s;
    for (const auto& l : out)
        s += l;
    return s;
}

std::optional<std::string> insert_after_header(const std::string& old, const std::string& section,
                                               const std::string& line) {
    std::string want = normalise(section);
    auto lines = split_lines(old);
    std::string s;
    bool done = false;
    bool crlf = old.find("\r\n") != std::string::npos;
    for (const auto& l : lines) {
        s += l;
        if (!done)
            if (auto h = header_name(l); h && *h == want) {
                if (l.empty() || l.back() != '\n') s += crlf ? "\r\n" : "\n";
                s += line + (crlf ? "\r\n" : "\n");
                done = true;
            }
    }
    if (!done) return std::nullopt;
    return s;
}

Result<void> edit_profile_file(const std::string& path,
                               const std::function<Result<std::string>(const std::string&)>& edit) {
    char buf[PATH_MAX];
    std::string real =
        ::realpath(path.c_str(), buf) ? std::string(buf) : path; // a dotfile manager's symlink stays
    struct stat st {};
    auto before = safe_read_file(real, kConfigCap, st);
    bool existed = before.ok();
    if (!before && before.error().kind != ErrorKind::not_found) return before.error();
    std::string old = existed ? *before : "";
    auto updated = edit(old);
    if (!updated) return updated.error();
    if (*updated == old) return {};
    auto slash = real.rfind('/');
    if (!existed && slash != std::string::npos)
        if (auto d = ensure_private_dir(real.substr(0, slash)); !d) return d.error();
    // Someone (an editor, `aws configure`) changed the file since we read it: do not overwrite their edit.
    auto again = safe_read_file(real, kConfigCap);
    if ((again.ok() != existed) || (existed && *again != old))
        return fail(printable(real) + " changed while credsh was writing it; nothing was written, run again");
    // Only a file of ours is replaced (someone else's would become ours, and theirs lost).
    if (existed && st.st_uid != ::geteuid())
        return fail(printable(real) + " belongs to uid " + std::to_string(st.st_uid) +
                    "; nothing was written");
    // The user's mode is kept, set on the new file's descriptor before the rename: a chmod by name afterwards
    // would follow whatever someone swapped in under that name (docs/security.md 31).
    WriteOptions opts;
    opts.mode = existed ? (st.st_mode & 0777) : 0600;
    return atomic_write_file(real, *updated, opts);
}

Result<void> append_to_config(const Env& env, const std::string& text) {
    return edit_profile_file(
        locate_profile_files(env).config,
        [&](const std::string& old) -> Result<std::string> { return append_sections(old, text); });
}

} // namespace credsh
