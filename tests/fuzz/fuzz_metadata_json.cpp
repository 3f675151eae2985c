// The credentials document of EC2 instance metadata and of the ECS/EKS container endpoint
// (plugins/imds/metadata_json.cpp): any bytes are credentials or an error, never a crash, within
// json_limits.hpp's bounds (docs/security.md 19, 41). Credentials are complete and hold no NUL (36); an error
// never repeats the token that was sent (35).
#include "metadata_json.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    auto c = credsh::imds::parse_metadata_credentials(body, {"FUZZ-TOKEN"});
    if (c) {
        for (const std::string* v : {&c->access_key_id, &c->secret_access_key, &c->token})
            if (v->empty() || v->find('\0') != std::string::npos) std::abort();
    } else if (c.error().message.find("FUZZ-TOKEN") != std::string::npos) {
        std::abort();
    }
    return 0;
}
