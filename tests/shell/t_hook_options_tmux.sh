# The hook under the user's shell options and with hostile text, in real interactive bash, zsh and fish driven
# through tmux (docs/security.md 33, 34, 42):
# - set -v / set -xv (zsh: verbose, xtrace; fish: fish_trace) never show the evaluated export text: the
#   secret key never reaches the terminal, and the options are as the user set them afterwards;
# - set -e / errtrace with an ERR trap (zsh: err_exit, err_return, TRAPZERR): a failing export (a profile whose
#   credential_process fails) and a non-zero $? at the prompt neither end the shell nor run the trap;
# - set -u (zsh: nounset): no unbound-variable error from the hook, and the option on afterwards;
# - set -a (zsh: allexport), on while the hook is installed and while it runs: no __credsh_* variable or
#   function reaches a child's environment, nor the ambient secret key credsh took away for the scope, and
#   leaving the scope still restores it exactly;
# - a region and an ASK vendor id carrying ESC ] 0;pwned BEL, $(touch PWNED), backticks,
#   %F{red} and \[ show up escaped in the rendered prompt (referenced as ${CREDSH_PROMPT}, and in bash also
#   pasted into PS1 by a PROMPT_COMMAND), retitle nothing and create no file.
# The screen is read back with capture-pane (stdout and stderr both land there).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux bash zsh fish

SECRET=S3NT1NEL-dev
AMBIENT=AMB1ENT-SECRET
ESC=$'\e' BEL=$'\a'
EVIL="${ESC}]0;pwned${BEL}\$(touch PWNED)\`touch PWNED2\`%F{red}\\[x"
mkdir -p "$T_ROOT/bin" "$HOME/src/keys" "$HOME/src/broken" "$HOME/src/hostile" "$HOME/src/skill"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
cat >"$HOME/.aws/config" <<EOF
[profile dev]
region = eu-west-1
[profile broken]
region = eu-west-1
credential_process = /bin/false
[profile hostile]
region = $EVIL
EOF
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = %s\n' "$SECRET" >"$HOME/.aws/credentials"
mkdir -p "$XDG_CONFIG_HOME/credsh"
printf '[profile dev]\nexport = keys\n' >"$XDG_CONFIG_HOME/credsh/config"
# An ASK profile whose vendor id carries the hostile text (cli_config is JSON: any character).
python3 - "$HOME/.ask/cli_config" "$EVIL" <<'EOF'
import json, sys
json.dump({"profiles": {"skill": {"vendor_id": sys.argv[2], "token": {"access_token": "Atza|x",
    "refresh_token": "Atzr|x", "expires_at": "2099-01-01T00:00:00.000Z"}}}}, open(sys.argv[1], "w"))
EOF
for d in keys:dev broken:broken hostile:hostile; do
    (cd "$HOME/src/${d%%:*}" && "$CREDSH_BIN" pin "${d#*:}" 2>/dev/null) || echo "setup: pin ${d#*:} failed"
done
(cd "$HOME/src/skill" && "$CREDSH_BIN" pin --ask-profile skill dev 2>/dev/null) || echo "setup: pin skill failed"

TMUX_CONF=$T_ROOT/tmux.conf
source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"
# A shell that exits stays on screen (remain-on-exit), so a test can tell it died.
printf 'set -g remain-on-exit on\nset -g allow-rename on\n' >"$T_ROOT/tmux.conf"
# One session lives through the whole test, so killing a shell's session never stops the server while the
# next one is being created ("server exited unexpectedly").
tm -f "$T_ROOT/tmux.conf" new-session -d -s keepalive cat

BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/local/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true AWS_ACCESS_KEY_ID=AKIAAMBIENT "AWS_SECRET_ACCESS_KEY=$AMBIENT")

PROMPT_RE='^\[[0-9]+\] '
title() { tm display -p -t "$SESSION" '#{pane_title}' 2>/dev/null; }
alive() { # alive DESCRIPTION: the shell still answers
    type_line 'echo "al""ive"'
    check "$1" "alive" "$(last_output)"
}
finish_session() {
    [[ -n ${T_DUMP_SCREEN-} ]] && screen | sed "s/^/     $SESSION| /" # debugging aid: T_DUMP_SCREEN=1
    check "$SESSION: the secret key never reached the terminal (lines with it)" 0 "$(screen | grep -c "$SECRET")"
    screen | grep "$SECRET" | head -n 3 | cut -c 1-120 | sed 's/^/     | /'
    tm kill-session -t "$SESSION" 2>/dev/null
}

