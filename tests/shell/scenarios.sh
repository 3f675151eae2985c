# Real-shell scenarios, written once and run in bash, zsh and fish (t_scenarios_<shell>.sh set SUT and source
# this file). Each scenario builds one script for the shell under test out of small snippets (S_cd, S_show,
# S_mark, ...) -- the only place where the three shells differ -- runs it in a fresh non-interactive shell
# with the hook installed the way a user installs it (`eval "$(credsh hook bash)"`, `credsh hook fish |
# source`), then checks what the script printed. Hooks are called explicitly after every step, because
# precmd / PROMPT_COMMAND / fish_prompt do not fire without a prompt (zsh's chpwd and fish's PWD handler do
# fire on cd; the explicit call after them must then be a no-op, which the spawn counts below also prove).
#
# `credsh` on PATH is a wrapper that logs each subcommand to $CALLS and execs the real binary; the hook it
# prints names the wrapper, so every call the hook makes is counted (scenarios 6, 7, 8, 10).
#
# Output protocol of a script: "@LABEL VAR=unset" or "@LABEL VAR=x:VALUE" (exported) or "s:VALUE" (shell
# variable only); "@LABEL rc=N"; "@LABEL calls=N" (export calls so far); markers "@@LABEL" on stdout and
# stderr, so stderr can be attributed to the step that produced it.

: "${SUT:?SUT must name the shell under test}"
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ $SUT == pwsh ]]; then need_pwsh; fi # PowerShell 7 may live in ~/.dotnet/tools
need "$SUT" python3 od

FIX=$CREDSH_SRC/tests/shell/fixtures
PS=$T_ROOT/ps          # the fake credential_process's state (counters and switches)
mkdir -p "$PS"
# The counting wrapper ($WRAP, logging to $CALLS), which also marks when the last export started
# (fixtures/same_tick.sh).
counting_wrapper "[ \"\$1\" = export ] && : >'$T_ROOT/export.mark'"

case $SUT in
bash) HOOK=_credsh_hook; RC='$?'; EXT=bash ;;
zsh) HOOK=_credsh_hook; RC='$?'; EXT=zsh ;;
fish) HOOK=__credsh_hook; RC='$status'; EXT=fish ;;
pwsh) HOOK=__credsh_hook; RC='$LASTEXITCODE'; EXT=ps1 ;; # a native command's status; $? is a boolean there
*) echo "FAIL unknown shell $SUT"; exit 1 ;;
esac

# ---------------------------------------------------------------------------------------------------------
# The world: profiles in ~/.aws, project trees with and without .credprofile.

proc_line() { echo "credential_process = /bin/sh $FIX/cred_process.sh $PS $1"; }

setup_world() {
    cat >"$HOME/.aws/config" <<EOF
[profile dev]
region = eu-west-1
[profile prod]
region = us-east-1
[profile staging]
[profile admin]
$(proc_line admin)
[profile proc]
region = eu-central-1
$(proc_line proc)
[profile procb]
$(proc_line procb)
[profile broken]
$(proc_line broken)
[profile stale]
$(proc_line stale)
[profile weird]
$(proc_line weird)
EOF
    cat >"$HOME/.aws/credentials" <<'EOF'
[dev]
aws_access_key_id = AKIADEVSTATIC
aws_secret_access_key = S3NT1NEL-static-dev
[prod]
aws_access_key_id = AKIAPRODSTATIC
aws_secret_access_key = S3NT1NEL-static-prod
[staging]
aws_access_key_id = AKIASTAGINGSTATIC
aws_secret_access_key = S3NT1NEL-static-staging
EOF
    local s=$HOME/src
    mkdir -p "$s/shop/sub/deeper" "$s/shop/inner/x" "$s/plain" "$s/blocked" "$s/copy" "$s/zero/sub" \
        "$s/proc/sub" "$s/broken" "$s/stale" "$s/weird" "$s/procb"
    printf 'dev\n' >"$s/shop/.credprofile"                                              # bare-name form
    printf 'profile = staging\nregion = ap-southeast-2\n' >"$s/shop/inner/.credprofile" # INI form
    printf 'profile = prod\n' >"$s/blocked/.credprofile"                                 # never allowed here
    printf 'dev\n' >"$s/zero/.credprofile"
    local d
    for d in shop shop/inner zero; do "$CREDSH_BIN" allow "$s/$d" 2>/dev/null || echo "setup: allow $d failed"; done
    for d in proc broken stale weird procb; do
        (cd "$s/$d" && "$CREDSH_BIN" pin "$d" 2>/dev/null) || echo "setup: pin $d failed"
    done
    touch "$PS/broken.fail"
    echo -60 >"$PS/stale.ttl"
}

# ---------------------------------------------------------------------------------------------------------
# Script snippets. SCRIPT accumulates the script of the current scenario.

S() { SCRIPT+="$*"$'\n'; }
q() { printf "'%s'" "$1"; } # paths here hold no quote; '...' means the same in all three shells

S_begin() {
    SCRIPT=
    case $SUT in
    bash) S '__t_show() { local __l=$1 __v; shift; for __v; do
    if [[ -v $__v ]]; then
        if [[ ${!__v@a} == *x* ]]; then printf "@%s %s=x:%s\n" "$__l" "$__v" "${!__v}";
        else printf "@%s %s=s:%s\n" "$__l" "$__v" "${!__v}"; fi
    else printf "@%s %s=unset\n" "$__l" "$__v"; fi; done; }
__t_hex() { local __v; for __v in "${@:2}"; do
    printf "@%s %s=%s\n" "$1" "$__v" "$(printf %s "${!__v}" | od -An -tx1 -v | tr -d " \n")"; done; }' ;;
    zsh) S 'zmodload zsh/parameter
__t_show() { local __l=$1 __v; shift; for __v; do
    if (( ${+parameters[$__v]} )); then
        if [[ ${parameters[$__v]} == *export* ]]; then printf "@%s %s=x:%s\n" "$__l" "$__v" "${(P)__v}";
        else printf "@%s %s=s:%s\n" "$__l" "$__v" "${(P)__v}"; fi
    else printf "@%s %s=unset\n" "$__l" "$__v"; fi; done; }
__t_hex() { local __v; for __v in "${@:2}"; do
    printf "@%s %s=%s\n" "$1" "$__v" "$(printf %s "${(P)__v}" | od -An -tx1 -v | tr -d " \n")"; done; }' ;;
    fish) S 'function __t_show
    set -l __l $argv[1]
    for __v in $argv[2..-1]
        if set -q $__v
            set -l __a s
            set -qx $__v; and set __a x
            printf "@%s %s=%s:%s\n" $__l $__v $__a "$$__v"
        else
            printf "@%s %s=unset\n" $__l $__v
        end
    end
end
function __t_hex
    for __v in $argv[2..-1]
        printf "@%s %s=%s\n" $argv[1] $__v (printf %s "$$__v" | od -An -tx1 -v | tr -d " \n")
    end
end' ;;
    # PowerShell: "x:" is an environment variable, "s:" a global variable (where the hook keeps $CREDSH_PROMPT).
    pwsh) S 'function __t_show { $__l = $args[0]; foreach ($__v in $args[1..($args.Count - 1)]) {
    $__e = [Environment]::GetEnvironmentVariable($__v)
    if ($null -ne $__e) { "@$__l $__v=x:$__e" }
    elseif (Test-Path -LiteralPath "variable:global:$__v") { "@$__l $__v=s:$((Get-Variable -Scope Global -Name $__v).Value)" }
    else { "@$__l $__v=unset" } } }
function __t_hex { $__l = $args[0]; foreach ($__v in $args[1..($args.Count - 1)]) {
    $__e = "$([Environment]::GetEnvironmentVariable($__v))"
    "@$__l $__v=" + [Convert]::ToHexString([Text.UTF8Encoding]::new($false).GetBytes($__e)).ToLowerInvariant() } }' ;;
    esac
}

