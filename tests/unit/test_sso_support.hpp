// Shared by the aws-sso unit tests (test_sso_*.cpp): a scripted HTTP transport that records every request,
// canned JSON responses, a plugin request built from maps, and a Ctx wired to a temporary HOME.
#pragma once

#include "base/text.hpp"
#include "helpers.hpp"
#include "sso_flow.hpp"

#include <credsh/plugin_abi.hpp>

#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace credsh::test {

inline sso::HttpResult response(long status, const std::string& body,
                                std::map<std::string, std::string> headers = {}) {
    plugin::HttpResponse r;
    r.status = status;
    r.body = body;
    r.headers = std::move(headers);
    sso::HttpResult out;
    out.response = r;
    return out;
}

// An AWS rest-json error as the service sends it: the x-amzn-ErrorType header and the OAuth body.
inline sso::HttpResult aws_error(long status, const std::string& type, const std::string& oauth = "") {
    std::string body =
        oauth.empty() ? R"({"message":"m"})" : R"({"error":")" + oauth + R"(","error_description":null})";
    return response(status, body, {{"x-amzn-errortype", type + ":http://internal.amazon.com/coral/"}});
}

// Answers requests in order from a queue (or with a function), recording each request.
struct ScriptedHttp {
    std::mutex m;
    std::vector<sso::HttpRequest> calls;
    std::deque<sso::HttpResult> queue;
    std::function<sso::HttpResult(const sso::HttpRequest&)> fn;
    sso::HttpResult operator()(const sso::HttpRequest& r) {
        std::lock_guard<std::mutex> g(m);
        calls.push_back(r);
        if (fn) return fn(r);
        if (queue.empty()) {
            sso::HttpResult e;
            e.error = "no scripted response left";
            return e;
        }
        auto out = queue.front();
        queue.pop_front();
        return out;
    }
    std::size_t count(const std::string& path_part) {
        std::lock_guard<std::mutex> g(m);
        std::size_t n = 0;
        for (const auto& c : calls)
            if (c.url.find(path_part) != std::string::npos) ++n;
        return n;
    }
};

inline std::string header_value(const sso::HttpRequest& r, const std::string& name) {
    for (const auto& h : r.headers)
        if (h.size() > name.size() + 1 && h.compare(0, name.size(), name) == 0 && h[name.size()] == ':')
            return std::string(credsh::trim(h.substr(name.size() + 1)));
    return "";
}

// A plugin request made of maps, valid while the object lives (for sso_config_from / sso_endpoints).
struct FakeRequest {
    std::map<std::string, std::string> settings, env;
    std::string profile = "dev", home = "/home";
    std::vector<credsh_kv> s_items, e_items;
    credsh_request raw{};
    plugin::Request view() {
        s_items.clear();
        e_items.clear();
        for (auto& [k, v] : settings)
            s_items.push_back({k.c_str(), v.c_str()});
        for (auto& [k, v] : env)
            e_items.push_back({k.c_str(), v.c_str()});
        raw = credsh_request{};
        raw.struct_size = sizeof raw;
        raw.operation = "credentials";
        raw.profile = profile.c_str();
        raw.settings = {s_items.data(), s_items.size()};
        raw.env = {e_items.data(), e_items.size()};
        raw.home = home.c_str();
        return plugin::Request(&raw);
    }
};

// A Ctx on a temporary HOME with a fake clock and the scripted transport; sleeps are recorded, not slept.
struct SsoHarness {
    TempDir dir;
    ScriptedHttp http;
    std::int64_t clock = 1700000000;
    std::vector<std::int64_t> sleeps;
    std::vector<std::string> said;
    bool cancel_on_sleep = false;
    sso::Ctx ctx;

    explicit SsoHarness(const sso::SsoConfig& cfg, std::string profile = "dev") {
        ctx.cfg = cfg;
        ctx.profile = std::move(profile);
        ctx.cache_dir = dir.str() + "/home/.aws/sso/cache";
        ctx.locks_dir = dir.str() + "/locks";
        ctx.endpoints = {"https://portal.test", "https://oidc.test"};
        ctx.timeout_ms = 2000;
        ctx.interactive = true;
        ctx.io.http = [this](const sso::HttpRequest& r) { return http(r); };
        ctx.io.say = [this](const std::string& s) { said.push_back(s); };
        ctx.io.now = [this] { return clock; };
        ctx.io.sleep = [this](std::int64_t s) {
            sleeps.push_back(s);
            clock += s;
            return !cancel_on_sleep;
        };
        ctx.io.cancelled = [] { return false; };
    }
    std::string token_path() const { return ctx.token_path(); }
};

inline sso::SsoConfig session_config(const std::string& name = "my-sso") {
    sso::SsoConfig c;
    c.session_name = name;
    c.start_url = "https://example.awsapps.com/start";
    c.region = "us-east-1";
    c.scopes = {"sso:account:access"};
    c.account_id = "111111111111";
    c.role_name = "Admin";
    return c;
}

} // namespace credsh::test
