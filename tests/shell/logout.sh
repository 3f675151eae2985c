# Logout reaches every shell (issue 11 item 3, docs/security.md 48), in bash, zsh, fish and PowerShell
# (t_logout_<shell>.sh set SUT and source this file, which borrows scenarios.sh's snippets, runner and world).
# Three shells of the shell under test run at the same time, as scripts that call the hook where a prompt
# would (scenarios.sh), against the local IAM Identity Center fake:
#   - A in a project pinned to the SSO profile ssodev, B in one pinned to ssoro (the same sign-in), C in one
#     pinned to proc (a credential_process, counting its runs);
#   - B and C wait, blocked on a FIFO, while A runs `credsh logout` (then `credsh logout --all` in a second
#     round, from a directory with no profile);
#   - at their next prompt, A and B hold no AWS_ACCESS_KEY_ID, secret or token, CREDSH_ERROR is `login` and
#     the prompt shows the login mark instead of a time left; C keeps its keys and its helper did not run again.
# The order is made by the FIFOs and ready files, never by a sleep.
SCENARIOS_LIB=1
source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need mkfifo

sso_start '{"approve_after": 1, "interval": 1}'
cat >>"$HOME/.aws/config" <<EOF
[sso-session my-sso]
sso_start_url = $SSO_SESSION_URL
sso_region = us-east-1
sso_registration_scopes = sso:account:access
[profile ssodev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
[profile ssoro]
sso_session = my-sso
sso_account_id = 222222222222
sso_role_name = ReadOnly
region = us-east-1
EOF
for d in ssodev ssoro; do
    mkdir -p "$HOME/src/$d"
    (cd "$HOME/src/$d" && "$CREDSH_BIN" pin "$d" 2>/dev/null) || echo "setup: pin $d failed"
done
TOK=$(token_file my-sso)

# run_bg NAME: run SCRIPT in the shell under test in the background (as `run` does); BG_PIDS collects them.
BG_PIDS=()
run_bg() {
    local name=$1 file=$T_ROOT/$1.$EXT
    printf '%s' "$SCRIPT" >"$file"
    script_shell "$SUT" "$file"
    (cd "$HOME" && timeout 120 "${SCRIPT_SHELL[@]}") >"$T_ROOT/$name.out" 2>"$T_ROOT/$name.err" </dev/null &
    BG_PIDS+=($!)
}
# S_wait NAME: tell the test this shell is ready, then block until the test opens the FIFO NAME.go.
S_wait() {
    case $SUT in
    pwsh) S "[IO.File]::WriteAllText($(q "$T_ROOT/$1.ready"), 'r'); \$null = [IO.File]::ReadAllText($(q "$T_ROOT/$1.go"))" ;;
    *) S "echo r >$(q "$T_ROOT/$1.ready"); cat $(q "$T_ROOT/$1.go") >/dev/null" ;;
    esac
}
wait_ready() { # wait_ready NAME: until the shell NAME is waiting at its FIFO (a bound, not a timing)
    local i
    for ((i = 0; i < 600; i++)); do
        [[ -e $T_ROOT/$1.ready ]] && return 0
        sleep 0.1
    done
    echo "note: $1 never became ready; its stderr:"
    sed 's/^/     | /' "$T_ROOT/$1.err" | tail -20
    return 1
}
release() { timeout 20 sh -c "echo go >'$T_ROOT/$1.go'" || echo "note: $1 was not waiting"; }
# gets NAME LABEL VAR: what the background shell NAME printed for VAR at LABEL.
gets() { sed -n "s/^@$2 $3=//p" "$T_ROOT/$1.out" | tail -n 1; }

V="AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN CREDSH_PROFILE CREDSH_ERROR CREDSH_EXPIRES CREDSH_PROMPT"

