// JSON inputs credsh reads from disk: a credential cache entry (~/.aws/cli/cache, shared with other tools),
// ~/.ask/cli_config, and the hook's state text. Any bytes are a value or an error, never a crash; a corrupt
// cache is a miss (docs/security.md 17, 19). The cache reader takes a path, so the bytes go through a memfd.
#include "config/ask_config.hpp"
#include "pipeline/cred_cache.hpp"
#include "pipeline/state.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string bytes(reinterpret_cast<const char*>(data), size);
    (void)credsh::parse_ask_config("/fuzz/cli_config", bytes);
    if (auto st = credsh::parse_state(bytes)) {
        auto again = credsh::serialize_state(*st);
        auto re = credsh::parse_state(again);
        if (!re || credsh::serialize_state(*re) != again) std::abort();
    }
    int fd = ::memfd_create("cache", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (::write(fd, data, size) == static_cast<ssize_t>(size)) {
        auto c = credsh::read_cached_credentials("/proc/self/fd/" + std::to_string(fd));
        if (c && (c->access_key_id.empty() || !c->expiration)) std::abort(); // a hit is always complete
    }
    ::close(fd);
    return 0;
}
