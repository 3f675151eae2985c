// docs/security.md 1-2 in real shells: the code the emitters produce is evaluated by bash and zsh (eval) and
// fish (`| source`) under LC_ALL=C and LC_ALL=C.UTF-8, and every value must come back byte for byte -- as an
// exported variable seen by a child process (`env -0`), and as a shell-only variable (set_local) seen by
// the shell itself -- with no file named PWNED created. The corpus is a fixed list of known-dangerous
// strings, every byte 0x01-0xFF alone, and 10,000 random byte strings of 1 B to 64 KiB from a fixed,
// printed seed (CREDSH_RT_SEED overrides it to reproduce or explore). Values are batched: one shell process
// per (shell, locale) evaluates them all, so the test stays within a minute on two cores.
//
// PowerShell cannot be installed here, so its code is checked with the tree-sitter grammar instead
// (tests/pwsh/parse.mjs): syntax, statement shapes, and the decoded value of every string.
#include "helpers.hpp"
#include "shell.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <locale.h>
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace credsh;
namespace fs = std::filesystem;
using credsh::test::read_file;
using credsh::test::TempDir;
using credsh::test::write_file;

namespace {

constexpr std::uint64_t kDefaultSeed = 20240917;
constexpr size_t kRandomValues = 10000;
constexpr size_t kMaxLen = 64 * 1024;
// Batches stay far below the kernel's limits for one execve (2 MiB of environment and argv in all, 128 KiB
// per string), since each batch is in the environment of one `env -0`.
constexpr size_t kBatchBytes = 384 * 1024;
constexpr size_t kBatchCount = 256;

// ---------------------------------------------------------------------------------------------- corpus --

struct Value {
    std::string bytes;
    std::string origin; // for failure messages: "fixed: ...", "byte 0x27", "random #12 (mode 1)"
};

// std::mt19937_64's output sequence is fixed by the standard; the std:: distributions are not, so the
// conversions to lengths and bytes are done here and a seed means the same corpus on every toolchain.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : gen_(seed) {}
    std::uint64_t next() { return gen_(); }
    double unit() { return static_cast<double>(next() >> 11) * 0x1p-53; } // [0, 1)
    size_t below(size_t n) { return static_cast<size_t>(next() % n); }

  private:
    std::mt19937_64 gen_;
};

// Fragments that matter to some shell's parser, so random strings hit them far more often than chance.
const std::vector<std::string>& nasty_tokens() {
    static const std::vector<std::string> tokens = {"'",
                                                    "\"",
                                                    "\\",
                                                    "$",
                                                    "$(",
                                                    ")",
                                                    "(",
                                                    "`",
                                                    "!",
                                                    "*",
                                                    "?",
                                                    "[",
                                                    "]",
                                                    "~",
                                                    "#",
                                                    ";",
                                                    "&",
                                                    "|",
                                                    "<",
                                                    ">",
                                                    "{",
                                                    "}",
                                                    " ",
                                                    "\t",
                                                    "\n",
                                                    "\r",
                                                    "\r\n",
                                                    "\x1b",
                                                    "\x7f",
                                                    "\x01",
                                                    "\x80",
                                                    "\x83",
                                                    "\x9b",
                                                    "\xa0",
                                                    "\xc3",
                                                    "\xe2",
                                                    "\x98",
                                                    "\xef",
                                                    "\xf6",
                                                    "\xfe",
                                                    "\xff",
                                                    "\xe2\x80\x98",
                                                    "\xe2\x80\x99",
                                                    "\xe2\x80\x9a",
                                                    "\xe2\x80\x9b",
                                                    "\xe2\x80\x9c",
                                                    "\xef\x98\x80",
                                                    "\xef\x9b\xbf",
                                                    "\xef\xb7\x90",
                                                    "\xef\xbf\xbe",
                                                    "\xed\xa0\x80",
                                                    "\xc3\xa9",
                                                    "\xf0\x9f\x94\x91",
                                                    "$(touch PWNED)",
                                                    "`touch PWNED`",
                                                    "(touch PWNED)",
                                                    "'\\''",
                                                    "$'\\n'",
                                                    "\\'",
                                                    "''",
                                                    "%s",
                                                    "%n",
                                                    "\\x41",
                                                    "\\n",
                                                    "a",
                                                    "AKIA",
                                                    "=",
                                                    "-",
                                                    "--"};
    return tokens;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    auto byte = [&](std::uint32_t b) { out.push_back(static_cast<char>(static_cast<unsigned char>(b))); };
    if (cp < 0x80) {
        byte(cp);
    } else if (cp < 0x800) {
        byte(0xC0 | (cp >> 6));
        byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        byte(0xE0 | (cp >> 12));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    } else {
        byte(0xF0 | (cp >> 18));
        byte(0x80 | ((cp >> 12) & 0x3F));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    }
}

