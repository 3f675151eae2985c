#!/usr/bin/env bash
# MFA with the mfa-sts plugin, typed by a person into a terminal (tmux), against the strict STS fake
# (tests/fakes/sts_strict.py: unlike moto it checks the code and DurationSeconds):
#   - `credsh exec -p P` asks on /dev/tty with echo off (the code never shows on the screen), a right code
#     gives credentials, a wrong one STS's AccessDenied; a malformed one (not 6 digits) is asked again, 3 tries
#     in all, then a local error and no STS call; without a terminal it fails at once instead of waiting
#     (docs/security.md 28);
#   - `credsh use P` typed in bash, zsh, fish and PowerShell asks for the code right there (not "run credsh
#     login"), a malformed code again, and the prompt then shows P with the session's key in the shell; 3
#     malformed codes leave the shell's profile (and its prompt) as it was, non-zero; `credsh exec` through the
#     hook's function asks again after a slip; without a terminal `use` asks nothing and calls nothing;
#   - GetSessionToken for keys + mfa_serial, through `credsh login`;
#   - in a prompt hook the profile shows the one-line "needs an MFA code — run: credsh login P" hint once, later
#     prompts stay quiet, no code is asked for; after `credsh login P` in another terminal the first shell
#     picks the session up at its next prompt (the cache file is watched);
#   - duration_seconds: out of STS's range is refused locally with the range; above the role's maximum, STS's
#     ValidationError is passed on; a role that requires MFA refuses a call without it (AccessDenied).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux bash python3 curl setsid

PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }
CODE=246810
start_fake sts_strict.py FAKE_PORT --mfa-code "$CODE"
FAKE=http://127.0.0.1:$FAKE_PORT
mkdir -p "$T_ROOT/bin" "$HOME/src/mfaproj"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
SERIAL=arn:aws:iam::111122223333:mfa/person
cat >"$HOME/.aws/credentials" <<'EOF'
[base]
aws_access_key_id = AKIAMFABASE000000001
aws_secret_access_key = S3NT1NEL-base-secret
[mfa]
aws_access_key_id = AKIAMFASESSION000001
aws_secret_access_key = S3NT1NEL-mfa-secret
EOF
cat >"$HOME/.aws/config" <<EOF
[profile mfa]
mfa_serial = $SERIAL
duration_seconds = 7200
[profile mfarole]
role_arn = arn:aws:iam::111122223333:role/MfaAdmin
source_profile = base
mfa_serial = $SERIAL
[profile hookrole]
role_arn = arn:aws:iam::111122223333:role/MfaHook
role_session_name = hook
source_profile = base
mfa_serial = $SERIAL
[profile nomfa]
role_arn = arn:aws:iam::111122223333:role/MfaAdmin
role_session_name = no-mfa
source_profile = base
[profile usebash]
role_arn = arn:aws:iam::111122223333:role/MfaUseBash
source_profile = base
mfa_serial = $SERIAL
[profile usezsh]
role_arn = arn:aws:iam::111122223333:role/MfaUseZsh
source_profile = base
mfa_serial = $SERIAL
[profile usefish]
role_arn = arn:aws:iam::111122223333:role/MfaUseFish
source_profile = base
mfa_serial = $SERIAL
[profile usepwsh]
role_arn = arn:aws:iam::111122223333:role/MfaUsePwsh
source_profile = base
mfa_serial = $SERIAL
[profile usefail]
role_arn = arn:aws:iam::111122223333:role/MfaUseFail
source_profile = base
mfa_serial = $SERIAL
[profile execslip]
role_arn = arn:aws:iam::111122223333:role/MfaExecSlip
source_profile = base
mfa_serial = $SERIAL
[profile execfish]
role_arn = arn:aws:iam::111122223333:role/MfaExecFish
source_profile = base
mfa_serial = $SERIAL
[profile execpwsh]
role_arn = arn:aws:iam::111122223333:role/MfaExecPwsh
source_profile = base
mfa_serial = $SERIAL
[profile shortdur]
role_arn = arn:aws:iam::111122223333:role/Short
source_profile = base
duration_seconds = 100
[profile longrole]
role_arn = arn:aws:iam::111122223333:role/Long
source_profile = base
duration_seconds = 7200
EOF
(cd "$HOME/src/mfaproj" && "$CREDSH_BIN" pin hookrole 2>/dev/null) || echo "setup: pin hookrole failed"
calls() { curl -s "$FAKE/_calls"; }
ncalls() { calls | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true "AWS_ENDPOINT_URL_STS=$FAKE")

