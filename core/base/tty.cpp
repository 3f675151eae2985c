#include "base/tty.hpp"

#include "base/unique_fd.hpp"

#include <cerrno>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace credsh {

namespace {
void write_all(int fd, const std::string& s) {
    std::size_t off = 0;
    while (off < s.size()) {
        ssize_t n = ::write(fd, s.data() + off, s.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += static_cast<std::size_t>(n);
    }
}
} // namespace

Result<std::string> read_secret_from_tty(const std::string& prompt) {
    UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!tty.valid()) return not_found("no terminal to read from (/dev/tty)");
    termios saved{};
    if (::tcgetattr(tty.get(), &saved) != 0) return not_found("/dev/tty is not a terminal");
    // Byte at a time, no echo, and no signals: Ctrl-C arrives as a byte we handle, so the terminal's echo
    // is always restored (a SIGINT while echo is off would leave the person's shell typing blind).
    termios raw = saved;
    raw.c_lflag &= static_cast<tcflag_t>(~(ECHO | ICANON | ISIG));
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    // Echo goes off before the prompt is shown: TCSAFLUSH drops only what was typed before the question, and
    // a code typed the moment the prompt appears is never discarded or echoed (the other order raced).
    if (::tcsetattr(tty.get(), TCSAFLUSH, &raw) != 0) return fail("cannot turn off echo on /dev/tty");
    write_all(tty.get(), prompt);
    std::string line;
    bool cancelled = false;
    for (;;) {
        char c = 0;
        ssize_t n = ::read(tty.get(), &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0 || c == 0x03 || c == 0x04) {
            cancelled = true;
            break;
        }
        if (c == '\r' || c == '\n') break;
        if (c == 0x7f || c == 0x08) {
            if (!line.empty()) line.pop_back();
            continue;
        }
        if (c == 0x15) { // Ctrl-U: start over
            line.clear();
            continue;
        }
        if (line.size() < 1024) line += c;
    }
    // TCSANOW, not TCSAFLUSH: whatever the person types after Enter belongs to their shell.
    ::tcsetattr(tty.get(), TCSANOW, &saved);
    write_all(tty.get(), "\n");
    if (cancelled) return fail("cancelled");
    return line;
}

Result<std::string> read_line_from_tty(const std::string& text) {
    UniqueFd tty(::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!tty.valid()) return not_found("no terminal to read from (/dev/tty)");
    write_all(tty.get(), text);
    std::string line;
    for (;;) {
        char c = 0;
        ssize_t n = ::read(tty.get(), &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("cancelled");
        if (c == '\n') return line;
        if (line.size() < 1024) line += c;
    }
}

} // namespace credsh
