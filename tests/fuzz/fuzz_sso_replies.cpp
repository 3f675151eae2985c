// The SSO portal's and SSO-OIDC's replies (plugins/aws-sso/sso_api.cpp): any status and body are a value or
// an error, never a crash (docs/security.md 19), within json_limits.hpp's bounds (41); lifetimes are within
// expiry.hpp's bound without overflow (46); an error never shows a secret the request carried - bearer token,
// client secret, refresh token, device code, authorization code, PKCE verifier (35).
#include "expiry.hpp"
#include "sso_api.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

using namespace credsh;

namespace {
// A leak is a whole secret that the request itself carried: the fuzzer may well send part of one, or another
// request's, which the message may then quote.
bool leaks(const std::string& m, const std::vector<const char*>& secrets) {
    for (const char* s : secrets)
        if (m.find(s) != std::string::npos) return true;
    return false;
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    plugin::HttpResult result;
    plugin::HttpResponse resp;
    resp.status = data[0] % 3 == 0 ? 200 : 400 + data[0] % 100;
    resp.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 5 == 1) resp.headers["x-amzn-errortype"] = resp.body.substr(0, 60);
    result.response = resp;

    sso::Registration reg{"cid", "FUZZ-S3CR3T-client", 1800000000, {}, {}};
    sso::Token tok;
    tok.client_id = "cid";
    tok.client_secret = "FUZZ-S3CR3T-client";
    tok.refresh_token = "FUZZ-S3CR3T-refresh";
    struct Case {
        sso::HttpRequest req;
        std::vector<const char*> secrets;
    };
    const Case cases[] = {
        {sso::get_role_credentials_request("https://portal.test", "FUZZ-S3CR3T-bearer", "1", "r", 1000),
         {"FUZZ-S3CR3T-bearer"}},
        {sso::create_token_auth_code_request("https://oidc.test", reg, "FUZZ-S3CR3T-code",
                                             "http://127.0.0.1/cb", "FUZZ-S3CR3T-verifier", 1000),
         {"FUZZ-S3CR3T-client", "FUZZ-S3CR3T-code", "FUZZ-S3CR3T-verifier"}},
        {sso::create_token_device_request("https://oidc.test", reg, "FUZZ-S3CR3T-device", 1000),
         {"FUZZ-S3CR3T-client", "FUZZ-S3CR3T-device"}},
        {sso::create_token_refresh_request("https://oidc.test", tok, 1000),
         {"FUZZ-S3CR3T-client", "FUZZ-S3CR3T-refresh"}},
    };
    for (const auto& c : cases) {
        sso::Exchange x{c.req, result};
        if (leaks(sso::api_error("Op", x).message, c.secrets)) std::abort();
        auto rc = sso::read_role_credentials(x);
        if (!rc.value && leaks(rc.error.message, c.secrets)) std::abort();
        auto ct = sso::read_create_token(x);
        if (ct.value && (ct.value->expires_in <= 0 || ct.value->expires_in > plugin::kMaxLifetime))
            std::abort();
        if (!ct.value && leaks(ct.error.message, c.secrets)) std::abort();
    }
    sso::Exchange x{cases[0].req, result};
    (void)sso::read_register_client(x, {"sso:account:access"});
    (void)sso::read_device_authorization(x);
    (void)sso::read_list_accounts(x);
    (void)sso::read_list_account_roles(x);
    return 0;
}
