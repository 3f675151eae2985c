# Profiles whose names start with '-' (docs/security.md 36): `credsh exec -p -NAME` / `-p=-NAME` /
# `--profile -NAME`, `credsh use -NAME` and `credsh use -- NAME` through the bash, zsh and fish hooks (the
# session name then travels as --session=-NAME), and completion in the three shells offering and inserting
# them. `--clear` is a profile name too here: it is reachable only after `--`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash zsh fish tmux

cat >"$HOME/.aws/config" <<'EOF'
[profile dev]
region = eu-west-1
[profile -dash]
region = eu-north-1
[profile --clear]
region = sa-east-1
[profile -p]
region = ap-south-1
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[-dash]
aws_access_key_id = AKIADASH
aws_secret_access_key = S3NT1NEL-dash
[--clear]
aws_access_key_id = AKIACLEAR
aws_secret_access_key = S3NT1NEL-clear
[-p]
aws_access_key_id = AKIAP
aws_secret_access_key = S3NT1NEL-p
EOF
check "credsh profiles lists the dash names" $'--clear\n-dash\n-p\ndev' "$("$CREDSH_BIN" profiles | LC_ALL=C sort)"

# --- exec: every spelling of -p reaches the name ------------------------------------------------------------
for spelling in "-p -dash" "-p=-dash" "--profile -dash" "--profile=-dash" "-p--dash"; do
    want=-dash
    [[ $spelling == "-p--dash" ]] && want=--dash # adjacent: Boost's own rule, the value is what follows -p
    # shellcheck disable=SC2086 # the spelling is split on purpose
    got=$("$CREDSH_BIN" exec $spelling -- sh -c 'printf %s "$AWS_PROFILE"' 2>&1)
    if [[ $want == -dash ]]; then
        check "exec $spelling: the child runs with AWS_PROFILE=-dash" "-dash" "$got"
    else
        check_contains "exec $spelling: names the profile --dash (none here)" "--dash" "$got"
    fi
done
check "exec -p --clear: a name equal to use's option" "--clear" \
    "$("$CREDSH_BIN" exec -p --clear -- sh -c 'printf %s "$AWS_PROFILE"' 2>&1)"
check "exec -p -p" "-p" "$("$CREDSH_BIN" exec -p -p -- sh -c 'printf %s "$AWS_PROFILE"' 2>&1)"

# --- use through each hook ----------------------------------------------------------------------------------
# hook_run SHELL 'commands': runs them after installing the hook in a non-interactive shell; prints stdout.
hook_run() {
    case $1 in
    bash) bash --norc --noprofile -c "eval \"\$('$CREDSH_BIN' hook bash)\"; $2" 2>&1 ;;
    zsh) zsh -f -c "eval \"\$('$CREDSH_BIN' hook zsh)\"; $2" 2>&1 ;;
    fish) fish --no-config -c "'$CREDSH_BIN' hook fish | source; $2" 2>&1 ;;
    esac
}
for sh in bash zsh fish; do
    pv='echo "P=$CREDSH_PROFILE"'
    check "$sh: credsh use -dash" "P=-dash" "$(hook_run $sh "credsh use -dash; $pv")"
    check "$sh: credsh use -- -dash" "P=-dash" "$(hook_run $sh "credsh use -- -dash; $pv")"
    check "$sh: credsh use --profile -p" "P=-p" "$(hook_run $sh "credsh use --profile -p; $pv")"
    check "$sh: credsh use -- --clear selects the profile named --clear" "P=--clear" \
        "$(hook_run $sh "credsh use -- --clear; $pv")"
    check "$sh: credsh use --clear still clears" "P=" "$(hook_run $sh "credsh use -dash; credsh use --clear; $pv")"
    check_contains "$sh: credsh use -- -h is a name, not help (no such profile)" "profile -h not found" \
        "$(hook_run $sh "credsh use -- -h")"
    # The session name reaches every later call: the prompt's export, exec and status.
    check "$sh: with session -dash, exec sees it" "-dash" \
        "$(hook_run $sh "credsh use -dash; credsh exec -- sh -c 'printf %s \"\$AWS_PROFILE\"'")"
    check_contains "$sh: with session -dash, status names it" "-dash" "$(hook_run $sh "credsh use -dash; credsh status")"
    check "$sh: with session -dash, the hook's export applies it" "K=-dash" \
        "$(hook_run $sh "credsh use -dash; echo \"K=\$AWS_PROFILE\"")"
done

# --- PowerShell: the module's functions and the credsh function (real pwsh) --------------------------------------
PWSH=$(command -v pwsh || echo /root/.dotnet/tools/pwsh)
if [[ -x $PWSH ]]; then
    mkdir -p "$T_ROOT/pbin"
    ln -sf "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/pbin/credsh"
    cat >"$T_ROOT/t.ps1" <<'EOF'
credsh hook pwsh | Out-String | Invoke-Expression
Set-CredshProfile -ProfileName '-dash'
"P1=$env:CREDSH_PROFILE A1=$env:AWS_PROFILE"
Set-CredshProfile -ProfileName '--clear'
"P2=$env:CREDSH_PROFILE"
Invoke-CredshCommand -ProfileName '-p' -ScriptBlock { "I=$env:AWS_PROFILE" }
credsh exec -p -dash -- sh -c 'echo "E=$AWS_PROFILE"'
Clear-CredshProfile
"P3=$env:CREDSH_PROFILE"
EOF
    got=$(PATH="$T_ROOT/pbin:$PATH" timeout 120 "$PWSH" -NoProfile -NonInteractive -File "$T_ROOT/t.ps1" 2>&1)
    check "pwsh: Set-CredshProfile -dash, a profile named --clear, Invoke-CredshCommand -p, exec -p -dash" \
        $'P1=-dash A1=-dash\nP2=--clear\nI=-p\nE=-dash\nP3=' "$got"
