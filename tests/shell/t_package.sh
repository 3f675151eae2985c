# Install, uninstall and the Debian package: `cmake --install --strip` (what `make install` runs) puts a
# stripped binary, the plugins, the completions and credsh(1) under PREFIX, and the installed binary finds its
# plugins there; the manual page carries every subcommand's --help text; the uninstall target removes every
# installed file; CPack's .deb declares the shared libraries credsh links as dependencies, installs into a
# throw-away dpkg root, works there, and dpkg removes every file again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake cpack help2man dpkg dpkg-deb dpkg-shlibdeps readelf nm

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
[[ -f $BUILD/man/credsh.1 ]] || { echo "FAIL $T_NAME: $BUILD/man/credsh.1 was not built (help2man missing at configure time?)"; exit 1; }

# --- 1. install into a temporary prefix --------------------------------------------------------------------
P=$T_ROOT/prefix
cmake --install "$BUILD" --prefix "$P" --strip >"$T_ROOT/install.log" 2>&1
check "cmake --install --strip succeeds" 0 "$?"
check_true "the binary is installed" test -x "$P/bin/credsh"
check_true "the manual page is installed under share/man/man1" test -f "$P/share/man/man1/credsh.1"
plugins=$(cd "$P/lib/credsh/plugins" 2>/dev/null && ls | LC_ALL=C sort | tr '\n' ' ')
check "the seven plugins are installed" "credsh-ask.so credsh-aws-sso.so credsh-console.so credsh-imds.so credsh-keyring.so credsh-mfa-sts.so credsh-secretsmanager.so " "$plugins"
debug_sections() { readelf -S --wide "$1" 2>/dev/null | grep -c '\.debug_info\|\.symtab'; }
check "the installed binary is stripped (no .debug_info, no .symtab)" 0 "$(debug_sections "$P/bin/credsh")"
check "an installed plugin is stripped" 0 "$(debug_sections "$P/lib/credsh/plugins/credsh-mfa-sts.so")"
check "the build's own binary is not (so the check can tell)" true \
    "$( (($(debug_sections "$BUILD/bin/credsh") > 0)) && echo true || echo false)"