# S_install [fakeclock]: install the hook as a user does. fakeclock replaces the hook's clock (bash and zsh
# read $EPOCHSECONDS, fish calls __credsh_now, defined by the hook) by CREDSH_TEST_NOW, the binary's test
# clock: the hooks have no test-clock input of their own.
S_install() {
    if [[ ${1-} == fakeclock ]]; then
        case $SUT in
        bash) S 'unset EPOCHSECONDS; EPOCHSECONDS=${CREDSH_TEST_NOW:-0}' ;;
        zsh) S 'typeset -g EPOCHSECONDS=${CREDSH_TEST_NOW:-0}' ;; # defined first: zsh/datetime then cannot load
        esac
    fi
    case $SUT in
    bash | zsh) S "eval \"\$(credsh hook $SUT)\"" ;;
    fish) S 'credsh hook fish | source' ;;
    pwsh) S 'Invoke-Expression (& credsh hook pwsh | Out-String)' ;; # the README's line
    esac
    if [[ ${1-} == fakeclock && $SUT == fish ]]; then
        S 'function __credsh_now; echo $CREDSH_TEST_NOW; end'
    fi
    if [[ ${1-} == fakeclock && $SUT == pwsh ]]; then
        S 'function global:__credsh_now { [long]$env:CREDSH_TEST_NOW }'
    fi
}
S_clock() { # S_clock EPOCH: move both clocks
    case $SUT in
    bash | zsh) S "EPOCHSECONDS=$1; export CREDSH_TEST_NOW=$1" ;;
    fish) S "set -gx CREDSH_TEST_NOW $1" ;;
    pwsh) S "\$env:CREDSH_TEST_NOW = '$1'" ;;
    esac
}
S_hook() { S "$HOOK"; }
S_cd() { S "cd $(q "$1")"; S_hook; }
S_show() { S "__t_show $*"; }
S_hex() { S "__t_hex $*"; }
S_rc() { S "echo \"@$1 rc=$RC\""; }
S_mark() {
    case $SUT in
    pwsh) S "[Console]::Error.WriteLine('@@$1'); '@@$1'" ;;
    *) S "echo @@$1 >&2; echo @@$1" ;;
    esac
}
# S_exists FILE: a file test the shell makes itself, without a process (the marker of scenario 7's strace).
S_exists() {
    case $SUT in
    pwsh) S "\$null = [System.IO.File]::Exists($(q "$1"))" ;;
    *) S "test -e $(q "$1")" ;;
    esac
}
# S_setenv NAME VALUE: export a variable by hand (VALUE holds no quote).
S_setenv() {
    case $SUT in
    pwsh) S "\$env:$1 = $(q "$2")" ;;
    fish) S "set -gx $1 $(q "$2")" ;;
    *) S "export $1=$(q "$2")" ;;
    esac
}
S_calls() { S "echo \"@$1 calls=\$(grep -c '^export' $(q "$CALLS"))\""; }
# A moment later: file timestamps are coarse (one kernel tick, ~4 ms), so a file changed in the same tick as
# the hook's stamp is not -nt it. Steps that test "an edit is noticed" wait a tick first; the same-tick case
# has its own check (scenario 2).
S_later() { S 'sleep 0.05'; }
# An edit followed at once by a prompt can land in the same tick as the export's stamp; the hook then exports
# a second time at the next prompt, on purpose (it cannot tell "just before" from "during"). A person never
# types that fast, so the steps that count exports wait a tick after the edit too.
S_count() { S "echo \"@$1 $2.count=\$(cat $(q "$PS/$2.count") 2>/dev/null | wc -l)\""; } # process runs

# run NAME [VAR=VALUE...]: run SCRIPT in the shell under test (environment extended by the arguments),
# from $HOME; OUT and ERR name its stdout and stderr files.
run() {
    local name=$1
    shift
    local file=$T_ROOT/$name.$EXT
    OUT=$T_ROOT/$name.out ERR=$T_ROOT/$name.err
    printf '%s' "$SCRIPT" >"$file"
    : >"$CALLS"
    script_shell "$SUT" "$file"
    (cd "$HOME" && env "$@" timeout 60 "${RUN_PREFIX[@]}" "${SCRIPT_SHELL[@]}") >"$OUT" 2>"$ERR" </dev/null
    RUN_RC=$?
    RUN_PREFIX=()
    if ((RUN_RC != 0)); then
        echo "note: $name: the $SUT script exited $RUN_RC; its stderr:"
        sed 's/^/     | /' "$ERR" | tail -20
    fi
}
RUN_PREFIX=()

get() { sed -n "s/^@$1 $2=//p" "$OUT" | tail -n 1; }       # get LABEL VAR
out_of() { awk -v m="@@$1" '$0 == m { on = 1; next } /^@@/ { on = 0 } on' "$OUT"; } # stdout of one step
err_of() { awk -v m="@@$1" '$0 == m { on = 1; next } /^@@/ { on = 0 } on' "$ERR"; } # stderr of one step
lines() { [[ -z $1 ]] && echo 0 || printf '%s\n' "$1" | wc -l; }

# ---------------------------------------------------------------------------------------------------------

scenario_1_enter_leave() {
    local s=$HOME/src V="AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID CREDSH_PROFILE CREDSH_SCOPE CREDSH_REGION CREDSH_PROMPT"
    S_begin
    S_install
    S_mark a; S_cd "$s/plain"; S_show a $V
    S_mark b; S_cd "$s/shop"; S_show b $V
    S_mark c; S_cd "$s/shop/sub/deeper"; S_show c $V
    S_mark d; S_cd "$s/shop/inner"; S_show d $V
    S_mark e; S_cd "$s/shop/inner/x"; S_show e $V
    S_mark f; S_cd "$s/shop/sub"; S_show f $V
    S_mark g; S_cd /; S_show g $V
    run s1
    check "1 outside any tree: AWS_PROFILE unset" unset "$(get a AWS_PROFILE)"
    check "1 outside any tree: CREDSH_PROFILE unset" unset "$(get a CREDSH_PROFILE)"
    check "1 bare-name .credprofile: AWS_PROFILE=dev exported" x:dev "$(get b AWS_PROFILE)"
    check "1 static profile: region from ~/.aws/config" x:eu-west-1 "$(get b AWS_REGION)"
    check "1 static profile: AWS_DEFAULT_REGION too" x:eu-west-1 "$(get b AWS_DEFAULT_REGION)"
    check "1 static profile: keys not exported (export mode auto)" unset "$(get b AWS_ACCESS_KEY_ID)"
    check "1 CREDSH_PROFILE=dev" x:dev "$(get b CREDSH_PROFILE)"
    check "1 CREDSH_SCOPE=directory" x:directory "$(get b CREDSH_SCOPE)"
    check_contains "1 prompt shows aws:dev" "aws:dev" "$(get b CREDSH_PROMPT)"
    check "1 deeper in the tree: same profile" x:dev "$(get c AWS_PROFILE)"
    check "1 deeper in the tree: same region" x:eu-west-1 "$(get c AWS_REGION)"
    check "1 nested INI .credprofile wins: staging" x:staging "$(get d AWS_PROFILE)"
    check "1 INI region applies" x:ap-southeast-2 "$(get d AWS_REGION)"
    check "1 INI region: AWS_DEFAULT_REGION" x:ap-southeast-2 "$(get d AWS_DEFAULT_REGION)"
    check "1 INI region: CREDSH_REGION" x:ap-southeast-2 "$(get d CREDSH_REGION)"
    check "1 below the nested file: still staging" x:staging "$(get e AWS_PROFILE)"
    check "1 back to the outer tree: dev" x:dev "$(get f AWS_PROFILE)"
    check "1 back to the outer tree: dev's region again" x:eu-west-1 "$(get f AWS_REGION)"
    check "1 leaving: AWS_PROFILE unset" unset "$(get g AWS_PROFILE)"
    check "1 leaving: AWS_REGION unset" unset "$(get g AWS_REGION)"
    check "1 leaving: AWS_DEFAULT_REGION unset" unset "$(get g AWS_DEFAULT_REGION)"
    check "1 leaving: CREDSH_PROFILE unset" unset "$(get g CREDSH_PROFILE)"
    check "1 leaving: CREDSH_SCOPE unset" unset "$(get g CREDSH_SCOPE)"
    check "1 leaving: prompt empty" "" "$(get g CREDSH_PROMPT | sed 's/^[sx]://; s/^unset$//')"
    check "1 nothing on stderr while navigating" "" "$(grep -v '^@@' "$ERR")"
}

