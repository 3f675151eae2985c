#!/usr/bin/env bash
# Limits, crashes and deadlines (docs/security.md 24, 36), with no assumption about the machine's speed: every
# wait is on an event (a marker file, a FIFO, a process ending), never on a clock.
#   1. a generated 10,000-hop role chain ends in one clear error, in `credsh exec` and in the hook's
#      `credsh export`, with no crash;
#   2. core dumps are off in credsh: with `ulimit -c unlimited`, a credsh killed by SIGSEGV while it waits on a
#      credential_process leaves no core file, and run as another user its /proc/PID files are root's (the
#      kernel's sign of a non-dumpable process);
#   3. a chain that reaches the same role twice (one cache key) resolves without waiting on its own lock, with
#      one AssumeRole;
#   4. in the hook a credential_process that never answers, or that answers but leaves a child holding stdout,
#      is stopped at the prompt's budget with a hint, its whole process group gone; `credsh exec` still gives
#      the configured timeout;
#   5. a NUL byte in a value a plugin got from a server (a container endpoint's Token) is an error: non-zero
#      exit, nothing exported, no part of the value shown.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl timeout useradd userdel runuser

PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }

# wait_for FILE: until FILE exists (an event, not a duration; the bound only ends a test that is already broken).
wait_for() {
    local i
    for ((i = 0; i < 6000; i++)); do
        [[ -e $1 ]] && return 0
        sleep 0.05
    done
    T_FAILS=$((T_FAILS + 1))
    echo "FAIL $T_NAME: $1 never appeared"
    return 1
}

# group_ends PGID: true once no live (non-zombie) process is left in the process group.
group_ends() {
    local i
    for ((i = 0; i < 1200; i++)); do
        ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }' || return 0
        sleep 0.05
    done
    return 1
}

# --- 1. a 10,000-hop chain ------------------------------------------------------------------------------------
python3 - "$HOME/.aws/config" <<'EOF'
import sys
n = 10000
with open(sys.argv[1], "w") as f:
    for i in range(n):
        f.write(f"[profile p{i}]\nrole_arn = arn:aws:iam::111122223333:role/R{i}\nsource_profile = p{i + 1}\n")
    f.write(f"[profile p{n}]\naws_access_key_id = AKIADEEP000000000001\naws_secret_access_key = S3NT1NEL-deep\n")
EOF
out=$(timeout 300 "$CREDSH_BIN" exec -p p0 -- true 2>&1)
rc=$?
check "10,000 hops, exec: exits 1 (not a signal, not a timeout)" 1 "$rc"
check "10,000 hops, exec: one clear line (then exec's own)" \
    "credsh: profile p0: source_profile chain longer than 64 profiles (p0 -> p1 -> p2 -> ... -> p63 -> p64); credsh stops there" \
    "$(head -n 1 <<<"$out")"
out=$(timeout 300 "$CREDSH_BIN" export bash --session p0 2>"$T_ROOT/deep.err")
rc=$?
check_true "10,000 hops, export: ends by itself, no signal (rc $rc)" test "$rc" -lt 124
check_contains "10,000 hops, export: the same error" "source_profile chain longer than 64 profiles" "$(<"$T_ROOT/deep.err")"
check_absent "10,000 hops, export: no key exported" "AWS_ACCESS_KEY_ID=" "$out"
check_absent "10,000 hops: the secret never shown" "S3NT1NEL" "$out$(<"$T_ROOT/deep.err")"

