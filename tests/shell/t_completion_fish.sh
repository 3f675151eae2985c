# fish completion (completions/credsh.fish, as `credsh completion fish` prints it), asked through fish's own
# `complete -C LINE`, which runs the completion machinery exactly as Tab does and prints the candidates.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/completion_world.sh"
need fish

world_ok
"$CREDSH_BIN" completion fish >"$T_ROOT/credsh.fish" || echo "FAIL: credsh completion fish"
check "the embedded script is completions/credsh.fish" "$(sha256sum <"$CREDSH_SRC/completions/credsh.fish")" \
    "$(sha256sum <"$T_ROOT/credsh.fish")"
check_true "fish parses it" fish --no-execute "$T_ROOT/credsh.fish"

# comp LINE: the candidates fish offers, descriptions cut off. (Not --no-config: it also stops fish loading
# the completions of other commands; HOME is the test's own, so no user configuration is read.)
comp() {
    fish -c 'set -g __credsh_bin $argv[1]; source $argv[2]; complete -C $argv[3]' \
        "$CREDSH_BIN" "$T_ROOT/credsh.fish" "$1" | cut -f1
}

want=$(printf '%s\n' "${NAMES[@]}")
for line in "credsh use " "credsh exec -p " "credsh exec --profile " "credsh login " "credsh logout " \
    "credsh pin " "credsh pin dev --ask-profile " "credsh use --profile "; do
    same_set "fish: '$line' offers every profile" "$want" "$(comp "$line")"
done
check_absent "fish: a name with a newline is never offered" "bad" "$(comp 'credsh use ')"
check "fish: by prefix, with a space" "my skill" "$(comp 'credsh use my')"
check "fish: by prefix, with quotes, \$ and backticks" "it's \$HOME \`id\`" "$(comp 'credsh use it')"
check "fish: by prefix, ':'" "some-thing:long/the_one%only.foo@bar+" "$(comp 'credsh use some-thing:')"
check "fish: by prefix, curly quote" "x’y" "$(comp 'credsh use x')"
check "fish: by prefix, non-ASCII" "café" "$(comp 'credsh use caf')"
check "fish: typed inside quotes" "my skill" "$(comp "credsh use 'my s")"
check "fish: nothing after the one profile argument" "" "$(comp 'credsh use dev ')"

same_set "fish: subcommands are those of credsh --help" "$(help_commands)" "$(comp 'credsh ')"
for cmd in $(help_commands); do
    got=$(comp "credsh $cmd -")
    for o in $(help_options "$cmd"); do
        check_contains "fish: credsh $cmd - offers $o" $'\n'"$o"$'\n' $'\n'"$got"$'\n'
    done
done
same_set "fish: shells" "$(printf '%s\n' bash fish pwsh zsh)" "$(comp 'credsh hook ')"
same_set "fish: shells for completion" "$(printf '%s\n' bash fish pwsh zsh)" "$(comp 'credsh completion ')"
check "fish: nothing after the shell" "" "$(comp 'credsh hook bash ')"
same_set "fish: --mode values" "$(printf '%s\n' auto keys profile)" "$(comp 'credsh exec --mode ')"
check "fish: exec -- completes the command" "fish" "$(comp 'credsh exec -p dev -- fis' | grep -x fish)"
check "fish: exec -- then that command's own options" "--color" "$(comp 'credsh exec -- ls --colo' | grep -x -- --color)"
check "fish: no profiles, no noise, when credsh cannot run" "" \
    "$(fish -c 'set -g __credsh_bin /nonexistent/credsh; source $argv[1]; complete -C "credsh use "' \
        "$T_ROOT/credsh.fish" 2>&1)"

finish
