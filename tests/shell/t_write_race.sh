# docs/security.md 31: writes never follow names. `credsh pin --dir D` in a directory another local user can
# write: that user (useradd, driven with runuser) swaps a symlink to a file of ours in under .credprofile as
# fast as they can, over and over, while we pin again and again. A mode set by name after the rename (the old
# `chmod(path, 0644)`) followed such a link and made the file it names world-readable; the mode is now set on
# the temp file's descriptor before the rename, so our file keeps its mode and content whatever the timing.
# The loop is long enough to have lost the race before the fix (several hundred pins); its outcome never
# depends on timing: any single lost race fails the test.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3

add_second_user credsh-wr
SHARED=$(mktemp -d /tmp/credsh-wr-XXXXXX)
at_exit() {
    touch "$SHARED/stop" 2>/dev/null
    [[ -n ${ATT_PID-} ]] && wait "$ATT_PID" 2>/dev/null
    rm -rf "$SHARED"
    t_cleanup
}
trap at_exit EXIT

cat >"$HOME/.aws/config" <<'EOF'
[profile infra]
region = eu-west-1
EOF
# The file the attacker aims at: ours, private. (It is reachable by name only; they never need to read it.)
VICTIM=$HOME/.aws/credentials
printf '[infra]\naws_access_key_id = AKIARACE\naws_secret_access_key = S3NT1NEL-race\n' >"$VICTIM"
chmod 600 "$VICTIM"

# The attacker's directory: theirs, and (as a project directory shared with a group would be) one we write to.
D=$SHARED/project
mkdir "$D"
chown "$ATTACKER" "$SHARED" "$D"
chmod 755 "$D"

# The attacker: create a symlink to our file under a private name and rename it over .credprofile, in a tight
# loop, until told to stop. rename() is atomic, so at every moment the name is our pin or their link.
cat >"$SHARED/swap.py" <<'EOF'
import os, sys
d, victim, stop = sys.argv[1], sys.argv[2], sys.argv[3]
tmp, name, n = os.path.join(d, ".x"), os.path.join(d, ".credprofile"), 0
open(os.path.join(d, "started"), "w").close()
while not os.path.exists(stop):
    try:
        os.symlink(victim, tmp)
        os.rename(tmp, name)
        n += 1
    except OSError:
        try: os.unlink(tmp)
        except OSError: pass
print(n)
EOF
chown "$ATTACKER" "$SHARED/swap.py"
runuser -u "$ATTACKER" -- python3 "$SHARED/swap.py" "$D" "$VICTIM" "$SHARED/stop" >"$SHARED/swaps" 2>&1 &
ATT_PID=$!
for ((i = 0; i < 400; i++)); do [[ -e $D/started ]] && break; sleep 0.05; done
check_true "the attacker's swap loop runs" test -e "$D/started"

rounds=${CREDSH_RACE_ROUNDS:-600}
lost=0 failed=0
for ((i = 0; i < rounds; i++)); do
    if ! "$CREDSH_BIN" pin infra --dir "$D" >/dev/null 2>"$T_ROOT/pin.err"; then
        # The first failure's message is kept, to say why (the check below reports the count).
        ((failed++ == 0)) && cp "$T_ROOT/pin.err" "$T_ROOT/first-failure.err"
    fi
    if [[ $(stat -c %a "$VICTIM") != 600 ]]; then
        lost=$((i + 1))
        break
    fi
done
touch "$SHARED/stop"
wait "$ATT_PID"
ATT_PID=
echo "     ($rounds pins raced against $(cat "$SHARED/swaps") swaps; $( ((lost)) && echo "lost at pin $lost" || echo "never lost"))"
check "31 every pin succeeded (each rename replaces whatever is under the name)" 0 "$failed"
((failed)) && sed 's/^/     | first failure: /' "$T_ROOT/first-failure.err"
check "31 pin raced by another user's symlink swaps: our file keeps mode 0600" 600 "$(stat -c %a "$VICTIM")"
check "31 ... and its content" "$(printf '[infra]\naws_access_key_id = AKIARACE\naws_secret_access_key = S3NT1NEL-race')" \
    "$(cat "$VICTIM")"
check "31 ... and its owner" 0 "$(stat -c %u "$VICTIM")"

# Without the attacker, the pin is still a 0644 file (project data), whatever the umask.
rm -f "$D/.credprofile"
(umask 077 && "$CREDSH_BIN" pin infra --dir "$D" 2>"$T_ROOT/pin.err") || sed 's/^/     | pin: /' "$T_ROOT/pin.err"
check "31 pin writes a 0644 .credprofile whatever the umask" 644 "$(stat -c %a "$D/.credprofile")"
check_true "31 ... a regular file, not a link" test -f "$D/.credprofile" -a ! -L "$D/.credprofile"
finish
