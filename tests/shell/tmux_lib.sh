# Shared by the interactive tests (t_interactive_tmux.sh, t_hand_tmux.sh, t_use_picker.sh, t_hook_options_tmux.sh,
# t_pwsh_interactive.sh): a real shell in tmux, typed into the way a person does, its screen read back. Source after lib.sh, then set PROMPT_RE
# (an extended regex matching a prompt line). Every wait is an upper bound that only stops a hung test (10
# minutes), never a measure: a sanitizer build on a loaded machine may take seconds per prompt.
need tmux
SOCK=$T_ROOT/tmux.sock
SESSION=
TMUX_CONF=${TMUX_CONF:-/dev/null}
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT

screen() { tm capture-pane -p -J -S - -t "$SESSION" 2>/dev/null; }
nprompts() { screen | grep -cE "$PROMPT_RE"; }
# The shell is gone: its pane is dead (remain-on-exit) or its session no longer exists.
dead() { ! tm has-session -t "$SESSION" 2>/dev/null || [[ $(tm display -p -t "$SESSION" '#{pane_dead}' 2>/dev/null) == 1 ]]; }
last_prompt() { screen | grep -E "$PROMPT_RE" | tail -n 1 | sed 's/[[:space:]]*$//'; }
# The lines between the last two prompts: what the last command printed.
last_output() { screen | awk -v re="$PROMPT_RE" '$0 ~ re { out = buf; buf = ""; next } { buf = buf $0 "\n" } END { printf "%s", out }' | sed '/^[[:space:]]*$/d'; }

# wait_for COMMAND...: until it succeeds.
wait_for() {
    local i
    for ((i = 0; i < 6000; i++)); do
        "$@" && return 0
        sleep 0.1
    done
    echo "note: gave up waiting for: $*"
    return 1
}
# wait_prompts N: until the screen has N prompt lines, or the shell is gone.
wait_prompts() {
    local i
    for ((i = 0; i < 6000; i++)); do
        (($(nprompts) >= $1)) && return 0
        dead && return 1
        sleep 0.1
    done
    return 1
}
# type_line TEXT: type it and Enter, then wait for the next prompt.
type_line() {
    local n
    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- "$1"
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1)) || echo "note: no new prompt after: $1"
}
# start NAME COMMAND...: a fresh tmux session running COMMAND (tmux options from $TMUX_CONF); waits for its first
# prompt.
start() {
    SESSION=$1
    shift
    tm -f "$TMUX_CONF" new-session -d -s "$SESSION" -x 250 -y 50 -c "$HOME" "$@"
    wait_prompts 1
}

# shell_missing NAME: the loud skip of one shell's part of a test; under CI=true it counts as a failure.
shell_missing() {
    [[ ${CI-} == true ]] && { echo "FAIL $1 missing under CI=true"; T_FAILS=$((T_FAILS + 1)); }
    echo "SKIP $1 part: $1 is not installed -- it did NOT run"
}

# start_shell SHELL [EXTRA]: SHELL (bash, zsh or fish) interactive in a fresh tmux session, with the environment
# "${BASE_ENV[@]}" and an rc file under $T_ROOT written the README's way: the prompt "[STATUS]
# CREDSH_PROMPT-or-none> " (PROMPT_RE '^\[[0-9]+\] '), the hook line, then EXTRA (lines in SHELL's syntax, e.g. a
# direnv-like hook installed after credsh's). Waits for the first prompt; the caller checks it. SHELL not
# installed: shell_missing, and status 1 (bash and tmux are checked by `need`).
start_shell() {
    local sh=$1 extra=${2-}
    command -v "$sh" >/dev/null || { shell_missing "$sh"; return 1; }
    case $sh in
    bash)
        printf '%s\n' 'unset HISTFILE' "PS1='[\$?] \${CREDSH_PROMPT:-none}> '" 'eval "$(credsh hook bash)"' \
            "$extra" >"$T_ROOT/bashrc"
        start bash "${BASE_ENV[@]}" bash --noprofile --rcfile "$T_ROOT/bashrc" -i
        ;;
    zsh)
        mkdir -p "$T_ROOT/zdot"
        printf '%s\n' 'unset HISTFILE' 'setopt prompt_subst' "PROMPT='[%?] \${CREDSH_PROMPT:-none}> '" \
            'eval "$(credsh hook zsh)"' "$extra" >"$T_ROOT/zdot/.zshrc"
        start zsh "${BASE_ENV[@]}" ZDOTDIR="$T_ROOT/zdot" zsh -i
        ;;
    fish)
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
        printf '%s\n' "$extra" >>"$T_ROOT/rc.fish"
        # --no-config keeps the machine's config out; the rc is sourced as the init command instead.
        start fish "${BASE_ENV[@]}" fish --no-config -i -C "source $T_ROOT/rc.fish"
        ;;
    *)
        echo "FAIL start_shell: no rc file for $sh"
        T_FAILS=$((T_FAILS + 1))
        return 1
        ;;
    esac
    return 0
}
