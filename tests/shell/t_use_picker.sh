#!/usr/bin/env bash
# `credsh use` with no name (issue 11 item 5), typed at a terminal through tmux in bash, zsh, fish and
# PowerShell: a numbered list of the profiles appears, a number or a name picks one and the prompt shows it;
# an empty line keeps the shell as it was. Not at a terminal (stdin not a tty) it says which session profile
# the shell has, as before.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux bash

mkdir -p "$T_ROOT/bin"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
printf '[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\n' >"$HOME/.aws/config"
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"

out=$("$CREDSH_BIN" use --shell bash --session= 2>&1 </dev/null)
check "no terminal: no list, the session profile as before" "0 credsh: no session profile in this shell" "$? $out"

source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"
BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/local/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true)
PROMPT_RE='^\[[0-9]+\] '
shows() { [[ $(screen) == *"$1"* ]]; }

picker_checks() { # picker_checks SHELL [ECHO]: ECHO prints AWS_PROFILE in that shell's syntax
    local sh=$1 echo_ap=${2:-'echo "AP=$AWS_PROFILE"'} n
    check_true "$sh: first prompt" wait_prompts 1
    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- 'credsh use'
    tm send-keys -t "$SESSION" Enter
    check_true "$sh: the list is offered" wait_for shows "number or name (Enter: keep it as it is): "
    check_contains "$sh: numbered profiles" "  1) dev" "$(screen)"
    check_contains "$sh: numbered profiles (2)" "  2) prod" "$(screen)"
    tm send-keys -t "$SESSION" -l -- '2'
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1))
    check "$sh: a number picks that profile, the prompt shows it" "[0] aws:prod* (us-east-1)>" "$(last_prompt)"
    type_line "$echo_ap"
    check_contains "$sh: and the shell holds it" "AP=prod" "$(last_output)"

    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- 'credsh use'
    tm send-keys -t "$SESSION" Enter
    check_true "$sh: the list again, naming the current one" wait_for shows "session profile: prod; pick another:"
    tm send-keys -t "$SESSION" -l -- 'dev'
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1))
    check "$sh: a name picks that profile" "[0] aws:dev* (eu-west-1)>" "$(last_prompt)"

    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- 'credsh use'
    tm send-keys -t "$SESSION" Enter
    wait_for shows "session profile: dev; pick another:"
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1))
    check "$sh: Enter alone keeps the shell as it was" "[0] aws:dev* (eu-west-1)>" "$(last_prompt)"
    tm kill-session -t "$SESSION" 2>/dev/null
}

for sh in bash zsh fish; do # the rc files: start_shell (tmux_lib.sh)
    start_shell "$sh" && picker_checks "$sh"
done

# PowerShell: the prompt shows $LASTEXITCODE, which the hook's `credsh` function sets. need_pwsh is tried in a
# subshell first, so that a missing pwsh skips only this part (loudly; a failure under CI=true).
if (need_pwsh >/dev/null); then
    need_pwsh
    cat >"$T_ROOT/rc.ps1" <<'EOF'
Set-PSReadLineOption -PredictionSource None -BellStyle None
$global:LASTEXITCODE = 0
function global:prompt {
    $p = if ($CREDSH_PROMPT) { $CREDSH_PROMPT } else { 'none' }
    "[$LASTEXITCODE] $p> "
}
Invoke-Expression (& credsh hook pwsh | Out-String)
EOF
    start pwsh "${BASE_ENV[@]}" "PATH=$T_ROOT/bin:$PATH" POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off \
        "$PWSH" -NoLogo -NoProfile -NoExit -Command ". '$T_ROOT/rc.ps1'"
    picker_checks pwsh '"AP=$env:AWS_PROFILE"'
else
    shell_missing pwsh
fi
finish