# --- without a terminal ---------------------------------------------------------------------------------------
out=$(tail -f /dev/null | setsid "${BASE_ENV[@]}" timeout 300 credsh exec -p mfarole -- true 2>&1)
rc=$?
check "no terminal: exec fails" 1 "$rc"
check_contains "no terminal: says why" "no terminal" "$out"
check_true "no terminal: never waits for a code (ends by itself, not by the outer timeout)" test "$rc" -ne 124
check "no terminal: no STS call" 0 "$(ncalls)"

# --- tmux ---------------------------------------------------------------------------------------------------
SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
screen() { tm capture-pane -p -J -S - -t "$1" 2>/dev/null; }
# wait_for SESSION TEXT: until the screen shows TEXT (2 minutes at most: an upper bound for a hung test, not a measure)
wait_for() {
    local i
    for ((i = 0; i < 2400; i++)); do
        [[ $(screen "$1") == *"$2"* ]] && return 0
        sleep 0.05
    done
    return 1
}
count() { screen "$1" | grep -cF -- "$2"; }
# wait_until_count SESSION TEXT N: until TEXT shows N times (an upper bound for a hung test, not a measure)
wait_until_count() {
    local i
    for ((i = 0; i < 2400; i++)); do
        (($(count "$1" "$2") >= $3)) && return 0
        sleep 0.05
    done
    return 1
}
typeit() { tm send-keys -t "$1" -l -- "$2"; tm send-keys -t "$1" Enter; }
# fresh SESSION: clears the screen and the scrollback and waits until no earlier "MFA code for" prompt is
# visible, so the next wait_for cannot match the previous attempt's text.
fresh() {
    local i
    tm send-keys -t "$1" C-l
    for ((i = 0; i < 200; i++)); do
        tm clear-history -t "$1"
        [[ $(screen "$1") != *"MFA code for"* ]] && return 0
        sleep 0.05
    done
    return 1
}
cat >"$T_ROOT/rc" <<'EOF'
unset HISTFILE
PS1='P$((++__n))> '
eval "$(credsh hook bash)"
EOF
start_sh() { # start_sh NAME: an interactive bash with the hook, in $HOME
    tm -f /dev/null new-session -d -s "$1" -x 220 -y 50 -c "$HOME" "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/rc" -i
    wait_for "$1" "P1> "
}
start_sh A

# exec with MFA: the code is typed into the prompt, never echoed
typeit A "credsh exec -p mfarole -- sh -c 'echo KEY=\$AWS_ACCESS_KEY_ID'; echo rc=\$?"
check_true "exec: asks for the MFA code on the terminal" wait_for A "MFA code for $SERIAL: "
tm send-keys -t A -l -- "$CODE"
tm send-keys -t A Enter
check_true "exec: the command ran with the role's key" wait_for A "KEY=ASIAFAKE"
check_true "exec: exit status 0" wait_for A "rc=0"
check_absent "exec: the code never appears on the screen (echo off)" "$CODE" "$(screen A)"
summary=$(calls | python3 -c 'import json,sys; print(" ".join("%s:%s:%s" % (c["action"], c["role_arn"], c["serial"]) for c in json.load(sys.stdin)))')
check "exec: one AssumeRole with the device's serial" "AssumeRole:arn:aws:iam::111122223333:role/MfaAdmin:$SERIAL" "$summary"

