# The plugin SDK end to end (issue 17, docs/plugins.md): credsh installed into a temporary prefix from the
# already-built tree (`cmake --install`, nothing of credsh is compiled again), then two plugins built outside
# the tree against that prefix only: examples/plugin (C++, once with CMake's find_package(credsh), once with a
# plain compiler call and pkg-config) and tests/plugin-sdk/ctoken.c (C11, -Werror), installed into the user
# plugin directory. Checked: 1. what is installed and that both build; 2. the user directory's place in the search
# and its checks (group-writable, another user's, a symlink out: refused in one line naming the path), a
# built-in's name flagged.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake pkg-config cc c++ nm

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
P=$T_ROOT/prefix
# By component (the binary and plugins are CMake's "Unspecified" one): each component writes its own
# install_manifest_COMPONENT.txt, so this never rewrites the install_manifest.txt that t_package.sh, which may run
# at the same time, installs and uninstalls by.
cmake --install "$BUILD" --prefix "$P" --component Unspecified >"$T_ROOT/install.log" 2>&1 &&
    cmake --install "$BUILD" --prefix "$P" --component sdk >>"$T_ROOT/install.log" 2>&1
check "cmake --install (credsh, its plugins, the SDK) into a temporary prefix" 0 "$?"
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

echo "# 2. the user plugin directory: listed with its origin, checked like a state file, shadowing flagged"
install -m 0755 "$T_ROOT/out/credsh-ctoken.so" "$USER_DIR/credsh-ctoken.so"
SYS=$P/bin/../lib/credsh/plugins
# run [VAR=value...] CREDSH-ARGS...: the installed credsh; sets OUT, ERR, RC.
run() {
    local envs=()
    while [[ $# -gt 0 && $1 == *=* ]]; do envs+=("$1"); shift; done
    OUT=$(env "${envs[@]}" "$CREDSH" "$@" 2>"$T_ROOT/err")
    RC=$?
    ERR=$(cat "$T_ROOT/err")
}
# entry NAME: a plugin's lines in the listing (its name line, its file, and what follows for it).
entry() { awk -v n="$1" '!/^    / { on = ($1 == n) } on' <<<"$OUT"; }
run plugins
check "credsh plugins: exit 0" 0 "$RC"
check "ctoken: listed from the user directory" "ctoken 1.0-c  C11 test plugin: keys from its settings
    $USER_DIR/credsh-ctoken.so (user dir)" "$(entry ctoken)"
check "keyfile: listed from the user directory" "keyfile 1.0  AWS keys from a key file another program keeps current
    $USER_DIR/credsh-keyfile.so (user dir)" "$(entry keyfile)"
check "the installed built-ins: from the prefix's system directory" "    $SYS/credsh-imds.so (system dir)" \
    "$(entry imds | sed -n 2p)"
check "the user directory comes after CREDSH_PLUGIN_PATH and before the system one" \
    "$T_ROOT/pp/credsh-ctoken.so (CREDSH_PLUGIN_PATH)|hides $USER_DIR/credsh-ctoken.so (user dir)" \
    "$(mkdir -p "$T_ROOT/pp" && install -m 0755 "$T_ROOT/out/credsh-ctoken.so" "$T_ROOT/pp/" &&
        run CREDSH_PLUGIN_PATH="$T_ROOT/pp" plugins && entry ctoken | sed -n '2,3{s/^ *//;p}' | paste -sd'|')"

# A user plugin named like a built-in one hides it, never silently.
install -m 0755 "$SYS/credsh-imds.so" "$USER_DIR/credsh-imds.so"
run plugins
check "a user plugin named imds: listed from the user directory, hiding the built-in, flagged" \
    "    $USER_DIR/credsh-imds.so (user dir)
    hides $SYS/credsh-imds.so (system dir)
    SHADOWS the built-in plugin imds: credsh's own is not used" "$(entry imds | sed 1d)"
mkdir -p "$XDG_CONFIG_HOME/credsh"
printf '[profile imdsuser]\nplugin = imds\n' >"$XDG_CONFIG_HOME/credsh/config"
printf '[profile imdsuser]\ncredential_source = Ec2InstanceMetadata\n' >"$HOME/.aws/config"
run exec -p imdsuser -- true
check "loading it says once that it is not the built-in one" \
    "credsh: plugin imds: using $USER_DIR/credsh-imds.so (user dir), not the built-in one" \
    "$(grep -F 'not the built-in one' <<<"$ERR")"
rm -f "$USER_DIR/credsh-imds.so" "$XDG_CONFIG_HOME/credsh/config" "$HOME/.aws/config"

# refused_case DESCRIPTION REASON: `credsh plugins` and a profile served by ctoken both refuse
# $USER_DIR/credsh-ctoken.so with REASON, in one line naming the path.
printf '[profile c]\nplugin = ctoken\nkey_id = AKIACTOKEN\nsecret = S3NT1NELctoken\n' >"$XDG_CONFIG_HOME/credsh/config"
refused_case() {
    run plugins
    check "$1: listed as unusable, with the reason" "ctoken UNUSABLE: refused: $2" "$(entry ctoken | sed -n 1p)"
    run exec -p c -- env
    check "$1: a profile it serves fails" 1 "$RC"
    check "$1: one line naming the path" "credsh: plugin ctoken: $USER_DIR/credsh-ctoken.so is $2; refused" \
        "$(grep -F "$USER_DIR/credsh-ctoken.so" <<<"$ERR")"
    check_absent "$1: nothing of it ran" "AKIACTOKEN" "$OUT"
}
run exec -p c -- env
check "before: the profile served by ctoken works" "0 AKIACTOKEN" "$RC $(sed -n 's/^AWS_ACCESS_KEY_ID=//p' <<<"$OUT")"
chmod 0775 "$USER_DIR/credsh-ctoken.so"
refused_case "a group-writable plugin file" "writable by group or others (mode 0775)"
chmod 0755 "$USER_DIR/credsh-ctoken.so"
add_second_user credsh-sdk
chown "$ATTACKER" "$USER_DIR/credsh-ctoken.so"
refused_case "a plugin file owned by another user" "owned by uid $(id -u "$ATTACKER"), not you"
chown "$(id -u)" "$USER_DIR/credsh-ctoken.so"
mv "$USER_DIR/credsh-ctoken.so" "$T_ROOT/credsh-ctoken.so"
ln -s "$T_ROOT/credsh-ctoken.so" "$USER_DIR/credsh-ctoken.so"
refused_case "a symbolic link out of the directory" "a symbolic link out of its directory (to $T_ROOT/credsh-ctoken.so)"
rm "$USER_DIR/credsh-ctoken.so"
mv "$T_ROOT/credsh-ctoken.so" "$USER_DIR/credsh-ctoken.so"
chmod 0775 "$USER_DIR"
run exec -p c -- env
check "a group-writable user plugin directory: not searched, said in one line" \
    "credsh: plugin directory $USER_DIR is writable by group or others (mode 0775); not searched" \
    "$(grep -F "plugin directory $USER_DIR" <<<"$ERR")"
check_contains "... so ctoken is not found" "plugin ctoken is not installed" "$ERR"
chmod 0755 "$USER_DIR"
run exec -p c -- env
check "after: the profile served by ctoken works again" "0 AKIACTOKEN" "$RC $(sed -n 's/^AWS_ACCESS_KEY_ID=//p' <<<"$OUT")"

echo "# 3. profiles served by the new plugins: credsh exec, a real bash hook, the cache, the variables allow-list"
mkdir -p "$HOME/keys"
(umask 077 && cat >"$HOME/keys/aws-keys" <<'EOF'
# written by the broker
aws_access_key_id = AKIAKEYFILE
aws_secret_access_key = S3NT1NELkeyfile
aws_session_token = S3NT1NELkeyfiletoken
expiration = 2030-01-01T00:00:00Z
env.AWS_X_TEAM = blue
EOF
)
# ctoken_profile NAME [KEY = VALUE lines]: a profile ctoken serves.
ctoken_profile() {
    printf '[profile %s]\nplugin = ctoken\nkey_id = AKIA%s\nsecret = S3NT1NEL%s\nexpiration = 2030-01-01T00:00:00Z\n' \
        "$1" "${1^^}" "$1"
    shift
    printf '%s\n' "$@"
}
{
    printf '[profile kf]\nplugin = keyfile\nfile = ~/keys/aws-keys\nvariables = AWS_X_TEAM\n'
    printf '[profile kfloose]\nplugin = keyfile\nfile = ~/keys/loose\n'
    ctoken_profile c
    ctoken_profile cteam "extra_name = AWS_X_TEAM" "extra_value = green" "variables = AWS_X_TEAM"
    ctoken_profile cunlisted "extra_name = AWS_X_OTHER" "extra_value = S3NT1NELother" "variables = AWS_X_TEAM"
    ctoken_profile csecret "extra_name = AWS_SECRET_ACCESS_KEY" "extra_value = S3NT1NELevil" \
        "variables = AWS_SECRET_ACCESS_KEY"
    ctoken_profile cprofile "extra_name = AWS_PROFILE" "extra_value = evil" "variables = AWS_PROFILE"
    ctoken_profile cown "extra_name = CREDSH_PROMPT" "extra_value = evil" "variables = CREDSH_PROMPT"
} >"$XDG_CONFIG_HOME/credsh/config"
var() { sed -n "s/^$1=//p" <<<"$OUT"; }

run exec -p kf -- env
check "keyfile profile in credsh exec: exit 0" 0 "$RC"
check "keyfile profile: the file's keys, token and expiry" \
    "AKIAKEYFILE S3NT1NELkeyfile S3NT1NELkeyfiletoken 2030-01-01T00:00:00Z" \
    "$(var AWS_ACCESS_KEY_ID) $(var AWS_SECRET_ACCESS_KEY) $(var AWS_SESSION_TOKEN) $(var AWS_CREDENTIAL_EXPIRATION)"
check "keyfile profile: env.AWS_X_TEAM, named in the profile's variables" blue "$(var AWS_X_TEAM)"
check_no_match "keyfile profile: no secret on stderr" "S3NT1NEL" "$T_ROOT/err"
cp "$HOME/keys/aws-keys" "$HOME/keys/loose" && chmod 0644 "$HOME/keys/loose"
run exec -p kfloose -- env
check "keyfile: a key file others can read is refused, by the plugin's own words" "1 $HOME/keys/loose: readable or writable by group or others (chmod 600 it)" \
    "$RC $(grep -o "$HOME/keys/loose: .*" <<<"$ERR")"
check_no_match "keyfile: ... and nothing of the file is shown" "S3NT1NEL" "$T_ROOT/err"
run exec -p cteam -- env
check "ctoken profile in credsh exec: the keys and the named extra" "0 AKIACTEAM S3NT1NELcteam green" \
    "$RC $(var AWS_ACCESS_KEY_ID) $(var AWS_SECRET_ACCESS_KEY) $(var AWS_X_TEAM)"

# Cached like every plugin profile ($XDG_CACHE_HOME/credsh/creds, 0600): with the plugin gone, still served.
run exec -p c -- env
check "ctoken profile: first use" "0 AKIAC" "$RC $(var AWS_ACCESS_KEY_ID)"
check "ctoken profile: its cache entries are 0600" "600" \
    "$(stat -c %a "$XDG_CACHE_HOME"/credsh/creds/plugin-ctoken-*.json 2>/dev/null | sort -u | xargs)"
mv "$USER_DIR/credsh-ctoken.so" "$T_ROOT/ctoken.away"
run exec -p c -- env
check "ctoken profile with the plugin removed: served from the cache, nothing loaded" "0 AKIAC" \
    "$RC $(var AWS_ACCESS_KEY_ID)"
mv "$T_ROOT/ctoken.away" "$USER_DIR/credsh-ctoken.so"

# A real bash with the hook: the session profile served by each plugin.
cat >"$T_ROOT/shell.sh" <<EOF
eval "\$('$CREDSH' hook bash)"
_credsh_hook
credsh use kf; _credsh_hook; echo "@kf \$AWS_ACCESS_KEY_ID \$AWS_X_TEAM \$CREDSH_PROFILE"
credsh use cteam; _credsh_hook; echo "@cteam \$AWS_ACCESS_KEY_ID \$AWS_X_TEAM \$CREDSH_PROFILE"
EOF
out=$(cd "$HOME" && bash --norc --noprofile "$T_ROOT/shell.sh" 2>"$T_ROOT/shell.err")
check "bash hook: the keyfile profile" "@kf AKIAKEYFILE blue kf" "$(grep '^@kf ' <<<"$out")"
check "bash hook: the ctoken profile" "@cteam AKIACTEAM green cteam" "$(grep '^@cteam ' <<<"$out")"
check_no_match "bash hook: no secret on the shell's stderr" "S3NT1NEL" "$T_ROOT/shell.err"

# The allow-list: a name the profile does not list is dropped and said; a credential variable or one of
# credsh's own is refused whole, even when the profile lists it.
run exec -p cunlisted -- env
check "an extra the profile does not list: the command runs with the keys" "0 AKIACUNLISTED" \
    "$RC $(var AWS_ACCESS_KEY_ID)"
check_absent "... without that variable" "AWS_X_OTHER" "$OUT"
check_contains "... and that is said" \
    "credsh: profile cunlisted: AWS_X_OTHER is not a variable credsh may set" "$ERR"
for case in "csecret AWS_SECRET_ACCESS_KEY" "cprofile AWS_PROFILE"; do
    set -- $case
    run exec -p "$1" -- env
    check "$2 as a plugin's extra, listed in variables: refused" 1 "$RC"
    check_contains "$2: a clear message" \
        "the plugin tried to set $2 as a variable; credentials come only from its aws_* reply keys" "$ERR"
    check_absent "$2: nothing reaches the command" "AKIA${1^^}" "$OUT"
    check_no_match "$2: the value is not shown" "S3NT1NELevil" "$T_ROOT/err"
done
run exec -p cown -- env
check "CREDSH_PROMPT as a plugin's extra, listed in variables: refused" 1 "$RC"
check_contains "CREDSH_PROMPT: a clear message" \
    "the plugin tried to set CREDSH_PROMPT, which credsh never takes from a plugin" "$ERR"

finish
