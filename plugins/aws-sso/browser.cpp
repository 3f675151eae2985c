#include "browser.hpp"

#include "base/text.hpp"
#include "http.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <curl/curl.h>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh::sso {

namespace {

struct UrlParts {
    std::string scheme, host, port;
    bool userinfo = false;
};

// libcurl's URL parser (RFC 3986 as curl reads it), so that what we check is what a URL library sees.
std::optional<UrlParts> parse_url(const std::string& url) {
    std::unique_ptr<CURLU, void (*)(CURLU*)> h(curl_url(), curl_url_cleanup);
    if (!h || curl_url_set(h.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return std::nullopt;
    UrlParts p;
    auto get = [&](CURLUPart part, std::string& out) {
        char* v = nullptr;
        if (curl_url_get(h.get(), part, &v, 0) != CURLUE_OK || !v) return false;
        out = v;
        curl_free(v);
        return true;
    };
    std::string ignored;
    if (!get(CURLUPART_SCHEME, p.scheme) || !get(CURLUPART_HOST, p.host)) return std::nullopt;
    get(CURLUPART_PORT, p.port);
    p.userinfo = get(CURLUPART_USER, ignored) || get(CURLUPART_PASSWORD, ignored);
    p.scheme = to_lower(p.scheme);
    p.host = to_lower(p.host);
    return p;
}

bool ends_with_label(const std::string& host, const std::string& suffix) {
    return host.size() > suffix.size() + 1 &&
           host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0 &&
           host[host.size() - suffix.size() - 1] == '.';
}

bool loopback_host(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "[::1]";
}

std::string html_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

} // namespace

std::optional<std::string> browser_url_problem(const std::string& url, const std::string& oidc_endpoint,
                                               const std::string& start_url, const std::string& sso_region) {
    if (url.empty()) return "it is empty";
    if (url.size() > 2048) return "it is longer than 2048 bytes";
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7f) return "it holds a space, a control or a non-ASCII character";
    // The scheme is checked on the text before any parser sees it: nothing that is not http(s)://..., so no
    // "-option", no file:, javascript: or data: URL, whatever a parser would make of it.
    bool http = url.rfind("http://", 0) == 0;
    if (url.rfind("https://", 0) != 0 && !http) return "it is not an https:// URL";
    auto u = parse_url(url);
    if (!u) return "it is not a valid URL";
    if (u->userinfo) return "it carries user information";
    auto oidc = parse_url(oidc_endpoint);
    if (http || u->scheme == "http") {
        // Only a local test double: the OIDC endpoint is itself http:// on a loopback host, and the URL is on
        // that very host and port.
        if (oidc && oidc->scheme == "http" && loopback_host(oidc->host) && u->host == oidc->host &&
            u->port == oidc->port)
            return std::nullopt;
        return "it is not an https:// URL";
    }
    if (u->scheme != "https") return "it is not an https:// URL";
    if (!u->port.empty() && u->port != "443") return "it names a port other than 443";
    if (oidc && oidc->scheme == "https" && u->host == oidc->host) return std::nullopt;
    if (auto s = parse_url(start_url); s && s->scheme == "https" && u->host == s->host) return std::nullopt;
    std::string region = to_lower(sso_region);
    if (!region.empty() && (u->host == "device.sso." + region + ".amazonaws.com" ||
                            u->host == "device.sso." + region + ".amazonaws.com.cn"))
        return std::nullopt;
    for (const char* suffix : {"awsapps.com", "awsapps.cn", "app.aws"})
        if (ends_with_label(u->host, suffix)) return std::nullopt;
    return "its host " + printable(u->host) + " is not an AWS sign-in host";
}

std::string redirect_page(const std::string& url) {
    std::string u = html_escape(url);
    return "<!doctype html>\n<meta charset=utf-8>\n<meta name=referrer content=no-referrer>\n"
           "<meta http-equiv=\"refresh\" content=\"0; url=" +
           u + "\">\n<title>credsh sign-in</title>\n<p>Continue to the sign-in page: <a href=\"" + u + "\">" +
           u + "</a></p>\n";
}

Result<RedirectPage> RedirectPage::create(const std::string& base_dir, const std::string& url) {
    std::string tmpl =
        base_dir + (base_dir.empty() || base_dir.back() != '/' ? "/" : "") + "credsh-signin-XXXXXX";
    if (!::mkdtemp(tmpl.data())) // 0700 by definition
        return fail("cannot make a private directory in " + printable(base_dir) +
                    " for the sign-in page: " + std::strerror(errno));
    std::string path = tmpl + "/signin.html";
    RedirectPage page(tmpl, "");
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return fail("cannot write the sign-in page " + printable(path) + ": " + std::strerror(errno));
    page.path_ = path;
    std::string html = redirect_page(url);
    bool ok = ::fchmod(fd, 0600) == 0; // whatever the umask
    std::size_t done = 0;
    while (ok && done < html.size()) {
        ssize_t n = ::write(fd, html.data() + done, html.size() - done);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) done += static_cast<std::size_t>(n);
    }
    ok = ::close(fd) == 0 && ok;
    if (!ok) return fail("cannot write the sign-in page " + printable(path) + ": " + std::strerror(errno));
    return page;
}

RedirectPage::RedirectPage(RedirectPage&& other) noexcept
    : dir_(std::move(other.dir_)), path_(std::move(other.path_)) {
    other.dir_.clear();
    other.path_.clear();
}

RedirectPage::~RedirectPage() {
    if (!path_.empty()) ::unlink(path_.c_str());
    if (!dir_.empty()) ::rmdir(dir_.c_str());
}

std::string RedirectPage::file_url() const {
    // Each path segment percent-encoded as in any URL; the separators stay.
    std::string out = "file://";
    std::size_t start = 0;
    for (;;) {
        std::size_t slash = path_.find('/', start);
        out += plugin::url_encode(
            path_.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
        if (slash == std::string::npos) break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

} // namespace credsh::sso
