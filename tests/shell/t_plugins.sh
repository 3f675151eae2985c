# `credsh plugins [--names]` and plugin errors as a person sees them, with the fixture plugins of tests/plugins/
# (built with the tests into <build>/tests/plugin-fixtures, or $CREDSH_FIXTURE_PLUGIN_DIR): every plugin found is
# listed once with its version and file, an unusable one with the reason, CREDSH_PLUGIN_PATH comes first, and the
# exit status is 1 when anything found is unusable. A profile served by a broken plugin fails with the same words.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIX=${CREDSH_FIXTURE_PLUGIN_DIR:-$(dirname "$CREDSH_BIN")/../tests/plugin-fixtures}
if [[ ! -f $FIX/credsh-good.so ]]; then
    echo "FAIL $T_NAME: no fixture plugins in $FIX (they are built with credsh_unit)"
    exit 1
fi
FIX=$(cd "$FIX" && pwd)

# A copy of the binary in a directory with no plugins beside it, so only CREDSH_PLUGIN_PATH (and the install
# directory, which a test machine normally lacks) is searched.
mkdir -p "$T_ROOT/bin"
cp "$CREDSH_BIN" "$T_ROOT/bin/credsh"
ALONE=$T_ROOT/bin/credsh

# plugins [ARGS...]: runs `credsh plugins` with the environment given before it; sets OUT, ERR, RC.
plugins() {
    OUT=$(env "$@" 2>"$T_ROOT/err")
    RC=$?
    ERR=$(cat "$T_ROOT/err")
}

# The install directory is compiled in and searched last; on a machine where credsh is installed it holds real
# plugins, so listings are compared on the fixtures' entries only, and "exit 0" only where it is empty.
# only_fix LISTING: the entries (name line + file line) whose file is a fixture.
# The file line ends with the origin, which the fixture listing leaves out.
only_fix() {
    awk -v fix="    $FIX/" '!/^    / { h = $0; next } index($0, fix) == 1 { sub(/ \(CREDSH_PLUGIN_PATH\)$/, ""); print h; print }' <<<"$1"
}
FIX_NAMES=$(cd "$FIX" && ls credsh-*.so | sed 's/^credsh-//; s/\.so$//')

echo "# nothing found"
plugins CREDSH_PLUGIN_PATH="$T_ROOT/empty" "$ALONE" plugins
INSTALL_EMPTY=0
if [[ $OUT == "no plugins found"* ]]; then
    INSTALL_EMPTY=1
    check "no plugins: exit 1" 1 "$RC"
    # A copy outside the build tree never searches <exe>/../plugins (docs/security.md 40).
    check "no plugins: says where it looked, in order, with each origin (the install directory last)" \
        "no plugins found; searched:
  $T_ROOT/empty (CREDSH_PLUGIN_PATH)
  $XDG_DATA_HOME/credsh/plugins (user dir)
  $T_ROOT/bin/../lib/credsh/plugins (system dir)" "$(sed -n 1,4p <<<"$OUT")"
    check "no plugins: four places" 5 "$(wc -l <<<"$OUT" | tr -d ' ')"
else
    echo "note: the install directory holds plugins; the 'nothing found' and 'exit 0' checks did not run"
fi

echo "# the fixtures: usable ones with versions, the others with the reason"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" plugins
check "fixtures: exit 1 (some are unusable)" 1 "$RC"
check "fixtures: the whole listing" "badmagic UNUSABLE: not a credsh plugin (wrong magic number)
    $FIX/credsh-badmagic.so
badstatus 1.0-fixture  loader test fixture (badstatus)
    $FIX/credsh-badstatus.so
good 1.0-fixture  loader test fixture (good)
    $FIX/credsh-good.so
nodescriptor UNUSABLE: not a credsh plugin (no credsh_plugin_descriptor_v1 symbol)
    $FIX/credsh-nodescriptor.so
notso UNUSABLE: cannot be loaded: invalid ELF header
    $FIX/credsh-notso.so
nullcreate 1.0-fixture  loader test fixture (nullcreate)
    $FIX/credsh-nullcreate.so
oldabi UNUSABLE: built for plugin ABI 0, this credsh speaks ABI 1 (rebuild the plugin against this credsh)
    $FIX/credsh-oldabi.so
shortstruct UNUSABLE: descriptor is 56 bytes, expected at least 64 (built against an older header)
    $FIX/credsh-shortstruct.so
throwcall 1.0-fixture  loader test fixture (throwcall)
    $FIX/credsh-throwcall.so
throwcreate 1.0-fixture  loader test fixture (throwcreate)
    $FIX/credsh-throwcreate.so
unresolved UNUSABLE: cannot be loaded: undefined symbol: credsh_fixture_undefined_function
    $FIX/credsh-unresolved.so
wrongname UNUSABLE: file is named for plugin wrongname but the plugin calls itself somebody-else
    $FIX/credsh-wrongname.so" "$(only_fix "$OUT")"
