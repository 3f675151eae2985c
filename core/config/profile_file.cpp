// The AWS shared config/credentials parser. It follows the cross-SDK profile file spec as smithy-rs
// implements it (aws-runtime env_config/parse.rs + normalize.rs), because that is what the conformance suite
// encodes and what every other SDK is measured against; where the AWS CLI (configparser) departs from it, the
// suite wins (docs/protocols.md §2). It runs on shell prompts, so it is one pass over a string_view with no
// regex and no per-line allocation: only names and values that end up in the result are copied.
//
// The parse is two-level like smithy-rs's: every line is first checked for syntax regardless of where it is
// (so a broken line inside an ignored section is still an error, as in every SDK), and only then are section
// names and property keys validated, with invalid ones silently dropped. Errors name "path:line" and are
// fixed texts: nothing from the file is echoed, because values are often secrets.
#include "config/profile_file.hpp"

#include "base/safe_file.hpp"
#include "base/text.hpp"
#include "config/profile_index_cache.hpp"
#include <credsh/policy.hpp>

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <set>
#include <string_view>
#include <tuple>

namespace credsh {

const std::string* find_prop(const Properties& props, std::string_view key) {
    if (auto it = props.find(std::string(key)); it != props.end()) return &it->second;
    for (const auto& [k, v] : props)
        if (iequals(k, key)) return &v;
    return nullptr;
}

const std::string* nonempty_prop(const Properties& props, std::string_view key) {
    const std::string* v = find_prop(props, key);
    return v && !v->empty() ? v : nullptr;
}

bool has_prop(const Properties& props, std::string_view key) {
    return nonempty_prop(props, key) != nullptr;
}

bool is_sso_profile(const Properties& props) {
    return has_prop(props, "sso_session") || has_prop(props, "sso_start_url") ||
           has_prop(props, "sso_account_id") || has_prop(props, "sso_role_name");
}

namespace {

enum class FileKind { config, credentials };

// The spec's whitespace is space and tab only: a CR, VT or form feed is part of a name or value.
constexpr bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

std::string_view trim_blank(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && is_blank(s[b]))
        ++b;
    while (e > b && is_blank(s[e - 1]))
        --e;
    return s.substr(b, e - b);
}

// [A-Za-z0-9_\-/.%@:+]+, the identifier rule smithy-rs applies to profile names, section names and keys.
bool is_identifier(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                  c == '-' || c == '/' || c == '.' || c == '%' || c == '@' || c == ':' || c == '+';
        if (!ok) return false;
    }
    return true;
}

// Does s end with a character Rust's char::is_whitespace() accepts? smithy-rs decides "is this '#' an inline
// comment" with it, so a value like "a<NBSP># b" loses its comment there too. ASCII first, then the few
// multi-byte Unicode White_Space code points, matched on their UTF-8 bytes.
bool ends_with_unicode_space(std::string_view s) {
    if (s.empty()) return false;
    auto b = [&](std::size_t back) { return static_cast<unsigned char>(s[s.size() - back]); };
    unsigned char c = b(1);
    if (c == ' ' || (c >= 0x09 && c <= 0x0d)) return true;
    if (s.size() >= 2 && b(2) == 0xc2 && (c == 0x85 || c == 0xa0)) return true; // U+0085, U+00A0
    if (s.size() >= 3) {
        unsigned char x = b(3), y = b(2);
        if (x == 0xe1 && y == 0x9a && c == 0x80) return true; // U+1680
        if (x == 0xe2 && y == 0x80 && ((c >= 0x80 && c <= 0x8a) || c == 0xa8 || c == 0xa9 || c == 0xaf))
            return true;                                      // U+2000-200A, 2028, 2029, 202F
        if (x == 0xe2 && y == 0x81 && c == 0x9f) return true; // U+205F
        if (x == 0xe3 && y == 0x80 && c == 0x80) return true; // U+3000
    }
    return false;
}

// The first '#' or ';' at or after `from`, or npos. A plain loop: string_view::find_first_of runs a memchr
// over the set for every character of the line.
std::size_t find_comment_char(std::string_view s, std::size_t from) {
    for (std::size_t i = from; i < s.size(); ++i)
        if (s[i] == '#' || s[i] == ';') return i;
    return std::string_view::npos;
}