scenario_2_blocked() {
    local s=$HOME/src V="AWS_PROFILE CREDSH_PROFILE CREDSH_BLOCKED CREDSH_PROMPT"
    S_begin
    S_install
    S_mark b1; S_cd "$s/blocked"; S_show b1 $V
    S_mark b2; S_hook; S_hook; S_cd "$s/blocked"
    S_mark b3; S_later; S 'credsh allow'; S_show b3 $V
    S_mark b4; S_later; S "printf '\\n' >> .credprofile"; S_later; S_hook; S_show b4 $V
    S_mark b5; S_later; S 'credsh allow'; S_show b5 $V; S "cp .credprofile $(q "$s/copy/.credprofile")"
    # An edit in the same timestamp tick in which the export that just ran started (fixtures/same_tick.sh
    # makes it deterministic; without it, editing right after a prompt hits this 3-30 % of the time here).
    S_mark b5t; S "printf '\\n' >> .credprofile"
    S "bash $(q "$FIX/same_tick.sh") .credprofile \"\$__credsh_stamp\" $(q "$T_ROOT/export.mark")"
    S_hook; S_show b5t $V
    S_mark b5u; S_later; S 'credsh allow'; S_show b5u $V
    S_mark b6; S_later; S 'credsh deny'; S_show b6 $V
    S_mark b7; S_cd "$s/copy"; S_show b7 $V
    S_mark b8; S_cd /; S_show b8 $V
    run s2
    local e1 e2 e4 e7
    e1=$(err_of b1) e2=$(err_of b2) e4=$(err_of b4) e7=$(err_of b7)
    check "2 blocked file: AWS_PROFILE not set" unset "$(get b1 AWS_PROFILE)"
    check "2 blocked file: CREDSH_PROFILE not set" unset "$(get b1 CREDSH_PROFILE)"
    check "2 blocked file: CREDSH_BLOCKED names it" "x:$s/blocked/.credprofile" "$(get b1 CREDSH_BLOCKED)"
    check_contains "2 blocked file: prompt shows blocked" blocked "$(get b1 CREDSH_PROMPT)"
    check "2 blocked file: exactly one stderr line" 1 "$(lines "$e1")"
    check_contains "2 blocked file: the line says blocked" blocked "$e1"
    check_contains "2 blocked file: the line says how to allow" "credsh allow" "$e1"
    check "2 blocked file: further prompts say nothing more" "" "$e2"
    check "2 after credsh allow: applies" x:prod "$(get b3 AWS_PROFILE)"
    check "2 after credsh allow: CREDSH_BLOCKED cleared" unset "$(get b3 CREDSH_BLOCKED)"
    check_absent "2 after credsh allow: prompt no longer blocked" blocked "$(get b3 CREDSH_PROMPT)"
    check "2 one-byte edit: blocked again" unset "$(get b4 AWS_PROFILE)"
    check "2 one-byte edit: CREDSH_BLOCKED set" "x:$s/blocked/.credprofile" "$(get b4 CREDSH_BLOCKED)"
    check "2 one-byte edit: one stderr line" 1 "$(lines "$e4")"
    check "2 re-allowed after the edit: applies" x:prod "$(get b5 AWS_PROFILE)"
    check "2 an edit in the same timestamp tick as the last export: blocked again" unset "$(get b5t AWS_PROFILE)"
    check "2 re-allowed after the same-tick edit: applies" x:prod "$(get b5u AWS_PROFILE)"
    check "2 credsh deny wins: not applied" unset "$(get b6 AWS_PROFILE)"
    check "2 credsh deny: CREDSH_BLOCKED set" "x:$s/blocked/.credprofile" "$(get b6 CREDSH_BLOCKED)"
    check_contains "2 credsh deny: says denied" denied "$(err_of b6)"
    check "2 copy of an allowed file elsewhere: not applied" unset "$(get b7 AWS_PROFILE)"
    check "2 copy of an allowed file elsewhere: blocked" "x:$s/copy/.credprofile" "$(get b7 CREDSH_BLOCKED)"
    check "2 copy: one stderr line" 1 "$(lines "$e7")"
    check "2 leaving a blocked tree: CREDSH_BLOCKED cleared" unset "$(get b8 CREDSH_BLOCKED)"
    check "2 leaving a blocked tree: prompt empty" "" "$(get b8 CREDSH_PROMPT | sed 's/^[sx]://; s/^unset$//')"
    rm -f "$s/copy/.credprofile"
}

scenario_3_session() {
    local s=$HOME/src V="AWS_PROFILE AWS_REGION CREDSH_PROFILE CREDSH_SCOPE CREDSH_PROMPT"
    S_begin
    S_install
    S_cd "$s/shop"
    S_mark u1; S 'credsh use prod'; S_rc u1; S_show u1 $V
    S_mark u2; S_cd "$s/shop/sub"; S_show u2 $V
    S_mark u3; S 'credsh use --clear'; S_rc u3; S_show u3 $V
    S_mark u4; S 'credsh use nosuch'; S_rc u4; S_show u4 $V
    S_mark u5; S 'credsh use prod'; S_cd /; S_show u5 $V
    S_mark u6; S 'credsh use nosuch'; S_rc u6; S_show u6 $V
    S_mark u7; S 'credsh use --clear'; S_show u7 $V
    run s3
    check "3 credsh use prod: exit 0" 0 "$(get u1 rc)"
    check "3 session wins over .credprofile" x:prod "$(get u1 AWS_PROFILE)"
    check "3 session profile's region" x:us-east-1 "$(get u1 AWS_REGION)"
    check "3 CREDSH_SCOPE=session" x:session "$(get u1 CREDSH_SCOPE)"
    check_contains "3 prompt shows prod" "aws:prod" "$(get u1 CREDSH_PROMPT)"
    check "3 cd within the tree keeps the session" x:prod "$(get u2 AWS_PROFILE)"
    check "3 use --clear: exit 0" 0 "$(get u3 rc)"
    check "3 use --clear: back to the directory profile" x:dev "$(get u3 AWS_PROFILE)"
    check "3 use --clear: directory scope" x:directory "$(get u3 CREDSH_SCOPE)"
    check "3 use --clear: directory region" x:eu-west-1 "$(get u3 AWS_REGION)"
    check_true "3 use nosuch: non-zero exit" test "$(get u4 rc)" != 0
    check_contains "3 use nosuch: message names it" nosuch "$(err_of u4)"
    check "3 use nosuch: one message line" 1 "$(lines "$(err_of u4)")"
    check "3 use nosuch: nothing changed (profile)" x:dev "$(get u4 AWS_PROFILE)"
    check "3 use nosuch: nothing changed (scope)" x:directory "$(get u4 CREDSH_SCOPE)"
    check "3 session outside any tree" x:prod "$(get u5 AWS_PROFILE)"
    check "3 use nosuch keeps an active session" x:prod "$(get u6 AWS_PROFILE)"
    check "3 use --clear outside a tree: unset" unset "$(get u7 AWS_PROFILE)"
    check "3 use --clear outside a tree: region unset" unset "$(get u7 AWS_REGION)"
}

scenario_4_exec() {
    local s=$HOME/src V="AWS_PROFILE AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY CREDSH_PROFILE CREDSH_SCOPE"
    local envf=$T_ROOT/exec.env envp=$T_ROOT/exec-prod.env
    S_begin
    S_install
    S_cd "$s/shop"
    S_mark x1; S "credsh exec -p admin -- env > $(q "$envf")"; S_rc x1; S_show x1 $V
    S_mark x2; S "credsh exec -p admin -- sh -c 'exit 7'"; S_rc x2
    S_mark x3; S "credsh exec -p prod -- false"; S_rc x3
    S_mark x4; S "credsh exec -p prod -- env > $(q "$envp")"; S_show x4 $V
    S_mark x5; S "credsh exec -p nosuch -- touch $(q "$T_ROOT/RAN")"; S_rc x5
    run s4
    local env_admin env_prod
    env_admin=$(cat "$envf" 2>/dev/null) env_prod=$(cat "$envp" 2>/dev/null)
    check "4 exec: exit 0" 0 "$(get x1 rc)"
    check_contains "4 child sees AWS_PROFILE=admin" $'\nAWS_PROFILE=admin\n' $'\n'"$env_admin"$'\n'
    check_contains "4 child sees admin's key" $'\nAWS_ACCESS_KEY_ID=AKIAADMIN' $'\n'"$env_admin"
    check_contains "4 child sees admin's secret" $'\nAWS_SECRET_ACCESS_KEY=S3NT1NEL-secret-admin-' $'\n'"$env_admin"
    check_contains "4 child sees CREDSH_SCOPE=command" $'\nCREDSH_SCOPE=command\n' $'\n'"$env_admin"$'\n'
    # admin names no region; eu-west-1 is dev's (the directory profile's), not the user's.
    check "4 child does not inherit the directory profile's region" "" "$(grep '^AWS_REGION=' "$envf")"
    check "4 parent: AWS_PROFILE unchanged" x:dev "$(get x1 AWS_PROFILE)"
    check "4 parent: no keys" unset "$(get x1 AWS_ACCESS_KEY_ID)"
    check "4 parent: no secret" unset "$(get x1 AWS_SECRET_ACCESS_KEY)"
    check "4 parent: scope unchanged" x:directory "$(get x1 CREDSH_SCOPE)"
    check "4 exit status of the child (7)" 7 "$(get x2 rc)"
    check "4 exit status of the child (false)" 1 "$(get x3 rc)"
    check_contains "4 static profile in the child: AWS_PROFILE=prod" $'\nAWS_PROFILE=prod\n' $'\n'"$env_prod"$'\n'
    check_contains "4 static profile in the child: its region" $'\nAWS_REGION=us-east-1\n' $'\n'"$env_prod"$'\n'
    check "4 parent after exec -p prod: still dev" x:dev "$(get x4 AWS_PROFILE)"
    check_true "4 exec -p nosuch: non-zero" test "$(get x5 rc)" != 0
    check_true "4 exec -p nosuch: the command did not run" test ! -e "$T_ROOT/RAN"
}

