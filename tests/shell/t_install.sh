# `make install` (cmake --install; here its completions component) puts each completion where its shell looks under PREFIX, identical to what
# `credsh completion SHELL` prints, and each shell then finds it by its own rules: bash by sourcing the
# bash-completion file, zsh through compinit and $fpath, fish through $XDG_DATA_DIRS.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need cmake bash zsh fish

BUILD=${CREDSH_BUILD_DIR:-$(cd "$(dirname "$CREDSH_BIN")/.." && pwd)}
[[ -f $BUILD/CMakeCache.txt ]] || { echo "FAIL $T_NAME: no build directory at $BUILD (set CREDSH_BUILD_DIR)"; exit 1; }
P=$T_ROOT/prefix
# Only the completions component: the rest (binary, plugins) is not this test's subject, and the plugin
# directory is an absolute path fixed at configure time, which --prefix does not move.
cmake --install "$BUILD" --prefix "$P" --component completions >"$T_ROOT/install.log" 2>&1
check "cmake --install --component completions succeeds" "0" "$?"

declare -A WHERE=(
    [bash]=share/bash-completion/completions/credsh
    [zsh]=share/zsh/site-functions/_credsh
    [fish]=share/fish/vendor_completions.d/credsh.fish
    [pwsh]=share/credsh/credsh.ps1
)
for sh in bash zsh fish pwsh; do
    f=$P/${WHERE[$sh]}
    check_true "$sh completion installed at PREFIX/${WHERE[$sh]}" test -f "$f"
    check "$sh: the installed file is what credsh completion $sh prints" \
        "$("$CREDSH_BIN" completion "$sh" | sha256sum)" "$(sha256sum <"$f" 2>/dev/null)"
done

check "bash registers the completion" "complete -F _credsh credsh" \
    "$(bash --norc --noprofile -c 'source "$1" && complete -p credsh' bash "$P/${WHERE[bash]}")"
check "zsh's compinit finds _credsh on \$fpath" "_credsh" \
    "$(zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit && compinit -u -d "$2" && print -r -- $_comps[credsh]' \
        zsh "$P/share/zsh/site-functions" "$T_ROOT/zcompdump")"
# fish loads a command's completions only once the command is on $PATH, as an installed credsh is.
mkdir -p "$T_ROOT/bin" && ln -s "$CREDSH_BIN" "$T_ROOT/bin/credsh"
check "fish loads it from \$XDG_DATA_DIRS" "$(printf '%s\n' bash fish pwsh zsh)" \
    "$(PATH=$T_ROOT/bin:$PATH XDG_DATA_DIRS=$P/share fish -c 'complete -C "credsh hook "' | cut -f1 | LC_ALL=C sort)"

finish
