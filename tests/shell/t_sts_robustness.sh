#!/usr/bin/env bash
# Concurrency and failure behaviour of role credentials (docs/security.md 21, 22, 24, 25), against the strict STS
# fake (tests/fakes/sts_strict.py), which counts calls and can stall or swallow connections:
#   1. single flight: 20 concurrent `credsh export bash` processes with fresh state, for one role profile whose
#      cached credentials are inside the 15-minute refresh window (and again with no cache at all), make exactly
#      one AssumeRole, and all 20 export the same new key;
#   2. kill -9 just before and just after the rename that publishes the entry (test pause points, not sleeps),
#      and at arbitrary moments in a loop: the cache file is always the old or the new complete entry;
#   3. a blackholed endpoint (accepts, never answers) and a non-routable address: `credsh export` ends by itself,
#      reporting its 2 s step deadline, with still-valid credentials kept (and a warning) or nothing exported,
#      and the next prompt does not try again (no call reaches a working endpoint);
#   4. web identity token files that are FIFOs, too big, empty or missing give a clear error at once, and the
#      token never appears in a message;
#   5. clock skew; 6. the region every hop signs for;
#   7. 503/500/throttling (and IDPCommunicationError for web identity) are tried again, at most three attempts
#      inside the one deadline; AccessDenied never is.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl bash timeout

PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }
start_fake sts_strict.py FAKE_PORT --delay 0.5
FAKE=http://127.0.0.1:$FAKE_PORT
ROLE=arn:aws:iam::111122223333:role/Shared
printf '[base]\naws_access_key_id = AKIAROBUST0000000001\naws_secret_access_key = S3NT1NEL-robust\n' >"$HOME/.aws/credentials"
cat >"$HOME/.aws/config" <<EOF
[profile shared]
role_arn = $ROLE
source_profile = base
EOF
mkdir -p "$HOME/proj"
(cd "$HOME/proj" && "$CREDSH_BIN" pin shared 2>/dev/null) || echo "setup: pin failed"
ENTRY=$HOME/.aws/cli/cache/$(python3 -c 'import hashlib,json,sys; print(hashlib.sha1(json.dumps({"RoleArn": sys.argv[1]}, sort_keys=True).encode()).hexdigest())' "$ROLE").json
ncalls() { curl -s "$1/_calls" | python3 -c 'import json,sys; print(sum(c["action"] == "AssumeRole" for c in json.load(sys.stdin)))'; }
# seed_entry SECONDS_LEFT: a cache entry for the role, as the AWS CLI would have left it
seed_entry() {
    mkdir -p "$(dirname "$ENTRY")"
    python3 - "$ENTRY" "$1" <<'EOF'
import datetime, json, sys
exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=int(sys.argv[2]))
json.dump({"Credentials": {"AccessKeyId": "ASIAOLDSEEDED0000001", "SecretAccessKey": "old", "SessionToken": "old",
           "Expiration": exp.strftime("%Y-%m-%dT%H:%M:%SUTC")}}, open(sys.argv[1], "w"))
EOF
}
export AWS_ENDPOINT_URL_STS=$FAKE

# --- 1. single flight -----------------------------------------------------------------------------------------
for scenario in expiring cold; do
    curl -s -X POST "$FAKE/_reset" >/dev/null
    rm -f "$ENTRY"
    [[ $scenario == expiring ]] && seed_entry 600
    pids=()
    for i in $(seq 1 20); do
        (cd "$HOME/proj" && exec "$CREDSH_BIN" export bash >"$T_ROOT/out-$i" 2>"$T_ROOT/err-$i") &
        pids+=($!)
    done
    fails=0
    for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
    check "single flight ($scenario): all 20 exports succeed" 0 "$fails"
    check "single flight ($scenario): exactly one AssumeRole" 1 "$(ncalls "$FAKE")"
    keys=$(cat "$T_ROOT"/out-* | grep -o "AWS_ACCESS_KEY_ID=[^; ]*" | tr -d "'" | sort | uniq -c | awk '{print $1, $2}')
    check "single flight ($scenario): all 20 export the one new key" "20 AWS_ACCESS_KEY_ID=ASIAFAKE" "${keys%%[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]}"
done