scenario_5_restore() {
    local s=$HOME/src
    local V="AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_SECURITY_TOKEN AWS_DEFAULT_PROFILE"
    S_begin
    S_install
    S_mark r0; S_show r0 $V
    S_mark r1; S_cd "$s/shop"; S_show r1 $V
    S_mark r2; S_cd "$s/plain"; S_show r2 $V
    S_mark r3; S_cd "$s/proc"; S_show r3 $V
    S_mark r4; S_cd /; S_show r4 $V
    run s5a AWS_PROFILE=user AWS_REGION=
    check "5 before: AWS_PROFILE=user" x:user "$(get r0 AWS_PROFILE)"
    check "5 before: AWS_REGION set and empty" x: "$(get r0 AWS_REGION)"
    check "5 inside: AWS_PROFILE=dev" x:dev "$(get r1 AWS_PROFILE)"
    check "5 inside: AWS_REGION=eu-west-1" x:eu-west-1 "$(get r1 AWS_REGION)"
    check "5 out again: AWS_PROFILE=user restored" x:user "$(get r2 AWS_PROFILE)"
    check "5 out again: empty AWS_REGION stays set and empty" x: "$(get r2 AWS_REGION)"
    check "5 out again: unset AWS_DEFAULT_REGION stays unset" unset "$(get r2 AWS_DEFAULT_REGION)"
    check "5 credential_process dir: AWS_PROFILE=proc" x:proc "$(get r3 AWS_PROFILE)"
    check "5 out of the process dir: AWS_PROFILE=user" x:user "$(get r4 AWS_PROFILE)"
    check "5 out of the process dir: keys gone" unset "$(get r4 AWS_ACCESS_KEY_ID)"
    check "5 out of the process dir: token gone" unset "$(get r4 AWS_SESSION_TOKEN)"
    check "5 out of the process dir: empty AWS_REGION" x: "$(get r4 AWS_REGION)"

    run s5b AWS_ACCESS_KEY_ID=AKIAUSERKEY AWS_SECRET_ACCESS_KEY=usersecret AWS_SECURITY_TOKEN=oldtoken \
        AWS_DEFAULT_PROFILE=olddefault
    check "5 ambient keys: present before" x:AKIAUSERKEY "$(get r0 AWS_ACCESS_KEY_ID)"
    check "5 keys beat AWS_PROFILE: ambient key removed inside" unset "$(get r1 AWS_ACCESS_KEY_ID)"
    check "5 keys beat AWS_PROFILE: ambient secret removed inside" unset "$(get r1 AWS_SECRET_ACCESS_KEY)"
    check "5 inside: AWS_SECURITY_TOKEN cleared" unset "$(get r1 AWS_SECURITY_TOKEN)"
    check "5 inside: AWS_DEFAULT_PROFILE cleared" unset "$(get r1 AWS_DEFAULT_PROFILE)"
    check "5 inside: AWS_PROFILE=dev" x:dev "$(get r1 AWS_PROFILE)"
    check "5 outside: key restored" x:AKIAUSERKEY "$(get r2 AWS_ACCESS_KEY_ID)"
    check "5 outside: secret restored" x:usersecret "$(get r2 AWS_SECRET_ACCESS_KEY)"
    check "5 outside: AWS_SECURITY_TOKEN restored" x:oldtoken "$(get r2 AWS_SECURITY_TOKEN)"
    check "5 outside: AWS_DEFAULT_PROFILE restored" x:olddefault "$(get r2 AWS_DEFAULT_PROFILE)"
    check "5 outside: AWS_PROFILE still unset" unset "$(get r2 AWS_PROFILE)"
    check "5 process dir: its own key, not the ambient one" x:AKIAPROC "$(get r3 AWS_ACCESS_KEY_ID | sed 's/[0-9]*$//')"
    check "5 process dir: AWS_SECURITY_TOKEN cleared" unset "$(get r3 AWS_SECURITY_TOKEN)"
    check "5 after the process dir: ambient key back" x:AKIAUSERKEY "$(get r4 AWS_ACCESS_KEY_ID)"
    check "5 after the process dir: ambient secret back" x:usersecret "$(get r4 AWS_SECRET_ACCESS_KEY)"
    check "5 after the process dir: session token unset again" unset "$(get r4 AWS_SESSION_TOKEN)"
    check "5 after the process dir: AWS_SECURITY_TOKEN back" x:oldtoken "$(get r4 AWS_SECURITY_TOKEN)"

    # A value the user sets by hand inside a scope is theirs: leaving keeps it.
    S_begin
    S_install
    S_cd "$s/shop"
    S_setenv AWS_REGION us-west-2
    S_hook
    S_mark h1; S_cd /; S_show h1 AWS_REGION AWS_PROFILE
    run s5c
    check "5 a region set by hand inside a scope survives leaving" x:us-west-2 "$(get h1 AWS_REGION)"
    check "5 ... while credsh's AWS_PROFILE goes" unset "$(get h1 AWS_PROFILE)"
}

