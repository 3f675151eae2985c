// Handing a sign-in URL to the browser (docs/security.md 38 and 43).
//
// What the browser is started with is world-readable (/proc/PID/cmdline), and the sign-in URLs are not for
// other users' eyes: the authorize URL carries the state and the PKCE challenge, the device flow's complete
// verification URL carries the user code, and with either another local user could sign in with their own
// account first and have this login take their token (login CSRF). So the browser gets the path of a local
// page instead - a meta-refresh to the URL, in a 0600 file inside a 0700 directory made for this sign-in and
// removed when it ends - and the path tells nobody anything they could use.
//
// And what the browser opens must be what the service meant: a URL from the device flow is opened only when
// it is https on an AWS sign-in host (or on the configured OIDC endpoint's own loopback host, for local
// fakes), never something a browser would take as an option (argv[1] starting with '-'), a file:// or
// javascript: URL.
#pragma once

#include "base/result.hpp"

#include <optional>
#include <string>

namespace credsh::sso {

// Why `url` (a verification URL from StartDeviceAuthorization) must not be shown or opened, or nullopt when
// it may be: printable ASCII, at most 2048 bytes, no user information, https on port 443 and on one of
//   the OIDC endpoint's host, the start URL's host, device.sso.<sso_region>.amazonaws.com(.cn),
//   *.awsapps.com, *.awsapps.cn, *.app.aws (the access portal's domains);
// or, only when the OIDC endpoint itself is an http:// loopback override (a local test double), that very
// scheme, host and port.
std::optional<std::string> browser_url_problem(const std::string& url, const std::string& oidc_endpoint,
                                               const std::string& start_url, const std::string& sso_region);

// The page that sends the browser on to `url`: a meta refresh and a link, the URL HTML-escaped.
std::string redirect_page(const std::string& url);

// A one-sign-in page under `base_dir` (which must exist): <base_dir>/credsh-signin-XXXXXX/signin.html, the
// directory 0700 and the file 0600 whatever the umask; both removed when the object goes.
class RedirectPage {
  public:
    static Result<RedirectPage> create(const std::string& base_dir, const std::string& url);
    RedirectPage(RedirectPage&& other) noexcept;
    RedirectPage& operator=(RedirectPage&&) = delete;
    RedirectPage(const RedirectPage&) = delete;
    ~RedirectPage();
    const std::string& path() const { return path_; }
    // file:///... with the path percent-encoded where needed (never starts with '-').
    std::string file_url() const;

  private:
    RedirectPage(std::string dir, std::string path) : dir_(std::move(dir)), path_(std::move(path)) {}
    std::string dir_, path_;
};

} // namespace credsh::sso
