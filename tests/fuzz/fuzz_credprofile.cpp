// .credprofile parser: any bytes give a value or an error, never a crash; what parses re-renders to text that
// parses to the same profile (docs/security.md 9, 19).
#include "config/credprofile.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    auto cp = credsh::parse_credprofile("/fuzz/.credprofile", bytes);
    if (!cp) return 0;
    std::string again = credsh::render_credprofile(*cp);
    auto re = credsh::parse_credprofile("/fuzz/.credprofile", again);
    if (!re || credsh::render_credprofile(*re) != again) std::abort();
    return 0;
}
