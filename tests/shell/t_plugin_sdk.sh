# The plugin SDK end to end (issue 17, docs/plugins.md): credsh installed into a temporary prefix from the
# already-built tree (`cmake --install`, nothing of credsh is compiled again), then two plugins built outside
# the tree against that prefix only: examples/plugin (C++, once with CMake's find_package(credsh), once with a
# plain compiler call and pkg-config) and tests/plugin-sdk/ctoken.c (C11, -Werror). Checked: what is installed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake pkg-config cc c++ nm

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
P=$T_ROOT/prefix
cmake --install "$BUILD" --prefix "$P" >"$T_ROOT/install.log" 2>&1
check "cmake --install into a temporary prefix" 0 "$?"
CREDSH=$P/bin/credsh

echo "# 1. the SDK is installed: header (C11 and C++17), pkg-config file, CMake package"
check_true "include/credsh/plugin_abi.hpp installed" test -f "$P/include/credsh/plugin_abi.hpp"
check_true "include/credsh/plugin_abi.h installed" test -f "$P/include/credsh/plugin_abi.h"
check "only the ABI header: the host's own headers stay private" "plugin_abi.h plugin_abi.hpp" \
    "$(ls "$P/include/credsh" 2>/dev/null | xargs)"
PC=$(find "$P" -name credsh-plugin.pc)
check_true "credsh-plugin.pc installed" test -n "$PC"
export PKG_CONFIG_PATH=$(dirname "${PC:-/nonexistent/x}")
pc_path() { (cd "$1" 2>/dev/null && pwd -P); } # a path pkg-config gives, without its ../..
check "pkg-config --cflags credsh-plugin: the prefix's include directory" "$(pc_path "$P/include")" \
    "$(pc_path "$(pkg-config --cflags credsh-plugin | sed 's/^-I//; s/ *$//')")"
check "pkg-config plugindir: the prefix's plugin directory" "$(pc_path "$P/lib/credsh/plugins")" \
    "$(pc_path "$(pkg-config --variable=plugindir credsh-plugin)")"
check "pkg-config abi_version" 1 "$(pkg-config --variable=abi_version credsh-plugin)"
check_true "lib/cmake/credsh/credshConfig.cmake installed" test -f "$(dirname "$PC")/../cmake/credsh/credshConfig.cmake"

# The header on its own, in each language, with every warning an error.
printf '#include <credsh/plugin_abi.h>\nint main(void) { return CREDSH_OK; }\n' >"$T_ROOT/h.c"
cc -std=c11 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags credsh-plugin) -o "$T_ROOT/h-c" "$T_ROOT/h.c" \
    >"$T_ROOT/h-c.log" 2>&1
check "the header compiles as C11 (-Wall -Wextra -Wpedantic -Werror)" 0 "$?"
cp "$T_ROOT/h.c" "$T_ROOT/h.cpp"
c++ -std=c++17 -Wall -Wextra -Wpedantic -Werror $(pkg-config --cflags credsh-plugin) -o "$T_ROOT/h-cxx" \
    "$T_ROOT/h.cpp" >"$T_ROOT/h-cxx.log" 2>&1
check "the header compiles as C++17" 0 "$?"

# C11: the test plugin, by a plain compiler call.
mkdir -p "$T_ROOT/out"
cc -std=c11 -Wall -Wextra -Wpedantic -Werror -fPIC -shared -fvisibility=hidden $(pkg-config --cflags credsh-plugin) \
    -o "$T_ROOT/out/credsh-ctoken.so" "$CREDSH_SRC/tests/plugin-sdk/ctoken.c" >"$T_ROOT/ctoken.log" 2>&1
check "ctoken.c builds with -std=c11 -Werror against the installed header" 0 "$?"
# C++: the example, by a plain compiler call with pkg-config...
c++ -std=c++17 -Wall -Wextra -Werror -fPIC -shared -fvisibility=hidden $(pkg-config --cflags credsh-plugin) \
    -o "$T_ROOT/out/credsh-keyfile.so" "$CREDSH_SRC/examples/plugin/keyfile.cpp" >"$T_ROOT/keyfile.log" 2>&1
check "examples/plugin builds with pkg-config and a plain compiler call" 0 "$?"
# ...and with its own CMakeLists.txt, which knows only find_package(credsh); installed with the prefix the user
# plugin directory lives under (XDG_DATA_HOME=$HOME/.local/share).
cmake -S "$CREDSH_SRC/examples/plugin" -B "$T_ROOT/ex-build" -DCMAKE_PREFIX_PATH="$P" \
    -DCMAKE_BUILD_TYPE=Release >"$T_ROOT/ex-configure.log" 2>&1 &&
    cmake --build "$T_ROOT/ex-build" >"$T_ROOT/ex-build.log" 2>&1 &&
    cmake --install "$T_ROOT/ex-build" --prefix "$HOME/.local" >"$T_ROOT/ex-install.log" 2>&1
check "examples/plugin: configure, build and install with CMake against the prefix" 0 "$?"
USER_DIR=$XDG_DATA_HOME/credsh/plugins
check_true "credsh_add_plugin installed credsh-keyfile.so into the user plugin directory" \
    test -f "$USER_DIR/credsh-keyfile.so"
check "... not writable by group or others" "" "$(find "$USER_DIR" -perm /022)"
for so in "$T_ROOT/out/credsh-ctoken.so" "$T_ROOT/out/credsh-keyfile.so" "$USER_DIR/credsh-keyfile.so"; do
    check "$(basename "$so") ($so): exports the descriptor and nothing else" "credsh_plugin_descriptor_v1" \
        "$(nm -D --defined-only "$so" 2>/dev/null | awk '{print $3}' | grep -v '^_' | xargs)"
done

finish