# ---- verbose and xtrace: nothing of the export text on the terminal ---------------------------------------
printf '%s\n' "PS1='[\$?] > '" 'eval "$(credsh hook bash)"' >"$T_ROOT/bashrc"
start bash-xv "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc" -i
type_line 'set -xv'
type_line 'cd ~/src/keys'
type_line 'cd ~/src/broken'
type_line 'credsh use dev'
type_line '[[ $- == *x* && $- == *v* ]] && echo "both still" "on"'
check_true "bash set -xv: x and v are still on after the hook ran" grep -qx "both still on" <<<"$(last_output)"
type_line 'set +xv'
type_line 'credsh use --clear; cd ~/src/keys'
type_line '[[ $AWS_SECRET_ACCESS_KEY == S3NT1NEL-d?v ]] && echo "key applied"'
check "bash set -xv: the key was applied meanwhile" "key applied" "$(last_output)"
finish_session

mkdir -p "$T_ROOT/zxv"
printf '%s\n' "PROMPT='[%?] > '" 'eval "$(credsh hook zsh)"' >"$T_ROOT/zxv/.zshrc"
start zsh-xv "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zxv" zsh -i
type_line 'setopt verbose xtrace'
type_line 'cd ~/src/keys'
type_line 'cd ~/src/broken'
type_line 'credsh use dev'
type_line '[[ -o verbose && -o xtrace ]] && echo "both still" "on"'
check_true "zsh verbose+xtrace: still on after the hook ran" grep -qx "both still on" <<<"$(last_output)"
type_line 'unsetopt verbose xtrace'
type_line 'credsh use --clear; cd ~/src/keys'
type_line '[[ $AWS_SECRET_ACCESS_KEY == S3NT1NEL-d?v ]] && echo "key applied"'
check "zsh verbose+xtrace: the key was applied meanwhile" "key applied" "$(last_output)"
finish_session

cat >"$T_ROOT/rc.fish" <<'EOF'
set -g fish_greeting ''
function fish_prompt
    printf '[%s] > ' $status
end
credsh hook fish | source
EOF
start fish-trace "${BASE_ENV[@]}" fish --no-config -i -C "source $T_ROOT/rc.fish"
type_line 'set -g fish_trace 1'
type_line 'cd ~/src/keys'
type_line 'cd ~/src/broken'
type_line 'credsh use dev'
type_line 'set -e fish_trace'
type_line 'credsh use --clear; cd ~/src/keys'
type_line 'string match -q "S3NT1NEL-d?v" -- "$AWS_SECRET_ACCESS_KEY"; and echo "key applied"'
check "fish fish_trace: the key was applied meanwhile" "key applied" "$(last_output)"
finish_session

# ---- errexit and ERR traps: the shell survives, the trap never runs for the hook ----------------------------
cat >"$T_ROOT/bashrc-e" <<'EOF'
PS1='[$?] > '
eval "$(credsh hook bash)"
trap 'echo "ERR trap ran"' ERR
set -eE
EOF
start bash-e "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc-e" -i
type_line 'cd ~/src/broken'
check_true "bash set -eE: a failing export does not end the shell" wait_prompts 2
type_line '! true'
check "bash set -eE: a prompt after a non-zero \$? (! true) keeps the shell and shows [1]" "[1] >" "$(last_prompt)"
type_line 'cd ~/src/keys'
type_line 'echo "flags=$-"'
check_contains "bash set -eE: e and E are still on" "eE" "$(last_output | grep '^flags=' | tr -d -c 'eE')"
alive "bash set -eE: the shell still answers"
check_absent "bash set -eE: the ERR trap never ran" "ERR trap ran" "$(screen)"
type_line 'false || echo "ok: ERR trap still set:" $(trap -p ERR | cut -c1-12)'
check_contains "bash set -eE: the user's ERR trap is still installed" "trap -- 'ech" "$(last_output)"
finish_session