# a second exec within the session's life: cached, no code asked
n=$(count A "MFA code for")
typeit A "credsh exec -p mfarole -- sh -c 'echo AGAIN=\$AWS_ACCESS_KEY_ID'"
check_true "exec again: runs from the cache" wait_for A "AGAIN=ASIAFAKE"
check "exec again: no code asked" "$n" "$(count A "MFA code for")"
check "exec again: no STS call" 1 "$(ncalls)"

# login with a wrong code: STS's error, clearly. The screen is cleared first, so the code is typed only
# once this question is on it (echo off), not after a fixed pause.
fresh A
typeit A "credsh login mfarole; echo login=\$?"
check_true "login: asks for the MFA code" wait_for A "MFA code for $SERIAL: "
tm send-keys -t A -l -- "000000"
tm send-keys -t A Enter
check_true "login, wrong code: fails" wait_for A "login=1"
check_contains "login, wrong code: STS's AccessDenied, with the role" \
    "STS AssumeRole (arn:aws:iam::111122223333:role/MfaAdmin): AccessDenied: MultiFactorAuthentication failed with invalid MFA one time pass code." "$(screen A)"
# a malformed code: asked again, three tries, refused before any call
before=$(ncalls)
fresh A
typeit A "credsh login mfarole; echo login2=\$?"
wait_for A "MFA code for $SERIAL: "
tm send-keys -t A -l -- "12345"
tm send-keys -t A Enter
check_true "login, 5 digits: asked again" wait_until_count A "MFA code for" 2
check_contains "login, 5 digits: says why" "try again (2 of 3)" "$(screen A)"
tm send-keys -t A -l -- "1234567"
tm send-keys -t A Enter
check_true "login, 7 digits: the third question" wait_until_count A "MFA code for" 3
tm send-keys -t A -l -- "abcdef"
tm send-keys -t A Enter
check_true "login, 3 malformed codes: fails" wait_for A "login2=1"
check_contains "login, 3 malformed codes: says what a code is, and that it gave up" \
    "the MFA code must be exactly 6 digits (got 6 characters); 3 tries, giving up" "$(screen A)"
check "login, 3 malformed codes: asked exactly 3 times" 3 "$(count A "MFA code for")"
check "login, 3 malformed codes: no STS call" "$before" "$(ncalls)"

# GetSessionToken: long-term keys + mfa_serial
fresh A
typeit A "credsh login mfa; echo login3=\$?"
wait_for A "MFA code for $SERIAL: "
tm send-keys -t A -l -- "$CODE"
tm send-keys -t A Enter
check_true "login mfa: succeeds" wait_for A "login3=0"
check_contains "login mfa: says so" "signed in: mfa" "$(screen A)"
last=$(calls | python3 -c 'import json,sys; c=json.load(sys.stdin)[-1]; print(c["action"], c["access_key"], c["serial"], c["duration"], c["session_token"])')
check "login mfa: GetSessionToken signed with the profile's long-term key, no token; serial and duration sent" \
    "GetSessionToken AKIAMFASESSION000001 $SERIAL 7200 False" "$last"
typeit A "credsh exec -p mfa -- sh -c 'echo SESS=\$AWS_ACCESS_KEY_ID'"
check_true "exec mfa: the session from the login is used, no code asked" wait_for A "SESS=ASIAFAKE"
tm kill-session -t A

# --- the prompt hook: a hint once, then quiet; another terminal's login is picked up ----------------------------
start_sh H
typeit H "cd src/mfaproj"
check_true "hook: the hint appears" wait_for H "credsh: hookrole needs an MFA code — run: credsh login hookrole"
for i in 1 2 3; do typeit H ""; done
check_true "hook: three more prompts" wait_for H "P5> "
typeit H "echo K=\${AWS_ACCESS_KEY_ID-unset} P=\$AWS_PROFILE"
check_true "hook: no key exported, the profile is" wait_for H "K=unset P=hookrole"
check "hook: the hint was printed once" 1 "$(count H "needs an MFA code")"
check "hook: no code was asked for" 0 "$(count H "MFA code for")"
before=$(ncalls)
check "hook: no STS call from the hook" "$before" "$(ncalls)"

