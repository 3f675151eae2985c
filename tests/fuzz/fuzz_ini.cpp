// The AWS config/credentials parser and credsh's own INI: the first byte picks where the input splits into
// the two files; any bytes give a value or a "file:line" error, never a crash (docs/security.md 17, 19). The
// profile index (what `credsh export` reads) must agree with the full parse on any bytes: the same error, and
// for each profile selected alone exactly the full parse's properties; a disagreement aborts.
#include "base/env.hpp"
#include "config/credsh_config.hpp"
#include "config/profile_file.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    size_t cut = size > 1 ? data[0] % size : 0;
    std::string config(reinterpret_cast<const char*>(data) + 1, cut > 0 ? cut - 1 : 0);
    std::string creds(reinterpret_cast<const char*>(data) + (cut > 0 ? cut : 1), size - (cut > 0 ? cut : 1));
    credsh::ProfileSource cfg{"/fuzz/config", config}, cred{"/fuzz/credentials", creds};
    auto set = credsh::parse_profile_files(cfg, cred);
    auto index = credsh::ProfileIndex::build(cfg, cred);
    if (set.ok() != index.ok()) std::abort();
    if (!set && set.error().message != index.error().message) std::abort();
    if (set)
        for (const auto& [name, props] : set->profiles) {
            for (const auto& [k, v] : props)
                (void)credsh::sub_properties(v);
            auto sel = index->select({name});
            auto it = sel.profiles.find(name);
            if (it == sel.profiles.end() || it->second != props) std::abort();
        }
    (void)credsh::parse_credsh_config("/fuzz/credsh.ini", config, credsh::Env{});
    return 0;
}