// Trim, then cut a trailing comment. In a section header any '#' or ';' starts one; in a property line it
// must follow whitespace, so "key = a;b" keeps its ';' (session tokens and URLs contain them).
std::string_view strip_comment(std::string_view line, bool need_space) {
    line = trim_blank(line);
    if (!need_space) {
        auto at = find_comment_char(line, 0);
        if (at != std::string_view::npos) line = line.substr(0, at);
        return trim_blank(line);
    }
    for (auto i = find_comment_char(line, 1); i != std::string_view::npos; i = find_comment_char(line, i + 1))
        if (ends_with_unicode_space(line.substr(0, i))) return trim_blank(line.substr(0, i));
    return line;
}

enum class PropertyError { none, no_equals, no_name };

// "key = value" after comment stripping; the value is everything after the first '='.
PropertyError split_property(std::string_view line, std::string_view& key, std::string_view& value) {
    line = strip_comment(line, true);
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return PropertyError::no_equals;
    key = trim_blank(line.substr(0, eq));
    value = trim_blank(line.substr(eq + 1));
    return key.empty() ? PropertyError::no_name : PropertyError::none;
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

void add_origin(ProfileSet& out, const std::string& name, const char* origin) {
    auto& v = out.origins[name];
    if (std::find(v.begin(), v.end(), origin) == v.end()) v.emplace_back(origin);
}

// One file into `out`. Config is parsed before credentials, so credentials' properties overwrite config's.
//
// names_only: fill out.origins and nothing else. Every line is still checked exactly as in a full parse (a
// file the SDKs reject lists no names either), but no property value is copied -- `credsh profiles` runs on
// every Tab and has 10 ms for a thousand profiles.
class Parser {
  public:
    // `first_error` (names only): a malformed line is recorded there (the first one) and skipped, so the
    // names of the rest of the file are still read; otherwise it ends the parse.
    Parser(ProfileSet& out, const ProfileSource& src, FileKind kind, bool names_only = false,
           std::optional<Error>* first_error = nullptr)
        : out_(out), src_(src), kind_(kind), names_only_(names_only), first_error_(first_error) {}
    // Index mode: every line checked as in a full parse, and every section header recorded in `index`
    // (where it starts, what kind, its name) instead of anything being copied into `out`.
    Parser(ProfileSet& out, const ProfileSource& src, FileKind kind, std::vector<ProfileSectionRef>& index)
        : out_(out), src_(src), kind_(kind), names_only_(true), first_error_(nullptr), index_(&index) {}

    Result<void> run() {
        std::string_view text = src_.text;
        // Notepad and other Windows editors write a UTF-8 BOM; rejecting the whole file for it helps nobody.
        if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
        // A NUL cannot be part of anything we would export (environment strings end at NUL), and it usually
        // means a binary or corrupted file: say so instead of guessing.
        if (auto nul = text.find('\0'); nul != std::string_view::npos) {
            line_ = 1 + static_cast<std::size_t>(
                            std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(nul), '\n'));
            return error("NUL byte in file (not a text file?)");
        }
        std::size_t pos = 0;
        while (pos < text.size()) {
            auto end = text.find('\n', pos);
            if (end == std::string_view::npos) end = text.size();
            std::string_view line = text.substr(pos, end - pos);
            line_begin_ = static_cast<std::size_t>(line.data() - src_.text.data());
            pos = end + 1;
            ++line_;
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (auto r = handle_line(line); !r) {
                if (!first_error_) return r;
                if (!*first_error_) *first_error_ = r.error();
            }
        }
        finish();
        return {};
    }

  private:
    Result<void> handle_line(std::string_view line) {
        if (trim_blank(line).empty() || line[0] == '#' || line[0] == ';') return {};
        if (line[0] == '[') return section_line(line);
        if (is_blank(line[0])) return continuation_line(line);
        return property_line(line);
    }

    Result<void> section_line(std::string_view line) {
        line = strip_comment(line, false);
        if (line.size() < 2 || line.back() != ']') return error("Profile definition must end with ']'");
        std::string_view inner = trim_blank(line.substr(1, line.size() - 2));

        // "[prefix name]" splits at the first blank; "[name]" has no prefix.
        std::string_view prefix, name = inner;
        bool prefixed = false;
        if (auto sp = std::find_if(inner.begin(), inner.end(), is_blank); sp != inner.end()) {
            auto at = static_cast<std::size_t>(sp - inner.begin());
            prefix = inner.substr(0, at);
            name = trim_blank(inner.substr(at + 1));
            prefixed = true;
        }

        in_section_ = true;
        have_property_ = false;
        value_ = own_value_ = nullptr;
        // Until proven valid: an ignored section's lines are checked, then dropped.
        section_ = own_section_ = nullptr;
        if (index_) {
            index_->push_back(section_ref(prefix, name, prefixed));
            return {};
        }

        if (kind_ == FileKind::credentials) {
            // Credentials sections are bare profile names; "[profile x]", "[sso-session x]" etc. are ignored.
            if (prefixed || !is_identifier(name)) return {};
            std::string key(name);
            add_origin(out_, key, "credentials");
            if (!names_only_) {
                section_ = &out_.profiles[key];
                own_section_ = &out_.credentials_file[key];
            }
            return {};
        }
        if (!prefixed) {
            // Only [default] may omit the prefix in config; [profile default] wins over it wholesale.
            if (name != "default") return {};
            add_origin(out_, "default", "config");
            if (names_only_) return {};
            if (!unprefixed_default_) unprefixed_default_.emplace();
            section_ = &*unprefixed_default_;
            return {};
        }
        if (!is_identifier(name)) return {};
        std::string key(name);
        if (names_only_) {
            if (prefix == "profile") add_origin(out_, key, "config");
            return {};
        }
        if (prefix == "profile") {
            if (name == "default") prefixed_default_ = true;
            section_ = &out_.profiles[key];
            own_section_ = &out_.config_file[key];
            add_origin(out_, key, "config");
        } else if (prefix == "sso-session") {
            section_ = &out_.sso_sessions[key];
        } else if (prefix == "services") {
            section_ = &out_.services[key];
        }
        // Other prefixes are sections credsh has no use for (smithy-rs keeps them as "other sections").
        return {};
    }

    ProfileSectionRef section_ref(std::string_view prefix, std::string_view name, bool prefixed) const {
        using K = ProfileSectionRef::Kind;
        K kind = K::ignored;
        if (kind_ == FileKind::credentials) {
            if (!prefixed && is_identifier(name)) kind = K::profile;
        } else if (!prefixed) {
            if (name == "default") kind = K::bare_default;
        } else if (is_identifier(name)) {
            if (prefix == "profile")
                kind = K::profile;
            else if (prefix == "sso-session")
                kind = K::sso_session;
            else if (prefix == "services")
                kind = K::services;
        }
        return {kind, line_begin_, static_cast<std::size_t>(name.data() - src_.text.data()), name.size()};
    }

    Result<void> property_line(std::string_view line) {
        if (!in_section_) return error("Expected a profile definition");
        // A property nothing will be copied from (an index, names only, an ignored section) only needs its
        // syntax checked, and the usual line decides that without the comment scan: an '=' with no '#' or ';'
        // before it, and a value that does not start with one (those take the full path below).
        if (!section_) {
            auto eq = line.find('=');
            if (eq != std::string_view::npos && eq > 0 &&
                find_comment_char(line.substr(0, eq), 0) == std::string_view::npos) {
                std::string_view rest = trim_blank(line.substr(eq + 1));
                if (rest.empty() || (rest[0] != '#' && rest[0] != ';')) {
                    have_property_ = true;
                    property_is_sub_ = rest.empty();
                    value_ = own_value_ = nullptr;
                    return {};
                }
            }
        }
        std::string_view key, value;
        switch (split_property(line, key, value)) {
        case PropertyError::no_equals:
            return error("Expected an '=' sign defining a property");
        case PropertyError::no_name:
            return error("Property did not have a name");
        case PropertyError::none:
            break;
        }
        have_property_ = true;
        // An empty value opens a block of sub-properties ("s3 =\n  max_concurrent_requests = 20").
        property_is_sub_ = value.empty();
        value_ = own_value_ = nullptr;
        if (section_ && is_identifier(key)) {
            std::string lower = ascii_lower(key);
            if (own_section_) {
                std::string& own = (*own_section_)[lower];
                own.assign(value);
                own_value_ = &own;
            }
            std::string& slot = (*section_)[std::move(lower)];
            slot.assign(value);
            value_ = &slot;
        }
        return {};
    }

    Result<void> continuation_line(std::string_view line) {
        if (!in_section_) return error("Expected a profile definition");
        if (!have_property_) return error("Expected a property definition, found continuation");
        if (property_is_sub_) {
            std::string_view key, value;
            switch (split_property(line, key, value)) {
            case PropertyError::no_equals:
                return error("Expected an '=' sign defining a sub-property");
            case PropertyError::no_name:
                return error("Sub-property did not have a name");
            case PropertyError::none:
                break;
            }
        }
        // Kept raw (comments included, as the spec says for continuations); sub_properties() splits it.
        for (std::string* v : {value_, own_value_})
            if (v) {
                v->push_back('\n');
                v->append(trim_blank(line));
            }
        return {};
    }

    void finish() {
        if (kind_ != FileKind::config || prefixed_default_ || !unprefixed_default_) return;
        Properties& target = out_.profiles["default"];
        Properties& own = out_.config_file["default"];
        for (auto& [k, v] : *unprefixed_default_) {
            own.insert_or_assign(k, v);
            target.insert_or_assign(k, std::move(v));
        }
    }

    Error error(const char* message) const {
        std::string where = src_.path.empty() ? std::string("(unnamed)") : printable(src_.path);
        return fail(where + ":" + std::to_string(line_) + ": " + message);
    }

    ProfileSet& out_;
    const ProfileSource& src_;
    FileKind kind_;
    bool names_only_;
    std::optional<Error>* first_error_;
    std::vector<ProfileSectionRef>* index_ = nullptr;
    std::size_t line_ = 0;
    std::size_t line_begin_ = 0; // byte offset of the current line in src_.text

    bool in_section_ = false;
    Properties* section_ = nullptr; // nullptr: the current section is ignored
    // The same section in this file's own map (ProfileSet::config_file or credentials_file), written in the
    // same pass; nullptr for sections that have none (sso-session, services, the held-aside [default]).
    Properties* own_section_ = nullptr;
    bool have_property_ = false;
    bool property_is_sub_ = false;
    std::string* value_ = nullptr; // nullptr: the current property is ignored
    std::string* own_value_ = nullptr;

    // Config only: [default] is held aside until we know whether [profile default] exists anywhere.
    std::optional<Properties> unprefixed_default_;
    bool prefixed_default_ = false;
};