start_sh L
typeit L "credsh login hookrole; echo login=\$?"
wait_for L "MFA code for $SERIAL: "
tm send-keys -t L -l -- "$CODE"
tm send-keys -t L Enter
check_true "other terminal: login succeeds" wait_for L "login=0"
typeit H ""
typeit H "echo K=\${AWS_ACCESS_KEY_ID-unset}"
check_true "hook: the first shell picked the session up at its next prompt" wait_for H "K=ASIAFAKE"
check "hook: still one hint, no code asked there" "1 0" "$(count H "needs an MFA code") $(count H "MFA code for")"
check "hook: exactly one STS call (the login's)" $((before + 1)) "$(ncalls)"

# --- `credsh use` asks for the code right there (issue 11 item 4), in bash, zsh, fish and PowerShell ----------
# Without a terminal: no question, no STS call; the switch is printed as before (the hook's export then says
# the profile needs a code).
before=$(ncalls)
out=$(setsid "${BASE_ENV[@]}" timeout 300 credsh use --shell bash usefail </dev/null 2>&1)
check "use, no terminal: succeeds as before" "0 __credsh_session='usefail'" "$? $out"
check "use, no terminal: no STS call" "$before" "$(ncalls)"

# role_calls ARN: the calls to that role so far
role_calls() { calls | python3 -c 'import json,sys; print(sum(c["role_arn"] == sys.argv[1] for c in json.load(sys.stdin)))' "$1"; }
# What a typed line looks like in each shell: SH_ECHO prints a string, SH_ST is the last status, SH_ENV the
# prefix of an environment variable. set_syntax SHELL sets them.
set_syntax() {
    case $1 in
    fish) SH_ECHO='echo ' SH_ST='$status' SH_ENV='$' ;;
    pwsh) SH_ECHO='' SH_ST='$LASTEXITCODE' SH_ENV='$env:' ;;
    *) SH_ECHO='echo ' SH_ST='$?' SH_ENV='$' ;;
    esac
}
use_checks() { # use_checks SHELL SESSION PROFILE ROLE: in a shell with the hook and a prompt showing CREDSH_PROMPT
    local sh=$1 s=$2 prof=$3 arn=arn:aws:iam::111122223333:role/$4
    set_syntax "$sh"
    check_true "$sh: first prompt" wait_for "$s" "[none] Q1> "
    typeit "$s" "credsh use $prof; ${SH_ECHO}\"use=${SH_ST}\""
    check_true "$sh use: asks for the MFA code right there" wait_for "$s" "MFA code for $SERIAL: "
    check_absent "$sh use: not sent to credsh login" "run: credsh login" "$(screen "$s")"
    tm send-keys -t "$s" -l -- "12345"
    tm send-keys -t "$s" Enter
    check_true "$sh use: a malformed code is asked again" wait_until_count "$s" "MFA code for" 2
    check_contains "$sh use: says why" \
        "the MFA code must be exactly 6 digits (got 5 characters); try again (2 of 3)" "$(screen "$s")"
    tm send-keys -t "$s" -l -- "$CODE"
    tm send-keys -t "$s" Enter
    check_true "$sh use: exit status 0" wait_for "$s" "use=0"
    check_true "$sh use: the prompt shows the profile" wait_for "$s" "[aws:$prof*"
    typeit "$s" "${SH_ECHO}\"K=${SH_ENV}AWS_ACCESS_KEY_ID P=${SH_ENV}AWS_PROFILE\""
    check_true "$sh use: the session's key is in the shell" wait_for "$s" "K=ASIAFAKE"
    check_true "$sh use: and the profile" wait_for "$s" "P=$prof"
    check "$sh use: asked twice in all" 2 "$(count "$s" "MFA code for")"
    check "$sh use: one AssumeRole for the role (the hook's export used the cache)" 1 "$(role_calls "$arn")"
    check_absent "$sh use: the code never appears on the screen" "$CODE" "$(screen "$s")"
}
cat >"$T_ROOT/rc-use" <<'EOF'
unset HISTFILE
PS1='[${CREDSH_PROMPT:-none}] Q$((++__n))> '
eval "$(credsh hook bash)"
EOF
tm -f /dev/null new-session -d -s UB -x 220 -y 50 -c "$HOME" "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/rc-use" -i
use_checks bash UB usebash MfaUseBash