# Set by hand (issue 11 item 1, README "Set by hand"): a managed variable changed by hand -- export, set -gx,
# a direnv-like prompt hook -- shows at the next prompt as the shell holds it, with the hand mark, and
# `credsh status` says so; it stands until the next `credsh use`, a change of scope, or until it is unset.
S_unset() {
    case $SUT in
    pwsh) S "Remove-Item Env:$1" ;;
    fish) S "set -e $1" ;;
    *) S "unset $1" ;;
    esac
}
S_prompt() { # what the shell runs before a prompt: a direnv-like hook placed there runs too
    case $SUT in
    bash) S 'eval "$PROMPT_COMMAND"' ;;
    zsh) S 'for __f in $precmd_functions; do $__f; done' ;;
    fish) S 'emit fish_prompt' ;;
    pwsh) S '_envrc_like; __credsh_hook' ;; # a prompt function calling a direnv-like step before the hook
    esac
}
scenario_13_set_by_hand() {
    local s=$HOME/src P='CREDSH_PROMPT AWS_PROFILE AWS_REGION AWS_ACCESS_KEY_ID'
    S_begin
    S_install
    S 'credsh use prod'
    S_mark a1; S_show a1 $P
    S_setenv AWS_PROFILE dev; S_hook
    S_mark a2; S_show a2 $P; S_calls a2
    S 'credsh status'
    S_mark a3; S_exists "$T_ROOT/MARK13_BEGIN"
    for ((i = 0; i < 20; i++)); do S_hook; done
    S_exists "$T_ROOT/MARK13_END"
    S_mark a4; S_show a4 $P; S_calls a4
    S 'credsh use prod'
    S_mark a5; S_show a5 $P
    S_setenv AWS_REGION ap-south-1; S_hook
    S_mark a6; S_show a6 $P
    S 'credsh status'
    S_mark a7; S_unset AWS_REGION; S_hook
    S_mark a8; S_show a8 $P
    # keys mode: credsh's keys would beat a hand-set AWS_PROFILE in every SDK, so they go
    S 'credsh use proc'
    S_mark a9; S_show a9 $P
    S_setenv AWS_PROFILE dev; S_hook
    S_mark a10; S_show a10 $P
    S_unset AWS_PROFILE; S_hook
    S_mark a11; S_show a11 $P
    # a change of scope ends it: set by hand in one tree, then into another tree
    S 'credsh use --clear'; S_cd "$s/shop"
    S_setenv AWS_PROFILE staging; S_hook
    S_mark b1; S_show b1 $P
    S_cd "$s/shop/sub"
    S_mark b2; S_show b2 $P
    S_cd "$s/zero"
    S_mark b3; S_show b3 $P
    S_cd /
    if command -v strace >/dev/null; then
        RUN_PREFIX=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
            strace -f -qq -e trace=%process,%file -o "$T_ROOT/s13.strace")
    fi
    run s13a
    check "13 setup: credsh use prod" "s:aws:prod* (us-east-1) x:prod" "$(get a1 CREDSH_PROMPT) $(get a1 AWS_PROFILE)"
    check "13 AWS_PROFILE=dev by hand: the prompt shows dev with the hand mark" "s:aws:dev✋" "$(get a2 CREDSH_PROMPT)"
    check "13 ... and the shell holds dev" x:dev "$(get a2 AWS_PROFILE)"
    check_contains "13 status explains it" "AWS_PROFILE=dev was set by hand; credsh's choice was prod (session)" \
        "$(out_of a2)"
    check "13 20 prompts later: no credsh call" "$(get a2 calls)" "$(get a4 calls)"
    check "13 ... dev still stands, marked" "s:aws:dev✋ x:dev" "$(get a4 CREDSH_PROMPT) $(get a4 AWS_PROFILE)"
    if [[ -s $T_ROOT/s13.strace ]]; then
        check "13 strace: no process created by 20 prompts with a hand-set value standing" 0 \
            "$(spawns MARK13_BEGIN MARK13_END "$T_ROOT/s13.strace")"
    else
        echo "note: strace unavailable; the spawn count rests on the wrapper's counter"
    fi
    check "13 credsh use prod again: prod, unmarked" "s:aws:prod* (us-east-1) x:prod" \
        "$(get a5 CREDSH_PROMPT) $(get a5 AWS_PROFILE)"
    check "13 AWS_REGION by hand: kept beside the session's profile, marked" \
        "s:aws:prod✋ (ap-south-1) x:prod x:ap-south-1" \
        "$(get a6 CREDSH_PROMPT) $(get a6 AWS_PROFILE) $(get a6 AWS_REGION)"
    check_contains "13 status explains the region" \
        "AWS_REGION=ap-south-1 was set by hand; credsh's choice was us-east-1 (session)" "$(out_of a6)"
    check "13 the region unset by hand: credsh's region again" "s:aws:prod* (us-east-1) x:us-east-1" \
        "$(get a8 CREDSH_PROMPT) $(get a8 AWS_REGION)"
    check_contains "13 setup: keys mode applies a key" x:AKIAPROC "$(get a9 AWS_ACCESS_KEY_ID)"
    check "13 keys mode, AWS_PROFILE=dev by hand: dev marked, credsh's key gone" "s:aws:dev✋ x:dev unset" \
        "$(get a10 CREDSH_PROMPT) $(get a10 AWS_PROFILE) $(get a10 AWS_ACCESS_KEY_ID)"
    check_contains "13 AWS_PROFILE unset by hand: credsh's choice again" "s:aws:proc* (eu-central-1)" \
        "$(get a11 CREDSH_PROMPT)"
    check_contains "13 ... with its key" x:AKIAPROC "$(get a11 AWS_ACCESS_KEY_ID)"
    check "13 in a tree, AWS_PROFILE=staging by hand: marked" "s:aws:staging✋ x:staging" \
        "$(get b1 CREDSH_PROMPT) $(get b1 AWS_PROFILE)"
    check "13 cd within the same tree: it stands" "s:aws:staging✋ x:staging" \
        "$(get b2 CREDSH_PROMPT) $(get b2 AWS_PROFILE)"
    check "13 cd into another tree: that tree's profile, unmarked" "s:aws:dev (eu-west-1) x:dev" \
        "$(get b3 CREDSH_PROMPT) $(get b3 AWS_PROFILE)"

    # After `use --clear`, a hand change of the ambient profile shows at the next prompt (it showed the old one).
    S_begin
    S_install
    S_mark c1; S_show c1 $P
    S 'credsh use prod'; S 'credsh use --clear'
    S_mark c2; S_show c2 $P
    S_setenv AWS_PROFILE prod; S_hook
    S_mark c3; S_show c3 $P
    S 'credsh status'
    # A direnv-like hook that exports AWS_PROFILE from a prompt hook placed before credsh's (as `direnv hook`
    # puts itself), entering a directory that has its marker file.
    case $SUT in
    bash) S '_envrc_like() { [[ -e .envrc-like ]] && export AWS_PROFILE=dev; :; }; PROMPT_COMMAND="_envrc_like;$PROMPT_COMMAND"' ;;
    zsh) S '_envrc_like() { [[ -e .envrc-like ]] && export AWS_PROFILE=dev; :; }; precmd_functions=(_envrc_like $precmd_functions)' ;;
    fish) S 'function _envrc_like --on-event fish_prompt; test -e .envrc-like; and set -gx AWS_PROFILE dev; end' ;;
    pwsh) S 'function _envrc_like { if (Test-Path .envrc-like) { $env:AWS_PROFILE = "dev" } }' ;;
    esac
    S 'credsh use prod'
    S "cd $(q "$s/envrc")"; S_prompt
    S_mark c4; S_show c4 $P
    S 'credsh status'
    S_mark c5
    mkdir -p "$s/envrc" && : >"$s/envrc/.envrc-like"
    run s13b AWS_PROFILE=dev
    check "13 ambient dev" "s:aws:dev~" "$(get c1 CREDSH_PROMPT)"
    check "13 after use prod, use --clear: dev again" "s:aws:dev~ x:dev" "$(get c2 CREDSH_PROMPT) $(get c2 AWS_PROFILE)"
    check "13 then AWS_PROFILE=prod by hand: the prompt shows prod" "s:aws:prod~ x:prod" \
        "$(get c3 CREDSH_PROMPT) $(get c3 AWS_PROFILE)"
    check_contains "13 ... and status says prod" "profile   prod  (ambient scope" "$(out_of c3)"
    check "13 a direnv-like prompt hook sets AWS_PROFILE=dev under session prod: dev, marked" "s:aws:dev✋ x:dev" \
        "$(get c4 CREDSH_PROMPT) $(get c4 AWS_PROFILE)"
    check_contains "13 ... status explains it" "AWS_PROFILE=dev was set by hand; credsh's choice was prod (session)" \
        "$(out_of c4)"
}

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }

