# Setup just works (issue 11 item 6): with credsh installed under a prefix no shell searches, the hook line
# alone -- the only line in each rc file, $XDG_DATA_DIRS unset and $fpath as zsh starts it -- gives Tab
# completion of subcommands and profile names, in a real bash, zsh (hook line before compinit, after it, and
# without compinit), fish and PowerShell in tmux, typed as a person types. Each check types the words, Tab,
# then Ctrl-A and '#' and Enter: the line becomes a comment (zsh without interactive_comments: an unknown
# command) and stays on the screen as the shell completed it, read back once the next prompt is there.
# Every shell keeps its tmux session to the end: killing the last one would stop the tmux server while the
# next session starts.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake bash zsh fish
need_pwsh

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
P=$T_ROOT/prefix
cmake --install "$BUILD" --prefix "$P" >"$T_ROOT/install.log" 2>&1
check "cmake --install into a temporary prefix succeeds" "0" "$?"
check_true "the binary is installed at PREFIX/bin/credsh" test -x "$P/bin/credsh"

# dev is the only name starting with 'd' (no [default]), so `credsh use d<Tab>` has one answer.
printf '[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = us-east-1\n' >"$HOME/.aws/config"
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"

source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"

# The environment of a new terminal: the prefix on PATH and nothing else pointing at it.
run_env=(env -i "HOME=$HOME" "PATH=$P/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off)

# The text after the last prompt.
typed() { last_prompt | sed -E "s/$PROMPT_RE//"; }
shows() { [[ $(typed) == *"$1"* ]]; }
starts() { [[ $(typed) == "$1"* ]]; }
# completed TYPED: the line as the shell left it after TYPED and Tab (trailing blanks cut). Each key goes
# out once the shell has shown the one before (PowerShell can lose keys typed while it is busy).
completed() {
    local n
    n=$(nprompts)
    tm send-keys -t "$SESSION" -l -- "$1"
    wait_for shows "$1"
    tm send-keys -t "$SESSION" Tab
    tm send-keys -t "$SESSION" C-a
    tm send-keys -t "$SESSION" -l -- '#'
    wait_for starts '#'
    tm send-keys -t "$SESSION" Enter
    wait_prompts $((n + 1)) || echo "note: no new prompt after: $1" >&2
    screen | grep -E "$PROMPT_RE" | sed -n "${n}p" | sed -E "s/$PROMPT_RE//; s/[[:space:]]*\$//"
}

# tab_checks WHAT: both completions in the session just started.
tab_checks() {
    check "$1: credsh us<Tab> completes the subcommand" "#credsh use" "$(completed 'credsh us')"
    check "$1: credsh use d<Tab> completes the profile name" "#credsh use dev" "$(completed 'credsh use d')"
}

# --- bash: ~/.bashrc holds the hook line (no bash-completion loaded) ----------------------------------------
printf 'eval "$(credsh hook bash)"\n' >"$HOME/.bashrc"
PROMPT_RE='^[^ @]+@[^ :]+:[^ ]*[#$] '
check_true "bash: the first prompt appeared" start bash "${run_env[@]}" bash -i
tab_checks bash

# --- zsh: ~/.zshrc; the hook line before compinit, after it, and alone --------------------------------------
PROMPT_RE='^[^ ]+[#%] '
# Ubuntu's /etc/zsh/zshrc runs compinit unless told not to: each case runs compinit only where it says.
printf 'skip_global_compinit=1\n' >"$HOME/.zshenv"
zsh_case() { # zsh_case NAME RC-TEXT
    printf '%s\n' "$2" >"$HOME/.zshrc"
    check_true "zsh ($1): the first prompt appeared" start "zsh-$1" "${run_env[@]}" zsh -i
    tab_checks "zsh ($1)"
}
zsh_case "after compinit" $'autoload -Uz compinit && compinit\neval "$(credsh hook zsh)"'
# Now with the dump file the first compinit wrote: loading it replaces every registration made before.
check_true "zsh: compinit wrote its dump file" test -f "$HOME/.zcompdump"
zsh_case "before compinit" $'eval "$(credsh hook zsh)"\nautoload -Uz compinit && compinit'
zsh_case "no compinit" 'eval "$(credsh hook zsh)"'
tm send-keys -t "zsh-no compinit" -l -- 'echo compdef=${+functions[compdef]}'
tm send-keys -t "zsh-no compinit" Enter
check_true "zsh (no compinit): compinit never ran there (compctl did the completing)" \
    wait_for eval 'screen | grep -qx "compdef=0"'

# --- fish: config.fish -----------------------------------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/fish"
printf 'credsh hook fish | source\n' >"$XDG_CONFIG_HOME/fish/config.fish"
PROMPT_RE='^[^ @]+@[^ ]+ [^ ]*[#>] '
check_true "fish: the first prompt appeared" start fish "${run_env[@]}" fish -i
tab_checks fish

# --- PowerShell: $PROFILE ----------------------------------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/powershell"
printf 'Invoke-Expression (& credsh hook pwsh | Out-String)\n' >"$XDG_CONFIG_HOME/powershell/Microsoft.PowerShell_profile.ps1"
PROMPT_RE='^PS [^>]*> '
check_true "pwsh: the first prompt appeared" start pwsh "${run_env[@]}" "$PWSH" -NoLogo
tab_checks pwsh

finish
