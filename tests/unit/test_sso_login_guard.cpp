// The sign-in's defences against other local users and hostile servers (docs/security.md 37, 38, 43): the
// loopback listener cannot be held (trickling, idle and flooding connections, Ctrl-C) or ended by a forged
// callback; the callback parser and state match; URLs from the device flow are checked before they are shown
// or opened; the redirect page that keeps sign-in URLs off the browser's command line; and a new token is
// kept only when it gives the profile's account and role.
#include "test_sso_support.hpp"

#include "base/safe_file.hpp"
#include "browser.hpp"
#include "loopback.hpp"

#include <arpa/inet.h>
#include <atomic>
#include <filesystem>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace credsh;
using namespace credsh::sso;
using credsh::test::aws_error;
using credsh::test::response;
using credsh::test::SsoHarness;
namespace fs = std::filesystem;

namespace {

int connect_local(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

// Everything the listener answers until it closes the connection (up to `cap_ms` of silence per read).
std::string read_all(int fd, int cap_ms = 30000) {
    std::string out;
    char buf[1024];
    for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, cap_ms) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
}

std::string request(int port, const std::string& target) {
    int fd = connect_local(port);
    if (fd < 0) return "connect failed";
    std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
    std::string out = read_all(fd);
    ::close(fd);
    return out;
}

// A client that sends one byte at a time until the listener closes the connection (true) or `stop` is set.
struct Trickler {
    std::atomic<bool> stop{false}, closed{false};
    std::atomic<int> sent{0};
    std::thread t;
    explicit Trickler(int port) {
        t = std::thread([this, port] {
            int fd = connect_local(port);
            if (fd < 0) return;
            const std::string slow = "GET /oauth/callback?code=held&state=held HTTP/1.1\r\nX-Slow: ";
            for (std::size_t i = 0; !stop; ++i) {
                char c = i < slow.size() ? slow[i] : 'a';
                if (::send(fd, &c, 1, MSG_NOSIGNAL) != 1) break;
                ++sent;
                pollfd p{fd, POLLIN, 0};
                if (::poll(&p, 1, 20) > 0) {
                    char b;
                    if (::recv(fd, &b, 1, MSG_DONTWAIT) <= 0) break;
                }
            }
            closed = !stop;
            ::close(fd);
        });
    }
    ~Trickler() {
        stop = true;
        if (t.joinable()) t.join();
    }
};

// Polls `cond` until true or ~60 s pass (a guard against a hang, not a measurement).
template <class F> bool eventually(F cond) {
    for (int i = 0; i < 6000; ++i) {
        if (cond()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return cond();
}

bool closed_by_peer(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 0) <= 0) return false;
    char b;
    return ::recv(fd, &b, 1, MSG_DONTWAIT) <= 0;
}

} // namespace

TEST_CASE("loopback: request target and callback judgement") {
    CHECK(request_target("GET /oauth/callback?code=a&state=b HTTP/1.1\r\nHost: x\r\n\r\n") ==
          "/oauth/callback?code=a&state=b");
    CHECK_FALSE(request_target("POST /oauth/callback HTTP/1.1\r\n\r\n"));
    CHECK_FALSE(request_target("GET  HTTP/1.1\r\n\r\n"));
    CHECK_FALSE(request_target("GET /x\r\n\r\n"));
    CHECK_FALSE(request_target("GET /x HTTP/1.1"));

    const std::string st = "0123456789abcdef0123456789abcdef";
    auto ours = judge_callback("/oauth/callback?code=C&state=" + st, st);
    CHECK(ours.kind == CallbackKind::ours);
    CHECK(ours.callback.code == "C");
    // An error with the right state ends the sign-in (the person declined) ...
    auto declined = judge_callback("/oauth/callback?error=access_denied&state=" + st, st);
    CHECK(declined.kind == CallbackKind::ours);
    CHECK(declined.callback.error == "access_denied");
    // ... without it, or with any other state, it is somebody else's and is ignored.
    CHECK(judge_callback("/oauth/callback?error=access_denied&error_description=evil", st).kind ==
          CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback?code=C&state=" + st.substr(1), st).kind == CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback?code=C&state=" + st + "0", st).kind == CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback?code=C&state=", st).kind == CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback?code=C", st).kind == CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback", st).kind == CallbackKind::foreign);
    CHECK(judge_callback("/oauth/callback?code=C&state=", "").kind == CallbackKind::foreign);
    CHECK(judge_callback("/favicon.ico", st).kind == CallbackKind::not_callback);
    CHECK(judge_callback("/oauth/callbackX?code=C&state=" + st, st).kind == CallbackKind::not_callback);
}