// The home directory the spec derives from the environment, or nullopt. Empty variables count as unset:
// an empty HOME would otherwise turn "~/.aws/config" into a path relative to $PWD, which on a prompt is
// whatever repository the user just cloned.
std::optional<std::string> env_home(const Env& env, bool windows) {
    if (auto h = env.get_nonempty("HOME")) return h;
    if (!windows) return std::nullopt;
    if (auto h = env.get_nonempty("USERPROFILE")) return h;
    auto drive = env.get_nonempty("HOMEDRIVE");
    auto path = env.get_nonempty("HOMEPATH");
    if (drive && path) return *drive + *path;
    return std::nullopt;
}

std::optional<std::string> passwd_home() {
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir && *pw->pw_dir)
        return std::string(pw->pw_dir);
    return std::nullopt;
}

// "~" as the first path component becomes the home directory; on windows the rest takes '\' separators,
// as the SDKs rebuild the path component by component. Without a home, the path is left alone.
std::string expand_home(const std::string& path, const std::optional<std::string>& home, bool windows) {
    bool tilde = path == "~" || path.starts_with("~/") || (windows && path.starts_with("~\\"));
    if (!tilde || !home) return path;
    std::string rest = path.substr(1);
    if (windows) std::replace(rest.begin(), rest.end(), '/', '\\');
    return *home + rest;
}