check "fixtures: stderr counts the unusable ones" "credsh: 7 plugins are unusable" "$ERR"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" plugins --names
check "--names: only the usable, exit 1" "1 badstatus good nullcreate throwcall throwcreate" \
    "$RC $(grep -Fx -f <(echo "$FIX_NAMES") <<<"$OUT" | xargs)"

echo "# CREDSH_PLUGIN_PATH: first directory wins"
plugins CREDSH_PLUGIN_PATH="$FIX/shadow:$FIX" "$ALONE" plugins
check "shadow first: its good, from its file, and what it hides" "good 2.0-shadow  loader test fixture (good)
    $FIX/shadow/credsh-good.so (CREDSH_PLUGIN_PATH)
    hides $FIX/credsh-good.so (CREDSH_PLUGIN_PATH)" "$(grep -A2 '^good ' <<<"$OUT")"
check "shadow first: one entry per name" 1 "$(grep -c '^good ' <<<"$OUT")"
plugins CREDSH_PLUGIN_PATH="$FIX:$FIX/shadow" "$ALONE" plugins
check "fixtures first: theirs" "good 1.0-fixture  loader test fixture (good)" "$(grep '^good ' <<<"$OUT")"
plugins CREDSH_PLUGIN_PATH="$FIX/shadow" "$ALONE" plugins
check "shadow alone: listed" "good 2.0-shadow  loader test fixture (good)" "$(grep '^good ' <<<"$OUT")"
if ((INSTALL_EMPTY)); then
    check "only usable plugins: exit 0, nothing on stderr" "0 " "$RC $ERR"
else # the installed plugins are listed too: the status must follow what the listing says
    want=0
    grep -q ' UNUSABLE: ' <<<"$OUT" && want=1
    check "exit status is 1 exactly when the listing shows an unusable plugin" "$want" "$RC"
fi

# Beside the real binary, its build tree's plugins are found; CREDSH_PLUGIN_PATH still comes first.
BUILD_PLUGINS=$(cd "$(dirname "$CREDSH_BIN")/../plugins" 2>/dev/null && pwd)
if [[ -f $BUILD_PLUGINS/credsh-imds.so ]]; then
    plugins "$CREDSH_BIN" plugins
    check_contains "the build tree's plugins are found" "$(dirname "$CREDSH_BIN")/../plugins/credsh-imds.so" "$OUT"
    mkdir -p "$T_ROOT/pp"
    cp "$BUILD_PLUGINS/credsh-imds.so" "$T_ROOT/pp/"
    plugins CREDSH_PLUGIN_PATH="$T_ROOT/pp" "$CREDSH_BIN" plugins
    check "CREDSH_PLUGIN_PATH beats the build tree, which it hides" "$T_ROOT/pp/credsh-imds.so (CREDSH_PLUGIN_PATH)
hides $(dirname "$CREDSH_BIN")/../plugins/credsh-imds.so (build tree)" \
        "$(grep -A2 '^imds ' <<<"$OUT" | sed -n '2,3s/^ *//p')"
else
    echo "note: $BUILD_PLUGINS/credsh-imds.so is not built; the build-tree checks did not run"
fi

echo "# a profile served by a plugin: the same errors, with the profile's name"
mkdir -p "$XDG_CONFIG_HOME/credsh"
cat >"$XDG_CONFIG_HOME/credsh/config" <<'EOF'
[profile fine]
plugin = good
[profile magic]
plugin = badmagic
[profile throws]
plugin = throwcall
[profile strange]
plugin = badstatus
[profile absent]
plugin = nosuch
EOF
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p fine -- env
check "plugin = good: its keys reach the command" "0 AKIAFIXTURE" "$RC $(sed -n 's/^AWS_ACCESS_KEY_ID=//p' <<<"$OUT")"
# docs/security.md 32: a reply can never set credsh's own variables (the hook runs $__credsh_bin), and extras
# outside the profile's `variables` are dropped with a message.
for name in __credsh_bin CREDSH_PROMPT; do
    plugins FIXTURE_ENV_NAME=$name CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p fine -- env
    check "plugin = good naming $name: refused whole" 1 "$RC"
    check_contains "plugin = good naming $name: says so" "the plugin tried to set $name" "$ERR"
    check_absent "plugin = good naming $name: nothing of it reaches the command" "/tmp/evil" "$OUT"
done
plugins FIXTURE_ENV_NAME=AWS_X_EXTRA CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p fine -- env
check "plugin = good with an extra its profile does not name: the command runs" 0 "$RC"
check_absent "... without that variable" "AWS_X_EXTRA=/tmp/evil" "$OUT"
check_contains "... and that is said" "AWS_X_EXTRA is not a variable credsh may set" "$ERR"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p magic -- env
check "plugin = badmagic: refused" 1 "$RC"
check_contains "plugin = badmagic: the loader's words" "profile magic: plugin badmagic ($FIX/credsh-badmagic.so): not a credsh plugin (wrong magic number)" "$ERR"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p throws -- env
check "plugin = throwcall: an error, not a crash" 1 "$RC"
check_contains "plugin = throwcall: says it threw" "profile throws: plugin throwcall: threw an exception (fixture call failed on purpose)" "$ERR"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p strange -- env
check_contains "plugin = badstatus: unknown status" "plugin badstatus: returned unknown status 42" "$ERR"
plugins CREDSH_PLUGIN_PATH="$FIX" "$ALONE" exec -p absent -- env
check_contains "plugin = nosuch: not installed, and where credsh looked" "plugin nosuch is not installed (looked in $FIX, $XDG_DATA_HOME/credsh/plugins, $T_ROOT/bin/../lib/credsh/plugins" "$ERR"

