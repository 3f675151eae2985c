# Interactive shells driven through tmux the way a person types (docs/design.md §1, docs/security.md 6): the hook
# installed from an rc file, a prompt that shows $CREDSH_PROMPT and the last exit status, keys sent with
# send-keys, the screen read back with capture-pane. Here the hook runs from the real PROMPT_COMMAND / precmd /
# fish_prompt machinery, which the non-interactive scenario tests have to call by hand.
#
# Every prompt looks like "[STATUS] CREDSH_PROMPT-or-none> ". After each command the test waits for one more
# prompt line than before (so it never reads a stale screen) and checks the newest one, and the command's
# output between the last two prompts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux bash

FIX=$CREDSH_SRC/tests/shell/fixtures
PS=$T_ROOT/ps
mkdir -p "$PS" "$T_ROOT/bin" "$HOME/src/shop" "$HOME/src/proc"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
cat >"$HOME/.aws/config" <<EOF
[profile dev]
region = eu-west-1
[profile prod]
region = us-east-1
[profile proc]
region = eu-central-1
credential_process = /bin/sh $FIX/cred_process.sh $PS proc
EOF
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"
for sh in bash zsh fish; do # one never-allowed tree per shell
    mkdir -p "$HOME/src/blocked-$sh" && printf 'profile = prod\n' >"$HOME/src/blocked-$sh/.credprofile"
done
(cd "$HOME/src/shop" && "$CREDSH_BIN" pin dev 2>/dev/null) || echo "setup: pin dev failed"
(cd "$HOME/src/proc" && "$CREDSH_BIN" pin proc 2>/dev/null) || echo "setup: pin proc failed"

source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"

# The environment every shell starts with: nothing from the caller but what the test needs.
BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/local/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true)

PROMPT_RE='^\[[0-9]+\] '

# The same typing session in each shell. The shell-specific part is only how the rc file is written.
session_checks() { # session_checks SHELL
    local sh=$1 p
    check_true "$sh: first prompt appeared" wait_prompts 1
    check "$sh: first prompt, outside any tree" "[0] none>" "$(last_prompt)"

    type_line 'cd ~/src/shop'
    check "$sh: cd into the pinned tree" "[0] aws:dev (eu-west-1)>" "$(last_prompt)"
    check "$sh: nothing printed on the way in" "" "$(last_output)"
    type_line 'echo "AP=$AWS_PROFILE"'
    check_contains "$sh: AWS_PROFILE=dev in the shell" "AP=dev" "$(last_output)"

    type_line 'credsh use prod'
    check "$sh: credsh use prod" "[0] aws:prod* (us-east-1)>" "$(last_prompt)"
    type_line 'cd /'
    check "$sh: the session follows the shell out of the tree" "[0] aws:prod* (us-east-1)>" "$(last_prompt)"
    type_line 'credsh use --clear'
    check "$sh: credsh use --clear outside any tree" "[0] none>" "$(last_prompt)"

    type_line "cd ~/src/blocked-$sh"
    p=$(last_prompt)
    check_contains "$sh: a blocked file shows in the prompt" "blocked" "$p"
    check "$sh: one line says it is blocked" 1 "$(last_output | grep -c 'blocked')"
    type_line 'true'
    check "$sh: the next prompt says nothing more" "" "$(last_output)"
    type_line 'credsh allow'
    check "$sh: credsh allow applies it at once" "[0] aws:prod (us-east-1)>" "$(last_prompt)"

    type_line 'cd ~/src/proc'
    p=$(last_prompt)
    check_true "$sh: credential_process profile with time left ($p)" \
        grep -qE '^\[0\] aws:proc \(eu-central-1\) (1h00m|59m)>$' <<<"$p"
    type_line 'echo "K=$AWS_ACCESS_KEY_ID"'
    check "$sh: its key is in the shell" "K=AKIAPROC1" "$(last_output)"
    type_line 'true'
    type_line 'true'
    check "$sh: prompts do not re-run the process" 1 "$(wc -l <"$PS/proc.count" 2>/dev/null)"

    type_line 'false'
    check "$sh: \$? survives the hook (false)" "[1]" "$(last_prompt | cut -d' ' -f1)"
    type_line 'sh -c "exit 7"'
    check "$sh: \$? survives the hook (exit 7)" "[7]" "$(last_prompt | cut -d' ' -f1)"
    type_line 'cd ~/src/shop; sh -c "exit 3"'
    check "$sh: \$? survives a hook that ran export" "[3] aws:dev (eu-west-1)>" "$(last_prompt)"
    type_line 'cd /'
    check "$sh: leaving restores the empty prompt" "[0] none>" "$(last_prompt)"
    type_line 'env | grep -c "^AWS_[A-Z_]*=" ; echo "K=$AWS_ACCESS_KEY_ID"'
    check "$sh: leaving unsets every AWS_ variable" $'0\nK=' "$(last_output)"
    [[ -n ${T_DUMP_SCREEN-} ]] && screen | sed "s/^/     $sh| /" # debugging aid: T_DUMP_SCREEN=1
    tm kill-session -t "$SESSION" 2>/dev/null
    rm -f "$PS/proc.count"
}

# bash: PROMPT_COMMAND runs the hook, then PS1 is expanded with the hook's $? preserved. The rc files:
# start_shell (tmux_lib.sh).
for sh in bash zsh fish; do
    start_shell "$sh" && session_checks "$sh"
done

finish