mkdir -p "$T_ROOT/ze"
cat >"$T_ROOT/ze/.zshrc" <<'EOF'
PROMPT='[%?] > '
eval "$(credsh hook zsh)"
TRAPZERR() { print "ZERR trap ran" }
setopt err_exit err_return
EOF
start zsh-e "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/ze" zsh -i
type_line 'cd ~/src/broken'
check_true "zsh err_exit: a failing export does not end the shell" wait_prompts 2
type_line '! true'
check "zsh err_exit: a prompt after a non-zero \$? keeps the shell and shows [1]" "[1] >" "$(last_prompt)"
type_line 'cd ~/src/keys'
type_line '[[ -o err_exit && -o err_return ]] && echo "both still on"'
check "zsh err_exit: err_exit and err_return still on" "both still on" "$(last_output)"
alive "zsh err_exit: the shell still answers"
check_absent "zsh err_exit: TRAPZERR never ran" "ZERR trap ran" "$(screen)"
finish_session

# ---- nounset: the hook's tests need no ${V-} defaults; the user's option is back after each prompt -----------
cat >"$T_ROOT/bashrc-u" <<'EOF'
PS1='[$?] > '
set -u
eval "$(credsh hook bash)"
EOF
start bash-u "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc-u" -i
type_line 'cd ~/src/keys'
type_line 'cd ~; cd ~/src/keys; :; :'
type_line 'unset AWS_PROFILE AWS_REGION; :'
type_line 'echo "profile=$AWS_PROFILE flags=$-"'
check "bash set -u: a value unset by hand is exported again (the scope's key applies)" "profile=dev" \
    "$(last_output | grep -o '^profile=[a-z]*')"
check_contains "bash set -u: nounset is still on" "u" "$(last_output | grep -o 'flags=.*' | tr -d -c 'u')"
check_absent "bash set -u: no unbound-variable error from the hook" "unbound variable" "$(screen)"
alive "bash set -u: the shell still answers"
finish_session

mkdir -p "$T_ROOT/zu"
cat >"$T_ROOT/zu/.zshrc" <<'EOF'
PROMPT='[%?] > '
setopt nounset
eval "$(credsh hook zsh)"
EOF
start zsh-u "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zu" zsh -i
type_line 'cd ~/src/keys'
type_line 'cd ~; cd ~/src/keys; :; :'
type_line 'unset AWS_PROFILE AWS_REGION; :'
type_line 'print -r -- "profile=$AWS_PROFILE"; [[ -o nounset ]] && echo "still on"'
check "zsh nounset: a value unset by hand is exported again" "profile=dev" "$(last_output | grep -o '^profile=[a-z]*')"
check_contains "zsh nounset: still on" "still on" "$(last_output)"
check_absent "zsh nounset: no parameter-not-set error from the hook" "parameter not set" "$(screen)"
alive "zsh nounset: the shell still answers"
finish_session

# ---- allexport: nothing of the hook's state in a child's environment ---------------------------------------
# `env` runs as a child; the pattern matches the hook's variables, exported functions and the ambient secret.
INSTALLCHECK="env | grep -cE '__credsh|BASH_FUNC_|credsh_hook'"
ENVCHECK="env | grep -cE '__credsh|BASH_FUNC_|credsh_hook|$AMBIENT'"
printf '%s\n' "PS1='[\$?] > '" 'set -a' 'eval "$(credsh hook bash)"' >"$T_ROOT/bashrc-a"
start bash-a "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc-a" -i
type_line "$INSTALLCHECK"
check "bash set -a: installing the hook exported nothing" "0" "$(last_output)"
type_line 'cd ~/src/keys'
type_line "$ENVCHECK"
check "bash set -a: in the keys scope no __credsh_* and no ambient secret in a child" "0" "$(last_output)"
type_line 'case $__credsh_state in *AMB1ENT*) echo "state holds" "it" ;; *) echo "state" "clean" ;; esac'
check "bash set -a: the shell's remembered state does not hold the ambient secret key" "state clean" "$(last_output)"
type_line "env | grep -c '^AWS_SECRET_ACCESS_KEY=S3NT1NEL-d.v\$'"
check "bash set -a: the scope's key itself is exported" "1" "$(last_output)"
type_line 'credsh use dev; credsh allow; cd ~; cd -'
type_line "$ENVCHECK"
check "bash set -a: after use/allow/cd, still nothing" "0" "$(last_output)"
type_line 'credsh use --clear; cd /'
type_line '[[ $AWS_SECRET_ACCESS_KEY == AMB1ENT-SECRET ]] && echo "ambient restored"'
check "bash set -a: leaving the scope restores the ambient key" "ambient restored" "$(last_output)"
type_line 'echo "flags=$-"'
check "bash set -a: allexport is still on" "a" "$(last_output | grep '^flags=' | sed 's/^flags=//' | tr -d -c 'a')"
finish_session

