# zsh completion (completions/_credsh, as `credsh completion zsh` prints it) in an interactive zsh driven
# through tmux: compinit finds _credsh on $fpath the way an installed copy is found, Tab is pressed for real,
# and the command receives its arguments (a stand-in `credsh` function prints them), which proves that zsh
# inserted each awkward name quoted correctly. Listings are read from the screen.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/completion_world.sh"
need zsh tmux

world_ok
mkdir -p "$T_ROOT/zfunc"
"$CREDSH_BIN" completion zsh >"$T_ROOT/zfunc/_credsh" || echo "FAIL: credsh completion zsh"
check "the embedded script is completions/_credsh" "$(sha256sum <"$CREDSH_SRC/completions/_credsh")" \
    "$(sha256sum <"$T_ROOT/zfunc/_credsh")"
check_true "zsh parses it" zsh -n "$T_ROOT/zfunc/_credsh"

mkdir -p "$T_ROOT/zdot"
cat >"$T_ROOT/zdot/.zshrc" <<EOF
fpath=('$T_ROOT/zfunc' \$fpath)
autoload -Uz compinit && compinit -u -d '$T_ROOT/zcompdump'
__credsh_bin='$CREDSH_BIN'
credsh() { print -r -- "ARGS[\${(j:|:)@}]" } # shows what the command would receive
LISTMAX=1000
PROMPT='%% '
EOF

SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
tm -f /dev/null new-session -d -s z -x 250 -y 60 env -i "HOME=$HOME" "ZDOTDIR=$T_ROOT/zdot" "PATH=/usr/bin:/bin" \
    TERM=screen LANG=C.UTF-8 "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" zsh -i
screen() { tm capture-pane -p -J -S - -t z; }
nmatch() { screen | grep -c -- "$1"; }
waitfor() { # waitfor PATTERN COUNT: until the screen has COUNT lines matching (5 s at most)
    local i
    for ((i = 0; i < 100; i++)); do (($(nmatch "$1") >= $2)) && return 0; sleep 0.05; done
    return 1
}
waitfor '^% ' 1 || echo "note: no first prompt"

# tab_args TYPED: types it, Tab, Enter; prints the ARGS line the function printed.
tab_args() {
    local n
    n=$(nmatch '^ARGS\[')
    tm send-keys -t z -l -- "$1"
    tm send-keys -t z Tab
    sleep 0.4
    tm send-keys -t z Enter
    waitfor '^ARGS\[' $((n + 1))
    screen | grep '^ARGS\[' | tail -n 1
}
# tab_list TYPED: types it and Tab; prints the screen from the last prompt down (the listing), then clears
# the line.
tab_list() {
    local n
    n=$(nmatch '^% ')
    tm send-keys -t z -l -- "$1"
    tm send-keys -t z Tab
    sleep 0.6
    screen | awk '/^% / { buf = "" } { buf = buf $0 "\n" } END { printf "%s", buf }'
    tm send-keys -t z C-c
    waitfor '^% ' $((n + 1))
}

check "zsh: space" "ARGS[use|my skill]" "$(tab_args 'credsh use my')"
check "zsh: quotes, \$ and backticks" "ARGS[use|it's \$HOME \`id\`]" "$(tab_args 'credsh use it')"
check "zsh: inside an opening '" "ARGS[use|it's \$HOME \`id\`]" "$(tab_args "credsh use 'it")"
check "zsh: ':' and '%'" "ARGS[exec|-p|some-thing:long/the_one%only.foo@bar+]" "$(tab_args 'credsh exec -p some')"
check "zsh: '=' and ','" "ARGS[use|team=ops,eu@x]" "$(tab_args 'credsh use team')"
check "zsh: curly quote" "ARGS[login|x’y]" "$(tab_args 'credsh login x')"
check "zsh: non-ASCII" "ARGS[pin|café]" "$(tab_args 'credsh pin caf')"
check "zsh: every valid character" \
    "ARGS[pin|--ask-profile|ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_]" \
    "$(tab_args 'credsh pin --ask-profile ABC')"
check "zsh: subcommand" "ARGS[plugins]" "$(tab_args 'credsh plu')"
check "zsh: shell" "ARGS[hook|pwsh]" "$(tab_args 'credsh hook p')"
check "zsh: --mode value" "ARGS[exec|--mode|keys]" "$(tab_args 'credsh exec --mode k')"

list=$(tab_list 'credsh use ')
for name in "${NAMES[@]}"; do
    # zsh lists each name as it would insert it: quoted where needed.
    shown=$(zsh -fc 'print -r -- ${(q)1}' zsh "$name")
    check_contains "zsh: 'credsh use <Tab>' lists $name" "$shown" "$list"
done
check_absent "zsh: a name with a newline is never offered" "bad" "$list"

list=$(tab_list 'credsh ')
for cmd in $(help_commands); do
    check_true "zsh: 'credsh <Tab>' lists $cmd" grep -qE "(^|[[:space:]])$cmd([[:space:]]|$)" <<<"$list"
done
for cmd in $(help_commands); do
    list=$(tab_list "credsh $cmd --")
    for o in $(help_options "$cmd"); do
        check_true "zsh: credsh $cmd --<Tab> offers $o" grep -qE -- "(^|[[:space:]])$o([[:space:]=]|$)" <<<"$list"
    done
done

finish