scenario_6_expiry() {
    local s=$HOME/src T0 T1
    T0=$(date +%s)
    T1=$((T0 + 2701))
    local V="AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_CREDENTIAL_EXPIRATION CREDSH_EXPIRES CREDSH_PROMPT"
    rm -f "$PS"/proc.* "$PS"/stale.count "$PS"/broken.count
    S_begin
    S_install fakeclock
    S_clock "$T0"
    S_mark p1; S_cd "$s/proc"; S_show p1 $V; S_count p1 proc; S_calls p1
    S_mark p2; S_hook; S_hook; S_hook; S_hook; S_hook; S_cd "$s/proc/sub"; S_cd "$s/proc"; S_hook
    S_count p2 proc; S_calls p2; S_show p2 AWS_ACCESS_KEY_ID
    S_mark p3; S_clock $((T0 + 2000)); S_hook; S_hook; S_count p3 proc; S_calls p3; S_show p3 CREDSH_PROMPT
    S_mark p4; S_clock $((T0 + 2701)); S_hook; S_count p4 proc; S_show p4 $V
    S_mark p5; S_clock $((T0 + 2702)); S_hook; S_hook; S_cd "$s/proc/sub"; S_count p5 proc
    S_mark p6; S "touch $(q "$PS/proc.fail")"; S_clock $((T1 + 3600 - 700)); S_hook; S_count p6 proc; S_show p6 $V
    S_mark p7; S_clock $((T1 + 3600 - 670)); S_hook; S_count p7 proc
    S_mark p8; S_clock $((T1 + 3600 + 5)); S_hook; S_count p8 proc; S_show p8 $V
    S_mark p9; S "rm $(q "$PS/proc.fail")"; S_clock $((T1 + 3600 + 70)); S_hook; S_count p9 proc; S_show p9 $V
    S_mark p10; S_cd "$s/stale"; S_count p10 stale; S_show p10 $V
    S_mark p11; S_cd "$s/proc"; S_show p11 AWS_ACCESS_KEY_ID
    S_mark p12; S_cd "$s/broken"; S_count p12 broken; S_show p12 $V
    run s6
    check "6 first entry runs the process once" 1 "$(get p1 proc.count)"
    check "6 process credentials exported" x:AKIAPROC1 "$(get p1 AWS_ACCESS_KEY_ID)"
    check "6 secret exported" x:S3NT1NEL-secret-proc-1 "$(get p1 AWS_SECRET_ACCESS_KEY)"
    check "6 session token exported" x:S3NT1NEL-token-proc-1 "$(get p1 AWS_SESSION_TOKEN)"
    check "6 AWS_CREDENTIAL_EXPIRATION" "x:$(iso $((T0 + 3600)))" "$(get p1 AWS_CREDENTIAL_EXPIRATION)"
    check "6 AWS_PROFILE with the keys" x:proc "$(get p1 AWS_PROFILE)"
    check "6 CREDSH_EXPIRES" "x:$((T0 + 3600))" "$(get p1 CREDSH_EXPIRES)"
    check_contains "6 prompt shows time left" "1h00m" "$(get p1 CREDSH_PROMPT)"
    check "6 no stderr while valid" "" "$(err_of p1)$(err_of p2)$(err_of p3)"
    check "6 repeated prompts and cd within the tree: process not re-run" 1 "$(get p2 proc.count)"
    check "6 repeated prompts and cd within the tree: no export call" "$(get p1 calls)" "$(get p2 calls)"
    check "6 still valid after the prompts" x:AKIAPROC1 "$(get p2 AWS_ACCESS_KEY_ID)"
    check "6 26 min left (> 15): process not re-run" 1 "$(get p3 proc.count)"
    check "6 26 min left (> 15): no export call" "$(get p1 calls)" "$(get p3 calls)"
    check_contains "6 prompt counts down" "26m" "$(get p3 CREDSH_PROMPT)"
    check "6 past expiry-15min: the process ran again" 2 "$(get p4 proc.count)"
    check "6 past expiry-15min: new credentials" x:AKIAPROC2 "$(get p4 AWS_ACCESS_KEY_ID)"
    check "6 past expiry-15min: new expiry" "x:$((T1 + 3600))" "$(get p4 CREDSH_EXPIRES)"
    check "6 new credentials: no more runs on the next prompts" 2 "$(get p5 proc.count)"
    check "6 refresh failing 11m before expiry: one attempt" 3 "$(get p6 proc.count)"
    check "6 refresh failing 11m before expiry: valid keys kept" x:AKIAPROC2 "$(get p6 AWS_ACCESS_KEY_ID)"
    check "6 refresh failing 11m before expiry: one warning line" 1 "$(lines "$(err_of p6)")"
    check "6 failed refresh not retried within 60 s" 3 "$(get p7 proc.count)"
    check "6 failing at expiry: one attempt" 4 "$(get p8 proc.count)"
    check "6 expired credentials never exported: key" unset "$(get p8 AWS_ACCESS_KEY_ID)"
    check "6 expired credentials never exported: secret" unset "$(get p8 AWS_SECRET_ACCESS_KEY)"
    check "6 expired credentials never exported: token" unset "$(get p8 AWS_SESSION_TOKEN)"
    check "6 expired: AWS_CREDENTIAL_EXPIRATION unset" unset "$(get p8 AWS_CREDENTIAL_EXPIRATION)"
    check "6 expired: CREDSH_EXPIRES unset" unset "$(get p8 CREDSH_EXPIRES)"
    check "6 expired with a failing process: one line" 1 "$(lines "$(err_of p8)")"
    check "6 process fixed, a minute later: it runs again" 5 "$(get p9 proc.count)"
    check "6 process fixed: fresh credentials" x:AKIAPROC5 "$(get p9 AWS_ACCESS_KEY_ID)"
    check "6 a process returning expired credentials ran" 1 "$(get p10 stale.count)"
    check "6 ... its credentials are not exported" unset "$(get p10 AWS_ACCESS_KEY_ID)"
    check "6 ... nor the previous directory's" unset "$(get p10 AWS_SECRET_ACCESS_KEY)"
    check "6 ... one line" 1 "$(lines "$(err_of p10)")"
    check_contains "6 ... saying expired" expired "$(err_of p10)"
    check_contains "6 back in the process dir: keys again" x:AKIAPROC "$(get p11 AWS_ACCESS_KEY_ID)"
    check "6 failing process: it ran" 1 "$(get p12 broken.count)"
    check "6 failing process: no stale key" unset "$(get p12 AWS_ACCESS_KEY_ID)"
    check "6 failing process: no stale secret" unset "$(get p12 AWS_SECRET_ACCESS_KEY)"
    check "6 failing process: no stale token" unset "$(get p12 AWS_SESSION_TOKEN)"
    check "6 failing process: no stale expiration" unset "$(get p12 AWS_CREDENTIAL_EXPIRATION)"
    check "6 failing process: one line" 1 "$(lines "$(err_of p12)")"
    check_no_match "6 no secret in any message" S3NT1NEL "$ERR"
}

scenario_7_zero_spawn() {
    local s=$HOME/src i
    S_begin
    S_install
    S_cd "$s/zero"
    S_mark z0; S_calls z0; S_show z0 AWS_PROFILE
    S_exists "$T_ROOT/MARK_BEGIN"
    for ((i = 0; i < 50; i++)); do S_hook; done
    for ((i = 0; i < 5; i++)); do S_cd "$s/zero/sub"; S_cd "$s/zero"; done
    S_exists "$T_ROOT/MARK_END"
    S_mark z1; S_calls z1
    S_later; S "touch $(q "$HOME/.aws/config")"; S_later; S_hook
    S_mark z2; S_calls z2
    S_hook; S_hook; S_hook
    S_mark z3; S_calls z3
    S_later; S "printf '# edited\\n' >> .credprofile"; S_later; S_hook
    S_mark z4; S_calls z4; S_show z4 AWS_PROFILE CREDSH_BLOCKED
    S_hook; S_hook
    S_mark z5; S_calls z5
    S_later; S 'credsh allow 2>/dev/null'
    S_mark z6; S_calls z6; S_show z6 AWS_PROFILE
    # The same with credentials that expire: the hook now also compares the clock with the refresh time.
    S_cd "$s/proc"
    S_mark z7; S_calls z7; S_show z7 AWS_ACCESS_KEY_ID
    S_exists "$T_ROOT/MARK2_BEGIN"
    for ((i = 0; i < 50; i++)); do S_hook; done
    S_exists "$T_ROOT/MARK2_END"
    S_mark z8; S_calls z8
    if command -v strace >/dev/null; then
        # LeakSanitizer cannot run under ptrace and aborts the process at exit; leaks are checked everywhere else.
        RUN_PREFIX=(env "ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
            strace -f -qq -e trace=%process,%file -o "$T_ROOT/s7.strace")
    fi
    run s7
    local z0 z1 z2 z3 z4 z5 z6
    z0=$(get z0 calls) z1=$(get z1 calls) z2=$(get z2 calls) z3=$(get z3 calls)
    z4=$(get z4 calls) z5=$(get z5 calls) z6=$(get z6 calls)
    check "7 setup: the profile applies" x:dev "$(get z0 AWS_PROFILE)"
    check_true "7 setup: export was called" test "${z0:-0}" -ge 1
    check "7 50 prompts and 10 cd within the tree: no credsh call" "$z0" "$z1"
    check "7 ~/.aws/config touched: exactly one export" $((z1 + 1)) "$z2"
    check "7 then quiet again" "$z2" "$z3"
    check "7 .credprofile edited: exactly one export" $((z3 + 1)) "$z4"
    check "7 the edit blocks it" unset "$(get z4 AWS_PROFILE)"
    check "7 blocked: further prompts call nothing" "$z4" "$z5"
    check "7 credsh allow: exactly one export" $((z5 + 1)) "$z6"
    check "7 allowed again" x:dev "$(get z6 AWS_PROFILE)"
    check_contains "7 expiring credentials applied" x:AKIAPROC "$(get z7 AWS_ACCESS_KEY_ID)"
    check "7 expiring credentials: 50 prompts, no credsh call" "$(get z7 calls)" "$(get z8 calls)"
    if [[ -s $T_ROOT/s7.strace ]]; then
        check "7 strace: no process created by 50 prompts and 10 cd" 0 "$(spawns MARK_BEGIN MARK_END)"
        check "7 strace: no process created by 50 prompts with expiring credentials (docs/design.md §4)" 0 \
            "$(spawns MARK2_BEGIN MARK2_END)"
    else
        echo "note: strace unavailable; the spawn count rests on the wrapper's counter"
    fi
}

