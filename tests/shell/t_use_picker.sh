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

cat >"$T_ROOT/bashrc" <<'EOF'
unset HISTFILE
PS1='[$?] ${CREDSH_PROMPT:-none}> '
eval "$(credsh hook bash)"
EOF
start bash "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc" -i
picker_checks bash

if command -v zsh >/dev/null; then
    mkdir -p "$T_ROOT/zdot"
    cat >"$T_ROOT/zdot/.zshrc" <<'EOF'
unset HISTFILE
setopt prompt_subst
PROMPT='[%?] ${CREDSH_PROMPT:-none}> '
eval "$(credsh hook zsh)"
EOF
    start zsh "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zdot" zsh -i
    picker_checks zsh
else
    [[ ${CI-} == true ]] && { echo "FAIL zsh missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP zsh part: zsh is not installed -- it did NOT run"
fi

if command -v fish >/dev/null; then
    cat >"$T_ROOT/rc.fish" <<'EOF'
set -g fish_greeting ''
function fish_prompt
    set -l s $status
    set -l p none
    test -n "$CREDSH_PROMPT"; and set p "$CREDSH_PROMPT"
    printf '[%s] %s> ' $s $p
end
credsh hook fish | source
EOF
    start fish "${BASE_ENV[@]}" fish --no-config -i -C "source $T_ROOT/rc.fish"
    picker_checks fish
else
    [[ ${CI-} == true ]] && { echo "FAIL fish missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP fish part: fish is not installed -- it did NOT run"
fi

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
    [[ ${CI-} == true ]] && { echo "FAIL pwsh missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP pwsh part: pwsh is not installed -- it did NOT run"
fi
finish
