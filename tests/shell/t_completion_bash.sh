# bash completion (completions/credsh.bash, as `credsh completion bash` prints it), in a real bash: the
# completion function called the way readline calls it (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD), every
# reply evaluated back by bash to prove its quoting, and then the same through readline itself in a tmux
# session, where Tab inserts the text and Enter hands the command its arguments.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/completion_world.sh"
need bash tmux

world_ok
"$CREDSH_BIN" completion bash >"$T_ROOT/credsh.bash" || echo "FAIL: credsh completion bash"
check "the embedded script is completions/credsh.bash" "$(sha256sum <"$CREDSH_SRC/completions/credsh.bash")" \
    "$(sha256sum <"$T_ROOT/credsh.bash")"

# One bash runs every case. comp LINE prints the replies, one per line. COMP_WORDS is split the way readline
# splits it (COMP_WORDBREAKS: blanks, quotes and also ':' and '='), good enough for these lines.
cat >"$T_ROOT/driver.bash" <<'EOF'
source "$1"
__credsh_bin=$2
comp() {
    local line=$1 w= c i q=
    COMP_LINE=$line COMP_POINT=${#line} COMP_WORDS=()
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if [[ -n $q ]]; then w+=$c; [[ $c == "$q" ]] && q=; continue; fi
        case $c in
        ' ') [[ -n $w ]] && COMP_WORDS+=("$w"); w= ;;
        [:=]) [[ -n $w ]] && COMP_WORDS+=("$w"); COMP_WORDS+=("$c"); w= ;;
        [\'\"]) q=$c; w+=$c ;;
        *) w+=$c ;;
        esac
    done
    COMP_WORDS+=("$w")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    _credsh
    ((${#COMPREPLY[@]})) && printf '%s\n' "${COMPREPLY[@]}"
}
EOF
# drive 'bash code...': runs it after the driver; stdout is what it prints.
drive() { bash --norc --noprofile -c "source '$T_ROOT/driver.bash' '$T_ROOT/credsh.bash' '$CREDSH_BIN'; $1"; }

check "complete -p credsh" "complete -F _credsh credsh" "$(drive 'complete -p credsh')"

# Profile names after `use`, `exec -p`, `login`, `pin`, `--ask-profile`: each reply, evaluated by bash as it
# would be on the command line, is exactly one of the names, and every name is there.
want=$(printf '%s\n' "${NAMES[@]}")
for line in "credsh use " "credsh exec -p " "credsh exec --profile " "credsh login " "credsh pin " \
    "credsh pin dev --ask-profile " "credsh pin --region eu-west-1 "; do
    got=$(drive "comp '$line' | while IFS= read -r r; do eval \"v=\$r\"; printf '%s\n' \"\$v\"; done")
    same_set "bash: '$line' offers every profile, quoted so that bash reads back the name" "$want" "$got"
done
check_absent "bash: a name with a newline is never offered" "bad" "$(drive "comp 'credsh use '")"

# One prefix per quoting context: bare, inside '...' and "..." (readline appends the closing quote), and a
# bare word after ':' (readline replaces only what follows it).
check "bash: bare 'my' -> my\\ skill" 'my\ skill' "$(drive "comp 'credsh use my'")"
check "bash: bare 'it' -> escaped quote, \$ and backticks" "it\\'s\\ \\\$HOME\\ \\\`id\\\`" "$(drive "comp 'credsh use it'")"
check "bash: after an opening ' -> raw text, ' as '\\''" "it'\\''s \$HOME \`id\`" "$(drive "comp \"credsh use 'it\"")"
check "bash: after an opening \" -> \$ and backtick escaped" "it's \\\$HOME \\\`id\\\`" "$(drive "comp 'credsh use \"it'")"
check "bash: after ':' only the rest of the name" "long/the_one%only.foo@bar+" "$(drive "comp 'credsh use some-thing:lo'")"
check "bash: after '=' only the rest of the name" 'ops\,eu@x' "$(drive "comp 'credsh exec -p team=o'")"
check "bash: a curly quote needs no quoting in bash" "x’y" "$(drive "comp 'credsh use x'")"
check "bash: non-ASCII" "café" "$(drive "comp 'credsh use ca'")"
check "bash: nothing after the one profile argument" "" "$(drive "comp 'credsh use dev '")"
check "bash: nothing for a free-text option" "" "$(drive "comp 'credsh pin --region '")"

# Subcommands: exactly those `credsh --help` lists, plus --help and --version.
same_set "bash: subcommands are those of credsh --help" "$(help_commands; printf '%s\n' --help --version)" \
    "$(drive "comp 'credsh '")"
check "bash: subcommand prefix" "profiles" "$(drive "comp 'credsh prof'")"
# Options: every option each subcommand's --help lists is offered after '-'.
for cmd in $(help_commands); do
    got=$(drive "comp 'credsh $cmd -'")
    for o in $(help_options "$cmd"); do
        check_contains "bash: credsh $cmd - offers $o" $'\n'"$o"$'\n' $'\n'"$got"$'\n'
    done
done
same_set "bash: shells" "$(printf '%s\n' bash fish pwsh zsh)" "$(drive "comp 'credsh hook '")"
same_set "bash: shells for export" "$(printf '%s\n' bash fish pwsh zsh)" "$(drive "comp 'credsh export '")"
check "bash: shells for completion, by prefix" "pwsh" "$(drive "comp 'credsh completion p'")"
check "bash: nothing after the shell" "" "$(drive "comp 'credsh hook bash '")"
same_set "bash: --mode values" "$(printf '%s\n' auto keys profile)" "$(drive "comp 'credsh exec --mode '")"
mkdir -p "$T_ROOT/files/sub dir" && touch "$T_ROOT/files/creds file"
check "bash: --profile-location completes file names" "$T_ROOT/files/creds file" \
    "$(drive "comp 'credsh exec --profile-location $T_ROOT/files/cr'")"
check "bash: exec -- completes commands" "bash" "$(drive "comp 'credsh exec -p dev -- bas'" | grep -x bash)"
check "bash: no profiles, no noise, when credsh cannot run" "" \
    "$(drive "__credsh_bin=/nonexistent/credsh; comp 'credsh use '" 2>&1)"

# --- through readline: Tab in an interactive bash in tmux --------------------------------------------------
SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
cat >"$T_ROOT/bashrc" <<EOF
source '$T_ROOT/credsh.bash'
__credsh_bin='$CREDSH_BIN'
credsh() { local IFS='|'; printf 'ARGS[%s]\n' "\$*"; } # shows what the command would receive
PS1='$ '
EOF
tm -f /dev/null new-session -d -s b -x 250 -y 50 env -i "HOME=$HOME" "PATH=/usr/bin:/bin" TERM=screen LANG=C.UTF-8 \
    "XDG_CONFIG_HOME=$XDG_CONFIG_HOME" bash --noprofile --rcfile "$T_ROOT/bashrc" -i
nargs() { tm capture-pane -p -J -S - -t b | grep -c '^ARGS\['; }
# tab_args TYPED: types it, Tab, Enter; prints the ARGS line the function printed.
tab_args() {
    local n i
    n=$(nargs)
    tm send-keys -t b -l -- "$1"
    tm send-keys -t b Tab
    sleep 0.3
    tm send-keys -t b Enter
    for ((i = 0; i < 100; i++)); do (($(nargs) > n)) && break; sleep 0.05; done
    tm capture-pane -p -J -S - -t b | grep '^ARGS\[' | tail -n 1
}
for ((i = 0; i < 100; i++)); do tm capture-pane -p -t b 2>/dev/null | grep -q '^\$' && break; sleep 0.05; done
check "readline: bare" "ARGS[use|my skill]" "$(tab_args 'credsh use my')"
check "readline: after '" "ARGS[use|it's \$HOME \`id\`]" "$(tab_args "credsh use 'it")"
check "readline: after \"" "ARGS[use|it's \$HOME \`id\`]" "$(tab_args 'credsh use "it')"
check "readline: after ':'" "ARGS[exec|-p|some-thing:long/the_one%only.foo@bar+]" "$(tab_args 'credsh exec -p some-thing:lo')"
check "readline: after '='" "ARGS[use|team=ops,eu@x]" "$(tab_args 'credsh use team=o')"
check "readline: curly quote" "ARGS[use|x’y]" "$(tab_args 'credsh use x')"
check "readline: subcommand" "ARGS[plugins]" "$(tab_args 'credsh plu')"

finish