# spawns BEGIN END [TRACE]: processes the shell created between two marker stats in the strace log (threads do
# not count); TRACE defaults to scenario 7's.
spawns() {
    awk -v b="$T_ROOT/$1" -v e="$T_ROOT/$2" '
        index($0, "\"" b "\"") { on = 1; seen++; next }
        index($0, "\"" e "\"") { on = 0; seen++ }
        on && (/ execve\(/ || / v?fork\(/ || (/ clone3?\(/ && !/CLONE_THREAD/)) { n++ }
        END { print (seen == 2 ? n + 0 : "markers not found in the trace") }' "${3:-$T_ROOT/s7.strace}"
}

scenario_8_status() {
    local s=$HOME/src
    S_begin
    S_install
    S_cd "$s/shop"
    S_mark e1; S 'false'; S_hook; S_rc e1
    S_mark e2; S_later; S "touch $(q "$HOME/.aws/config")"; S_calls e2a; S 'false'; S_hook; S_rc e2; S_calls e2b
    S_mark e3; S_later; S "touch $(q "$HOME/.aws/config")"; S "sh -c 'exit 7'"; S_hook; S_rc e3
    S_mark e4; S "sh -c 'exit 7'"; S_cd "$s/shop/inner"
    S "sh -c 'exit 3'"; S_hook; S_rc e4
    run s8
    check "8 false; hook; status is 1" 1 "$(get e1 rc)"
    check "8 false; hook that runs export; status is 1" 1 "$(get e2 rc)"
    check "8 ... and export did run" $(($(get e2a calls) + 1)) "$(get e2b calls)"
    check "8 exit 7; hook that runs export; status is 7" 7 "$(get e3 rc)"
    check "8 exit 3; hook after a profile change; status is 3" 3 "$(get e4 rc)"
}

scenario_9_xtrace() {
    local s=$HOME/src
    rm -f "$PS"/proc.fail
    S_begin
    S_install
    case $SUT in
    bash | zsh) S 'set -x' ;;
    fish) S 'set -g fish_trace 1' ;;
    pwsh) S 'Set-PSDebug -Trace 2' ;; # lines and every assignment with its value
    esac
    if [[ $SUT == pwsh ]]; then S "\$null = 'xtrace-is-on'"; else S ': xtrace-is-on'; fi
    S_cd "$s/proc"
    S_cd "$s/proc/sub"
    S 'credsh use procb'
    S 'credsh status'
    S 'credsh status --explain'
    S 'credsh use --clear'
    S "credsh exec -p admin -- true"
    S_cd /
    S_cd "$s/proc"
    case $SUT in
    bash | zsh) S 'set +x' ;;
    fish) S 'set -e fish_trace' ;;
    pwsh) S 'Set-PSDebug -Off' ;;
    esac
    S_show t1 AWS_SECRET_ACCESS_KEY
    run s9
    local err
    err=$(cat "$ERR")
    if [[ $SUT == pwsh ]]; then # PowerShell writes its trace (DEBUG: lines) to stdout
        grep -v '^@t1 ' "$OUT" >"$T_ROOT/s9.trace"
        err=$(cat "$ERR" "$T_ROOT/s9.trace")
        check_no_match "9 no secret in the trace on stdout" S3NT1NEL "$T_ROOT/s9.trace"
    fi
    check_contains "9 tracing was on" xtrace-is-on "$err"
    check_contains "9 the secret was set in the shell" S3NT1NEL-secret-proc "$(get t1 AWS_SECRET_ACCESS_KEY)"
    check_no_match "9 no secret on stderr under tracing" S3NT1NEL "$ERR"
}

scenario_10_idempotent() {
    local s=$HOME/src
    S_begin
    case $SUT in
    bash) S "PROMPT_COMMAND='history -a'" ;;
    esac
    S_install
    S_install
    S_mark i1; S_calls i1
    case $SUT in
    bash) S 'echo "@i1 pc=$PROMPT_COMMAND"' ;;
    zsh) S 'echo "@i1 pc=${precmd_functions[*]}"'; S 'echo "@i1 cd=${chpwd_functions[*]}"' ;;
    fish) S 'echo "@i1 pc=$(functions --handlers | string join " ")"' ;;
    pwsh)
        S 'echo "@i1 pc=$(@($ExecutionContext.InvokeCommand.LocationChangedAction.GetInvocationList()).Count)"'
        S 'echo "@i1 orig=$(if ("$__credsh_prompt_orig" -match "__credsh_hook") { "wrapped" } else { "original" })"'
        ;;
    esac
    S_mark i2; S_cd "$s/shop"; S_hook; S_calls i2; S_show i2 AWS_PROFILE
    S_mark i3; S_later; S "touch $(q "$HOME/.aws/config")"; S_later; S_hook; S_hook; S_calls i3
    run s10
    local pc
    pc=$(get i1 pc)
    check "10 installed twice: export ran once" 1 "$(get i1 calls)"
    case $SUT in
    bash)
        check "10 PROMPT_COMMAND holds the hook once" 1 "$(grep -o '_credsh_hook' <<<"$pc" | wc -l)"
        check_contains "10 the user's PROMPT_COMMAND is kept" "history -a" "$pc"
        ;;
    zsh)
        check "10 precmd_functions holds the hook once" 1 "$(grep -o '_credsh_hook' <<<"$pc" | wc -l)"
        check "10 chpwd_functions holds the hook once" 1 "$(get i1 cd | grep -o _credsh_hook | wc -l)"
        ;;
    fish)
        check "10 one fish_prompt handler" 1 "$(grep -o 'fish_prompt __credsh_hook' <<<"$pc" | wc -l)"
        check "10 one PWD handler" 1 "$(grep -o 'PWD __credsh_hook' <<<"$pc" | wc -l)"
        ;;
    pwsh)
        check "10 one LocationChangedAction handler" 1 "$pc"
        check "10 the prompt is wrapped once (the saved prompt is the user's)" original "$(get i1 orig)"
        ;;
    esac
    check "10 one change: one export" 2 "$(get i2 calls)"
    check "10 the profile applies" x:dev "$(get i2 AWS_PROFILE)"
    check "10 the watch list survived the second install: one export" 3 "$(get i3 calls)"

    if [[ $SUT == bash ]]; then
        # bash >= 5.1: PROMPT_COMMAND may be an array; installing twice must not add a second entry.
        S_begin
        S "PROMPT_COMMAND=(userfn)"
        S_install
        S_install
        S 'echo "@a1 pc=${PROMPT_COMMAND[*]}"'
        run s10b
        check "10 array PROMPT_COMMAND: the hook is registered once" 1 \
            "$(get a1 pc | grep -o '_credsh_hook' | wc -l)"
        check_contains "10 array PROMPT_COMMAND: the user's entry is kept" userfn "$(get a1 pc)"
    fi
}