# --- 2. kill -9 during the refresh ----------------------------------------------------------------------------
# Where the kill lands is chosen, not guessed: CREDSH_TEST_PAUSE (core/base/test_pause.hpp) stops the writer just
# before or just after the rename that publishes the entry, and the test kills it there. A sleep before the kill
# cannot do this on every machine (a sanitizer build under load was killed before the write in all 80 runs).
start_fake sts_strict.py FAST_PORT
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT
entry_state() {
    python3 -c '
import json, sys
try:
    c = json.load(open(sys.argv[1]))["Credentials"]
    print("new" if c["AccessKeyId"].startswith("ASIAFAKE") else "old" if c["AccessKeyId"] == "ASIAOLDSEEDED0000001" else "bad")
except FileNotFoundError:
    print("absent")
except Exception as e:
    print("bad")' "$ENTRY"
}
# paused_exec POINT: a refresh stopped at POINT (its pid in PAUSED), the test holding the FIFO that keeps it
# there open on fd 3. credsh opens POINT.go for reading at POINT, so the open for writing here returns exactly
# when credsh is there. A watcher opens the FIFO itself (read-write, which never waits) if credsh ends without
# reaching POINT, so a broken run fails instead of hanging.
PAUSE=$T_ROOT/pause
mkdir -p "$PAUSE"
paused_exec() {
    local fifo=$PAUSE/$1.go
    rm -f "$PAUSE"/*
    mkfifo "$fifo"
    CREDSH_TEST_PAUSE=$1 CREDSH_TEST_PAUSE_DIR=$PAUSE "$CREDSH_BIN" exec -p shared -- true 2>/dev/null &
    PAUSED=$!
    (
        while kill -0 "$PAUSED" 2>/dev/null; do sleep 0.1; done
        exec 4<>"$fifo"
    ) &
    WATCHER=$!
    exec 3>"$fifo"
    kill -0 "$PAUSED" 2>/dev/null && return 0
    T_FAILS=$((T_FAILS + 1))
    echo "FAIL $T_NAME: credsh ended without reaching $1"
    return 1
}
# unpause: close the FIFO (credsh goes on, or was killed) and let the watcher end
unpause() {
    exec 3>&-
    wait "$WATCHER" 2>/dev/null
}
for point in before-rename after-rename; do
    states=()
    for i in 1 2 3; do
        seed_entry 600
        paused_exec "$point"
        kill -9 "$PAUSED"
        wait "$PAUSED" 2>/dev/null
        unpause
        states+=("$(entry_state)")
    done
    want=$([[ $point == before-rename ]] && echo "old old old" || echo "new new new")
    check "kill -9 at $point: the entry is the complete ${want%% *} one, every time" "$want" "${states[*]}"
done
seed_entry 600
paused_exec before-rename
check "paused before the rename: the old entry is still in place" old "$(entry_state)"
exec 3>&- # resume
wait "$PAUSED"
rc=$?
unpause
check "resumed: the run completes" "0 new" "$rc $(entry_state)"
# Kills at arbitrary moments too, with no expectation about where they land: only that nothing is ever torn.
bad=0
for i in $(seq 1 40); do
    seed_entry 600
    "$CREDSH_BIN" exec -p shared -- true 2>/dev/null &
    pid=$!
    sleep "0.0$((i % 10))$((i * 7 % 10))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    case $(entry_state) in new | old) ;; *) bad=$((bad + 1)) ;; esac
done
check "kill -9 anywhere: the cache entry is always the old or the new complete entry" 0 "$bad"
out=$("$CREDSH_BIN" exec -p shared -- sh -c 'echo $AWS_ACCESS_KEY_ID' 2>&1)
check_contains "kill -9: the next run works from what was left" "ASIA" "$out"

# --- 3. blackholed and unroutable endpoints -------------------------------------------------------------------
start_fake sts_strict.py HOLE_PORT --blackhole
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$HOLE_PORT
# hook_twice NAME: a bash with the hook, in the project, running the hook twice in a row (two prompts); stderr of
# each in $T_ROOT/NAME.err1 / .err2. Between the two, STS is pointed at the fast fake, which records calls: a
# second prompt that tried again would reach it (and change the key), so "no retry" is checked by what happened,
# not by how long it took.
hook_twice() {
    curl -s -X POST "http://127.0.0.1:$FAST_PORT/_reset" >/dev/null
    timeout 300 bash --norc --noprofile -c '
        cd "$1/proj" || exit 9
        eval "$("$2" hook bash 2>/dev/null)" 2>"$3.err1" # installing the hook runs it: the first prompt
        echo "first: key=${AWS_ACCESS_KEY_ID-unset}"
        export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$4
        _credsh_hook 2>"$3.err2"; echo "second: key=${AWS_ACCESS_KEY_ID-unset}"
    ' hook "$HOME" "$CREDSH_BIN" "$T_ROOT/$1" "$FAST_PORT"
}
fast_calls() { curl -s "http://127.0.0.1:$FAST_PORT/_calls" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

# (a) still-valid credentials inside the refresh window: kept, with a warning, within the deadline
seed_entry 600
out=$(hook_twice valid)
check_contains "blackhole, valid creds: the still-valid key is kept" "first: key=ASIAOLDSEEDED0000001" "$out"
check_contains "blackhole, valid creds: a warning names the host and the deadline" \
    "127.0.0.1:$HOLE_PORT: no answer within 2000 ms; using cached credentials, valid" "$(<"$T_ROOT/valid.err1")"
check_contains "blackhole, valid creds: the next prompt does not retry" "second: key=ASIAOLDSEEDED0000001" "$out"
check "blackhole, valid creds: the next prompt calls nothing" 0 "$(fast_calls)"
check "blackhole, valid creds: the next prompt says nothing" "" "$(<"$T_ROOT/valid.err2")"
# (b) nothing cached: nothing exported, one line, no retry at the next prompt
rm -f "$ENTRY"
out=$(hook_twice cold)
check_contains "blackhole, cold: nothing exported" "first: key=unset" "$out"
check_contains "blackhole, cold: one line naming the host" "127.0.0.1:$HOLE_PORT: no answer within 2000 ms" "$(<"$T_ROOT/cold.err1")"
check_contains "blackhole, cold: the next prompt does not retry" "second: key=unset" "$out"
check "blackhole, cold: the next prompt calls nothing" 0 "$(fast_calls)"
check "blackhole, cold: the next prompt says nothing" "" "$(<"$T_ROOT/cold.err2")"
# (c) a non-routable address (TEST-NET-1): whatever the network does with it, the export ends in time
export AWS_ENDPOINT_URL_STS=http://192.0.2.1:9
out=$(cd "$HOME/proj" && timeout 300 "$CREDSH_BIN" export bash 2>&1)
check_true "unroutable: export ends by itself (rc $?; 124 is the outer safety timeout)" test $? -ne 124
check_contains "unroutable: the error names the host" "192.0.2.1" "$out"
check_absent "unroutable: no key exported" "AWS_ACCESS_KEY_ID=" "$out"

# --- 4. web identity token files that are not tokens -----------------------------------------------------------
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT
mkfifo "$T_ROOT/fifo"
head -c 200000 /dev/zero | tr '\0' a >"$T_ROOT/huge"
: >"$T_ROOT/empty"
printf 'S3NT1NEL-token\n' >"$T_ROOT/token"
for f in fifo huge empty missing token; do
    printf '[profile web-%s]\nrole_arn = arn:aws:iam::111122223333:role/Web\nweb_identity_token_file = %s\n' \
        "$f" "$T_ROOT/$f" >>"$HOME/.aws/config"
done
webrun() { timeout 300 "$CREDSH_BIN" exec -p "web-$1" -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1; }
out=$(webrun fifo)
check_true "token file: a FIFO is not waited on (exec ends by itself)" test $? -ne 124
check_contains "token file: a FIFO is refused" "web_identity_token_file $T_ROOT/fifo: not a regular file of at most 64 KiB" "$out"
check_contains "token file: 200 KB is refused" "web_identity_token_file $T_ROOT/huge: not a regular file of at most 64 KiB" "$(webrun huge)"
check_contains "token file: empty is refused" "web_identity_token_file $T_ROOT/empty is empty" "$(webrun empty)"
check_contains "token file: missing, with the reason" "web_identity_token_file $T_ROOT/missing: No such file or directory" "$(webrun missing)"
out=$(webrun token)
check_contains "token file: a token (with a trailing newline) is used, unsigned" "KEY=ASIAFAKE" "$out"
check "token file: the fake saw the call unsigned" "AssumeRoleWithWebIdentity False" \
    "$(curl -s "http://127.0.0.1:$FAST_PORT/_calls" | python3 -c 'import json,sys; c=json.load(sys.stdin)[-1]; print(c["action"], c["signed"])')"
export AWS_ENDPOINT_URL_STS=http://127.0.0.1:$HOLE_PORT
rm -rf "$HOME/.aws/cli/cache"
out=$(webrun token)
check_contains "token file, blackholed STS: fails naming the host" "127.0.0.1:$HOLE_PORT: no answer within" "$out"

# --- 5. a server whose clock disagrees with this machine's (docs/security.md 23) -------------------------------------
start_fake sts_strict.py SKEW_PORT --date-offset 3600
start_fake sts_strict.py NEAR_PORT --date-offset 120
skewrun() { rm -rf "$HOME/.aws/cli/cache"; AWS_ENDPOINT_URL_STS=http://127.0.0.1:$1 "$CREDSH_BIN" exec -p shared -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1; }
out=$(skewrun "$SKEW_PORT")
check_contains "clock 60 min behind STS's: warned, naming the host" \
    "this machine's clock is 60 min behind 127.0.0.1:$SKEW_PORT's (its Date header)" "$out"
check "clock 60 min behind: warned once" 1 "$(grep -c "clock is" <<<"$out")"
check_contains "clock 60 min behind: the credentials are still used" "KEY=ASIAFAKE" "$out"
out=$(skewrun "$NEAR_PORT")
check_absent "clock 2 min off: no warning (5 min is the limit)" "clock is" "$out"
check_contains "clock 2 min off: the credentials are used" "KEY=ASIAFAKE" "$out"

# --- 6. every hop of a chain signs for the selected profile's region (botocore: one STS client per session) ------
cat >>"$HOME/.aws/config" <<EOF
[profile hop-mid]
role_arn = arn:aws:iam::111122223333:role/Mid
source_profile = base
region = ap-southeast-2
[profile hop-top]
role_arn = arn:aws:iam::111122223333:role/Top
source_profile = hop-mid
region = eu-west-1
[profile hop-noregion]
role_arn = arn:aws:iam::111122223333:role/Top
source_profile = hop-mid
EOF
hops() { curl -s "http://127.0.0.1:$FAST_PORT/_calls" | python3 -c '
import json, sys
print(" ".join("%s@%s" % (c["role_arn"].rsplit("/", 1)[-1], c["region"]) for c in json.load(sys.stdin)[-2:]))'; }
rm -rf "$HOME/.aws/cli/cache"
out=$(AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT "$CREDSH_BIN" exec -p hop-top -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1)
check_contains "chain: credentials" "KEY=ASIAFAKE" "$out"
check "chain: both hops signed for the selected profile's region (the source profile's own is not used)" \
    "Mid@eu-west-1 Top@eu-west-1" "$(hops)"
rm -rf "$HOME/.aws/cli/cache"
out=$(AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT AWS_REGION=us-west-2 "$CREDSH_BIN" exec -p hop-noregion -- true 2>&1)
check "chain, selected profile without a region: AWS_REGION for every hop" "Mid@us-west-2 Top@us-west-2" "$(hops)"

# --- 7. transient failures are tried again, within the one deadline (the SDKs' standard retry mode) -------------
# fail N KIND: the fast fake answers the next N STS calls with that failure; calls_since: calls after a reset
fail() { curl -s -X POST "http://127.0.0.1:$FAST_PORT/_reset" >/dev/null; curl -s -X POST -d "n=$1&kind=$2" "http://127.0.0.1:$FAST_PORT/_fail" >/dev/null; }
calls_since() { curl -s "http://127.0.0.1:$FAST_PORT/_calls" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
retryrun() { rm -rf "$HOME/.aws/cli/cache"; AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT timeout 300 "$CREDSH_BIN" exec -p "$1" -- sh -c 'echo KEY=$AWS_ACCESS_KEY_ID' 2>&1; }
fail 2 503
out=$(retryrun shared)
check_contains "503 twice, then an answer: the credentials are used" "KEY=ASIAFAKE" "$out"
check "503 twice, then an answer: three AssumeRole calls" 3 "$(calls_since)"
fail 1 throttle
out=$(retryrun shared)
check_contains "throttled (400 Throttling) once: tried again and used" "KEY=ASIAFAKE" "$out"
check "throttled once: two calls" 2 "$(calls_since)"
fail 9 500
out=$(retryrun shared)
check_contains "500 every time: fails after three attempts, saying so" \
    "STS AssumeRole (arn:aws:iam::111122223333:role/Shared): InternalFailure: Internal failure (3 attempts)" "$out"
check "500 every time: exactly three calls" 3 "$(calls_since)"
check_absent "500 every time: nothing exported" "KEY=ASIAFAKE" "$out"
fail 9 denied
out=$(retryrun shared)
check_contains "AccessDenied: fails at once" "STS AssumeRole (arn:aws:iam::111122223333:role/Shared): AccessDenied:" "$out"
check_absent "AccessDenied: no attempt count (one attempt)" "attempts)" "$out"
check "AccessDenied: one call, never retried" 1 "$(calls_since)"
fail 1 idp
out=$(retryrun web-token)
check_contains "web identity, IDPCommunicationError once: tried again (the STS API reference says to) and used" "KEY=ASIAFAKE" "$out"
check "web identity, IDPCommunicationError once: two calls" 2 "$(calls_since)"
# The prompt path: every attempt inside the 2 s step deadline, however often the service fails.
fail 99 503
rm -rf "$HOME/.aws/cli/cache"
out=$(cd "$HOME/proj" && AWS_ENDPOINT_URL_STS=http://127.0.0.1:$FAST_PORT timeout 300 "$CREDSH_BIN" export bash 2>&1)
check_true "export with STS failing: ends by itself" test $? -ne 124
check "export with STS failing: three calls at most" 3 "$(calls_since)"
check_contains "export with STS failing: one line with the attempt count" "(3 attempts)" "$out"
fail 0 503

check_absent "no secret in any message" "S3NT1NEL" "$(cat "$T_ROOT"/*.err* "$T_ROOT"/err-* 2>/dev/null)$out"
finish
