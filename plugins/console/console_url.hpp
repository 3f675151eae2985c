// The pure parts of the console plugin (console.cpp), unit-tested without dlopen
// (tests/unit/test_console.cpp): which federation endpoint and console serve a region's partition, the
// session JSON and the login URL.
#pragma once

#include <string>

namespace credsh::console {

struct ConsoleHosts {
    std::string federation; // https://signin.../federation
    std::string console;    // https://console...
};

// By the region's partition: aws-us-gov (us-gov-*), aws-cn (cn-*), else aws. `override_base`
// (AWS_ENDPOINT_URL_SIGNIN, already checked) replaces the sign-in host: its trailing slashes dropped,
// "/federation" appended.
ConsoleHosts console_hosts(const std::string& region, const std::string& override_base = "");

// The console home page of `region` on `hosts.console`.
std::string default_destination(const ConsoleHosts& hosts, const std::string& region);

// {"sessionId":KEY,"sessionKey":SECRET,"sessionToken":TOKEN}, JSON-escaped.
std::string session_json(const std::string& key, const std::string& secret, const std::string& token);

// FEDERATION?Action=login&Issuer=...&Destination=...&SigninToken=..., each value URL-encoded.
std::string login_url(const std::string& federation, const std::string& issuer,
                      const std::string& destination, const std::string& signin_token);

} // namespace credsh::console