# fail_checks SHELL SESSION PROFILE: three malformed codes for `credsh use usefail`: non-zero, the shell keeps
# PROFILE (and its prompt shows it), no STS call
last_q() { screen "$1" | grep -E '\] Q[0-9]+> ' | tail -n 1; }
fail_checks() {
    local sh=$1 s=$2 prof=$3 n before
    set_syntax "$sh"
    before=$(ncalls)
    fresh "$s"
    typeit "$s" "credsh use usefail; ${SH_ECHO}\"usefail=${SH_ST}\""
    for n in 1 2 3; do
        wait_until_count "$s" "MFA code for" "$n"
        tm send-keys -t "$s" -l -- "${n}x"
        tm send-keys -t "$s" Enter
    done
    check_true "$sh use, 3 malformed codes: exit status 1" wait_for "$s" "usefail=1"
    check_contains "$sh use, 3 malformed codes: gave up" "3 tries, giving up" "$(screen "$s")"
    check "$sh use, 3 malformed codes: asked exactly 3 times" 3 "$(count "$s" "MFA code for")"
    typeit "$s" "${SH_ECHO}\"STILL=${SH_ENV}AWS_PROFILE\""
    check_true "$sh use, 3 malformed codes: the shell keeps its profile" wait_for "$s" "STILL=$prof"
    check_contains "$sh use, 3 malformed codes: the prompt still shows it" "[aws:$prof*" "$(last_q "$s")"
    check "$sh use, 3 malformed codes: no STS call" "$before" "$(ncalls)"
}
# exec_checks SHELL SESSION PROFILE ROLE: exec through the hook's function: a slip, then the right code
exec_checks() {
    local sh=$1 s=$2 prof=$3
    fresh "$s"
    typeit "$s" "credsh exec -p $prof -- sh -c 'echo X=\$AWS_ACCESS_KEY_ID'"
    check_true "$sh exec: asks for the MFA code" wait_for "$s" "MFA code for $SERIAL: "
    tm send-keys -t "$s" -l -- "99"
    tm send-keys -t "$s" Enter
    check_true "$sh exec: a malformed code is asked again" wait_until_count "$s" "MFA code for" 2
    tm send-keys -t "$s" -l -- "$CODE"
    tm send-keys -t "$s" Enter
    check_true "$sh exec: the command ran with the role's key" wait_for "$s" "X=ASIAFAKE"
    check "$sh exec: one AssumeRole" 1 "$(role_calls "arn:aws:iam::111122223333:role/$4")"
    check_absent "$sh exec: the code never appears on the screen" "$CODE" "$(screen "$s")"
}
fail_checks bash UB usebash
exec_checks bash UB execslip MfaExecSlip
tm kill-session -t UB

if command -v zsh >/dev/null; then
    mkdir -p "$T_ROOT/zdot"
    cat >"$T_ROOT/zdot/.zshrc" <<'EOF'