ProfileFileLocations locate(const Env& env, bool windows, const std::optional<std::string>& home) {
    const char* sep = windows ? "\\" : "/";
    auto one = [&](const char* var, const char* file) {
        auto p = env.get_nonempty(var);
        return expand_home(p ? *p : std::string("~") + sep + ".aws" + sep + file, home, windows);
    };
    return {one("AWS_CONFIG_FILE", "config"), one("AWS_SHARED_CREDENTIALS_FILE", "credentials")};
}

// A missing file is an empty one (the spec's "inaccessible file" rule); any other failure is reported.
Result<std::optional<ProfileSource>> read_source(const std::string& path) {
    // An unexpanded "~" means no home directory could be found: rather than read "./~/.aws/config" from
    // whatever directory the prompt is in, treat the file as absent.
    if (path == "~" || path.starts_with("~/")) return std::optional<ProfileSource>();
    auto text = safe_read_file(path, kConfigCap);
    if (!text) {
        if (text.error().kind == ErrorKind::not_found) return std::optional<ProfileSource>();
        return text.error();
    }
    return std::optional<ProfileSource>(ProfileSource{path, std::move(text.value())});
}

} // namespace

Result<ProfileSet> parse_profile_files(const std::optional<ProfileSource>& config,
                                       const std::optional<ProfileSource>& credentials) {
    // One pass per file fills both the merged profiles and that file's own sections.
    ProfileSet out;
    if (config)
        if (auto r = Parser(out, *config, FileKind::config).run(); !r) return r.error();
    if (credentials)
        if (auto r = Parser(out, *credentials, FileKind::credentials).run(); !r) return r.error();
    return out;
}