// A random Unicode scalar value, weighted towards the ranges some shell treats specially: PowerShell's
// curly quotes, fish's private-use "encoded direct" range and its reserved noncharacters.
std::uint32_t random_code_point(Rng& rng) {
    switch (rng.below(10)) {
    case 0:
    case 1:
    case 2:
        return static_cast<std::uint32_t>(1 + rng.below(0x7F));
    case 3:
        return static_cast<std::uint32_t>(0x80 + rng.below(0x800 - 0x80));
    case 4: {
        auto cp = static_cast<std::uint32_t>(0x800 + rng.below(0x10000 - 0x800));
        return cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp;
    }
    case 5:
        return static_cast<std::uint32_t>(0x2018 + rng.below(4));
    case 6:
        return static_cast<std::uint32_t>(0xF600 + rng.below(0x100));
    case 7:
        return static_cast<std::uint32_t>(0xFDD0 + rng.below(0x20));
    case 8:
        return rng.below(2) ? 0xFFFE : 0xFFFF;
    default:
        return static_cast<std::uint32_t>(0x10000 + rng.below(0x110000 - 0x10000));
    }
}

// Lengths from 1 B to 64 KiB, skewed to short ones like real credentials: 2^(16 u^2) puts half the strings
// under 16 bytes and about 6% over 16 KiB, for a mean near 3 KiB (30 MiB in all, which keeps bash's slow
// multibyte parser within budget).
size_t random_length(Rng& rng) {
    double u = rng.unit();
    auto n = static_cast<size_t>(std::exp2(16.0 * u * u));
    return std::clamp<size_t>(n, 1, kMaxLen);
}

// Four kinds of content. Modes 2 and 3 are valid UTF-8 (and so also PowerShell material).
std::string random_value(Rng& rng, int mode, size_t len) {
    std::string s;
    s.reserve(len + 8);
    switch (mode) {
    case 0: // any byte but NUL
        while (s.size() < len)
            s.push_back(static_cast<char>(static_cast<unsigned char>(1 + rng.below(255))));
        break;
    case 1: // shell metacharacters, quotes, stray UTF-8 pieces
        while (s.size() < len) {
            const auto& t = nasty_tokens();
            s += t[rng.below(t.size())];
        }
        s.resize(len);
        break;
    case 2: { // valid UTF-8, cut at a character boundary
        std::string ch;
        while (true) {
            ch.clear();
            append_utf8(ch, random_code_point(rng));
            if (s.size() + ch.size() > len) break;
            s += ch;
        }
        if (s.empty()) s = "x";
        break;
    }
    default: // mostly printable ASCII, like real credentials, with an occasional metacharacter
        while (s.size() < len) {
            if (rng.below(20) == 0) {
                const auto& t = nasty_tokens();
                const std::string& tok = t[rng.below(t.size())];
                bool ascii = std::all_of(tok.begin(), tok.end(), [](char c) { return c > 0; });
                if (ascii) s += tok;
            } else {
                s.push_back(static_cast<char>(0x20 + rng.below(0x5F)));
            }
        }
        s.resize(len);
        break;
    }
    return s;
}

