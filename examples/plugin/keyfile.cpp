// keyfile: a credsh plugin that serves a profile from a small key file another program keeps up to date (a
// company's credential broker, a cron job, a `vault read` wrapper), so that the shell gets those keys
// through credsh's hook with credsh's caching, refresh and prompt.
//
//   [profile broker]                  ; in ~/.config/credsh/config
//   plugin = keyfile
//   file = ~/.cache/broker/aws-keys   ; required; "~/" is the user's home
//   variables = AWS_BEARER_TOKEN_X    ; optional: extra variables the file may set (as env.NAME lines)
//
// The file holds `key = value` lines (# comments, blank lines): aws_access_key_id, aws_secret_access_key,
// aws_session_token, expiration (ISO 8601 UTC), account_id, and env.NAME for an extra variable. It must be a
// regular file of the user's that nobody else can read or write (0600): it holds secrets.
//
// Written against the installed SDK only (<credsh/plugin_abi.hpp>), in plain C++17: no exception may leave
// call(), nothing is printed (the host does that), no getenv() (request->env and request->home are the
// environment), and no message ever contains a value from the file.
#include <credsh/plugin_abi.hpp>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/stat.h>
#include <unistd.h>

namespace {

constexpr std::size_t kMaxFileBytes = 64 * 1024; // a key file is a few hundred bytes

const char* setting(const credsh_request* r, const char* key) {
    for (size_t i = 0; i < r->settings.count; ++i)
        if (std::strcmp(r->settings.items[i].key, key) == 0) return r->settings.items[i].value;
    return nullptr;
}

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

int32_t fail(const credsh_host* host, const std::string& message) {
    host->put(host->ctx, "message", message.c_str());
    return CREDSH_ERROR;
}

// Reads the whole file: without following a symbolic link, without blocking on a FIFO, only a regular file
// of this user's that group and others can neither read nor write.
bool read_key_file(const std::string& path, std::string& out, std::string& why) {
    int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        why = std::strerror(errno);
        return false;
    }
    struct stat st {};
    bool ok = ::fstat(fd, &st) == 0;
    if (!ok || !S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (st.st_uid != ::geteuid())
        why = "not owned by you";
    else if (st.st_mode & 077)
        why = "readable or writable by group or others (chmod 600 it)";
    else if (st.st_size > static_cast<off_t>(kMaxFileBytes))
        why = "larger than 64 KiB";
    else {
        char buf[4096];
        ssize_t n;
        while ((n = ::read(fd, buf, sizeof buf)) > 0 && out.size() <= kMaxFileBytes)
            out.append(buf, static_cast<size_t>(n));
        std::memset(buf, 0, sizeof buf);
        if (n < 0) why = std::strerror(errno);
    }
    ::close(fd);
    return why.empty();
}

int32_t credentials(const credsh_request* r, const credsh_host* host) {
    const char* file = setting(r, "credsh.file");
    if (!file || !*file) return fail(host, "profile " + std::string(r->profile) + ": set `file = PATH`");
    std::string path = file;
    if (path.rfind("~/", 0) == 0) path = std::string(r->home) + path.substr(1);
    if (path.empty() || path[0] != '/')
        return fail(host,
                    "profile " + std::string(r->profile) + ": `file` must be an absolute path or ~/...");
    std::string text, why;
    if (!read_key_file(path, text, why)) return fail(host, path + ": " + why);
    std::size_t line_no = 0, pos = 0;
    bool have_key = false;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        std::string line = trim(text.substr(pos, end - pos));
        pos = end + 1;
        ++line_no;
        if (line.empty() || line[0] == '#') continue;
        std::size_t eq = line.find('=');
        // The line number only: the line itself may hold a secret.
        if (eq == std::string::npos)
            return fail(host, path + ":" + std::to_string(line_no) + ": not key = value");
        std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
        if (key == "aws_access_key_id") have_key = true;
        if (key == "aws_access_key_id" || key == "aws_secret_access_key" || key == "aws_session_token" ||
            key == "expiration" || key == "account_id" || key.rfind("env.", 0) == 0)
            host->put(host->ctx, key.c_str(), value.c_str()); // the host checks env.NAME against the profile
        else
            return fail(host, path + ":" + std::to_string(line_no) + ": unknown key " + key);
    }
    if (!have_key) return fail(host, path + ": no aws_access_key_id");
    host->put(host->ctx, "source", ("keyfile " + path).c_str());
    return CREDSH_OK;
}

void* create() {
    static int instance; // no state: every call reads the file again
    return &instance;
}

void destroy(void*) {}

int32_t call(void*, const credsh_request* r, const credsh_host* host) {
    try {
        if (std::strcmp(r->operation, "credentials") != 0) return CREDSH_UNSUPPORTED;
        return credentials(r, host);
    } catch (...) { // nothing may cross the C ABI
        return fail(host, "keyfile: out of memory");
    }
}

} // namespace

CREDSH_DEFINE_PLUGIN("keyfile", "1.0", "AWS keys from a key file another program keeps current", create,
                     destroy, call);
