// The LWA token-endpoint reply (plugins/common/lwa.cpp), as the ask and secretsmanager plugins read it: any
// bytes and status are a token or an error, never a crash (docs/security.md 19, 41). A token is complete and
// exportable (no NUL or control character, a lifetime within expiry.hpp's bound); a message never holds a
// secret of the call, whatever the server echoes (35).
#include "expiry.hpp"
#include "lwa.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const long status = data[0] % 2 ? 200 : 400 + data[0] % 100;
    std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto r = credsh::plugin::parse_lwa_response("https://api.amazon.com/auth/o2/token", status, body,
                                                {"Atzr|FUZZ-SECRET", "FUZZ-CLIENT"});
    if (r) {
        const auto& t = *r.token;
        if (t.access_token.empty() || t.expires_in <= 0 || t.expires_in > credsh::plugin::kMaxLifetime)
            std::abort();
        for (char c : t.access_token + t.refresh_token)
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) std::abort();
    } else if (r.message.find("Atzr|FUZZ-SECRET") != std::string::npos ||
               r.message.find("FUZZ-CLIENT") !=
                   std::string::npos) { // whole secrets only: a part may be quoted
        std::abort();
    }
    return 0;
}