Result<std::map<std::string, std::vector<std::string>>>
parse_profile_names(const std::optional<ProfileSource>& config,
                    const std::optional<ProfileSource>& credentials) {
    ProfileSet out;
    if (config)
        if (auto r = Parser(out, *config, FileKind::config, true).run(); !r) return r.error();
    if (credentials)
        if (auto r = Parser(out, *credentials, FileKind::credentials, true).run(); !r) return r.error();
    return std::move(out.origins);
}

std::map<std::string, std::vector<std::string>>
readable_profile_names(const std::optional<ProfileSource>& config,
                       const std::optional<ProfileSource>& credentials, std::optional<Error>& problem) {
    ProfileSet out;
    for (auto [src, kind] :
         {std::pair{&config, FileKind::config}, std::pair{&credentials, FileKind::credentials}}) {
        if (!*src) continue;
        std::optional<Error> first;
        if (auto r = Parser(out, **src, kind, true, &first).run(); !r)
            first = r.error(); // a NUL: nothing more
        if (first && !problem) problem = std::move(first);
    }
    return std::move(out.origins);
}

std::vector<std::string> profile_names(const ProfileSet& set) {
    if (set.all_names) return set.all_names();
    std::vector<std::string> out;
    for (const auto& [name, props] : set.profiles)
        out.push_back(name);
    return out;
}