scenario_11_quoting() {
    local s=$HOME/src
    python3 - "$PS/weird.json" "$T_ROOT/weird.hex" <<'EOF'
import json, sys
secret = "'\"\\$(touch PWNED)`touch PWNED`!*?[~#;&|<>{a,b}\r\nline2\x1b[31m\u2018\u2019 \u0430ws %s%n $HOME \\'\n"
token = "tok'en\n\n$(touch PWNED)\x01\x7f\u00e9\U0001F600 '\\''\\\n"
key = "AKIA'$(touch PWNED)"
doc = {"Version": 1, "AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token}
open(sys.argv[1], "w").write(json.dumps(doc))
with open(sys.argv[2], "w") as f:
    for name, v in (("AWS_ACCESS_KEY_ID", key), ("AWS_SECRET_ACCESS_KEY", secret), ("AWS_SESSION_TOKEN", token)):
        f.write("%s %s\n" % (name, v.encode("utf-8").hex()))
EOF
    local V="AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN" loc v want
    S_begin
    S_install
    S_mark w1; S_cd "$s/weird"; S_hex w1 $V
    for v in $V; do S "echo \"@w1 env.$v=\$(printenv $v | od -An -tx1 -v | tr -d ' \\n')\""; done
    S_mark w2; S_cd /; S_show w2 $V
    for loc in C C.UTF-8; do
        run "s11-$loc" LC_ALL=$loc
        for v in $V; do
            want=$(sed -n "s/^$v //p" "$T_ROOT/weird.hex")
            check "11 [$loc] $v round-trips into the shell" "$want" "$(get w1 "$v")"
            check "11 [$loc] $v reaches child processes exactly" "${want}0a" "$(get w1 "env.$v")"
            check "11 [$loc] $v is unset on leaving" unset "$(get w2 "$v")"
        done
        check "11 [$loc] no PWNED file anywhere" "" "$(find "$T_ROOT" -name PWNED)"
        check "11 [$loc] nothing on stderr" "" "$(grep -v '^@@' "$ERR")"
    done
}

# ---------------------------------------------------------------------------------------------------------

setup_world
scenario_12_appear() {
    # The shell stays in one directory while .credprofile files appear and disappear around it: the hook's
    # cheap path (same $PWD) must still see a nearer file, a removed one, and a first one where none was.
    local s=$HOME/src V="AWS_PROFILE CREDSH_BLOCKED"
    S_begin
    S_install
    S_cd "$s/shop/sub/deeper"; S_hook; S_hook
    S_mark n1; S_show n1 $V
    S_mark n2; S "printf 'staging\\n' >../.credprofile"; S_hook; S_show n2 $V
    S_mark n3; S 'credsh allow ..'; S_hook; S_show n3 $V
    S_mark n4; S 'rm ../.credprofile'; S_hook; S_show n4 $V
    S_mark n5; S "printf 'prod\\n' >.credprofile"; S_hook; S_show n5 $V
    S_mark n6; S 'rm .credprofile'; S_hook; S_show n6 $V
    S_cd "$s/plain"; S_hook; S_hook
    S_mark n7; S_show n7 $V
    S_mark n8; S "printf 'dev\\n' >.credprofile"; S_hook; S_show n8 $V
    S_mark n9; S 'rm .credprofile'; S_hook; S_show n9 $V
    run s12
    check "12 setup: dev from the tree" x:dev "$(get n1 AWS_PROFILE)"
    check "12 a nearer file appears above \$PWD: it takes over (blocked until allowed)" \
        "x:$s/shop/sub/.credprofile" "$(get n2 CREDSH_BLOCKED)"
    check "12 ... and dev is no longer applied" unset "$(get n2 AWS_PROFILE)"
    check "12 allowed: it applies" x:staging "$(get n3 AWS_PROFILE)"
    check "12 it is removed: dev again" x:dev "$(get n4 AWS_PROFILE)"
    check "12 it is removed: nothing blocked" unset "$(get n4 CREDSH_BLOCKED)"
    check "12 a file appears in \$PWD itself: blocked" "x:$s/shop/sub/deeper/.credprofile" "$(get n5 CREDSH_BLOCKED)"
    check "12 removed again: dev" x:dev "$(get n6 AWS_PROFILE)"
    check "12 no file anywhere: nothing applied" unset "$(get n7 AWS_PROFILE)"
    check "12 a first file appears where none was: blocked" "x:$s/plain/.credprofile" "$(get n8 CREDSH_BLOCKED)"
    check "12 removed: nothing applied, nothing blocked" "unset unset" \
        "$(get n9 AWS_PROFILE) $(get n9 CREDSH_BLOCKED)"
    rm -f "$s/shop/sub/.credprofile" "$s/shop/sub/deeper/.credprofile" "$s/plain/.credprofile"
}

# 14. Re-entering a credential_process profile (docs/security.md 47): what the helper gave is kept in the
# shell's state while the shell is elsewhere, and reused while more than 15 minutes are left -- never written
# to a file. Three entries: one run. Credentials inside the refresh window: a run per entry. No Expiration:
# kept as not expiring (as botocore does), until `credsh logout PROFILE` -- then one more run.
scenario_14_process_reentry() {
    local s=$HOME/src i
    rm -f "$PS"/proc.* "$PS"/procb.*
    : >"$T_ROOT/s14.start"
    S_begin
    S_install
    for i in 1 2 3; do
        S_mark e$i; S_cd "$s/proc"; S_show e$i AWS_ACCESS_KEY_ID CREDSH_PROFILE; S_cd "$s/plain"; S_show l$i AWS_ACCESS_KEY_ID
    done
    S_count r3 proc
    S_mark b; S_cd "$s/procb"; S_cd "$s/proc"; S_show b AWS_ACCESS_KEY_ID; S_cd "$s/procb"; S_show b2 AWS_ACCESS_KEY_ID
    S_count b proc; S_count b procb
    S_mark o; S "credsh logout proc"; S_hook; S_cd "$s/proc"; S_count o proc; S_show o AWS_ACCESS_KEY_ID
    S_cd "$s/plain"
    run s14
    check "14 first entry: the helper's credentials" "x:AKIAPROC1 x:proc" "$(get e1 AWS_ACCESS_KEY_ID) $(get e1 CREDSH_PROFILE)"
    check "14 leaving: the keys are gone from the environment" unset "$(get l1 AWS_ACCESS_KEY_ID)"
    check "14 second and third entry: the same credentials" "x:AKIAPROC1 x:AKIAPROC1" \
        "$(get e2 AWS_ACCESS_KEY_ID) $(get e3 AWS_ACCESS_KEY_ID)"
    check "14 three entries, 60 min left: the helper ran once" 1 "$(get r3 proc.count)"
    check "14 another helper's profile in between: each keeps its own" "x:AKIAPROC1 x:AKIAPROCB1" \
        "$(get b AWS_ACCESS_KEY_ID) $(get b2 AWS_ACCESS_KEY_ID)"
    check "14 ... proc ran once, procb once" "1 1" "$(get b proc.count) $(get b procb.count)"
    check "14 credsh logout proc: the next entry runs the helper again" 2 "$(get o proc.count)"
    check "14 ... and applies its new credentials" x:AKIAPROC2 "$(get o AWS_ACCESS_KEY_ID)"
    check "14 no stderr but logout's line" "" "$(grep -v -e 'logged out: proc' -e '^@@' "$ERR")"
    check "14 no file written since the start holds the helper's secret" "" \
        "$(find "$T_ROOT" -type f -newer "$T_ROOT/s14.start" ! -name 's14.*' -exec grep -l S3NT1NEL-secret-proc {} +)"
    check "14 no credential cache file at all" "" \
        "$(find "$HOME/.aws/cli" "$XDG_CACHE_HOME/credsh/creds" -type f 2>/dev/null)"

    # Inside the refresh window (10 minutes left): kept credentials are not reused, each entry runs the helper.
    rm -f "$PS"/proc.*
    echo 600 >"$PS/proc.ttl"
    S_begin
    S_install
    for i in 1 2 3; do S_cd "$s/proc"; S_show w$i AWS_ACCESS_KEY_ID; S_cd "$s/plain"; done
    S_count w proc
    run s14w
    check "14 10 min left: three entries, three runs" 3 "$(get w proc.count)"
    check "14 ... each with the new credentials" "x:AKIAPROC1 x:AKIAPROC3" "$(get w1 AWS_ACCESS_KEY_ID) $(get w3 AWS_ACCESS_KEY_ID)"

    # No Expiration in the helper's output: kept as not expiring. (procb: proc's logout above, perhaps in this
    # same second, would make credentials obtained in that second count as from before it.)
    rm -f "$PS"/procb.*
    printf '{"Version": 1, "AccessKeyId": "AKIANOEXP", "SecretAccessKey": "S3NT1NEL-noexp"}\n' >"$PS/procb.json"
    S_begin
    S_install
    for i in 1 2 3; do S_cd "$s/procb"; S_show n$i AWS_ACCESS_KEY_ID; S_cd "$s/plain"; done
    S_count n procb
    run s14n
    check "14 no Expiration: three entries, one run" 1 "$(get n procb.count)"
    check "14 ... the keys on every entry" "x:AKIANOEXP x:AKIANOEXP" "$(get n1 AWS_ACCESS_KEY_ID) $(get n3 AWS_ACCESS_KEY_ID)"
    rm -f "$PS"/proc.* "$PS"/procb.*
}

# failures.sh borrows the machinery above (snippets, run, checks, the world) for scenarios of its own.
[[ -n ${SCENARIOS_LIB-} ]] && return 0
scenario_1_enter_leave
scenario_2_blocked
scenario_3_session
scenario_4_exec
scenario_5_restore
scenario_6_expiry
scenario_7_zero_spawn
scenario_8_status
scenario_9_xtrace
scenario_10_idempotent
scenario_11_quoting
scenario_12_appear
scenario_13_set_by_hand
scenario_14_process_reentry
finish
