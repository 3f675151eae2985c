// STS's query-protocol replies (plugins/mfa-sts/sts_xml.cpp) and the error text made from them: any bytes are
// a reply or nothing, never a crash (docs/security.md 19); the message shown never holds a secret of the call
// (35), never more than one line.
#include "sts_request.hpp"
#include "sts_xml.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view xml(reinterpret_cast<const char*>(data), size);
    auto reply = credsh::sts::parse_reply(xml);
    (void)credsh::sts::leaf_elements(xml);
    const std::vector<std::string> secrets = {"FUZZ-SESSION-TOKEN", "493817"};
    for (const std::string* text : {&reply.error_code, &reply.error_message}) {
        std::string m = credsh::sts::safe_message(*text, secrets);
        if (m.find("FUZZ-SESSION-TOKEN") != std::string::npos || m.find("493817") != std::string::npos ||
            m.find('\n') != std::string::npos)
            std::abort();
    }
    return 0;
}