namespace {

using SectionKind = ProfileSectionRef::Kind;

std::string_view section_name(const std::string& text, const ProfileSectionRef& r) {
    return std::string_view(text).substr(r.name_at, r.name_len);
}

// Does the file define a section of this kind and name ([default] counts as the profile "default")? A
// linear pass with a length check first: a few lookups per export over at most a few thousand headers cost
// less than building a map of them; a cached index answers from the one hash bucket the name falls in.
// `damaged`: the cached index could not answer.
bool defines(const ProfileIndexFile& file, SectionKind kind, std::string_view name, bool& damaged) {
    auto fits = [kind](SectionKind k) {
        return k == kind || (kind == SectionKind::profile && k == SectionKind::bare_default);
    };
    if (file.cached) {
        auto found = file.cached->cache.find(name);
        if (!found) damaged = true;
        return found && std::any_of(found->begin(), found->end(),
                                    [&](const IndexedSection& s) { return fits(s.kind); });
    }
    if (!file.src) return false;
    for (const auto& r : file.sections)
        if (r.name_len == name.size() && fits(r.kind) && section_name(file.src->text, r) == name) return true;
    return false;
}

struct Wanted {
    std::set<std::string, std::less<>> profiles, sso_sessions, services;
};

// The text of just the wanted sections, in file order: each section runs from its header to the next
// header (of any kind) or the end of the file. Parsed like the whole file, it gives the same properties
// for those sections -- every state the parser keeps is reset at a header -- and no error, since every
// line of it passed the same checks when the index was built.
std::string wanted_text(const ProfileIndexFile& file, const Wanted& want, bool& damaged) {
    std::string out;
    auto append = [&out](std::string_view section) {
        out.append(section);
        if (!out.empty() && out.back() != '\n') out.push_back('\n');
    };
    if (file.cached) {
        // Looked up by name, then read from the file in file order.
        std::vector<IndexedSection> take;
        auto add = [&](const std::set<std::string, std::less<>>& names, SectionKind kind) {
            for (const auto& n : names) {
                auto found = file.cached->cache.find(n);
                if (!found) damaged = true;
                if (found)
                    for (const auto& s : *found)
                        if (s.kind == kind ||
                            (kind == SectionKind::profile && s.kind == SectionKind::bare_default))
                            take.push_back(s);
            }
        };
        add(want.profiles, SectionKind::profile);
        add(want.sso_sessions, SectionKind::sso_session);
        add(want.services, SectionKind::services);
        std::sort(take.begin(), take.end(),
                  [](const IndexedSection& a, const IndexedSection& b) { return a.begin < b.begin; });
        for (const auto& s : take) {
            auto text = file.cached->section_text(s);
            if (!text) damaged = true;
            if (text) append(*text);
        }
        if (!file.cached->unchanged()) damaged = true;
        return out;
    }
    const auto& sections = file.sections;
    for (std::size_t i = 0; i < sections.size(); ++i) {
        const auto& r = sections[i];
        std::string_view name = section_name(file.src->text, r);
        bool take = false;
        switch (r.kind) {
        case SectionKind::profile:
            take = want.profiles.count(name) > 0;
            break;
        case SectionKind::bare_default:
            take = want.profiles.count("default") > 0;
            break;
        case SectionKind::sso_session:
            take = want.sso_sessions.count(name) > 0;
            break;
        case SectionKind::services:
            take = want.services.count(name) > 0;
            break;
        case SectionKind::ignored:
            break;
        }
        if (!take) continue;
        std::size_t end = i + 1 < sections.size() ? sections[i + 1].begin : file.src->text.size();
        append(std::string_view(file.src->text).substr(r.begin, end - r.begin));
    }
    return out;
}

} // namespace

Result<ProfileIndex> ProfileIndex::build(std::optional<ProfileSource> config,
                                         std::optional<ProfileSource> credentials) {
    auto files = std::make_shared<Files>();
    files->config.src = std::move(config);
    files->credentials.src = std::move(credentials);
    ProfileSet unused;
    for (auto [file, kind] :
         {std::pair{&files->config, FileKind::config}, std::pair{&files->credentials, FileKind::credentials}})
        if (file->src)
            if (auto r = Parser(unused, *file->src, kind, file->sections).run(); !r) return r.error();
    ProfileIndex index;
    index.files_ = std::move(files);
    return index;
}

// The same index with every cached file read whole and checked again: for all(), and for a cached index
// that turned out damaged (or a file written while its sections were read).
Result<ProfileIndex> ProfileIndex::uncached() const {
    std::optional<ProfileSource> srcs[2];
    const File* files[2] = {&files_->config, &files_->credentials};
    for (int i = 0; i < 2; ++i) {
        srcs[i] = files[i]->src;
        if (files[i]->cached) {
            auto text = files[i]->cached->whole();
            if (!text) return text.error();
            srcs[i] = ProfileSource{files[i]->cached->path, std::move(*text)};
        }
    }
    return build(std::move(srcs[0]), std::move(srcs[1]));
}

