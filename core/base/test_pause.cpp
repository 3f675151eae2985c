#include "base/test_pause.hpp"

#include "base/unique_fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <string_view>
#include <sys/stat.h>
#include <unistd.h>

namespace credsh {

void test_pause(const char* point) {
    // getenv rather than the captured Env: this sits under atomic_write_file, which takes no context, and it
    // is a test hook, not configuration.
    const char* points = std::getenv("CREDSH_TEST_PAUSE");
    const char* dir = std::getenv("CREDSH_TEST_PAUSE_DIR");
    if (!points || !dir || !*dir) return;
    bool named = false;
    std::string_view rest(points), want(point);
    while (!rest.empty() && !named) {
        auto comma = rest.find(',');
        named = rest.substr(0, comma) == want;
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    if (!named) return;
    const std::string go = std::string(dir) + "/" + point + ".go";
    struct stat st {};
    if (::lstat(go.c_str(), &st) != 0 || !S_ISFIFO(st.st_mode)) return;
    UniqueFd fifo;
    do {
        fifo.reset(::open(go.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    } while (!fifo.valid() && errno == EINTR);
    if (!fifo.valid()) return;
    char buf[64];
    for (;;) {
        ssize_t n = ::read(fifo.get(), buf, sizeof buf);
        if (n > 0 || (n < 0 && errno == EINTR)) continue;
        break; // end-of-file: the test closed its end
    }
}

} // namespace credsh