TEST_CASE("loopback: trickling, idle and forged clients neither hold nor end the wait") {
    auto l = LoopbackListener::open();
    REQUIRE(l);
    const int port = l->port();
    const std::string st = "s3cr3t-state";
    std::string forged_page, forged_error_page, legit_page;
    Trickler trickler(port);
    int idle = connect_local(port);
    REQUIRE(idle >= 0);
    std::thread browser([&] {
        // Only once the trickler is mid-request and the forgeries are answered does the browser come back.
        eventually([&] { return trickler.sent >= 5; });
        forged_page = request(port, "/oauth/callback?code=evil&state=wrong");
        forged_error_page = request(port, "/oauth/callback?error=access_denied&error_description=PWNED");
        legit_page = request(port, "/oauth/callback?code=good&state=" + st);
    });
    auto cb = l->wait(600, st, [] { return false; });
    browser.join();
    REQUIRE(cb);
    CHECK(cb->code == "good");
    CHECK(cb->state == st);
    CHECK(l->foreign_callbacks() == 2);
    CHECK(forged_page.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(forged_error_page.rfind("HTTP/1.1 400", 0) == 0);
    CHECK(forged_error_page.find("PWNED") == std::string::npos);
    CHECK(legit_page.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(legit_page.find("Signed in") != std::string::npos);
    // Every connection still open is closed when the wait ends.
    CHECK(eventually([&] { return trickler.closed.load(); }));
    CHECK(eventually([&] { return closed_by_peer(idle); }));
    ::close(idle);
}

TEST_CASE("loopback: a connection's deadline is for the whole request, not per read") {
    // The listener's clock is the trickler's progress: one second per byte sent. A per-read timeout restarts
    // on every byte and never fires; a deadline for the whole request (5 s) is passed after 5 bytes, however
    // fast or slow the machine is.
    std::unique_ptr<Trickler> trickler;
    const auto t0 = std::chrono::steady_clock::now();
    ListenerLimits limits;
    limits.now = [&] { return t0 + std::chrono::seconds(trickler->sent.load()); };
    auto l = LoopbackListener::open(limits);
    REQUIRE(l);
    const int port = l->port();
    trickler = std::make_unique<Trickler>(port);
    std::string page;
    std::thread browser([&] {
        eventually([&] { return trickler->closed.load(); });
        page = request(port, "/oauth/callback?code=C&state=S");
    });
    auto cb = l->wait(600, "S", [] { return false; });
    browser.join();
    CHECK(trickler->closed); // closed by its deadline while the wait went on, before the callback came
    CHECK(trickler->sent >= 5);
    REQUIRE(cb);
    CHECK(cb->code == "C");
    CHECK(page.rfind("HTTP/1.1 200", 0) == 0);
}

TEST_CASE("loopback: the overall limit holds while a client trickles") {
    // Ten minutes of the listener's clock pass while a client keeps sending (one minute per byte, and the
    // per-connection deadline raised above the overall limit): the wait ends with nothing.
    std::unique_ptr<Trickler> trickler;
    const auto t0 = std::chrono::steady_clock::now();
    ListenerLimits limits;
    limits.connection_ms = 3600 * 1000;
    limits.now = [&] { return t0 + std::chrono::minutes(trickler ? trickler->sent.load() : 0); };
    auto l = LoopbackListener::open(limits);
    REQUIRE(l);
    trickler = std::make_unique<Trickler>(l->port());
    auto cb = l->wait(600, "S", [] { return false; });
    CHECK_FALSE(cb);
    CHECK(trickler->sent >= 10);
    CHECK(eventually([&] { return trickler->closed.load(); }));
}

TEST_CASE("loopback: a flood pushes out the oldest connections, the browser still gets through") {
    ListenerLimits limits;
    limits.max_connections = 4;
    auto l = LoopbackListener::open(limits);
    REQUIRE(l);
    const int port = l->port();
    std::vector<int> idle;
    for (int i = 0; i < 7; ++i)
        idle.push_back(connect_local(port));
    std::string page;
    std::atomic<int> pushed_out{0};
    std::thread browser([&] {
        eventually([&] {
            int n = 0;
            for (int fd : idle)
                n += closed_by_peer(fd) ? 1 : 0;
            pushed_out = std::max(pushed_out.load(), n);
            return pushed_out >= 3;
        });
        page = request(port, "/oauth/callback?code=C&state=S");
    });
    auto cb = l->wait(600, "S", [] { return false; });
    browser.join();
    CHECK(pushed_out >= 3); // 7 idle connections, room for 4
    REQUIRE(cb);
    CHECK(page.rfind("HTTP/1.1 200", 0) == 0);
    for (int fd : idle)
        ::close(fd);
}

TEST_CASE("loopback: Ctrl-C ends the wait while a client holds a connection") {
    auto l = LoopbackListener::open();
    REQUIRE(l);
    Trickler trickler(l->port());
    std::atomic<bool> interrupted{false};
    std::thread ctrl_c([&] {
        eventually([&] { return trickler.sent >= 5; });
        interrupted = true;
    });
    auto cb = l->wait(600, "S", [&] { return interrupted.load(); });
    ctrl_c.join();
    CHECK_FALSE(cb);
    CHECK(eventually([&] { return trickler.closed.load(); }));
}

TEST_CASE("browser urls: only https on an AWS sign-in host (or the loopback fake that is the endpoint)") {
    const std::string oidc = "https://oidc.us-east-1.amazonaws.com",
                      start = "https://my-org.awsapps.com/start";
    auto ok = [&](const std::string& url, const std::string& endpoint) {
        return !browser_url_problem(url, endpoint, start, "us-east-1");
    };
    CHECK(ok("https://device.sso.us-east-1.amazonaws.com/", oidc));
    CHECK(ok("https://device.sso.us-east-1.amazonaws.com/?user_code=ABCD-EFGH", oidc));
    CHECK(ok("https://device.sso.us-east-1.amazonaws.com:443/", oidc));
    CHECK(ok("https://d-1234567890.awsapps.com/start/#/device?user_code=ABCD-EFGH", oidc));
    CHECK(ok("https://my-org.awsapps.com/start/#/device", oidc));
    CHECK(ok("https://ssoins-1234.portal.us-east-1.app.aws/#/device", oidc));
    CHECK(ok("https://oidc.us-east-1.amazonaws.com/device", oidc));
    CHECK(ok("https://device.sso.cn-north-1.amazonaws.com.cn/",
             "https://oidc.cn-north-1.amazonaws.com.cn") == false); // another region than the session's
    CHECK(!browser_url_problem("https://device.sso.cn-north-1.amazonaws.com.cn/",
                               "https://oidc.cn-north-1.amazonaws.com.cn", start, "cn-north-1"));
    for (const char* bad : {"--gpu-launcher=touch /tmp/PWNED",
                            "-x",
                            "file:///etc/passwd",
                            "javascript:alert(1)",
                            "data:text/html,hi",
                            "http://device.sso.us-east-1.amazonaws.com/",
                            "https://evil.example/device",
                            "https://awsapps.com.evil.example/",
                            "https://evilawsapps.com/",
                            "https://device.sso.us-east-1.amazonaws.com.evil/",
                            "https://device.sso.us-west-2.amazonaws.com/",
                            "https://user:pw@device.sso.us-east-1.amazonaws.com/",
                            "https://device.sso.us-east-1.amazonaws.com:8443/",
                            "https://device.sso.us-east-1.amazonaws.com/\x1b[31m",
                            "https://device.sso.us-east-1.amazonaws.com/\xc2\x9b",
                            "https://device.sso.us-east-1.amazonaws.com/\xe2\x80\xae",
                            " https://x.awsapps.com/",
                            "HTTPS://x.awsapps.com/",
                            "https:/x.awsapps.com/",
                            "https://",
                            ""}) {
        INFO(bad);
        CHECK_FALSE(ok(bad, oidc));
    }
    CHECK_FALSE(ok("https://x.awsapps.com/" + std::string(3000, 'a'), oidc));
    // The local fake: http on the endpoint's own loopback host and port, and only when the endpoint is that.
    CHECK(ok("http://127.0.0.1:4567/device?user_code=W", "http://127.0.0.1:4567"));
    CHECK_FALSE(ok("http://127.0.0.1:4568/device", "http://127.0.0.1:4567"));
    CHECK_FALSE(ok("http://127.0.0.1:4567/device", oidc));
    CHECK_FALSE(ok("http://127.0.0.1:4567/device", "http://10.0.0.1:4567"));
    CHECK_FALSE(ok("file:///tmp/x", "http://127.0.0.1:4567"));
}

TEST_CASE("browser: the redirect page is private, escaped, and its path tells nothing") {
    credsh::test::TempDir dir;
    ::umask(0);
    auto page = RedirectPage::create(dir.str(), "https://oidc.test/authorize?state=S&x=\"><script>");
    ::umask(022);
    REQUIRE(page);
    std::string path = page->path();
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat(fs::path(path).parent_path().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    std::string html = credsh::test::read_file(path);
    CHECK(html.find("url=https://oidc.test/authorize?state=S&amp;x=&quot;&gt;&lt;script&gt;") !=
          std::string::npos);
    CHECK(html.find("<script>") == std::string::npos);
    std::string url = page->file_url();
    CHECK(url.rfind("file:///", 0) == 0);
    CHECK(url.find("state") == std::string::npos);
    CHECK(url.find("authorize") == std::string::npos);
    {
        RedirectPage moved(std::move(*page));
        CHECK(fs::exists(path));
    }
    CHECK_FALSE(fs::exists(path));
    CHECK_FALSE(fs::exists(fs::path(path).parent_path()));
    CHECK_FALSE(RedirectPage::create(dir.str() + "/missing", "https://x"));
}

namespace {
const char* kReg =
    R"({"clientId":"cid","clientSecret":"csecret","clientIdIssuedAt":1700000000,"clientSecretExpiresAt":1707776000})";
const char* kTok =
    R"({"accessToken":"AT-new","tokenType":"Bearer","expiresIn":28800,"refreshToken":"RT-new"})";
const char* kRoleOk =
    R"({"roleCredentials":{"accessKeyId":"ASIAROLE","secretAccessKey":"rs","sessionToken":"rt","expiration":1700003600000}})";
std::string device_reply(const std::string& uri, const std::string& complete,
                         const std::string& user = "ABCD-EFGH") {
    nlohmann::json j = {{"deviceCode", "dcode"},
                        {"userCode", user},
                        {"verificationUri", uri},
                        {"expiresIn", 600},
                        {"interval", 1}};
    if (!complete.empty()) j["verificationUriComplete"] = complete;
    return j.dump();
}
} // namespace

TEST_CASE("sso login, device code: hostile verification URLs are neither opened nor shown") {
    const std::string good = "https://device.sso.us-east-1.amazonaws.com/";
    for (const char* hostile : {"--gpu-launcher=touch /tmp/PWNED", "file:///etc/passwd",
                                "javascript:alert(1)", "https://evil.example/?user_code=ABCD-EFGH"}) {
        INFO(hostile);
        SsoHarness h(credsh::test::session_config());
        std::vector<std::string> opened;
        h.ctx.io.open_browser = [&](const std::string& url) {
            opened.push_back(url);
            return true;
        };
        h.http.queue = {response(200, kReg), response(200, device_reply(good, hostile)), response(200, kTok),
                        response(200, kRoleOk)};
        Outcome o = login(h.ctx);
        CHECK(o.status == CREDSH_OK); // the code and the checked URL are enough to sign in
        CHECK(opened.empty());
        std::string shown;
        for (const auto& s : h.said)
            shown += s + "\n";
        CHECK(shown.find(hostile) == std::string::npos);
        CHECK(shown.find(good) != std::string::npos);
        CHECK(shown.find("not used") != std::string::npos);

        // A hostile verificationUri: nothing to tell the person; no polling, nothing written, escaped
        // message.
        SsoHarness bad(credsh::test::session_config());
        bad.ctx.io.open_browser = h.ctx.io.open_browser;
        bad.http.queue = {response(200, kReg), response(200, device_reply(hostile, good)),
                          response(200, kTok)};
        Outcome b = login(bad.ctx);
        CHECK(b.status == CREDSH_ERROR);
        CHECK(b.message.find("verification URL cannot be used") != std::string::npos);
        CHECK(bad.http.count("/token") == 0);
        CHECK(opened.empty());
        CHECK_FALSE(fs::exists(bad.token_path()));
    }
}

TEST_CASE("sso login: a new token is kept only when it gives the profile's account and role") {
    SsoHarness h(credsh::test::session_config());
    h.http.queue = {response(200, kReg),
                    response(200, device_reply("https://device.sso.us-east-1.amazonaws.com/", "")),
                    response(200, kTok), aws_error(403, "ForbiddenException")};
    Outcome o = login(h.ctx);
    CHECK(o.status == CREDSH_ERROR);
    CHECK(o.message.find("does not give access to account 111111111111 role Admin") != std::string::npos);
    CHECK_FALSE(fs::exists(h.token_path()));
    REQUIRE(h.http.count("/federation/credentials") == 1);
    CHECK(credsh::test::header_value(h.http.calls.back(), "x-amz-sso_bearer_token") == "AT-new");
    CHECK(h.http.calls.back().url.find("account_id=111111111111") != std::string::npos);

    // The portal out of reach: not checked, not kept.
    SsoHarness down(credsh::test::session_config());
    down.http.queue = {response(200, kReg),
                       response(200, device_reply("https://device.sso.us-east-1.amazonaws.com/", "")),
                       response(200, kTok)};
    Outcome d = login(down.ctx);
    CHECK(d.status == CREDSH_ERROR);
    CHECK(d.message.find("could not check") != std::string::npos);
    CHECK_FALSE(fs::exists(down.token_path()));

    // An sso-session sign-in without an account: nothing to check against, the token is kept.
    SsoConfig session = credsh::test::session_config();
    session.account_id.clear();
    session.role_name.clear();
    SsoHarness s(session, "");
    s.http.queue = {response(200, kReg),
                    response(200, device_reply("https://device.sso.us-east-1.amazonaws.com/", "")),
                    response(200, kTok)};
    CHECK(login(s.ctx).status == CREDSH_OK);
    CHECK(s.http.count("/federation/credentials") == 0);
    CHECK(fs::exists(s.token_path()));
}