std::vector<Value> fixed_corpus() {
    const std::string rsquo = "\xe2\x80\x99";
    std::vector<std::string> v = {"",
                                  "'",
                                  "\"",
                                  "\\",
                                  "$(touch PWNED)",
                                  "`touch PWNED`",
                                  "(touch PWNED)",
                                  "$HOME",
                                  "${HOME}",
                                  "!",
                                  "!!",
                                  "*",
                                  "?",
                                  "[",
                                  "[a]",
                                  "~",
                                  "~root",
                                  "#",
                                  ";",
                                  "&",
                                  "|",
                                  "<",
                                  ">",
                                  "!*?[~#;&|<>",
                                  "\r",
                                  "\n",
                                  "a\n",
                                  "\n\n\n",
                                  "\r\n",
                                  "a\r\n",
                                  "\x1b",
                                  "\x1b[31mred\x1b[0m",
                                  "\x1b]0;title\x07",
                                  "\t",
                                  "\xff",
                                  "\xc3",
                                  "\xe2\x80",
                                  "\xed\xa0\x80",
                                  "\xc0\xaf",
                                  "\xf4\x90\x80\x80",
                                  "\xf8\x88\x80\x80\x80",
                                  "caf\xc3\xa9",
                                  "\xe2\x80\x98",
                                  "\xe2\x80\x99",
                                  "\xe2\x80\x9a",
                                  "\xe2\x80\x9b",
                                  "\xe2\x80\x9c",
                                  "x" + rsquo + "; New-Item PWNED; " + rsquo,
                                  "'; touch PWNED; '",
                                  "\\'; touch PWNED; echo '",
                                  "\"; touch PWNED; \"",
                                  "\ntouch PWNED\n",
                                  "'\ntouch PWNED\n'",
                                  "-e",
                                  "--",
                                  "-n",
                                  "--erase",
                                  "%s%n",
                                  "a b",
                                  "'\n'",
                                  "$'\\n'",
                                  "\\\n",
                                  "a\\",
                                  "\\\\",
                                  "'\\''",
                                  "''",
                                  "\xef\x98\x80",
                                  "\xef\x9b\xbf",
                                  "\xef\xb7\x90",
                                  "\xef\xbf\xbe",
                                  "\xef\xbf\xbf",
                                  "\xf0\x9f\x94\x91",
                                  "\xe2"
                                  "\xe2\x80\x98",
                                  "\xff\xfe\xc3(",
                                  "\xef\xbb\xbf",
                                  "a=b",
                                  "==",
                                  "\x83",
                                  "\x83\x83\xa0",
                                  std::string(kMaxLen, '\''),
                                  std::string(kMaxLen, '\\'),
                                  std::string(kMaxLen, '\n'),
                                  std::string(kMaxLen, '\xff')};
    std::vector<Value> out;
    for (auto& s : v)
        out.push_back({s, "fixed corpus entry"});
    for (int b = 1; b <= 0xFF; ++b) {
        std::ostringstream o;
        o << "byte 0x" << std::hex << b;
        out.push_back({std::string(1, static_cast<char>(static_cast<unsigned char>(b))), o.str()});
    }
    return out;
}

struct Corpus {
    std::uint64_t seed = 0;
    std::vector<Value> values;
    size_t bytes = 0;
};

std::uint64_t seed_from_env() {
    const char* s = std::getenv("CREDSH_RT_SEED");
    return s && *s ? std::strtoull(s, nullptr, 0) : kDefaultSeed;
}

Corpus make_corpus(std::uint64_t seed) {
    Corpus c;
    c.seed = seed;
    c.values = fixed_corpus();
    Rng rng(seed);
    for (int mode = 0; mode < 4; ++mode) // one of each kind at exactly the maximum length
        c.values.push_back(
            {random_value(rng, mode, kMaxLen), "random, max length, mode " + std::to_string(mode)});
    for (size_t i = 0; i < kRandomValues; ++i) {
        int mode = static_cast<int>(rng.below(4));
        c.values.push_back({random_value(rng, mode, random_length(rng)),
                            "random #" + std::to_string(i) + " (mode " + std::to_string(mode) + ")"});
    }
    for (const auto& v : c.values)
        c.bytes += v.bytes.size();
    return c;
}

std::string var_name(size_t i) {
    return "CREDSH_RT_" + std::to_string(i);
}

std::string hex(std::string_view s) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    out.reserve(s.size() * 2);
    for (char c : s) {
        auto b = static_cast<unsigned char>(c);
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0xF]);
    }
    return out;
}

// "differs at byte 17 of 40 (got 38): expected ...27 5c..., got ...27 27..."
std::string describe_difference(const std::string& want, const std::string& got) {
    size_t i = 0;
    while (i < want.size() && i < got.size() && want[i] == got[i])
        ++i;
    size_t from = i > 8 ? i - 8 : 0;
    std::ostringstream o;
    o << "differs at byte " << i << " of " << want.size() << " (got " << got.size() << " bytes): expected "
      << hex(std::string_view(want).substr(from, 24)) << ", got "
      << hex(std::string_view(got).substr(std::min(from, got.size()), 24));
    return o.str();
}

// Failure messages quote shell output: control bytes and non-ASCII as \xHH, one line, at most `max` bytes.
std::string printable(std::string_view s, size_t max) {
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (char c : s.substr(0, max)) {
        auto b = static_cast<unsigned char>(c);
        if (b >= 0x20 && b < 0x7F && b != '\\') {
            out.push_back(c);
        } else {
            out += "\\x";
            out.push_back(digits[b >> 4]);
            out.push_back(digits[b & 0xF]);
        }
    }
    if (s.size() > max) out += "...";
    return out;
}

// --------------------------------------------------------------------------------------------- processes --