echo "# where code may come from (docs/security.md 40): another user's files, loose modes, relative paths"
# An installed-looking prefix another user can write parts of. Before: <exe>/../plugins was searched by any copy
# of the binary, and no owner or mode was checked, so their credsh-good.so ran as us.
need useradd userdel
U=credsh-plg-$$
P=/tmp/credsh-plg-$$
useradd --no-create-home --home-dir "$P" "$U" 2>/dev/null
trap 'userdel "$U" 2>/dev/null; rm -rf "$P"; t_cleanup' EXIT
mkdir -p "$P/bin" "$P/plugins" "$P/lib/credsh/plugins"
chmod 755 "$P" "$P/bin" "$P/lib" "$P/lib/credsh" "$P/lib/credsh/plugins"
cp "$CREDSH_BIN" "$P/bin/credsh"
cp "$FIX/credsh-good.so" "$P/plugins/credsh-good.so"
chown -R "$U" "$P/plugins" # theirs: a build-tree path the install never creates
plugins "$P/bin/credsh" exec -p fine -- env
check "a copy outside the build tree: <exe>/../plugins is not searched" 1 "$RC"
check_contains "...so their plugin is not found" "plugin good is not installed (looked in $XDG_DATA_HOME/credsh/plugins, $P/bin/../lib/credsh/plugins" "$ERR"
cp "$FIX/credsh-good.so" "$P/lib/credsh/plugins/credsh-good.so"
chown "$U" "$P/lib/credsh/plugins/credsh-good.so"
plugins "$P/bin/credsh" exec -p fine -- env
check "a plugin file owned by another user: refused" 1 "$RC"
check_contains "...with one line naming it and its owner" \
    "credsh: plugin good: $P/bin/../lib/credsh/plugins/credsh-good.so is owned by uid $(id -u "$U"), not you or root; refused" "$ERR"
plugins "$P/bin/credsh" plugins
check_contains "credsh plugins shows it refused, and why" "good UNUSABLE: refused: owned by uid $(id -u "$U"), not you or root
    $P/bin/../lib/credsh/plugins/credsh-good.so (system dir)" "$OUT"
plugins CREDSH_PLUGIN_PATH="$FIX" "$P/bin/credsh" plugins
check_contains "credsh plugins: a usable copy first, the refused one below it" "good 1.0-fixture  loader test fixture (good)
    $FIX/credsh-good.so (CREDSH_PLUGIN_PATH)
    refused $P/bin/../lib/credsh/plugins/credsh-good.so (owned by uid $(id -u "$U"), not you or root)" "$OUT"
chown root "$P/lib/credsh/plugins/credsh-good.so"
chmod 664 "$P/lib/credsh/plugins/credsh-good.so"
plugins "$P/bin/credsh" exec -p fine -- env
check_contains "a group-writable plugin file: refused" "credsh-good.so is writable by group or others (mode 0664); refused" "$ERR"
chmod 644 "$P/lib/credsh/plugins/credsh-good.so"
chmod 775 "$P/lib/credsh/plugins"
chgrp "$U" "$P/lib/credsh/plugins"
plugins "$P/bin/credsh" exec -p fine -- env
check "a group-writable plugin directory: not searched" 1 "$RC"
check_contains "...and said so" \
    "credsh: plugin directory $P/bin/../lib/credsh/plugins is writable by group or others (mode 0775); not searched" "$ERR"
chmod 755 "$P/lib/credsh/plugins"
chmod 777 "$P/lib"
plugins "$P/bin/credsh" exec -p fine -- env
check_contains "a directory above it others can write: not searched either" "is inside $P/lib, which is writable by group or others (mode 0777); not searched" "$ERR"
chmod 755 "$P/lib"
plugins "$P/bin/credsh" exec -p fine -- env
check "root's file in root's directory: used" "0 AKIAFIXTURE" "$RC $(sed -n 's/^AWS_ACCESS_KEY_ID=//p' <<<"$OUT")"
# A relative CREDSH_PLUGIN_PATH entry would load from whatever directory the shell is in (a cloned repository).
OUT=$(cd "$FIX/.." && CREDSH_PLUGIN_PATH=$(basename "$FIX") "$ALONE" exec -p fine -- env 2>"$T_ROOT/err")
RC=$?
ERR=$(cat "$T_ROOT/err")
check "a relative CREDSH_PLUGIN_PATH entry: not used" 1 "$RC"
check_contains "...with a warning" "credsh: CREDSH_PLUGIN_PATH entry $(basename "$FIX") is not an absolute path; ignored" "$ERR"

finish
