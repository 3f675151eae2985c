# Two `credsh logout` at once both reach the logout record (docs/security.md 48): the rewrite holds a lock.
# Where each process stands is chosen, not guessed (core/base/test_pause.hpp): logout A stops just before it
# renames its rewritten record into place, holding the lock; logout B is started and the test waits until B
# has found the lock held (the `lock-busy` pause point); then A goes on, and B, once A has released the lock,
# reads A's record and adds to it. Without the lock B would have read the record before A's rename and written
# it back without A's entry (or A would have overwritten B's) -- and B would never reach `lock-busy`, which
# this test reports as a failure after 30 s.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need mkfifo timeout

mkdir -p "$HOME/.aws"
printf '[a]\naws_access_key_id = AKIAALOGOUT\naws_secret_access_key = S3NT1NEL-a\n[b]\naws_access_key_id = AKIABLOGOUT\naws_secret_access_key = S3NT1NEL-b\n' \
    >"$HOME/.aws/credentials"
chmod 600 "$HOME/.aws/credentials"
RECORD=$XDG_CACHE_HOME/credsh/logouts
PA=$T_ROOT/pause-a PB=$T_ROOT/pause-b
mkdir -p "$PA" "$PB"
mkfifo "$PA/before-rename.go" "$PB/lock-busy.go"

# hold_open FIFO MARK: open FIFO for writing -- which returns once a process is at that pause point --, say
# so by creating MARK, and keep it open (the process stays paused) until the holder is killed.
hold_open() { (exec 3>"$1" && : >"$2" && exec sleep 600) & }
wait_for() { # wait_for FILE: it appears (at most 30 s: a failure, not a timing)
    local i
    for ((i = 0; i < 300; i++)); do [[ -e $1 ]] && return 0; sleep 0.1; done
    return 1
}

CREDSH_TEST_PAUSE=before-rename CREDSH_TEST_PAUSE_DIR=$PA "$CREDSH_BIN" logout a >"$T_ROOT/a.out" 2>&1 &
A=$!
hold_open "$PA/before-rename.go" "$PA/at"
HOLD=$!
T_PIDS+=("$A" "$HOLD") # an early exit kills them (t_cleanup), so none is left paused or sleeping
check_true "A stopped before renaming its record, holding the lock" wait_for "$PA/at"

CREDSH_TEST_PAUSE=lock-busy CREDSH_TEST_PAUSE_DIR=$PB "$CREDSH_BIN" logout b >"$T_ROOT/b.out" 2>&1 &
B=$!
T_PIDS+=("$B")
# B reaches `lock-busy` only if the lock is held: the open returns then. The FIFO is removed before it is
# closed, so B's later polls do not stop.
reached=$(timeout 30 bash -c 'exec 4>"$1" && rm -f "$1" && echo reached' _ "$PB/lock-busy.go")
check "B found the lock held by A and waits" reached "$reached"
check "B has not written the record meanwhile" "" "$(grep -c ' b$' "$RECORD" 2>/dev/null | grep -v '^0$')"

kill "$HOLD" # A goes on: renames its record into place, releases the lock
wait "$A"
check "logout a exited 0" 0 $?
wait "$B"
check "logout b exited 0" 0 $?

check "the record holds both profiles" "a b" "$(cut -d' ' -f2 "$RECORD" | sort | tr '\n' ' ' | sed 's/ $//')"
check "the record is private" 600 "$(stat -c %a "$RECORD")"
check_no_match "no secret on A's output" S3NT1NEL "$T_ROOT/a.out"
check_no_match "no secret on B's output" S3NT1NEL "$T_ROOT/b.out"

finish
