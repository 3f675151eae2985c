# bash completion for credsh -- `credsh hook bash` includes it; `make install` also puts it in
# share/bash-completion/completions/credsh (loaded on the first Tab), or: source <(credsh completion bash). It
# needs nothing from the bash-completion package.
#
# Profile names come from `credsh profiles` (one per line) and may hold characters the shell treats
# specially: spaces, quotes, '$', and ':' or '=', at which bash splits COMP_WORDS. So the line is re-read
# as the shell will (__credsh_parse), names are matched against the unquoted value of the word under the
# cursor, and each candidate is quoted the way that word was started ('..., "... or bare) and cut to the
# part readline replaces.

__credsh_cmd() {
    if [[ -n ${__credsh_bin-} ]]; then "$__credsh_bin" "$@"; else command credsh "$@"; fi
}

# Reads COMP_LINE up to the cursor. Sets __credsh_args (the values of the words before the one under the
# cursor, quotes and backslashes removed), __credsh_w (that word as typed), __credsh_v (its value) and
# __credsh_q (the quote still open at the cursor: ', " or empty).
__credsh_parse() {
    __credsh_args=() __credsh_w= __credsh_v= __credsh_q=
    if [[ -z ${COMP_LINE+set} ]]; then # called by hand with COMP_WORDS alone
        __credsh_args=("${COMP_WORDS[@]:0:COMP_CWORD}")
        __credsh_w=${COMP_WORDS[COMP_CWORD]-} __credsh_v=$__credsh_w
        return
    fi
    local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}} c i started=
    for ((i = 0; i < ${#line}; i++)); do
        c=${line:i:1}
        if [[ $__credsh_q == "'" ]]; then
            [[ $c == "'" ]] && __credsh_q= || __credsh_v+=$c
        elif [[ $c == \\ && (-z $__credsh_q || ${line:i+1:1} == [\$\`\"\\]) ]]; then
            ((i++))
            c+=${line:i:1}
            __credsh_v+=${c:1}
        elif [[ $__credsh_q == '"' ]]; then
            [[ $c == '"' ]] && __credsh_q= || __credsh_v+=$c
        elif [[ $c == [\'\"] ]]; then
            __credsh_q=$c
        elif [[ $c == [[:blank:]] ]]; then
            [[ -n $started ]] && __credsh_args+=("$__credsh_v")
            __credsh_w= __credsh_v= started=
            continue
        else
            __credsh_v+=$c
        fi
        __credsh_w+=$c started=1
    done
}

# __credsh_reply CANDIDATE...: adds those that start with the typed value to COMPREPLY, quoted for the
# command line.
__credsh_reply() {
    local name text pre=
    # A bare word: readline replaces only what follows its last ':' or '=' (when COMP_WORDBREAKS has them).
    if [[ -z $__credsh_q ]]; then
        local breaks=${COMP_WORDBREAKS//[^:=]/}
        [[ -n $breaks ]] && pre=${__credsh_w%"${__credsh_w##*["$breaks"]}"}
    fi
    for name in "$@"; do
        [[ $name == "$__credsh_v"* ]] || continue
        case $__credsh_q in
        "'") text=${name//\'/\'\\\'\'} ;; # readline adds the closing quote
        '"') text=${name//\\/\\\\} text=${text//\"/\\\"} text=${text//\$/\\\$} text=${text//\`/\\\`} ;;
        *)
            printf -v text '%q' "$name"
            [[ $text == "$pre"* ]] && text=${text#"$pre"}
            ;;
        esac
        COMPREPLY+=("$text")
    done
}

__credsh_profiles() {
    local -a names
    mapfile -t names < <(__credsh_cmd profiles 2>/dev/null)
    __credsh_reply "${names[@]}"
}

# File and directory names: readline quotes these itself.
__credsh_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen "${1:--f}" -- "$__credsh_v")
}

# exec ... -- COMMAND ARGS: the command's own completion when bash-completion is loaded, else command names
# for the first word and file names after it.
__credsh_command() { # __credsh_command INDEX-OF-COMMAND-IN-COMP_WORDS
    if declare -F _command_offset >/dev/null; then
        _command_offset "$1"
    elif ((COMP_CWORD == $1)); then
        mapfile -t COMPREPLY < <(compgen -c -- "$__credsh_v" | LC_ALL=C sort -u) # builtins and files repeat
    else
        __credsh_files
    fi
}

_credsh() {
    local __credsh_w __credsh_v __credsh_q
    local -a __credsh_args
    COMPREPLY=()
    __credsh_parse
    local n=${#__credsh_args[@]} cmd=${__credsh_args[1]-} prev=
    ((n > 0)) && prev=${__credsh_args[n - 1]}
    if ((n <= 1)); then
        __credsh_reply allow completion console credential-process deny exec export hook login logout pin plugins profiles prompt \
            remove serve sso status store use --help --version
        return
    fi
    if [[ $cmd == exec ]]; then
        local i
        for ((i = 2; i < COMP_CWORD; i++)); do
            [[ ${COMP_WORDS[i]} == -- ]] && { __credsh_command $((i + 1)); return; }
        done
    fi
    case $prev in
    -p | --profile | --ask-profile) __credsh_profiles; return ;;
    --mode) __credsh_reply auto keys profile; return ;;
    --profile-location | --path) __credsh_files; return ;;
    --dir) __credsh_files -d; return ;;
    --region | -f | --format | --sso-session | --session | --name | --mfa-serial | --destination | --duration) return ;; # free text
    esac
    # The subcommand's own arguments so far: words that are neither options nor an option's value; after `--`
    # every word is one, and the word under the cursor is an argument even if it starts with '-'.
    local a skip= nargs=0 dashdash=
    for a in "${__credsh_args[@]:2}"; do
        if [[ -n $skip ]]; then skip=; continue; fi
        [[ -n $dashdash ]] && { nargs=$((nargs + 1)); continue; }
        case $a in
        --) dashdash=1 ;;
        -p | --profile | --ask-profile | --mode | --profile-location | --path | --dir | --region | -f | --format | \
            --sso-session | --session | --name | --mfa-serial | --destination | --duration) skip=1 ;;
        -*) ;;
        *) nargs=$((nargs + 1)) ;;
        esac
    done
    if [[ -z $dashdash && $__credsh_v == -* ]]; then
        case $cmd in
        allow | deny) __credsh_reply --path --help ;;
        console) __credsh_reply -p --profile --print --destination --duration --help ;;
        credential-process) __credsh_reply -p --profile --help ;;
        exec) __credsh_reply -p --profile --profile-location --mode --server -- --help ;;
        serve) __credsh_reply -p --profile --profile-location --help ;;
        login) __credsh_reply --profile --sso-session --no-browser --use-device-code --help ;;
        logout) __credsh_reply --profile --sso-session --all --help ;;
        pin) __credsh_reply --profile --region --ask-profile --dir --help ;;
        plugins) __credsh_reply --names --help ;;
        profiles) __credsh_reply --json --help ;;
        prompt) __credsh_reply -f --format --help ;;
        remove) __credsh_reply --profile --yes --help ;;
        sso) __credsh_reply --session --write --region --name --help ;;
        store) __credsh_reply --profile --stdin --mfa-serial --migrate --help ;;
        status) __credsh_reply --explain --json --help ;;
        use)
            __credsh_reply --profile --clear --help
            # `credsh use -dev` selects a profile named -dev (only a name equal to an option needs `--`).
            ((nargs == 0)) && __credsh_profiles
            ;;
        completion | export | hook) __credsh_reply --help ;;
        esac
        return
    fi
    ((nargs == 0)) || return
    case $cmd in
    use | login | logout | pin | remove | store) __credsh_profiles ;;
    sso) __credsh_reply accounts ;;
    completion | export | hook) __credsh_reply bash fish pwsh zsh ;;
    allow | deny) __credsh_files ;;
    esac
}

complete -F _credsh credsh
