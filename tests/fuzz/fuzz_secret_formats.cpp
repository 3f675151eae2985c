// Secrets Manager secrets in the three formats, the rotated write-back and Secrets Manager's errors
// (plugins/secretsmanager/secret_format.cpp): any SecretString is values or an error, never a crash, and is
// read within json_limits.hpp's bounds (docs/security.md 19, 41). A readable lwa secret survives the rotation
// write-back with every member kept; an error message never holds a secret of the call (35).
#include "secretsmanager/secret_format.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

namespace sm = credsh::secretsmanager;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string text(reinterpret_cast<const char*>(data), size);
    if (auto s = sm::parse_lwa_secret("fuzz", text)) {
        std::string rotated = sm::rotated_secret_string(*s, "Atzr|rotated");
        auto again = sm::parse_lwa_secret("fuzz", rotated);
        if (!again || again->refresh_token != "Atzr|rotated" || again->doc.size() != s->doc.size())
            std::abort();
    }
    (void)sm::parse_aws_secret("fuzz", text);
    (void)sm::parse_env_secret("fuzz", text, {"A", "ASK_VENDOR_ID", "k1"});
    auto e = sm::parse_service_error(400, text, text.substr(0, 40), {"FUZZ-SESSION"});
    if (e.message.find("FUZZ-SESSION") != std::string::npos ||
        e.raw_message.find("FUZZ-SESSION") != std::string::npos)
        std::abort();
    return 0;
}
