# credsh hook for bash >= 4.4 -- install with:  eval "$(credsh hook bash)"
#
# At every prompt, _credsh_hook decides with shell builtins alone whether anything changed: the nearest
# .credprofile (found with [[ -e ]] walking up from $PWD), the session profile, a watched file edited (not
# older than this shell's stamp, [[ -nt ]]; an edit in the same timestamp tick as the last export counts) or
# deleted ([[ -e ]]: bash's -nt is true against a missing file), a file that was missing at the export
# (__credsh_absent) created, or credentials reaching their refresh time ($EPOCHSECONDS). Only then does it
# run `credsh export bash` -- once -- and evaluate what it prints. Nothing here spawns a process when nothing
# changed.
#
# The user's `set` options never reach the hook's own code (docs/security.md 33, 42): where one is on, the
# hook saves them with `local -` (restored exactly when it returns) and switches off allexport (-a: the
# hook's __credsh_* variables and functions would be exported to every child), errexit (-e: a failed export
# would end the shell), verbose and xtrace (-v, -x: they would print the evaluated export text, secret keys
# included), errtrace (-E: the user's ERR trap would run on the hook's own tests) and nounset (-u: the fast
# path compares $V with a value, unset being "").

# Everything below is defined inside this function, so `local -` can switch allexport off while it runs (a
# function or variable defined under `set -a` would be exported); it removes itself at the end.
__credsh_install() {
{ local -; set +aevxE; } 2>/dev/null
__credsh_bin=@CREDSH@

# The export sets __credsh_absent (the watched files that were missing, one a line) and then calls this with
# the watched files that existed. Split with parameter expansion: no word splitting, no globbing.
__credsh_set_watch() {
    __credsh_watch=("$@")
    __credsh_missing=()
    local a=${__credsh_absent-}
    while [[ -n $a ]]; do
        [[ -n ${a%%$'\n'*} ]] && __credsh_missing+=("${a%%$'\n'*}")
        [[ $a == *$'\n'* ]] && a=${a#*$'\n'} || a=
    done
}

# Re-entering a scope without a process: an export the binary says may be replayed (__credsh_memo, the test
# that every variable it read still has its value) is kept here with that test and the file test of
# __credsh_files_test, under the scope and the state it started from. Coming back to that scope from that
# state, the kept text is evaluated again while both tests hold -- what the binary would print, as nothing it
# depends on changed. None of it is a secret (the binary never says so of an export that holds one). A new
# stamp (__credsh_gen) means files may have changed since the kept exports looked: they are dropped.
declare -gA __credsh_memo_t=() __credsh_memo_c=()

# Set by hand: the variables credsh compares at every prompt (none is a secret), as one string -- "x" and
# the value when set, nothing when unset. __credsh_left holds it as the last export left them; a difference
# means a value set by hand (export, direnv, ...), which the next export shows and lets stand.
__credsh_export() { # __credsh_export KEY: KEY names the scope (the .credprofile in effect, the session profile)
    __credsh_settled= # set below only when the export is applied and needs no second look
    # The binary is gone (uninstalled, moved): one line, then quiet at every prompt until it is back. [[ -x ]]
    # is a stat, no process, and runs only when an export is due.
    if [[ ! -x $__credsh_bin ]]; then
        [[ -n ${__credsh_gone-} ]] ||
            printf 'credsh: %q is gone (uninstalled or moved?): the hook stays quiet until it is back; to remove the hook, delete eval "$(credsh hook bash)" from ~/.bashrc\n' "$__credsh_bin" >&2
        __credsh_gone=1
        return 1
    fi
    __credsh_gone=
    local mk="${1-}"$'\n'"${__credsh_state-}" gen=${__credsh_gen-} out
    if [[ -z ${__credsh_forget-} && -n ${__credsh_memo_t[$mk]+x} ]] && eval "${__credsh_memo_c[$mk]}"; then
        eval "${__credsh_memo_t[$mk]}"
        __credsh_settled=1
    else
        out=$("$__credsh_bin" export bash --memo --pid "$$" --session="${__credsh_session-}" --stdin-state \
            ${__credsh_forget:+"--forget-hand"} <<<"${__credsh_state-}")
        __credsh_forget=
        # All or nothing: evaluate only complete output (the binary ends it with this marker).
        [[ $out == *'# credsh-end' ]] || return 1
        eval "$out"
        if [[ ${__credsh_gen-} != "$gen" || ${#__credsh_memo_t[@]} -ge 32 ]]; then
            __credsh_memo_t=() __credsh_memo_c=()
        fi
        if [[ -n ${__credsh_memo-} ]]; then
            __credsh_files_test
            local d q t=$__credsh_memo$__credsh_ft
            declare -A seen=()
            # The directories holding the watched files: an entry added, removed or renamed (a file put back
            # with an old mtime by mv or tar) makes the export run again. A missing file's own test sees it
            # appear however it does, so a directory holding only one (~/.ask without cli_config) is left out.
            for d in "${__credsh_watch[@]%/*}"; do
                [[ -n $d && -z ${seen[$d]+x} && -d $d ]] || continue
                seen[$d]=1
                printf -v q ' && %q -nt %q' "$__credsh_stamp" "$d"
                t+=$q
            done
            __credsh_memo_c[$mk]="[[ $t ]]"
            __credsh_memo_t[$mk]=$out
            __credsh_settled=1
        fi
    fi
    __credsh_left="${AWS_PROFILE+x}${AWS_PROFILE-}/${AWS_ACCESS_KEY_ID+x}${AWS_ACCESS_KEY_ID-}/${AWS_REGION+x}${AWS_REGION-}/${AWS_DEFAULT_REGION+x}${AWS_DEFAULT_REGION-}/${ASK_DEFAULT_PROFILE+x}${ASK_DEFAULT_PROFILE-}"
}

__credsh_prompt_update() {
    local p=${__credsh_pfmt-} t s
    if [[ -n ${__credsh_expires-} && $p == *@@T@@* ]]; then
        s=$((__credsh_expires - EPOCHSECONDS))
        if ((s <= 0)); then t=expired
        elif ((s < 60)); then t=${s}s
        elif ((s < 3600)); then t=$((s / 60))m
        elif ((s < 172800)); then printf -v t '%dh%02dm' $((s / 3600)) $((s % 3600 / 60))
        else t=$((s / 86400))d
        fi
        p=${p//@@T@@/$t}
    fi
    CREDSH_PROMPT=$p
}

# The fast path: one [[ ]] over literal strings and paths, rebuilt (eval of %q-quoted words) whenever the slow
# path runs, and put inline in _credsh_hook itself (__credsh_define_hook). It holds exactly what the slow path
# would look at for this $PWD: $PWD itself, the hand-compared variables and the session profile as the last
# export left them, the .credprofile candidates from $PWD up to the one in effect and the files missing at
# the export (none may appear), every watched file still there and older than the stamp (which covers the
# .credprofile in effect: it is watched), and the refresh time. One [[ ]] costs far less than the walk and the
# loops.
#
# The files part of a kept export's test, into __credsh_ft: the files missing at the export still missing,
# every watched file still there and older than the stamp (or, watching none, the stamp there), each path a
# %q-quoted word. The fast path tests the same, through variables (__credsh_build_fast).
__credsh_files_test() {
    local s= q w p
    ((${#__credsh_missing[@]})) && { printf -v q ' && ! -e %q' "${__credsh_missing[@]}"; s+=$q; }
    if ((${#__credsh_watch[@]})); then
        printf -v q %q "$__credsh_stamp" # printf -v, never $(...): a command substitution forks
        # -e first: bash's -nt is true when the watched file is missing.
        for w in "${__credsh_watch[@]}"; do printf -v p ' && -e %q && %s -nt %q' "$w" "$q" "$w"; s+=$p; done
    else
        printf -v q ' && -e %q' "$__credsh_stamp"
        s+=$q
    fi
    __credsh_ft=$s
}
# The fast path names each path through a variable: bash copies a function's body at every call, and in a
# multibyte locale it expands a literal word byte by byte; `$__credsh_pN` costs half as much as a 40-byte
# path in C.UTF-8. The variables are set in one loop, in the order the test names them.
__credsh_build_fast() { # __credsh_build_fast FOUND CANDIDATE...: the candidates before FOUND (or all, none found)
    local f=$1 s q w v i
    shift
    for w in "${__credsh_watch[@]}"; do [[ $w == "$f" ]] && f=; done
    local -a p=("$PWD" "$@" ${f:+"$f"} "${__credsh_missing[@]}" "${__credsh_watch[@]}")
    for ((i = 0; i < ${#p[@]}; i++)); do printf -v "__credsh_p$((i + 1))" %s "${p[i]}"; done
    s='[[ $PWD == "$__credsh_p1"'
    # A value compared as itself ($V == value: unset is "", which no non-empty value equals), set-but-empty
    # and unset apart. The hook runs with nounset off, so $V needs no default.
    for v in AWS_PROFILE AWS_ACCESS_KEY_ID AWS_REGION AWS_DEFAULT_REGION ASK_DEFAULT_PROFILE __credsh_session; do
        if [[ -n ${!v-} ]]; then
            printf -v q ' && $%s == %q' "$v" "${!v}"
        elif [[ -n ${!v+x} && $v != __credsh_session ]]; then
            printf -v q ' && ${%s+x$%s} == x' "$v" "$v"
        else
            printf -v q ' && -z $%s' "$v"
            [[ $v == __credsh_session ]] || printf -v q ' && -z ${%s+x}' "$v"
        fi
        s+=$q
    done
    # The candidates and the missing files may not appear, the .credprofile in effect must stay; every watched
    # file still there (-e first: bash's -nt is true when it is missing) and older than the stamp.
    i=1
    for w; do s+=" && ! -e \$__credsh_p$((++i))"; done
    [[ -n $f ]] && s+=" && -e \$__credsh_p$((++i))"
    for w in "${__credsh_missing[@]}"; do s+=" && ! -e \$__credsh_p$((++i))"; done
    for w in "${__credsh_watch[@]}"; do
        ((++i))
        s+=" && -e \$__credsh_p$i && \$__credsh_stamp -nt \$__credsh_p$i"
    done
    ((${#__credsh_watch[@]})) || s+=' && -e $__credsh_stamp'
    s+=" ]]"
    [[ -n ${__credsh_refresh_at-} ]] && s+=" && ((EPOCHSECONDS < $((__credsh_refresh_at))))"
    __credsh_define_hook "$s"
    __credsh_fpwd=$PWD
}

# The hook PROMPT_COMMAND runs, with TEST as its fast path (`false`: none). It returns the status the prompt
# found ($?), for what runs after it in PROMPT_COMMAND; the installed entry is `_credsh_hook && :`, so that
# status can neither trip errexit nor run an ERR trap (a failed command before the last && counts for
# neither), as it would as a plain command. The options are only touched when one of them is on: the
# redirection costs an open() at every prompt.
__credsh_define_hook() { # __credsh_define_hook TEST
    eval "_credsh_hook() {
    local __credsh_rc=\$?
    case \$- in *[aevxEu]*) { local -; set +aevxEu; } 2>/dev/null ;; esac
    if $1; then
        [[ -n \${__credsh_expires-} ]] && __credsh_prompt_update
        return \$__credsh_rc
    fi
    __credsh_slow_hook
    return \$__credsh_rc
}"
}
# No fast path until the slow path builds one again.
__credsh_drop_fast() {
    __credsh_define_hook false
    __credsh_fpwd=
}

# What changed, found with builtins: the walk up from $PWD for the .credprofile in effect, the hand-compared
# variables (a value set by hand since the last export forces an export), the session profile, the stamp,
# the refresh time, the watched and the missing files. Exports once if anything did; builds the fast path
# if nothing did. Returns 0: the hook returns the status it found.
__credsh_slow_hook() {
    local same= d=$PWD f= need= w
    [[ "${AWS_PROFILE+x}${AWS_PROFILE-}/${AWS_ACCESS_KEY_ID+x}${AWS_ACCESS_KEY_ID-}/${AWS_REGION+x}${AWS_REGION-}/${AWS_DEFAULT_REGION+x}${AWS_DEFAULT_REGION-}/${ASK_DEFAULT_PROFILE+x}${ASK_DEFAULT_PROFILE-}" == "${__credsh_left-}" ]] && same=1
    local -a c=()
    [[ $d == / ]] && d=
    while :; do
        if [[ -e $d/.credprofile ]]; then f=$d/.credprofile; break; fi
        c+=("$d/.credprofile")
        [[ -z $d ]] && break
        d=${d%/*}
    done
    local key="$f|${__credsh_session-}"
    if [[ -z $same || $key != "${__credsh_key-}" || -z ${__credsh_stamp-} || ! -e $__credsh_stamp ]]; then
        need=1
    elif [[ -n ${__credsh_refresh_at-} ]] && ((EPOCHSECONDS >= __credsh_refresh_at)); then
        need=1
    else
        # A watched file edited or deleted (bash's -nt is true against a missing file), or a missing one created.
        for w in "${__credsh_watch[@]}"; do
            if [[ ! -e $w || ! $__credsh_stamp -nt $w ]]; then need=1; break; fi
        done
        for w in "${__credsh_missing[@]}"; do
            if [[ -e $w ]]; then need=1; break; fi
        done
    fi
    if [[ -n $need ]]; then
        __credsh_export "$key" || : # under the user's errtrace a failed call would still run their ERR trap
        __credsh_key=$key
    fi
    # Only a settled state gets a fast path: after an export, the next prompt looks again (the export may
    # have failed or be waiting for a login), and that look builds it once nothing is due -- unless the export
    # was replayed or says it could be (__credsh_memo: it depends on nothing but the variables and files the
    # fast path tests; no failure, message or time), which that look would find settled: it is built now.
    if [[ (-z $need || -n ${__credsh_settled-}) && -n ${__credsh_stamp-} ]]; then
        __credsh_build_fast "$f" "${c[@]}"
    else
        __credsh_drop_fast
    fi
    __credsh_prompt_update
    return 0
}
__credsh_drop_fast

# The commands that change this shell run here; everything else goes straight to the binary.
credsh() {
    # The same options off as in the hook (restored at return): this function assigns the hook's variables
    # and evaluates credsh's output. The binary's exit status is still this function's.
    [[ $- == *[aevxE]* ]] && { local -; set +aevxE; } 2>/dev/null
    case ${1-} in
    use)
        local a out
        # Only options before `--` ask for help: `credsh use -- -h` selects a profile named -h.
        for a in "${@:2}"; do
            [[ $a == -- ]] && break
            [[ $a == --help || $a == -h ]] && { "$__credsh_bin" "$@"; return; }
        done
        # The hook's options go first: after the user's `--` they would be taken for a profile name.
        out=$("$__credsh_bin" use --shell bash --session="${__credsh_session-}" "${@:2}") || return
        eval "$out"
        # Export once now, and values set by hand stop standing: `credsh use` is a new choice.
        __credsh_key= __credsh_forget=1 __credsh_memo_t=() __credsh_memo_c=()
        __credsh_drop_fast
        _credsh_hook || :
        [[ -z ${CREDSH_ERROR-} ]] # the selected profile has no usable credentials: non-zero (1)
        ;;
    allow | deny | pin)
        "$__credsh_bin" "$@" || return
        # Trust changed: export once now, whatever the timestamps say, and no kept export stands.
        __credsh_key= __credsh_memo_t=() __credsh_memo_c=()
        __credsh_drop_fast
        _credsh_hook || :
        ;;
    exec) "$__credsh_bin" exec --session="${__credsh_session-}" --state-fd 3 "${@:2}" 3<<<"${__credsh_state-}" ;;
    status) "$__credsh_bin" status --session="${__credsh_session-}" --stdin-state "${@:2}" <<<"${__credsh_state-}" ;;
    *) "$__credsh_bin" "$@" ;;
    esac
}

# Tab completion (completions/credsh.bash, put here by `credsh hook bash`), so that the hook line alone
# completes subcommands and profile names wherever credsh is installed, with or without bash-completion.
# Defined inside this function, so that `set -a` does not export its functions either.
@COMPLETION@
# Install once: prepend to PROMPT_COMMAND (a string or, in bash >= 5.1, an array), then run now so this
# shell starts with the right variables.
__credsh_installed() {
    local c
    for c in "${PROMPT_COMMAND[@]}"; do [[ ";$c;" == *";_credsh_hook"[\;\ ]* ]] && return 0; done
    return 1
}
if ! __credsh_installed; then
    if [[ -n ${PROMPT_COMMAND+set} && ${PROMPT_COMMAND@a} == *a* ]]; then
        PROMPT_COMMAND=('_credsh_hook && :' "${PROMPT_COMMAND[@]}")
    else
        PROMPT_COMMAND="_credsh_hook && :${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
    fi
fi
_credsh_hook || :
}
__credsh_install
unset -f __credsh_install