mkdir -p "$T_ROOT/za"
printf '%s\n' "PROMPT='[%?] > '" 'setopt allexport' 'eval "$(credsh hook zsh)"' >"$T_ROOT/za/.zshrc"
start zsh-a "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/za" zsh -i
type_line "$INSTALLCHECK"
check "zsh allexport: installing the hook exported nothing" "0" "$(last_output)"
type_line 'cd ~/src/keys'
type_line "$ENVCHECK"
check "zsh allexport: in the keys scope no __credsh_* and no ambient secret in a child" "0" "$(last_output)"
type_line 'case $__credsh_state in *AMB1ENT*) echo "state holds" "it" ;; *) echo "state" "clean" ;; esac'
check "zsh allexport: the shell's remembered state does not hold the ambient secret key" "state clean" "$(last_output)"
type_line 'credsh use dev; credsh allow; cd ~; cd -'
type_line "$ENVCHECK"
check "zsh allexport: after use/allow/cd, still nothing" "0" "$(last_output)"
type_line 'credsh use --clear; cd /'
type_line '[[ $AWS_SECRET_ACCESS_KEY == AMB1ENT-SECRET ]] && echo "ambient restored"'
check "zsh allexport: leaving the scope restores the ambient key" "ambient restored" "$(last_output)"
type_line '[[ -o allexport ]] && echo "still on"'
check "zsh allexport: still on" "still on" "$(last_output)"
finish_session

# ---- hostile text in the prompt ------------------------------------------------------------------------------
# prompt_checks SHELL: the three hostile sources, then no file and no new title.
prompt_checks() {
    local sh=$1
    find "$HOME" -name 'PWNED*' -delete # what an earlier shell may have left
    type_line 'cd ~/src/hostile'
    check_contains "$sh: a hostile region shows escaped in the prompt" \
        '\x1b]0;pwned\x07\x24(touch PWNED)\x60touch PWNED2\x60%F{red}\x5c[x' "$(last_prompt)"
    type_line 'cd ~/src/skill'
    check_contains "$sh: a hostile ASK vendor id shows escaped in the prompt" '\x1b]0;pwned\x07\x24(touch' \
        "$(last_prompt)"
    type_line 'ls ~/src/hostile ~/src/skill ~ | grep -c PWNED'
    check "$sh: no prompt expansion ran a command" "0" "$(last_output)"
    check_absent "$sh: the terminal title was not changed" "pwned" "$(title)"
    tm kill-session -t "$SESSION" 2>/dev/null
}
# bash: referenced as ${CREDSH_PROMPT}, and (second shell) pasted into PS1 by the user's PROMPT_COMMAND.
printf '%s\n' "PS1='[\$?] \${CREDSH_PROMPT:-none}> '" 'eval "$(credsh hook bash)"' >"$T_ROOT/bashrc-p"
start bash-prompt "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc-p" -i
prompt_checks bash
cat >"$T_ROOT/bashrc-p2" <<'EOF'
eval "$(credsh hook bash)"
__t_ps1() { PS1="[\$?] ${CREDSH_PROMPT:-none}> "; }
PROMPT_COMMAND+=";__t_ps1"
EOF
start bash-prompt-pasted "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc-p2" -i
prompt_checks "bash (pasted into PS1)"
mkdir -p "$T_ROOT/zp"
printf '%s\n' 'setopt prompt_subst' "PROMPT='[%?] \${CREDSH_PROMPT:-none}> '" 'eval "$(credsh hook zsh)"' \
    >"$T_ROOT/zp/.zshrc"
start zsh-prompt "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zp" zsh -i
prompt_checks zsh
cat >"$T_ROOT/rc-p.fish" <<'EOF'
set -g fish_greeting ''
function fish_prompt
    set -l s $status
    set -l p none
    test -n "$CREDSH_PROMPT"; and set p "$CREDSH_PROMPT"
    printf '[%s] %s> ' $s $p
end
credsh hook fish | source
EOF
start fish-prompt "${BASE_ENV[@]}" fish --no-config -i -C "source $T_ROOT/rc-p.fish"
prompt_checks fish

finish