# logout_round LABEL HOW: one round. HOW is `logout` (A in ssodev runs `credsh logout`: its active profile)
# or `all` (A, in a directory without a profile, runs `credsh logout --all`).
logout_round() {
    local r=$1 how=$2 s=$HOME/src n
    rm -f "$PS"/proc.* "$T_ROOT"/*.ready "$T_ROOT"/*.go
    out=$("$CREDSH_BIN" login ssodev --no-browser 2>&1) || echo "note: $r: login failed: $out"
    [[ -f $TOK ]] || echo "note: $r: no token after the login"
    BG_PIDS=()
    for n in B C; do mkfifo "$T_ROOT/$r$n.go"; done
    S_begin; S_install; S_cd "$s/ssoro"; S_show b1 $V; S_wait "${r}B"; S_hook; S_show b2 $V; S_hook; S_show b3 $V
    run_bg "${r}B"
    S_begin; S_install; S_cd "$s/proc"; S_show c1 $V; S_wait "${r}C"; S_hook; S_show c2 $V; S_count c2 proc
    run_bg "${r}C"
    wait_ready "${r}B"
    wait_ready "${r}C"
    S_begin; S_install
    if [[ $how == all ]]; then
        S_cd "$s/ssodev"; S_show a1 $V; S_cd "$s/plain"; S_show a0 $V; S "credsh logout --all"; S_cd "$s/ssodev"
    else
        S_cd "$s/ssodev"; S_show a1 $V; S "credsh logout"; S_hook
    fi
    S_show a2 $V; S_hook; S_show a3 $V
    run "${r}A"
    release "${r}B"
    release "${r}C"
    wait "${BG_PIDS[@]}"

    check_contains "$r before: A (ssodev) has the SSO role's keys" x:ASIAFAKE "$(get a1 AWS_ACCESS_KEY_ID)"
    check_contains "$r before: B (ssoro) has the SSO role's keys" x:ASIAFAKE "$(gets "${r}B" b1 AWS_ACCESS_KEY_ID)"
    check "$r before: C (proc) has the helper's keys" x:AKIAPROC1 "$(gets "${r}C" c1 AWS_ACCESS_KEY_ID)"
    check_true "$r the logout removed the token" test ! -e "$TOK"
    local who label out
    for who in "A a2" "A a3" "B b2" "B b3"; do
        label=${who#* }
        if [[ ${who% *} == A ]]; then out=$OUT; else out=$T_ROOT/${r}B.out; fi
        g() { sed -n "s/^@$label $1=//p" "$out" | tail -n 1; }
        check "$r $who: no key id" unset "$(g AWS_ACCESS_KEY_ID)"
        check "$r $who: no secret" unset "$(g AWS_SECRET_ACCESS_KEY)"
        check "$r $who: no token" unset "$(g AWS_SESSION_TOKEN)"
        check "$r $who: CREDSH_ERROR says login" x:login "$(g CREDSH_ERROR)"
        check "$r $who: no expiry to count down" unset "$(g CREDSH_EXPIRES)"
        check_contains "$r $who: the prompt shows the login mark" "!login" "$(g CREDSH_PROMPT)"
        check_true "$r $who: the prompt shows no time left ($(g CREDSH_PROMPT))" \
            test -z "$(g CREDSH_PROMPT | grep -E '[0-9]+(m|s|h[0-9]+m)')"
    done
    check_contains "$r B: still the ssoro profile" x:ssoro "$(gets "${r}B" b2 CREDSH_PROFILE)"
    check "$r C (proc, not covered): keeps its keys at the next prompt" x:AKIAPROC1 "$(gets "${r}C" c2 AWS_ACCESS_KEY_ID)"
    check "$r C: its helper did not run again" 1 "$(gets "${r}C" c2 proc.count)"
    check "$r C: no error" unset "$(gets "${r}C" c2 CREDSH_ERROR)"
    check_no_match "$r A: no secret on stderr" S3NT1NEL "$ERR"
    check_no_match "$r B: no secret on stderr" S3NT1NEL "$T_ROOT/${r}B.err"
}

# Before any logout the record is an empty file the first export made, so the hook watches that file and not
# a directory above it, which credsh (creds/, locks/) and other programs change: another program's cache
# appearing costs no export. (With XDG_RUNTIME_DIR set, as on a desktop, the stamps live there.)
rm -rf "$XDG_CACHE_HOME" && mkdir -m 700 "$XDG_CACHE_HOME"
mkdir -m 700 "$T_ROOT/run"
S_begin; S_install; S_cd "$HOME/src/proc"; S_calls w1
S_later; S "mkdir $(q "$XDG_CACHE_HOME/some-other-app")"; S_later; S_hook; S_hook; S_calls w2
S "mkdir $(q "$XDG_CACHE_HOME/credsh/locks-x")"; S_later; S_hook; S_calls w3
run W XDG_RUNTIME_DIR="$T_ROOT/run"
check "no logout yet: the first export made an empty record" 0 \
    "$(test -f "$XDG_CACHE_HOME/credsh/logouts" -a ! -s "$XDG_CACHE_HOME/credsh/logouts"; echo $?)"
check "another program's cache directory appearing: no export" "$(get w1 calls)" "$(get w2 calls)"
check "a directory appearing beside the record: no export" "$(get w1 calls)" "$(get w3 calls)"
S_begin; S_install; S_cd "$HOME/src/proc"; S_calls v1
S "touch $(q "$XDG_CACHE_HOME/credsh/logouts")"; S_later; S_hook; S_calls v2
run V XDG_RUNTIME_DIR="$T_ROOT/run"
check "the record changing: one export" "$(($(get v1 calls) + 1))" "$(get v2 calls)"
rm -f "$XDG_CACHE_HOME/credsh/logouts" "$PS"/proc.*

logout_round L logout
logout_round X all
finish