unset HISTFILE
setopt prompt_subst
PROMPT='[${CREDSH_PROMPT:-none}] Q$((++__n))> '
eval "$(credsh hook zsh)"
EOF
    tm -f /dev/null new-session -d -s UZ -x 220 -y 50 -c "$HOME" "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zdot" zsh -i
    use_checks zsh UZ usezsh MfaUseZsh
    tm kill-session -t UZ
else
    [[ ${CI-} == true ]] && { echo "FAIL zsh missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP zsh part: zsh is not installed -- it did NOT run"
fi

if command -v fish >/dev/null; then
    cat >"$T_ROOT/rc-use.fish" <<'EOF'
set -g fish_greeting ''
set -g __n 0
function fish_prompt
    set -g __n (math $__n + 1)
    set -l p none
    test -n "$CREDSH_PROMPT"; and set p "$CREDSH_PROMPT"
    printf '[%s] Q%s> ' $p $__n
end
credsh hook fish | source
EOF
    # --no-config keeps the machine's config out; the rc is sourced as the init command instead.
    tm -f /dev/null new-session -d -s UF -x 220 -y 50 -c "$HOME" "${BASE_ENV[@]}" fish --no-config -i \
        -C "source $T_ROOT/rc-use.fish"
    use_checks fish UF usefish MfaUseFish
    fail_checks fish UF usefish
    exec_checks fish UF execfish MfaExecFish
    tm kill-session -t UF
else
    [[ ${CI-} == true ]] && { echo "FAIL fish missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP fish part: fish is not installed -- it did NOT run"
fi

# PowerShell: need_pwsh is tried in a subshell first, so that a missing pwsh skips only this part (loudly; a
# failure under CI=true).
if (need_pwsh >/dev/null); then
    need_pwsh
    cat >"$T_ROOT/rc-use.ps1" <<'EOF'
Set-PSReadLineOption -PredictionSource None -BellStyle None
$global:LASTEXITCODE = 0
$global:__n = 0
function global:prompt {
    $global:__n++
    $p = if ($CREDSH_PROMPT) { $CREDSH_PROMPT } else { 'none' }
    "[$p] Q$($global:__n)> "
}
Invoke-Expression (& credsh hook pwsh | Out-String)
EOF
    tm -f /dev/null new-session -d -s UP -x 220 -y 50 -c "$HOME" "${BASE_ENV[@]}" "PATH=$T_ROOT/bin:$PATH" \
        POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off \
        "$PWSH" -NoLogo -NoProfile -NoExit -Command ". '$T_ROOT/rc-use.ps1'"
    use_checks pwsh UP usepwsh MfaUsePwsh
    fail_checks pwsh UP usepwsh
    exec_checks pwsh UP execpwsh MfaExecPwsh
    tm kill-session -t UP
else
    [[ ${CI-} == true ]] && { echo "FAIL pwsh missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP pwsh part: pwsh is not installed -- it did NOT run"
fi

# --- durations and MFA-required roles: local errors and STS's -------------------------------------------------
run() { "${BASE_ENV[@]}" credsh exec -p "$1" -- true 2>&1 </dev/null; }
before=$(ncalls)
out=$(run shortdur)
check_contains "duration 100: refused locally, with the range" "duration_seconds 100 is not a whole number of seconds from 900 to 43200" "$out"
check "duration 100: no STS call" "$before" "$(ncalls)"
out=$(run longrole)
check_contains "duration above the role's maximum: STS's ValidationError" \
    "STS AssumeRole (arn:aws:iam::111122223333:role/Long): ValidationError: The requested DurationSeconds exceeds the MaxSessionDuration set for this role." "$out"
out=$(run nomfa)
check_contains "MFA-only role without mfa_serial: STS's AccessDenied" "AccessDenied: User is not authorized to perform: sts:AssumeRole (MFA required)" "$out"
check_absent "no secret in any message" "S3NT1NEL" "$out$(tm capture-pane -p -S - -t H)$(tm capture-pane -p -S - -t L)"
finish