elif [[ ${CI-} == true ]]; then
    check "pwsh is installed (CI=true)" present missing
else
    echo "SKIP (section): pwsh not found -- the PowerShell checks did NOT run"
fi

# --- completion -----------------------------------------------------------------------------------------------
# bash: the completion function called as readline calls it (see t_completion_bash.sh).
"$CREDSH_BIN" completion bash >"$T_ROOT/credsh.bash"
bcomp() { # bcomp LINE: the replies, one per line
    bash --norc --noprofile -c '
        source "$1"; __credsh_bin=$2; line=$3
        COMP_LINE=$line COMP_POINT=${#line}
        read -ra COMP_WORDS <<<"$line"
        [[ $line == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMPREPLY=()
        _credsh
        ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"' bash "$T_ROOT/credsh.bash" "$CREDSH_BIN" "$1"
}
check_contains "bash: 'credsh use -' offers -dash" $'\n-dash\n' $'\n'"$(bcomp 'credsh use -')"$'\n'
check_contains "bash: 'credsh use -' still offers the options" $'\n--clear\n' $'\n'"$(bcomp 'credsh use -')"$'\n'
check "bash: 'credsh use -- --c' offers the profile --clear" "--clear" "$(bcomp 'credsh use -- --c')"
check "bash: 'credsh use -- -' offers only profile names" $'--clear\n-dash\n-p' "$(bcomp 'credsh use -- -' | LC_ALL=C sort)"
check "bash: 'credsh exec -p -d' offers -dash" "-dash" "$(bcomp 'credsh exec -p -d')"
check "bash: 'credsh login -- -d' offers -dash" "-dash" "$(bcomp 'credsh login -- -d')"
check "bash: nothing after the one name" "" "$(bcomp 'credsh use -- -dash ')"

# zsh: Tab in an interactive zsh (tmux); a stand-in credsh function shows what the command receives.
mkdir -p "$T_ROOT/zfunc" "$T_ROOT/zdot"
"$CREDSH_BIN" completion zsh >"$T_ROOT/zfunc/_credsh"
cat >"$T_ROOT/zdot/.zshrc" <<EOF
fpath=('$T_ROOT/zfunc' \$fpath)
autoload -Uz compinit && compinit -u -d '$T_ROOT/zcompdump'
__credsh_bin='$CREDSH_BIN'
credsh() { print -r -- "ARGS[\${(j:|:)@}]" }
PROMPT='%% '
EOF
SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
tm -f /dev/null new-session -d -s z -x 250 -y 60 env -i "HOME=$HOME" "ZDOTDIR=$T_ROOT/zdot" "PATH=/usr/bin:/bin" \
    TERM=screen LANG=C.UTF-8 "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" zsh -i
zscreen() { tm capture-pane -p -J -S - -t z; }
nmatch() { zscreen | grep -c -- "$1"; }
waitfor() { # waitfor PATTERN COUNT (an upper bound of 20 s, not a measure)
    local i
    for ((i = 0; i < 400; i++)); do (($(nmatch "$1") >= $2)) && return 0; sleep 0.05; done
    return 1
}
waitfor '^% ' 1 || echo "note: no first zsh prompt"
tab_args() { # tab_args TYPED: types it, Tab (completion settles before Enter: the line is read back)
    local n i
    n=$(nmatch '^ARGS\[')
    tm send-keys -t z -l -- "$1"
    tm send-keys -t z Tab
    for ((i = 0; i < 100; i++)); do
        [[ $(zscreen | grep '^% ' | tail -n 1) != "% $1" ]] && break
        sleep 0.05
    done
    tm send-keys -t z Enter
    waitfor '^ARGS\[' $((n + 1))
    zscreen | grep '^ARGS\[' | tail -n 1
}
check "zsh: 'credsh use -da<Tab>' inserts -dash" "ARGS[use|-dash]" "$(tab_args 'credsh use -da')"
check "zsh: 'credsh use -- --cl<Tab>' inserts the profile --clear" "ARGS[use|--|--clear]" \
    "$(tab_args 'credsh use -- --cl')"
check "zsh: 'credsh exec -p -da<Tab>' inserts -dash" "ARGS[exec|-p|-dash]" "$(tab_args 'credsh exec -p -da')"

# fish: complete -C gives the candidates fish would offer.
"$CREDSH_BIN" completion fish >"$T_ROOT/credsh.fish"
fcomp() { fish --no-config -c "set -g __credsh_bin '$CREDSH_BIN'; source '$T_ROOT/credsh.fish'; complete -C '$1'" | cut -f1; }
check_contains "fish: 'credsh use -d' offers -dash" $'\n-dash\n' $'\n'"$(fcomp 'credsh use -d')"$'\n'
check_contains "fish: 'credsh use -- --c' offers the profile --clear" $'\n--clear\n' $'\n'"$(fcomp 'credsh use -- --c')"$'\n'
check_contains "fish: 'credsh exec -p -d' offers -dash" $'\n-dash\n' $'\n'"$(fcomp 'credsh exec -p -d')"$'\n'
check_absent "fish: after the one name, no second" "-dash" "$(fcomp 'credsh use -- -dash -')"

finish