# --- 2. no core dumps ---------------------------------------------------------------------------------------
# A credential_process that says it started (its pid in a marker) and then waits on a FIFO nobody writes.
mkdir -p "$T_ROOT/crash"
cat >"$T_ROOT/blocker" <<'EOF'
#!/bin/sh
echo $$ >"$1.started"
exec cat "$1.fifo"
EOF
chmod 755 "$T_ROOT/blocker"
printf '[base]\naws_access_key_id = AKIACORE000000000001\naws_secret_access_key = S3NT1NEL-core\n' >"$HOME/.aws/credentials"
cat >"$HOME/.aws/config" <<EOF
[profile hang]
credential_process = $T_ROOT/blocker $T_ROOT/hang
[profile asuser]
credential_process = /tmp/credsh-limits-$$/blocker /tmp/credsh-limits-$$/u
EOF
mkfifo "$T_ROOT/hang.fifo"
(
    ulimit -c unlimited || exit 3
    cd "$T_ROOT/crash" || exit 3
    exec "$CREDSH_BIN" exec -p hang -- true
) 2>/dev/null &
pid=$!
wait_for "$T_ROOT/hang.started"
# The process is credsh (not the subshell): exec replaced it.
check "crash: the waiting process is credsh" "credsh" "$(cat "/proc/$pid/comm")"
kill -SEGV "$pid"
wait "$pid"
rc=$?
# Under ASan the sanitizer's own SIGSEGV handler reports and aborts (abort_on_error=1): SIGABRT instead.
if ldd "$CREDSH_BIN" 2>/dev/null | grep -q libasan; then want_rc=134; else want_rc=139; fi
check "crash: credsh died of SIGSEGV (or ASan's abort on it)" "$want_rc" "$rc"
check "crash: no core file in its working directory (ulimit -c unlimited)" "" "$(ls -A "$T_ROOT/crash")"
kill -TERM -- "-$(cat "$T_ROOT/hang.started")" 2>/dev/null # the orphaned tool, blocked on its FIFO

# As another user (root's processes are root's in /proc either way): the files in /proc/PID belong to root
# exactly when the process is not dumpable.
U=credsh-lim-$$
useradd --no-create-home --home-dir "/tmp/credsh-limits-$$/home" "$U" 2>/dev/null
trap 'userdel "$U" 2>/dev/null; rm -rf "/tmp/credsh-limits-$$"; t_cleanup' EXIT
UD=/tmp/credsh-limits-$$
mkdir -p "$UD/home/.aws"
cp "$T_ROOT/blocker" "$UD/blocker"
cp "$HOME/.aws/config" "$UD/home/.aws/config"
mkfifo "$UD/u.fifo"
chown -R "$U" "$UD"
runuser -u "$U" -- env -i HOME="$UD/home" PATH=/usr/bin:/bin CREDSH_PLUGIN_PATH="$PLUGINS" \
    "$CREDSH_BIN" exec -p asuser -- true 2>/dev/null &
upid=$!
wait_for "$UD/u.started"
cpid=$(pgrep -u "$U" -x credsh | head -n 1)
check_true "as $U: credsh found" test -n "$cpid"
check "as $U: /proc/PID/status of credsh is root's (not dumpable)" "0" "$(stat -c %u "/proc/$cpid/status")"
check "as $U: the credential_process tool is its own user's (dumpable: the user's program is left alone)" \
    "$(id -u "$U")" "$(stat -c %u "/proc/$(cat "$UD/u.started")/status")"
kill -TERM "$cpid" 2>/dev/null
kill -TERM -- "-$(cat "$UD/u.started")" 2>/dev/null
wait "$upid" 2>/dev/null

