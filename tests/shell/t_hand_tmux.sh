# Set by hand, typed into real interactive bash, zsh and fish through tmux (issue 11 item 1, README "Set by
# hand"): the hook installed from an rc file, and a direnv-like hook installed after it the way `direnv hook`
# installs itself (it exports AWS_PROFILE=dev from its own prompt hook in a directory with a marker file). The
# prompt is "[STATUS] CREDSH_PROMPT-or-none> "; every check compares the newest prompt line with what the shell
# really holds (echo of the variable) and what `credsh status` prints.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need tmux bash

mkdir -p "$T_ROOT/bin" "$HOME/src/envrc"
: >"$HOME/src/envrc/.envrc-like"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
printf '[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\n' >"$HOME/.aws/config"
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"

source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"

BASE_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/local/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true)
PROMPT_RE='^\[[0-9]+\] '

hand_checks() { # hand_checks SHELL
    local sh=$1
    setvar() { if [[ $sh == fish ]]; then type_line "set -gx $1 $2"; else type_line "export $1=$2"; fi; }
    check_true "$sh: first prompt appeared" wait_prompts 1
    check "$sh: first prompt" "[0] none>" "$(last_prompt)"
    type_line 'credsh use prod'
    check "$sh: credsh use prod" "[0] aws:prod* (us-east-1)>" "$(last_prompt)"
    setvar AWS_PROFILE dev
    check "$sh: AWS_PROFILE=dev by hand: the prompt shows it, marked" "[0] aws:dev✋>" "$(last_prompt)"
    type_line 'echo "AP=$AWS_PROFILE"'
    check "$sh: ... as the shell holds it" "AP=dev" "$(last_output)"
    type_line 'credsh status'
    check_contains "$sh: status explains it" "AWS_PROFILE=dev was set by hand; credsh's choice was prod (session)" \
        "$(last_output)"
    type_line 'credsh use prod'
    check "$sh: credsh use prod ends it" "[0] aws:prod* (us-east-1)>" "$(last_prompt)"
    type_line 'credsh use --clear'
    # dev, set by hand while the session was active, is the ambient value now (README: leaving restores it).
    check "$sh: use --clear: the ambient dev" "[0] aws:dev~>" "$(last_prompt)"
    type_line 'echo "AP=$AWS_PROFILE"'
    check "$sh: ... as the shell holds it" "AP=dev" "$(last_output)"
    setvar AWS_PROFILE prod
    check "$sh: after use --clear, AWS_PROFILE=prod by hand shows" "[0] aws:prod~>" "$(last_prompt)"
    type_line 'credsh use prod'
    type_line 'cd ~/src/envrc'
    check "$sh: a direnv-like hook exports AWS_PROFILE=dev at the prompt: shown at that prompt" \
        "[0] aws:dev✋>" "$(last_prompt)"
    type_line 'credsh status'
    check_contains "$sh: ... status explains it" "AWS_PROFILE=dev was set by hand; credsh's choice was prod (session)" \
        "$(last_output)"
    [[ -n ${T_DUMP_SCREEN-} ]] && screen | sed "s/^/     $sh| /"
    tm kill-session -t "$SESSION" 2>/dev/null
}

# Each shell's rc file (start_shell, tmux_lib.sh) ends with a direnv-like hook installed after credsh's.
# bash: it puts itself first in PROMPT_COMMAND, as `direnv hook bash` does.
start_shell bash '_envrc_like() { [[ -e .envrc-like ]] && export AWS_PROFILE=dev; :; }
PROMPT_COMMAND="_envrc_like${PROMPT_COMMAND:+;$PROMPT_COMMAND}"' && hand_checks bash
# zsh: first in precmd_functions, as `direnv hook zsh` does.
start_shell zsh '_envrc_like() { [[ -e .envrc-like ]] && export AWS_PROFILE=dev; : }
precmd_functions=(_envrc_like $precmd_functions)' && hand_checks zsh
# fish: a fish_prompt handler defined after credsh's hook, as `direnv hook fish` does.
start_shell fish 'function _envrc_like --on-event fish_prompt
    test -e .envrc-like; and set -gx AWS_PROFILE dev
end' && hand_checks fish

finish
