# Setup just works (issue 11 item 6), in real bash, zsh, fish and PowerShell driven through tmux, each with the
# shells' default options and an rc file holding a plain prompt, the hook line and README's prompt line for that
# shell (read from README.md, so the documented line is the tested one; docs/security.md 34):
# - the prompt shows the profile; a region carrying %F{red}, $(touch PWNED) and backticks shows as text (zsh's
#   line goes through psvar and %1v, without PROMPT_SUBST: the '%' shows once, not doubled) and runs nothing;
# - the binary disappears (moved away): the next export due prints one line naming its path and how to remove
#   the hook line, later prompts that would export stay quiet, and once it is back the hook works again.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake bash zsh fish
need_pwsh

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
P=$T_ROOT/prefix
cmake --install "$BUILD" --prefix "$P" >"$T_ROOT/install.log" 2>&1
check "cmake --install into a temporary prefix succeeds" "0" "$?"
BIN=$P/bin/credsh

EVIL_REGION='eu%F{red}$(touch PWNED)`touch PWNED2`'
# What the segment shows for it: '$' and '`' escaped (so no shell expands them), '%' as it is.
EVIL_SHOWN='aws:evil (eu%F{red}\x24(touch PWNED)\x60touch PWNED2\x60)'
mkdir -p "$HOME/src/dev" "$HOME/src/evil"
printf '[profile dev]\nregion = eu-west-1\n[profile evil]\nregion = %s\n' "$EVIL_REGION" >"$HOME/.aws/config"
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[evil]\naws_access_key_id = AKIAEVIL\naws_secret_access_key = S3NT1NEL-evil\n' >>"$HOME/.aws/credentials"
for p in dev evil; do (cd "$HOME/src/$p" && "$BIN" pin "$p" 2>/dev/null) || echo "setup: pin $p failed"; done

# readme_line SHELL: the line README.md's table under "## The prompt" gives for SHELL.
readme_line() {
    awk -v sh="$1" '/^## The prompt/ { on = 1; next } /^## / { on = 0 } on && index($0, "| " sh " | `") == 1' \
        "$CREDSH_SRC/README.md" | sed -E 's/^\| [a-z]+ \| `(.*)` \|$/\1/; s/\\\|/|/g'
}
PS_LINE=$(grep -m 1 '^function prompt {' "$CREDSH_SRC/README.md" | sed 's/ *# .*$//')
for sh in bash zsh fish; do
    check_true "README.md gives a prompt line for $sh" test -n "$(readme_line "$sh")"
done
check_true "README.md gives a prompt function for PowerShell" test -n "$PS_LINE"

TMUX_CONF=$T_ROOT/tmux.conf
source "$(dirname "${BASH_SOURCE[0]}")/tmux_lib.sh"
printf 'set -g remain-on-exit on\n' >"$TMUX_CONF"
# One session lives through the whole test, so that no shell's session is the server's last.
tm -f "$TMUX_CONF" new-session -d -s keepalive cat

run_env=(env -i "HOME=$HOME" "PATH=$P/bin:/usr/bin:/bin" TERM=screen LANG=C.UTF-8
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME"
    AWS_EC2_METADATA_DISABLED=true POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off)

# checks SHELL HOOK-LINE: the prompt, hostile text, then the binary moved away and back.
checks() {
    local sh=$1 hookline=$2 out
    rm -f "$HOME"/src/*/PWNED* "$HOME"/PWNED*
    type_line 'cd ~/src/dev'
    check_contains "$sh: the prompt shows the profile" "aws:dev (eu-west-1)" "$(last_prompt)"
    type_line 'cd ~/src/evil'
    check_contains "$sh: a region with %, \$(...) and backticks shows as text" "$EVIL_SHOWN" "$(last_prompt)"
    check "$sh: ...and ran nothing" "" "$(find "$HOME" -name 'PWNED*')"

    mv "$BIN" "$BIN.away"
    type_line 'cd ~/src/dev'
    out=$(last_output)
    check_contains "$sh: binary gone: one line names its path" "credsh: $BIN is gone" "$out"
    check_contains "$sh: ...and how to remove the hook line" "$hookline" "$out"
    type_line 'cd ~'
    type_line 'cd ~/src/evil'
    type_line 'cd ~/src/dev'
    check "$sh: ...said once: later prompts are quiet (lines naming the path)" 1 "$(screen | grep -cF "$BIN")"
    mv "$BIN.away" "$BIN"
    type_line 'cd ~'
    type_line 'cd ~/src/dev'
    check_contains "$sh: the binary is back: the hook works again" "aws:dev (eu-west-1)" "$(last_prompt)"
    check "$sh: ...without a word" "" "$(last_output)"
    check_true "$sh: the shell is alive" test "$(tm display -p -t "$SESSION" '#{pane_dead}')" = 0
}

# --- bash ---------------------------------------------------------------------------------------------------------
printf '%s\n' "PS1='@> '" 'eval "$(credsh hook bash)"' "$(readme_line bash)" >"$HOME/.bashrc"
PROMPT_RE='@> '
check_true "bash: the first prompt appeared" start bash "${run_env[@]}" bash -i
check "bash: no segment outside a tree" "@>" "$(last_prompt)"
checks bash 'delete eval "$(credsh hook bash)" from ~/.bashrc'

# --- zsh ------------------------------------------------------------------------------------------------------------
printf '%s\n' "PROMPT='@> '" 'eval "$(credsh hook zsh)"' "$(readme_line zsh)" >"$HOME/.zshrc"
check_true "zsh: the first prompt appeared" start zsh "${run_env[@]}" zsh -i
check "zsh: no segment outside a tree" "@>" "$(last_prompt)"
type_line '[[ -o prompt_subst ]] && echo "prompt_subst on" || echo "prompt_subst off"'
check "zsh: PROMPT_SUBST is off (zsh's default)" "prompt_subst off" "$(last_output)"
checks zsh 'delete eval "$(credsh hook zsh)" from ~/.zshrc'

# --- fish -----------------------------------------------------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/fish"
printf '%s\n' 'set -g fish_greeting' "function fish_prompt; printf '@> '; end" 'credsh hook fish | source' \
    "$(readme_line fish)" >"$XDG_CONFIG_HOME/fish/config.fish"
PROMPT_RE='^@> '
check_true "fish: the first prompt appeared" start fish "${run_env[@]}" fish -i
check "fish: no segment outside a tree" "@>" "$(last_prompt)"
checks fish 'delete "credsh hook fish | source" from ~/.config/fish/config.fish'

# --- PowerShell -------------------------------------------------------------------------------------------------------
mkdir -p "$XDG_CONFIG_HOME/powershell"
printf '%s\n' "$PS_LINE" 'Invoke-Expression (& credsh hook pwsh | Out-String)' \
    >"$XDG_CONFIG_HOME/powershell/Microsoft.PowerShell_profile.ps1"
PROMPT_RE=' ?PS [^>]*> '
check_true "pwsh: the first prompt appeared" start pwsh "${run_env[@]}" "$PWSH" -NoLogo
check_contains "pwsh: no segment outside a tree" " PS $HOME>" " $(last_prompt)"
checks pwsh 'delete Invoke-Expression (& credsh hook pwsh | Out-String) from $PROFILE'

finish