# --- 3. the same role twice in one chain ------------------------------------------------------------------------
start_fake sts_strict.py STS_PORT
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$STS_PORT
ROLE=arn:aws:iam::111122223333:role/Twice
cat >"$HOME/.aws/config" <<EOF
[profile outer]
role_arn = $ROLE
role_session_name = same
source_profile = inner
[profile inner]
role_arn = $ROLE
role_session_name = same
source_profile = base
EOF
calls() { curl -s "http://127.0.0.1:$STS_PORT/_calls" | python3 -c '
import json, sys
print(" ".join("%s:%s:%s" % (c["action"], c["role_arn"].rsplit("/", 1)[-1], c["session_name"]) for c in json.load(sys.stdin)))'; }
out=$(timeout 300 "$CREDSH_BIN" exec -p outer -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1)
check_contains "same role twice, exec: credentials" "KEY=ASIAFAKE" "$out"
check_absent "same role twice, exec: no lock error" "lock" "$out"
check "same role twice, exec: one AssumeRole, from the base keys" "AssumeRole:Twice:same" "$(calls)"
curl -s -X POST "http://127.0.0.1:$STS_PORT/_reset" >/dev/null
rm -rf "$HOME/.aws/cli/cache"
out=$(timeout 300 "$CREDSH_BIN" export bash --session outer 2>"$T_ROOT/twice.err")
check_contains "same role twice, hook: credentials exported" "AWS_ACCESS_KEY_ID=" "$out"
check "same role twice, hook: nothing on stderr" "" "$(<"$T_ROOT/twice.err")"
check "same role twice, hook: one AssumeRole" "AssumeRole:Twice:same" "$(calls)"
unset AWS_ENDPOINT_URL_STS

# --- 4. credential_process deadlines in the hook ----------------------------------------------------------------
# holder: prints valid credentials, then leaves a child holding stdout (blocked on a FIFO nobody writes).
cat >"$T_ROOT/holder" <<'EOF'
#!/bin/sh
echo $$ >"$1.started"
printf '{"Version": 1, "AccessKeyId": "AKIAHOLDER0000000001", "SecretAccessKey": "S3NT1NEL-holder"}\n'
cat "$1.fifo" &
exit 0
EOF
# slow: answers after a pause longer than the hook's budget (2 s), well inside the configured 30 s.
cat >"$T_ROOT/slow" <<'EOF'
#!/bin/sh
sleep 3
printf '{"Version": 1, "AccessKeyId": "AKIASLOW000000000001", "SecretAccessKey": "S3NT1NEL-slow"}\n'
EOF
chmod 755 "$T_ROOT/holder" "$T_ROOT/slow"
rm -f "$T_ROOT"/hang.* "$T_ROOT"/hold.*
mkfifo "$T_ROOT/hang.fifo" "$T_ROOT/hold.fifo"
cat >"$HOME/.aws/config" <<EOF
[profile hang]
credential_process = $T_ROOT/blocker $T_ROOT/hang
[profile hold]
credential_process = $T_ROOT/holder $T_ROOT/hold
[profile slow]
credential_process = $T_ROOT/slow
EOF
for p in hang hold; do
    out=$(timeout 300 "$CREDSH_BIN" export bash --session "$p" 2>"$T_ROOT/$p.err")
    rc=$?
    check_true "hook, $p: export ends by itself (rc $rc)" test "$rc" -lt 124
    check_contains "hook, $p: stopped at the prompt's budget, with the way to wait longer" \
        "credsh: profile $p: credential_process timed out after 2s (the prompt's budget; run \`credsh exec -p $p -- true\` to give it the configured 30s)" \
        "$(<"$T_ROOT/$p.err")"
    check_absent "hook, $p: no key exported" "AWS_ACCESS_KEY_ID=" "$out"
    check_contains "hook, $p: the shell still gets its state (a consistent answer)" "# credsh-end" "$out"
    pgid=$(cat "$T_ROOT/$p.started")
    # Signals take effect asynchronously: wait (bounded) for the group's last live member to end.
    check_true "hook, $p: the tool's process group is gone (the child holding stdout too)" group_ends "$pgid"
done
out=$(timeout 300 "$CREDSH_BIN" exec -p slow -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1)
check "exec: the configured timeout applies, so a tool slower than the prompt's budget is waited for" \
    "KEY=AKIASLOW000000000001" "$out"

# --- 5. a NUL byte from a plugin -------------------------------------------------------------------------------
# Before: the value was cut at the NUL on its way through the C ABI and the prefix exported, with exit 0.
start_fake container_fake.py CPORT --log "$T_ROOT/container.log" --token-json '"S3NT1NEL-before\u0000S3NT1NEL-after"'
printf '[profile ecs]\ncredential_source = EcsContainer\n' >"$HOME/.aws/config"
export AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$CPORT/v1/credentials
out=$(timeout 300 "$CREDSH_BIN" exec -p ecs -- env 2>"$T_ROOT/nul.err")
rc=$?
check "NUL, exec: exits 1" 1 "$rc"
check_absent "NUL, exec: the command never ran" "AWS_ACCESS_KEY_ID=" "$out"
# The container plugin itself names the field (the host's boundary check names the key for other plugins).
check_contains "NUL, exec: the error names the field" "Token contains a NUL byte" "$(<"$T_ROOT/nul.err")"
out=$(timeout 300 "$CREDSH_BIN" export bash --session ecs 2>"$T_ROOT/nul-hook.err")
check_absent "NUL, hook: no key exported" "AWS_ACCESS_KEY_ID=" "$out"
check_absent "NUL, hook: no token exported" "AWS_SESSION_TOKEN=" "$out"
check_contains "NUL, hook: the same error" "contains a NUL byte" "$(<"$T_ROOT/nul-hook.err")"
check_absent "NUL: neither part of the value is exported or shown" "S3NT1NEL" "$out$(cat "$T_ROOT"/nul*.err)"
unset AWS_CONTAINER_CREDENTIALS_FULL_URI

check_absent "no secret in any message" "S3NT1NEL" "$(cat "$T_ROOT"/*.err)"
finish