std::optional<std::string> find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        fs::path p = fs::path(dir.empty() ? "." : dir) / name;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return std::nullopt;
}

// fork + execve with everything prepared before the fork; stdin from /dev/null, stdout and stderr to
// files (no pipes to drain, so several children can run at once). No shell is involved in starting it.
pid_t start(const std::vector<std::string>& argv, const std::vector<std::string>& env, const fs::path& cwd,
            const fs::path& out, const fs::path& err) {
    std::vector<char*> av, ev;
    for (const auto& a : argv)
        av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    for (const auto& e : env)
        ev.push_back(const_cast<char*>(e.c_str()));
    ev.push_back(nullptr);
    std::string cwd_s = cwd.string(), out_s = out.string(), err_s = err.string();
    pid_t pid = ::fork();
    if (pid == 0) {
        int in = ::open("/dev/null", O_RDONLY);
        int o = ::open(out_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int e = ::open(err_s.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || o < 0 || e < 0 || ::chdir(cwd_s.c_str()) != 0) ::_exit(126);
        ::dup2(in, 0);
        ::dup2(o, 1);
        ::dup2(e, 2);
        ::execve(av[0], av.data(), ev.data());
        ::_exit(127);
    }
    return pid;
}

std::vector<std::string> child_env(const fs::path& home, const std::string& locale) {
    const char* path = std::getenv("PATH");
    return {"PATH=" + std::string(path ? path : "/usr/bin:/bin"),
            "HOME=" + home.string(),
            "XDG_CONFIG_HOME=" + (home / ".config").string(),
            "XDG_DATA_HOME=" + (home / ".local/share").string(),
            "XDG_CACHE_HOME=" + (home / ".cache").string(),
            "LC_ALL=" + locale};
}

bool ci() {
    const char* v = std::getenv("CI");
    return v && std::string(v) == "true";
}

// ---------------------------------------------------------------------------------------- shell drivers --

// How the test itself talks to each shell: evaluate a file of emitted code the way the hooks do, print a
// variable's value, and report a variable that is still set.
struct Dialect {
    const Shell* shell;
    std::vector<std::string> args; // after the program, before the script
    bool fish;
    std::string eval(const std::string& file) const {
        return fish ? "cat " + file + " | source\n" : "eval \"$(<" + file + ")\"\n";
    }
    std::string print_value(const std::string& name, const std::string& file) const {
        return fish ? "printf '%s\\0' $" + name + " >> " + file + "\n"
                    : "printf '%s\\0' \"$" + name + "\" >> " + file + "\n";
    }
    std::string report_if_unset(const std::string& name, const std::string& file) const {
        return fish ? "set -q " + name + "; or printf '%s ' " + name + " >> " + file + "\n"
                    : "[ -n \"${" + name + "+x}\" ] || printf '%s ' " + name + " >> " + file + "\n";
    }
    std::string report_if_set(const std::string& name, const std::string& file) const {
        return fish ? "set -q " + name + "; and printf '%s ' " + name + " >> " + file + "\n"
                    : "printf '%s' \"${" + name + "+" + name + " }\" >> " + file + "\n";
    }
    // Proves LC_ALL reached the shell: in bash and zsh 'é' is one character under a UTF-8 locale and two
    // under C. fish decodes UTF-8 even under C (so there it is always one), and reports $LC_ALL instead.
    std::string locale_probe(const std::string& file) const {
        return fish ? "printf '%s\\n' $LC_ALL > " + file + "\n"
                    : "x='\xc3\xa9'; printf '%s\\n' \"${#x}\" > " + file + "\n";
    }
};

struct Run {
    std::string label; // "bash LC_ALL=C"
    fs::path dir;      // cwd of the shell; the emitted code is in its parent
    std::string locale;
    bool fish = false;
    pid_t pid = -1;
    std::chrono::steady_clock::time_point started{};
};

using Batches = std::vector<std::vector<size_t>>;

// A full disk must fail loudly, not leave a short script that some shell then evaluates happily.
void write_checked(const fs::path& p, const std::string& data) {
    std::ofstream f(p, std::ios::binary);
    f << data;
    f.close();
    if (!f) throw std::runtime_error("cannot write " + p.string());
}

Batches make_batches(const std::vector<size_t>& ids, const Corpus& c) {
    Batches out(1);
    size_t bytes = 0;
    for (size_t id : ids) {
        size_t len = c.values[id].bytes.size();
        if (!out.back().empty() && (bytes + len > kBatchBytes || out.back().size() >= kBatchCount)) {
            out.emplace_back();
            bytes = 0;
        }
        out.back().push_back(id);
        bytes += len;
    }
    return out;
}

// Writes the emitted code (exp_K: export_var, un_K: unset_var, loc_K: set_local) and the driver script
// into `dir`. The driver, per batch: export all, dump the environment; unset all, report survivors; set
// all as shell variables, print them, dump the environment again (none may be there); unset, report.
void write_scripts(const Dialect& d, const fs::path& dir, const Batches& batches, const Corpus& c,
                   const std::string& prelude) {
    fs::create_directories(dir);
    std::string driver = prelude + d.locale_probe("locale_probe");
    for (size_t k = 0; k < batches.size(); ++k) {
        std::string exp, un, loc, k_s = std::to_string(k);
        for (size_t id : batches[k]) {
            exp += d.shell->export_var(var_name(id), c.values[id].bytes);
            un += d.shell->unset_var(var_name(id));
            loc += d.shell->set_local(var_name(id), c.values[id].bytes);
        }
        write_checked(dir / ("exp_" + k_s), exp);
        write_checked(dir / ("un_" + k_s), un);
        write_checked(dir / ("loc_" + k_s), loc);
        driver += d.eval("../exp_" + k_s) + "env -0 > env_" + k_s + "\n" + d.eval("../un_" + k_s);
        for (size_t id : batches[k])
            driver += d.report_if_set(var_name(id), "still_set");
        driver += d.eval("../loc_" + k_s);
        for (size_t id : batches[k])
            driver +=
                d.report_if_unset(var_name(id), "not_set") + d.print_value(var_name(id), "local_" + k_s);
        driver += "env -0 > envl_" + k_s + "\n" + d.eval("../un_" + k_s);
        for (size_t id : batches[k])
            driver += d.report_if_set(var_name(id), "still_set");
    }
    driver += "printf done > done\n";
    write_checked(dir / "driver", driver);
}

// CREDSH_RT_<n>=value entries of an `env -0` dump.
std::vector<std::pair<size_t, std::string>> rt_entries(const std::string& dump) {
    std::vector<std::pair<size_t, std::string>> out;
    size_t pos = 0;
    while (pos < dump.size()) {
        size_t end = dump.find('\0', pos);
        if (end == std::string::npos) end = dump.size();
        std::string_view e(dump.data() + pos, end - pos);
        pos = end + 1;
        if (e.substr(0, 10) != "CREDSH_RT_") continue;
        size_t eq = e.find('='), id = 0;
        auto [end_of_id, ec] = std::from_chars(e.data() + 10, e.data() + std::min(eq, e.size()), id);
        if (eq == std::string_view::npos || ec != std::errc() || end_of_id != e.data() + eq)
            id = SIZE_MAX; // not a name this test made: counted, matches no value
        out.emplace_back(id, std::string(e.substr(eq == std::string_view::npos ? e.size() : eq + 1)));
    }
    return out;
}

// The round trip writes and reads a few hundred MiB of scripts and dumps: in memory (/dev/shm) when it has
// room (a container's is often 64 MiB), so the test does not wait on the disk, else in $TMPDIR.
// CREDSH_RT_KEEP=1 keeps the directory for a look at the scripts and dumps of a failure.
bool roomy(const char* dir) {
    struct statvfs st {};
    return ::access(dir, W_OK | X_OK) == 0 && ::statvfs(dir, &st) == 0 &&
           static_cast<double>(st.f_bavail) * static_cast<double>(st.f_frsize) > 2e9;
}

struct ScratchDir {
    fs::path path;
    bool keep = std::getenv("CREDSH_RT_KEEP") != nullptr;
    ScratchDir() {
        fs::path base = roomy("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        std::string tmpl = (base / "credsh-roundtrip-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed in " + base.string());
        path = tmpl;
    }
    ~ScratchDir() {
        std::error_code ec;
        if (keep)
            std::cerr << "shell round-trip: files kept in " << path << "\n";
        else
            fs::remove_all(path, ec);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
};

bool contains_pwned(const fs::path& root) {
    for (const auto& e : fs::recursive_directory_iterator(root))
        if (e.path().filename() == "PWNED") return true;
    return false;
}

// Checks one finished run; returns human-readable failures (at most a screenful).
std::vector<std::string> check_run(const Run& run, int status, const Batches& batches, const Corpus& c) {
    std::vector<std::string> fails;
    auto fail = [&](const std::string& m) {
        if (fails.size() < 12) fails.push_back(run.label + ": " + printable(m, 300));
    };
    if (status != 0) fail("shell exited with status " + std::to_string(status));
    std::string err = read_file(run.dir / "stderr");
    if (!err.empty()) fail("stderr not empty: " + err);
    if (read_file(run.dir / "done") != "done") fail("the driver script did not run to its end");
    std::string probe = read_file(run.dir / "locale_probe");
    std::string want_probe = run.fish ? run.locale + "\n" : run.locale == "C" ? "2\n" : "1\n";
    if (probe != want_probe)
        fail("locale not in effect: probe printed " + probe + ", expected " + want_probe);
    std::string still = read_file(run.dir / "still_set");
    if (!still.empty()) fail("unset_var left these set: " + still);
    std::string not_set = read_file(run.dir / "not_set");
    if (!not_set.empty()) fail("set_local did not set these: " + not_set);
    if (contains_pwned(run.dir)) fail("a file named PWNED was created: code from a value was executed");

    for (size_t k = 0; k < batches.size(); ++k) {
        const auto& batch = batches[k];
        std::string k_s = std::to_string(k);
        // Exported: exactly this batch's variables, each with exactly its bytes.
        auto env = rt_entries(read_file(run.dir / ("env_" + k_s)));
        if (env.size() != batch.size())
            fail("batch " + k_s + ": " + std::to_string(env.size()) +
                 " CREDSH_RT_ variables exported, expected " + std::to_string(batch.size()) +
                 " (unset of the previous batch failed?)");
        std::vector<const std::string*> got(c.values.size(), nullptr);
        for (const auto& [id, value] : env)
            if (id < got.size()) got[id] = &value;
        for (size_t id : batch) {
            const Value& v = c.values[id];
            if (!got[id])
                fail("export of value " + std::to_string(id) + " (" + v.origin +
                     ") is missing from the environment");
            else if (*got[id] != v.bytes)
                fail("exported value " + std::to_string(id) + " (" + v.origin + ") " +
                     describe_difference(v.bytes, *got[id]));
        }
        // Shell-only: seen by the shell, absent from the environment.
        if (!rt_entries(read_file(run.dir / ("envl_" + k_s))).empty())
            fail("batch " + k_s + ": set_local exported a variable");
        std::string locals = read_file(run.dir / ("local_" + k_s));
        size_t pos = 0;
        for (size_t id : batch) {
            const Value& v = c.values[id];
            size_t end = locals.find('\0', pos);
            if (end == std::string::npos) {
                fail("set_local value " + std::to_string(id) + " (" + v.origin + ") was not printed");
                break;
            }
            std::string value = locals.substr(pos, end - pos);
            pos = end + 1;
            if (value != v.bytes)
                fail("set_local value " + std::to_string(id) + " (" + v.origin + ") " +
                     describe_difference(v.bytes, value));
        }
    }
    return fails;
}

} // namespace

TEST_CASE("bash, zsh and fish get back every byte string exactly, in C and C.UTF-8", "[shell][roundtrip]") {
    auto t0 = std::chrono::steady_clock::now();
    {
        locale_t utf8 = ::newlocale(LC_ALL_MASK, "C.UTF-8", nullptr);
        INFO("the C.UTF-8 locale is needed (Debian: it is built into libc6)");
        REQUIRE(utf8 != nullptr);
        ::freelocale(utf8);
    }

    const Corpus corpus = make_corpus(seed_from_env());
    std::cerr << "shell round-trip: seed " << corpus.seed << " (set CREDSH_RT_SEED to change), "
              << corpus.values.size() << " values, " << corpus.bytes / 1024 << " KiB\n";
    INFO("seed " << corpus.seed << " (CREDSH_RT_SEED=" << corpus.seed << " reproduces this corpus)");
    for (size_t i = 0; i < corpus.values.size(); ++i) {
        REQUIRE(valid_var_name(var_name(i)));
        for (const Shell* s : {&kBash, &kZsh, &kFish})
            REQUIRE(s->representable(corpus.values[i].bytes));
    }

    std::vector<size_t> all(corpus.values.size()), some;
    for (size_t i = 0; i < all.size(); ++i)
        all[i] = i;
    // zsh once more with the options that change quoting rules, on the fixed corpus and 1000 random values.
    some.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(
                                               std::min(all.size(), fixed_corpus().size() + 1004)));

    struct Plan {
        std::string name;
        Dialect dialect;
        std::string program;
        std::string prelude;
        const std::vector<size_t>* ids;
        std::vector<std::string> locales;
    };
    const std::vector<Plan> plans = {
        {"bash", {&kBash, {"--norc", "--noprofile"}, false}, "bash", "", &all, {"C", "C.UTF-8"}},
        {"zsh", {&kZsh, {"-f"}, false}, "zsh", "", &all, {"C", "C.UTF-8"}},
        {"fish", {&kFish, {"--no-config"}, true}, "fish", "", &all, {"C", "C.UTF-8"}},
        {"zsh-rcquotes-cshjunkiequotes",
         {&kZsh, {"-f"}, false},
         "zsh",
         "setopt rc_quotes csh_junkie_quotes\n",
         &some,
         {"C.UTF-8"}},
    };

    ScratchDir tmp;
    fs::path home = tmp.path / "home";
    fs::create_directories(home);
    std::vector<std::string> failures;
    // At most two shells run at once (two cores); the parent writes the next shell's files meanwhile.
    // Each run's directory is checked and removed when its shell exits, a plan's scripts after its last run.
    struct Live {
        Run run;
        const Batches* batches;
        int* runs_left; // of this plan
    };
    std::vector<Batches> all_batches;
    all_batches.reserve(plans.size()); // Live keeps pointers into these two
    std::vector<int> runs_left(plans.size(), 0);
    std::vector<Live> live;
    auto finish = [&](Live& l, int status, const struct rusage& ru) {
        for (auto& f : check_run(l.run, status, *l.batches, corpus))
            failures.push_back(f);
        double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
        std::cerr << "  " << l.run.label << ": "
                  << std::chrono::duration<double>(std::chrono::steady_clock::now() - l.run.started).count()
                  << " s (" << cpu << " s CPU)\n";
        if (!tmp.keep) {
            std::error_code ec;
            fs::remove_all(--*l.runs_left == 0 ? l.run.dir.parent_path() : l.run.dir, ec);
        }
    };
    auto reap_until = [&](size_t most) {
        while (live.size() > most) {
            bool reaped = false;
            for (size_t i = 0; i < live.size() && !reaped; ++i) {
                int status = 0;
                struct rusage ru {};
                pid_t r = ::wait4(live[i].run.pid, &status, WNOHANG, &ru);
                if (r == 0 || (r < 0 && errno == EINTR)) continue;
                int code = r < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                finish(live[i], code, ru);
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
                reaped = true;
            }
            if (!reaped) ::usleep(10 * 1000);
        }
    };
    for (size_t p = 0; p < plans.size(); ++p) {
        const Plan& plan = plans[p];
        auto program = find_program(plan.program);
        if (!program) {
            failures.push_back(plan.program + " is not installed (Debian package " + plan.program + ")");
            continue;
        }
        all_batches.push_back(make_batches(*plan.ids, corpus));
        const Batches& batches = all_batches.back();
        fs::path dir = tmp.path / plan.name;
        write_scripts(plan.dialect, dir, batches, corpus, plan.prelude);
        runs_left[p] = static_cast<int>(plan.locales.size());
        for (const std::string& loc : plan.locales) {
            Run run{plan.name + " LC_ALL=" + loc, dir / loc, loc, plan.dialect.fish};
            fs::create_directories(run.dir);
            std::vector<std::string> argv{*program};
            argv.insert(argv.end(), plan.dialect.args.begin(), plan.dialect.args.end());
            argv.push_back("../driver");
            reap_until(1);
            run.started = std::chrono::steady_clock::now();
            run.pid = start(argv, child_env(home, loc), run.dir, run.dir / "stdout", run.dir / "stderr");
            REQUIRE(run.pid > 0);
            live.push_back({run, &batches, &runs_left[p]});
        }
    }
    reap_until(0);

    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::cerr << "shell round-trip: done in " << secs << " s\n";
    for (const auto& f : failures)
        UNSCOPED_INFO(f);
    CHECK(failures.empty());
}

// ------------------------------------------------------------------------------------------- PowerShell --

namespace {

struct Output {
    int status;
    std::string out, err;
};

Output run_capture(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& scratch) {
    std::vector<std::string> env;
    for (char** e = environ; *e; ++e)
        env.emplace_back(*e);
    pid_t pid = start(argv, env, cwd, scratch / "out", scratch / "err");
    REQUIRE(pid > 0);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        REQUIRE(errno == EINTR);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return {code, read_file(scratch / "out"), read_file(scratch / "err")};
}

bool grammar_installed(const fs::path& dir) {
    return fs::exists(dir / "node_modules/tree-sitter/package.json") &&
           fs::exists(dir / "node_modules/tree-sitter-powershell/package.json");
}

// node and tests/pwsh/node_modules, or a failure that says what to run: this check never passes by being
// skipped. Outside CI a missing node_modules is installed from tests/pwsh/package-lock.json.
std::string pwsh_checker(const fs::path& scratch) {
    fs::path dir = fs::path(CREDSH_TEST_SRC) / "pwsh";
    auto node = find_program("node");
    if (!node) FAIL("node is not installed (Debian package nodejs): the PowerShell output cannot be checked");
    if (!grammar_installed(dir)) {
        if (ci())
            FAIL(dir.string()
                 << "/node_modules is missing: CI must run `npm ci` in tests/pwsh (the Makefile's "
                    "tests/pwsh/node_modules target) before the unit tests, or the PowerShell checks "
                    "cannot run");
        auto npm = find_program("npm");
        if (!npm) FAIL("tests/pwsh/node_modules is missing and npm is not installed (Debian package npm)");
        Output o = run_capture({*npm, "ci", "--no-audit", "--no-fund"}, dir, scratch);
        INFO("npm ci in " << dir << " exited " << o.status << ": " << o.err);
        REQUIRE(grammar_installed(dir));
    }
    return *node;
}

} // namespace

TEST_CASE("PowerShell output parses with the tree-sitter grammar and decodes to the exact values",
          "[shell][pwsh]") {
    TempDir tmp;
    const std::string node = pwsh_checker(tmp.path);
    const std::string script = (fs::path(CREDSH_TEST_SRC) / "pwsh" / "parse.mjs").string();

    // The fixed corpus and single bytes that PowerShell can hold, and random valid UTF-8 (modes 2 and 3).
    std::vector<Value> values;
    size_t refused = 0;
    for (auto& v : fixed_corpus()) {
        if (kPwsh.representable(v.bytes))
            values.push_back(v);
        else
            ++refused;
    }
    CHECK(refused > 0); // the invalid UTF-8 entries and bytes 0x80-0xFF
    Rng rng(seed_from_env());
    for (int i = 0; i < 400; ++i) {
        int mode = 2 + i % 2;
        size_t len = i < 2 ? kMaxLen : random_length(rng);
        values.push_back({random_value(rng, mode, len),
                          "random #" + std::to_string(i) + " (mode " + std::to_string(mode) + ")"});
    }

    std::string code, expected;
    for (size_t i = 0; i < values.size(); ++i) {
        const std::string name = var_name(i), h = hex(values[i].bytes);
        REQUIRE(kPwsh.representable(values[i].bytes));
        code += kPwsh.export_var(name, values[i].bytes) + kPwsh.set_local(name, values[i].bytes) +
                kPwsh.unset_var(name);
        expected += "set-env " + name + " " + h + "\nset-global " + name + " " + h + "\nunset " + name + "\n";
    }
    write_file(tmp.path / "all.ps1", code);
    Output o = run_capture({node, script, "--values", (tmp.path / "all.ps1").string()}, tmp.path, tmp.path);
    INFO("parse.mjs stderr: " << o.err.substr(0, 2000));
    CHECK(o.status == 0);
    CHECK(o.err.empty());
    if (o.out != expected) {
        // Name the first statement that differs rather than dumping megabytes.
        std::istringstream want(expected), got(o.out);
        std::string w, g;
        size_t line = 0;
        while (std::getline(want, w)) {
            ++line;
            if (!std::getline(got, g)) g = "<missing>";
            if (w != g) {
                size_t id = (line - 1) / 3;
                FAIL("statement " << line << " (value " << id << ", " << values[id].origin << "): expected "
                                  << w.substr(0, 200) << ", got " << g.substr(0, 200));
            }
        }
        FAIL("parse.mjs printed more statements than were written");
    }

    // The checker can fail: a syntax error, and an injection that is valid PowerShell but not credsh's shape.
    write_file(tmp.path / "broken.ps1", "${env:CREDSH_RT_0} = 'x\n");
    Output broken = run_capture({node, script, (tmp.path / "broken.ps1").string()}, tmp.path, tmp.path);
    CHECK(broken.status == 1);
    CHECK(broken.err.find("broken.ps1:1:") != std::string::npos);
    write_file(tmp.path / "injected.ps1", "${env:CREDSH_RT_0} = 'x'; New-Item PWNED; ''\n");
    Output syntax_only =
        run_capture({node, script, (tmp.path / "injected.ps1").string()}, tmp.path, tmp.path);
    CHECK(syntax_only.status == 0); // valid PowerShell...
    Output shaped =
        run_capture({node, script, "--values", (tmp.path / "injected.ps1").string()}, tmp.path, tmp.path);
    CHECK(shaped.status == 1); // ...but not one assignment of one string
    CHECK(shaped.err.find("not a statement credsh emits") != std::string::npos);
}
