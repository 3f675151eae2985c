# bash completion for credsh -- installed by `make install`, or: source <(credsh completion bash)
# Profile names come from `credsh profiles` (one per line), so names with spaces complete quoted.

__credsh_profiles() {
    local cur=$1 name
    local -a names
    mapfile -t names < <("${__credsh_bin:-credsh}" profiles 2>/dev/null)
    for name in "${names[@]}"; do
        [[ $name == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$name")")
    done
}

_credsh() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
    local cmd=${COMP_WORDS[1]-}
    COMPREPLY=()
    if ((COMP_CWORD == 1)); then
        mapfile -t COMPREPLY < <(compgen -W "allow completion deny exec export hook login pin profiles prompt status use --help --version" -- "$cur")
        return
    fi
    case $prev in
    -p | --profile | --ask-profile) __credsh_profiles "$cur"; return ;;
    --region) return ;;
    --profile-location | --dir) mapfile -t COMPREPLY < <(compgen -f -- "$cur"); return ;;
    --mode) mapfile -t COMPREPLY < <(compgen -W "auto keys profile" -- "$cur"); return ;;
    esac
    case $cmd in
    use)
        if [[ $cur == -* ]]; then mapfile -t COMPREPLY < <(compgen -W "--clear --help" -- "$cur")
        else __credsh_profiles "$cur"; fi ;;
    login | pin)
        if [[ $cur == -* ]]; then mapfile -t COMPREPLY < <(compgen -W "--region --ask-profile --dir --help" -- "$cur")
        elif ((COMP_CWORD == 2)); then __credsh_profiles "$cur"; fi ;;
    exec)
        local i
        for ((i = 2; i < COMP_CWORD; i++)); do
            if [[ ${COMP_WORDS[i]} == -- ]]; then
                mapfile -t COMPREPLY < <(compgen -c -- "$cur")
                return
            fi
        done
        mapfile -t COMPREPLY < <(compgen -W "-p --profile --profile-location --mode -- --help" -- "$cur") ;;
    hook | export | completion) mapfile -t COMPREPLY < <(compgen -W "bash zsh fish pwsh" -- "$cur") ;;
    allow | deny) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    status) mapfile -t COMPREPLY < <(compgen -W "--explain --json --help" -- "$cur") ;;
    profiles) mapfile -t COMPREPLY < <(compgen -W "--json --help" -- "$cur") ;;
    prompt) mapfile -t COMPREPLY < <(compgen -W "--format --help" -- "$cur") ;;
    esac
}
complete -F _credsh credsh
