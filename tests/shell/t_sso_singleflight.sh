#!/usr/bin/env bash
# Single-flight SSO token refresh (docs/security.md 22): 20 real bash shells reach their prompt at the same moment
# with a token inside its 15-minute refresh window, against a fake whose refresh tokens work once (a second
# refresh with the same token is invalid_grant) and whose CreateToken is slowed down to widen the race.
#   A. 20 shells, 20 different profiles of one sso-session: exactly 1 CreateToken, 0 invalid_grant, 20 role
#      credentials (the plugin's flock on the token, then a re-read).
#   B. 20 shells, one profile: exactly 1 CreateToken and 1 GetRoleCredentials (the core's lock on the role
#      credentials entry as well), every shell with the same key.
#   C. A holder killed with -9 releases the lock: the next process refreshes.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need bash python3 sha1sum flock

N=20
roles=$(python3 -c "import json; print(json.dumps(['R%02d' % i for i in range($N)]))")
sso_start "{\"token_delay\": 0.5, \"accounts\": {\"111111111111\": {\"name\": \"dev\", \"email\": \"d@x\", \"roles\": $roles}}}"
sso_write_config
for ((i = 0; i < N; i++)); do
    p=$(printf 'p%02d' "$i")
    printf '\n[profile %s]\nsso_session = my-sso\nsso_account_id = 111111111111\nsso_role_name = R%02d\n' "$p" "$i" >>"$HOME/.aws/config"
    mkdir -p "$HOME/src/$p"
    (cd "$HOME/src/$p" && "$CREDSH_BIN" pin "$p" 2>/dev/null) || echo "setup: pin $p failed"
done
"$CREDSH_BIN" login --sso-session my-sso --no-browser >/dev/null 2>&1 || echo "setup: login failed"
TOK=$(token_file my-sso)
check_true "setup: signed in with a refresh token" test -n "$(token_field "$TOK" refreshToken)"

# run_shells DIR-FOR-SHELL-I...: N bash shells with the hook, held at a barrier, then released together; each
# runs its prompt hook once in its directory and prints its key id (or "none").
run_shells() {
    local go=$T_ROOT/go.$RANDOM i pids=()
    rm -rf "$T_ROOT/out"
    mkdir -p "$T_ROOT/out"
    for ((i = 0; i < N; i++)); do
        bash -c '
            eval "$("$1" hook bash)"
            while [[ ! -e $2 ]]; do sleep 0.01; done
            cd "$3" && _credsh_hook
            echo "${AWS_ACCESS_KEY_ID:-none}"
        ' _ "$CREDSH_BIN" "$go" "$1/$(printf "$2" "$i")" >"$T_ROOT/out/$i" 2>"$T_ROOT/out/$i.err" &
        pids+=($!)
    done
    sleep 1 # every shell is started and waiting
    touch "$go"
    wait "${pids[@]}" # not the fake server, which runs until the test ends
}
near_expiry() {
    token_edit "$TOK" 't["expiresAt"] = iso(now + 300)'
    rm -rf "$HOME/.aws/cli/cache"
}

# --- A: 20 profiles, one token ---------------------------------------------------------------------------------
near_expiry
refresh0=$(sso_count CreateToken.refresh_token)
roles0=$(sso_count GetRoleCredentials)
run_shells "$HOME/src" 'p%02d'
check "A: exactly one CreateToken for $N shells" 1 "$(($(sso_count CreateToken.refresh_token) - refresh0))"
check "A: no invalid_grant" 0 "$(sso_count invalid_grant)"
check "A: every shell got role credentials" "$N" "$(cat "$T_ROOT"/out/? "$T_ROOT"/out/?? | grep -c '^ASIAFAKE')"
check "A: $N distinct role credentials" "$N" "$(cat "$T_ROOT"/out/? "$T_ROOT"/out/?? | sort -u | grep -c '^ASIAFAKE')"
check "A: $N GetRoleCredentials" "$N" "$(($(sso_count GetRoleCredentials) - roles0))"
check "A: no shell printed a warning" "" "$(cat "$T_ROOT"/out/*.err)"
check_true "A: the refreshed token was written back (hours left)" python3 -c "
import sys, datetime as d
e = d.datetime.strptime(sys.argv[1], '%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=d.timezone.utc)
sys.exit(0 if (e - d.datetime.now(d.timezone.utc)).total_seconds() > 3600 else 1)" "$(token_field "$TOK" expiresAt)"

# --- B: one profile, 20 shells ----------------------------------------------------------------------------------
near_expiry
refresh0=$(sso_count CreateToken.refresh_token)
roles0=$(sso_count GetRoleCredentials)
run_shells "$HOME/src" 'p00'
check "B: exactly one CreateToken" 1 "$(($(sso_count CreateToken.refresh_token) - refresh0))"
check "B: exactly one GetRoleCredentials" 1 "$(($(sso_count GetRoleCredentials) - roles0))"
check "B: no invalid_grant" 0 "$(sso_count invalid_grant)"
check "B: every shell has the same key" 1 "$(cat "$T_ROOT"/out/? "$T_ROOT"/out/?? | sort -u | grep -c '^ASIAFAKE')"
check "B: ...in all $N shells" "$N" "$(cat "$T_ROOT"/out/? "$T_ROOT"/out/?? | grep -c '^ASIAFAKE')"

# --- C: a lock holder killed with -9 ------------------------------------------------------------------------------
near_expiry
refresh0=$(sso_count CreateToken.refresh_token)
LOCK=$XDG_CACHE_HOME/credsh/locks/sso-token-$(sha1_of my-sso).lock
check_true "C: the plugin's lock file is where the core keeps its locks" test -f "$LOCK"
# Events, not pauses: flock runs its command only once it holds the lock (the marker says so), and the waiter
# has reached the lock when the lock file is among its open files (it then polls until its deadline).
rm -f "$T_ROOT/held"
flock -o "$LOCK" sh -c ': >"$1"; exec sleep 60' _ "$T_ROOT/held" >/dev/null 2>&1 & # -o: only flock holds it
holder=$!
wait_file() { local i; for ((i = 0; i < 6000; i++)); do [[ -e $1 ]] && return 0; sleep 0.05; done; return 1; }
check_true "C: flock holds the lock" wait_file "$T_ROOT/held"
T_PIDS+=($(pgrep -P "$holder")) # its sleep, stopped at exit
"$CREDSH_BIN" exec -p p01 -- printenv AWS_ACCESS_KEY_ID >"$T_ROOT/c.out" 2>&1 &
waiter=$!
has_lock_open() { ls -l "/proc/$waiter/fd" 2>/dev/null | grep -qF -- "-> $LOCK"; }
for ((i = 0; i < 6000; i++)); do has_lock_open && break; sleep 0.05; done
check_true "C: the waiter is waiting on the lock" has_lock_open
check "C: while the lock is held, nobody refreshed" 0 "$(($(sso_count CreateToken.refresh_token) - refresh0))"
kill -9 "$holder"
wait "$holder" 2>/dev/null
wait "$waiter"
check "C: after kill -9 of the holder, the waiting process succeeds" 0 "$?"
check "C: ...and refreshed the token" 1 "$(($(sso_count CreateToken.refresh_token) - refresh0))"
check_true "C: ...with credentials" grep -q '^ASIAFAKE' "$T_ROOT/c.out"

finish