std::vector<std::string> ProfileIndex::names() const {
    auto is_profile = [](SectionKind k) {
        return k == SectionKind::profile || k == SectionKind::bare_default;
    };
    // Views into the files' text or the cached buckets, sorted and made unique before anything is copied:
    // thousands of names cost one sort of views, not a tree of strings.
    std::vector<std::string_view> names;
    for (const File* file : {&files_->config, &files_->credentials}) {
        if (file->cached) {
            auto all = file->cached->cache.all();
            if (!all) { // damaged: the files themselves answer (nothing, if they no longer parse)
                auto full = uncached();
                return full ? full->names() : std::vector<std::string>{};
            }
            for (const auto& sec : *all)
                if (is_profile(sec.kind)) names.push_back(sec.name);
        } else if (file->src) {
            for (const auto& r : file->sections)
                if (is_profile(r.kind)) names.push_back(section_name(file->src->text, r));
        }
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return std::vector<std::string>(names.begin(), names.end());
}

bool ProfileIndex::cached() const {
    return files_->config.cached || files_->credentials.cached;
}

Result<ProfileSet> ProfileIndex::all() const {
    if (files_->config.cached || files_->credentials.cached) {
        auto full = uncached();
        if (!full) return full.error();
        return full->all();
    }
    return parse_profile_files(files_->config.src, files_->credentials.src);
}

ProfileSet
ProfileIndex::select(const std::vector<std::string>& roots,
                     const std::function<std::vector<std::string>(const std::string&)>& more) const {
    const Files& f = *files_;
    bool damaged = false; // a cached index could not answer: start again from the files themselves
    Wanted want;
    want.profiles.insert("default");
    for (const auto& r : roots)
        if (!r.empty()) want.profiles.insert(r);
    // Anything a value names may be a section: parsing one too many costs a few lines, missing one would
    // make a profile look undefined.
    std::set<std::string, std::less<>> seen; // each value is looked up once, however many rounds
    auto consider = [&](const std::string& v) {
        if (v.empty() || v.size() > 256 || v.find('\n') != std::string::npos) return false;
        if (!seen.insert(v).second) return false;
        bool grew = false;
        auto in_config = [&](SectionKind k) { return defines(f.config, k, v, damaged); };
        if (!want.profiles.count(v) &&
            (in_config(SectionKind::profile) || defines(f.credentials, SectionKind::profile, v, damaged)))
            grew |= want.profiles.insert(v).second;
        if (!want.sso_sessions.count(v) && in_config(SectionKind::sso_session))
            grew |= want.sso_sessions.insert(v).second;
        if (!want.services.count(v) && in_config(SectionKind::services))
            grew |= want.services.insert(v).second;
        return grew;
    };
    // Each round parses what is wanted and adds what it names. A source_profile chain adds one profile per
    // round; past kMaxChainProfiles the chain is an error whatever follows, so a generated 10,000-hop chain
    // costs a bounded number of rounds, not one per hop (each round is a pass over the section headers).
    for (std::size_t round = 0;; ++round) {
        ProfileSet out;
        // Cannot fail: every line of these texts passed the same parser when the index was built.
        for (auto [file, kind] :
             {std::pair{&f.config, FileKind::config}, std::pair{&f.credentials, FileKind::credentials}}) {
            if (!file->src && !file->cached) continue;
            const std::string& path = file->cached ? file->cached->path : file->src->path;
            (void)Parser(out, ProfileSource{path, wanted_text(*file, want, damaged)}, kind).run();
        }
        bool grew = false;
        for (const auto* group : {&out.profiles, &out.sso_sessions, &out.services})
            for (const auto& [name, props] : *group)
                for (const auto& [k, v] : props)
                    grew |= consider(v);
        if (more) {
            std::vector<std::string> names(want.profiles.begin(), want.profiles.end());
            for (const auto& n : names)
                for (const auto& v : more(n))
                    grew |= consider(v);
        }
        if (damaged) {
            // Rare (a damaged cache file, or a profile file written this very moment): read them whole. A
            // file that no longer parses yields nothing here; the next export, seeing it changed, reports
            // why.
            if (auto full = uncached()) return full->select(roots, more);
            return ProfileSet{};
        }
        if (grew && round <= kMaxChainProfiles + 2) continue; // parse again with what was found named
        out.all_names = [index = *this] { return index.names(); };
        return out;
    }
}

Properties sub_properties(const std::string& raw) {
    Properties out;
    // Only a value whose first line is empty has sub-properties; "a\nb = c" is a continued plain value.
    if (raw.empty() || raw[0] != '\n') return out;
    std::string_view rest(raw);
    rest.remove_prefix(1);
    while (!rest.empty()) {
        auto nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        // Comments are part of a sub-property's value (the spec says so), hence no strip_comment here.
        auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        std::string_view key = trim_blank(line.substr(0, eq));
        if (!is_identifier(key)) continue;
        out.insert_or_assign(std::string(key), std::string(trim_blank(line.substr(eq + 1))));
    }
    return out;
}

ProfileFileLocations locate_profile_files(const Env& env, bool windows) {
    auto home = env_home(env, windows);
    if (!home) home = passwd_home();
    return locate(env, windows, home);
}

ProfileFileLocations locate_profile_files(const Env& env, bool windows,
                                          const std::optional<std::string>& fallback_home) {
    auto home = env_home(env, windows);
    if (!home) home = fallback_home;
    return locate(env, windows, home);
}

std::string sdk_profile_name(const Env& env) {
    return env.get_nonempty("AWS_PROFILE").value_or("default");
}

Result<ProfileSet> load_profile_files(const Env& env) {
    auto where = locate_profile_files(env);
    auto config = read_source(where.config);
    if (!config) return config.error();
    auto credentials = read_source(where.credentials);
    if (!credentials) return credentials.error();
    return parse_profile_files(*config, *credentials);
}

Result<ProfileIndex> load_profile_index(const Env& env) {
    return load_profile_index(env, "");
}

Result<ProfileIndex> load_profile_index(const Env& env, const std::string& cache_dir,
                                        std::optional<std::int64_t> now) {
    auto where = locate_profile_files(env);
    auto files = std::make_shared<ProfileIndex::Files>();
    struct Pending {
        ProfileIndexFile* file;
        FileKind kind;
        UniqueFd fd;
        FileIdentity id;
        std::int64_t read_at;
        std::string cache_path;
    };
    std::vector<Pending> read; // files read whole: indexed below, in order, after both were read
    for (auto [path, file, kind] :
         {std::tuple{&where.config, &files->config, FileKind::config},
          std::tuple{&where.credentials, &files->credentials, FileKind::credentials}}) {
        // An unexpanded "~" means no home directory could be found (read_source).
        if (*path == "~" || path->starts_with("~/")) continue;
        struct stat st {};
        auto fd = safe_open_file(*path, kConfigCap, st);
        if (!fd) {
            if (fd.error().kind == ErrorKind::not_found) continue;
            return fd.error();
        }
        FileIdentity id = file_identity(st);
        std::string cache_path = cache_dir.empty() ? std::string() : index_cache_path(cache_dir, *path);
        if (!cache_path.empty())
            if (auto cache = IndexCache::open(cache_path, id)) {
                file->cached = std::make_shared<const CachedProfileFile>(
                    CachedProfileFile{*path, std::move(*fd), id, std::move(*cache)});
                continue;
            }
        std::int64_t read_at =
            now ? *now : ::time(nullptr); // before the read: what the racy rule compares with
        auto text = read_open_file(fd->get(), *path, kConfigCap, st);
        if (!text) return text.error();
        file->src = ProfileSource{*path, std::move(*text)};
        read.push_back({file, kind, std::move(*fd), id, read_at, std::move(cache_path)});
    }
    ProfileSet unused;
    for (auto& p : read)
        if (auto r = Parser(unused, *p.file->src, p.kind, p.file->sections).run(); !r) return r.error();
    for (auto& p : read) {
        struct stat after {};
        // Saved only for the version that was read: unchanged from open to here.
        if (!p.cache_path.empty() && ::fstat(p.fd.get(), &after) == 0 && file_identity(after) == p.id)
            write_index_cache(p.cache_path, p.id, p.read_at, p.file->src->text, p.file->sections);
    }
    ProfileIndex index;
    index.files_ = std::move(files);
    return index;
}

Result<std::map<std::string, std::vector<std::string>>> load_profile_names(const Env& env) {
    auto where = locate_profile_files(env);
    auto config = read_source(where.config);
    if (!config) return config.error();
    auto credentials = read_source(where.credentials);
    if (!credentials) return credentials.error();
    return parse_profile_names(*config, *credentials);
}

std::map<std::string, std::vector<std::string>> load_readable_profile_names(const Env& env,
                                                                            std::optional<Error>& problem) {
    auto where = locate_profile_files(env);
    auto config = read_source(where.config);
    auto credentials = read_source(where.credentials);
    for (const auto* r : {&config, &credentials})
        if (!*r && !problem) problem = r->error();
    return readable_profile_names(config ? *config : std::nullopt, credentials ? *credentials : std::nullopt,
                                  problem);
}

} // namespace credsh