needed=$(readelf -d "$P/bin/credsh" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
check_contains "readelf lists the binary's libraries" "libc.so" "$needed"
check_absent "the host binary does not link libcurl (network code lives in plugins)" "libcurl" "$needed"
check_contains "the mfa-sts plugin does link libcurl (so the check above can tell)" "libcurl" \
    "$(readelf -d "$P/lib/credsh/plugins/credsh-mfa-sts.so" 2>/dev/null | grep NEEDED)"
# The host's digests are linked in (start-up cost, core/CMakeLists.txt), except in sanitizer builds; the
# plugins keep the distribution's libcrypto, and the host exports none of its copy to them.
if grep -q '^CREDSH_SANITIZE:BOOL=ON' "$BUILD/CMakeCache.txt"; then
    echo "note: sanitizer build: the host links the shared libcrypto here; the static-digest checks apply to normal builds"
else
    check_absent "the host binary does not load libcrypto (its SHA functions are linked in)" "libcrypto" "$needed"
    check "nor exports any OpenSSL symbol a plugin could bind to" "" \
        "$(nm -D --defined-only "$BUILD/bin/credsh" 2>/dev/null | grep -E ' (SHA|OPENSSL|EVP|CRYPTO)')"
fi
check_contains "the mfa-sts plugin links the shared libcrypto" "libcrypto.so" \
    "$(readelf -d "$P/lib/credsh/plugins/credsh-mfa-sts.so" 2>/dev/null | grep NEEDED)"
check_absent "the host binary does not link libsecret (the keyring plugin does)" "libsecret" "$needed"
check_absent "the host binary does not link GLib" "libglib" "$needed"
check_contains "the keyring plugin does link libsecret (so the check above can tell)" "libsecret" \
    "$(readelf -d "$P/lib/credsh/plugins/credsh-keyring.so" 2>/dev/null | grep NEEDED)"
check "the installed binary runs" "$("$CREDSH_BIN" --version)" "$("$P/bin/credsh" --version 2>&1)"
listed=$(env -u CREDSH_PLUGIN_PATH "$P/bin/credsh" plugins --names 2>&1 | LC_ALL=C sort | tr '\n' ' ')
check "the installed binary finds the installed plugins" "ask aws-sso console imds keyring mfa-sts secretsmanager " "$listed"

# --- 2. the manual page is the help text --------------------------------------------------------------------
page=$(<"$P/share/man/man1/credsh.1")
commands=$("$CREDSH_BIN" --help | awk '/^commands:/{on=1;next} on&&/^$/{exit} on&&/^  [a-z]/{print $1}')
check_true "credsh --help lists commands" test -n "$commands"
for c in $commands; do
    check_contains "credsh(1) has a section for 'credsh $c'" ".SS \"credsh $c\"" "$page"
    # The first line of the subcommand's help (its usage line) appears in the page as help2man/roff carries it.
    first=$("$CREDSH_BIN" "$c" --help | head -1 | sed 's/\\/\\e/g')
    check_contains "credsh(1) carries 'credsh $c --help'" "$first" "$page"
done
if command -v man >/dev/null 2>&1; then
    rendered=$(MANWIDTH=100 man -l "$P/share/man/man1/credsh.1" 2>&1)
    check_contains "man renders the page's COMMANDS section" "COMMANDS" "$rendered"
else
    echo "note: man is not installed here, so the page was checked as roff source only"
fi

# --- 3. uninstall removes every installed file --------------------------------------------------------------
manifest=$BUILD/install_manifest.txt
check_true "the install wrote a manifest" test -s "$manifest"
cmake --build "$BUILD" --target uninstall >"$T_ROOT/uninstall.log" 2>&1
check "the uninstall target succeeds" 0 "$?"
check "no file is left under the prefix" "" "$(find "$P" -type f -o -type l)"
check "credsh's own directories are gone" "" "$(find "$P" -mindepth 1 -name '*credsh*')"

# --- 4. the Debian package ----------------------------------------------------------------------------------
cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$T_ROOT/pkg" -D CPACK_PACKAGING_INSTALL_PREFIX=/usr \
    >"$T_ROOT/cpack.log" 2>&1
check "cpack builds a .deb" 0 "$?"
deb=$(ls "$T_ROOT"/pkg/*.deb 2>/dev/null | head -1)
check_true "a .deb file was written" test -f "$deb"
depends=$(dpkg-deb -f "$deb" Depends 2>/dev/null)
for lib in libc6 libstdc++6 libgcc-s1 libssl3 libcurl4 libinih1; do
    check_contains "the package depends on $lib" "$lib" "$depends"
done
contents=$(dpkg-deb -c "$deb" 2>/dev/null)
for f in ./usr/bin/credsh ./usr/lib/credsh/plugins/credsh-aws-sso.so ./usr/share/man/man1/credsh.1 \
    ./usr/share/bash-completion/completions/credsh ./usr/share/zsh/site-functions/_credsh \
    ./usr/share/fish/vendor_completions.d/credsh.fish; do
    check_contains "the package holds $f" "$f" "$contents"
done

# A throw-away dpkg database: the package is installed and removed there, never on this system.
R=$T_ROOT/root
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/var/lib/dpkg/triggers" "$R/var/log"
: >"$R/var/lib/dpkg/status"
: >"$R/var/lib/dpkg/available"
dpkg --root="$R" --log=/dev/null --force-depends --force-script-chrootless -i "$deb" >"$T_ROOT/dpkg-i.log" 2>&1
check "dpkg installs the package into the throw-away root" 0 "$?"
check "dpkg records it as installed" "install ok installed" \
    "$(dpkg --root="$R" -s credsh 2>/dev/null | sed -n 's/^Status: //p')"
check "the packaged binary runs" "$("$CREDSH_BIN" --version)" "$("$R/usr/bin/credsh" --version 2>&1)"
listed=$(env -u CREDSH_PLUGIN_PATH "$R/usr/bin/credsh" plugins --names 2>&1 | LC_ALL=C sort | tr '\n' ' ')
check "the packaged binary finds the packaged plugins" "ask aws-sso console imds keyring mfa-sts secretsmanager " "$listed"
dpkg --root="$R" --log=/dev/null --force-script-chrootless -r credsh >"$T_ROOT/dpkg-r.log" 2>&1
check "dpkg removes the package" 0 "$?"
check "no packaged file is left in the root" "" "$(find "$R/usr" -type f -o -type l 2>/dev/null)"

# --- 5. stamps of shells that have exited -------------------------------------------------------------------
# Each shell's hook keeps a stamp file named by its pid; when a new shell takes its first stamp, the stamps of
# shells that no longer exist go. Dead pids are taken from processes that have just been reaped.
stamps=$XDG_CACHE_HOME/credsh/stamps
mkdir -p "$stamps" && chmod 700 "$XDG_CACHE_HOME/credsh" "$stamps"
dead=()
for _ in 1 2 3; do
    sh -c 'exit 0' &
    p=$!
    wait "$p"
    dead+=("$p")
    : >"$stamps/stamp-$p"
done
sleep 1000 &
alive=$!
T_PIDS+=("$alive")
: >"$stamps/stamp-$alive"
new_shell=$$ # this test's own shell: alive, and without a stamp yet
check_true "no stamp for the new shell yet" test ! -e "$stamps/stamp-$new_shell"
"$CREDSH_BIN" export bash --pid "$new_shell" </dev/null >/dev/null 2>"$T_ROOT/export.err"
check_true "the new shell's stamp was created" test -e "$stamps/stamp-$new_shell"
for p in "${dead[@]}"; do
    check_true "the stamp of exited shell $p was removed" test ! -e "$stamps/stamp-$p"
done
check_true "the stamp of a live shell stays" test -e "$stamps/stamp-$alive"
: >"$stamps/stamp-${dead[0]}"
"$CREDSH_BIN" export bash --pid "$new_shell" </dev/null >/dev/null 2>>"$T_ROOT/export.err"
check_true "a later export of the same shell does not sweep (only a shell's first stamp does)" \
    test -e "$stamps/stamp-${dead[0]}"

finish
