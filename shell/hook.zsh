# credsh hook for zsh -- install with:  eval "$(credsh hook zsh)"
#
# precmd and chpwd run _credsh_hook, which decides with builtins alone whether anything changed: the
# nearest .credprofile (walking up with [[ -e ]]), the session profile, a watched file edited (not older than
# this shell's stamp, [[ -nt ]]) or deleted (zsh's -nt is false against a missing file), a file that was
# missing at the export (__credsh_absent) created, or credentials reaching their refresh time ($EPOCHSECONDS
# from zsh/datetime). Only then does it run `credsh export zsh` once.
#
# The user's options never reach the hook's own code (docs/security.md 33, 42): `emulate -L zsh` turns off
# err_exit, err_return and all_export for the function (restored at return), but not xtrace or verbose
# (they would print the evaluated export text, secret keys included), so every function adds no_xtrace and
# no_verbose; the slow path also removes the user's ZERR trap for its own run (local_traps restores it). The
# hook returns the $? it found, except under err_exit, err_return or a ZERR trap, where it returns 0: zsh
# acts on a non-zero return of a precmd function (the shell would end), and keeps $? for the prompt itself.

zmodload zsh/datetime 2>/dev/null
# Assigned with all_export off (an anonymous function with local options), so a shell with `setopt
# allexport` does not export the hook's variables to every child.
() {
    emulate -L zsh
    typeset -g __credsh_bin=@CREDSH@
    typeset -ga __credsh_watch __credsh_missing
    # Re-entering a scope without a process: an export the binary says may be replayed (__credsh_memo, the
    # test that every variable it read still has its value) is kept here with that test and the file test of
    # __credsh_files_test, under the scope and the state it started from. Coming back to that scope from that
    # state, the kept text is evaluated again while both tests hold -- what the binary would print, as nothing
    # it depends on changed. None of it is a secret (the binary never says so of an export that holds one). A
    # new stamp (__credsh_gen) means files may have changed since the kept exports looked: they are dropped.
    typeset -gA __credsh_memo_t __credsh_memo_c
}

# The export sets __credsh_absent (the watched files that were missing, one a line) and then calls this with
# the watched files that existed.
__credsh_set_watch() {
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    __credsh_watch=("$@")
    __credsh_missing=(${(f)__credsh_absent-})
}

# Set by hand: the variables credsh compares at every prompt (none is a secret), as one string -- "x" and
# the value when set, nothing when unset. __credsh_left holds it as the last export left them; a difference
# means a value set by hand (export, direnv, ...), which the next export shows and lets stand.
__credsh_export() { # __credsh_export KEY: KEY names the scope (the .credprofile in effect, the session profile)
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    typeset -g __credsh_settled= # set below only when the export is applied and needs no second look
    # The binary is gone (uninstalled, moved): one line, then quiet at every prompt until it is back. [[ -x ]]
    # is a stat, no process, and runs only when an export is due.
    if [[ ! -x $__credsh_bin ]]; then
        [[ -n ${__credsh_gone-} ]] ||
            print -ru2 -- "credsh: ${(q+)__credsh_bin} is gone (uninstalled or moved?): the hook stays quiet until it is back; to remove the hook, delete eval \"\$(credsh hook zsh)\" from ${ZDOTDIR:-~}/.zshrc"
        typeset -g __credsh_gone=1
        return 1
    fi
    typeset -g __credsh_gone=
    local mk="${1-}"$'\n'"${__credsh_state-}" gen=${__credsh_gen-} out
    if [[ -z ${__credsh_forget-} && -n ${__credsh_memo_t[$mk]+x} ]] && eval "${__credsh_memo_c[$mk]}"; then
        eval "${__credsh_memo_t[$mk]}"
        typeset -g __credsh_settled=1
    else
        out=$("$__credsh_bin" export zsh --memo --pid "$$" --session="${__credsh_session-}" --stdin-state \
            ${__credsh_forget:+"--forget-hand"} <<<"${__credsh_state-}")
        typeset -g __credsh_forget=
        # All or nothing: evaluate only complete output (the binary ends it with this marker).
        [[ $out == *'# credsh-end' ]] || return 1
        eval "$out"
        if [[ ${__credsh_gen-} != "$gen" ]] || (( ${#__credsh_memo_t} >= 32 )); then
            __credsh_memo_t=() __credsh_memo_c=()
        fi
        if [[ -n ${__credsh_memo-} ]]; then
            __credsh_files_test
            local d t=$__credsh_memo$__credsh_ft
            # The directories holding the watched files: an entry added, removed or renamed (a file put back
            # with an old mtime by mv or tar) makes the export run again. A missing file's own test sees it
            # appear however it does, so a directory holding only one (~/.ask without cli_config) is left out.
            for d in ${(u)${__credsh_watch[@]%/*}}; do
                [[ -d $d ]] && t+=" && ${(q)__credsh_stamp} -nt ${(q)d}"
            done
            __credsh_memo_c[$mk]="[[ $t ]]"
            __credsh_memo_t[$mk]=$out
            typeset -g __credsh_settled=1
        fi
    fi
    typeset -g __credsh_left="${AWS_PROFILE+x}${AWS_PROFILE-}/${AWS_ACCESS_KEY_ID+x}${AWS_ACCESS_KEY_ID-}/${AWS_REGION+x}${AWS_REGION-}/${AWS_DEFAULT_REGION+x}${AWS_DEFAULT_REGION-}/${ASK_DEFAULT_PROFILE+x}${ASK_DEFAULT_PROFILE-}"
}

__credsh_prompt_update() {
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    local p=${__credsh_pfmt-} t s
    if [[ -n ${__credsh_expires-} && $p == *@@T@@* ]]; then
        s=$((__credsh_expires - EPOCHSECONDS))
        if ((s <= 0)); then t=expired
        elif ((s < 60)); then t=${s}s
        elif ((s < 3600)); then t=$((s / 60))m
        elif ((s < 172800)); then t=$((s / 3600))h${(l:2::0:)$((s % 3600 / 60))}m
        else t=$((s / 86400))d
        fi
        p=${p//@@T@@/$t}
    fi
    # Doubled: a prompt expands % sequences in what ${CREDSH_PROMPT} gives it, so a '%' from a profile name
    # or a server's text must stay a '%' and not become a colour or a command (docs/security.md 34).
    typeset -g CREDSH_PROMPT=${p//\%/%%}
    # The same segment, undoubled, for `%1v` in PROMPT, which works without PROMPT_SUBST: zsh shows a psvar
    # element as it is, with no % sequence or $ expansion (docs/security.md 34).
    psvar[1]=$p
}

# The fast path: one [[ ]] over literal strings and paths, rebuilt (eval of (q)-quoted words) whenever the
# slow path runs, and put inline in _credsh_hook itself (__credsh_define_hook). It holds exactly what the slow
# path would look at for this $PWD: $PWD itself, the hand-compared variables and the session profile as the
# last export left them, the .credprofile candidates from $PWD up to the one in effect and the files missing
# at the export (none may appear), the stamp against every watched file (zsh's -nt is false when the file is
# gone, which also covers the .credprofile in effect: it is watched), and the refresh time. It needs no
# emulate: [[ ]] does no splitting or globbing of its words.
#
# The files part, also the file test of a kept export: the files missing at the export still missing, the
# stamp newer than every watched file (false when the file is gone), or, watching none, the stamp there.
# Into __credsh_ft.
__credsh_files_test() {
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    local s= w
    for w in "${__credsh_missing[@]}"; do s+=" && ! -e ${(q)w}"; done
    for w in "${__credsh_watch[@]}"; do s+=" && ${(q)__credsh_stamp} -nt ${(q)w}"; done
    (( ${#__credsh_watch} )) || s+=" && -e ${(q)__credsh_stamp}"
    typeset -g __credsh_ft=$s
}
__credsh_build_fast() { # __credsh_build_fast FOUND CANDIDATE...: the candidates before FOUND (or all, none found)
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    local f=$1 s w v
    shift
    s="[[ \$PWD == ${(q)PWD}"
    for v in AWS_PROFILE AWS_ACCESS_KEY_ID AWS_REGION AWS_DEFAULT_REGION ASK_DEFAULT_PROFILE; do
        if (( ${(P)+v} )); then s+=" && \${$v+x\$$v} == ${(q):-x${(P)v}}"; else s+=" && -z \${$v+x}"; fi
    done
    s+=" && \${__credsh_session-} == ${(q)${__credsh_session-}}"
    for w in "$@"; do s+=" && ! -e ${(q)w}"; done
    [[ -n $f && ${__credsh_watch[(Ie)$f]} == 0 ]] && s+=" && -e ${(q)f}"
    __credsh_files_test
    s+="$__credsh_ft ]]"
    [[ -n ${__credsh_refresh_at-} ]] && s+=" && ((EPOCHSECONDS < $((__credsh_refresh_at))))"
    __credsh_define_hook "$s"
    typeset -g __credsh_fpwd=$PWD
}

# The hook precmd and chpwd run, with TEST as its fast path (`false`: none), inline: a call of a zsh function
# costs about as much as the whole test (heap and signal-mask system calls), so the fast path makes none, and
# it has no `if` and, when $? was 0, no `return` (they cost six and three sigprocmask calls). The $? it found
# goes back to a caller that runs it by hand; but zsh acts on a precmd/chpwd function's non-zero return
# (err_exit ends the shell, err_return and ZERR traps fire), so then it returns 0. A failed test on the left of
# || and && counts for none of those.
__credsh_define_hook() { # __credsh_define_hook TEST
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    eval "_credsh_hook() {
    local __credsh_rc=\$?
    [[ -o err_exit || -o err_return ]] || (( \${+functions[TRAPZERR]} )) && __credsh_rc=0
    [[ -o xtrace || -o verbose ]] && setopt local_options no_xtrace no_verbose
    $1 || { __credsh_slow_hook; return \$__credsh_rc }
    [[ -n \${__credsh_expires-} ]] && __credsh_prompt_update
    (( ! __credsh_rc )) || return \$__credsh_rc
}"
}
# No fast path until the slow path builds one again.
__credsh_drop_fast() {
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    __credsh_define_hook false
    typeset -g __credsh_fpwd=
}

# What changed, found with builtins: the walk up from $PWD for the .credprofile in effect, the hand-compared
# variables (a value set by hand since the last export forces an export), the session profile, the stamp,
# the refresh time, the watched and the missing files. Exports once if anything did; builds the fast path
# if nothing did. The user's ZERR trap is off while it runs. Returns 0: the hook returns the status it found.
__credsh_slow_hook() {
    emulate -L zsh
    setopt local_options local_traps no_xtrace no_verbose
    trap - ZERR
    local same= d=$PWD f= need= w
    [[ "${AWS_PROFILE+x}${AWS_PROFILE-}/${AWS_ACCESS_KEY_ID+x}${AWS_ACCESS_KEY_ID-}/${AWS_REGION+x}${AWS_REGION-}/${AWS_DEFAULT_REGION+x}${AWS_DEFAULT_REGION-}/${ASK_DEFAULT_PROFILE+x}${ASK_DEFAULT_PROFILE-}" == "${__credsh_left-}" ]] && same=1
    local -a c
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
        # A watched file edited or deleted (-nt is false against a missing file), or a missing one created.
        for w in "${__credsh_watch[@]}"; do
            if [[ ! $__credsh_stamp -nt $w ]]; then need=1; break; fi
        done
        for w in "${__credsh_missing[@]}"; do
            if [[ -e $w ]]; then need=1; break; fi
        done
    fi
    if [[ -n $need ]]; then
        __credsh_export "$key"
        typeset -g __credsh_key=$key
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

credsh() {
    # As in the hook: this function assigns the hook's variables and evaluates credsh's output. The binary's
    # exit status is still this function's.
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    case ${1-} in
    use)
        local a out
        # Only options before `--` ask for help: `credsh use -- -h` selects a profile named -h.
        for a in "${@:2}"; do
            [[ $a == -- ]] && break
            [[ $a == --help || $a == -h ]] && { "$__credsh_bin" "$@"; return; }
        done
        # The hook's options go first: after the user's `--` they would be taken for a profile name.
        out=$("$__credsh_bin" use --shell zsh --session="${__credsh_session-}" "${@:2}") || return
        eval "$out"
        # Export once now, and values set by hand stop standing: `credsh use` is a new choice.
        typeset -g __credsh_key= __credsh_forget=1
        __credsh_memo_t=() __credsh_memo_c=()
        __credsh_drop_fast
        _credsh_hook
        [[ -z ${CREDSH_ERROR-} ]] # the selected profile has no usable credentials: non-zero (1)
        ;;
    allow | deny | pin)
        "$__credsh_bin" "$@" || return
        # Trust changed: export once now, whatever the timestamps say, and no kept export stands.
        typeset -g __credsh_key=
        __credsh_memo_t=() __credsh_memo_c=()
        __credsh_drop_fast
        _credsh_hook
        ;;
    exec) "$__credsh_bin" exec --session="${__credsh_session-}" --state-fd 3 "${@:2}" 3<<<"${__credsh_state-}" ;;
    status) "$__credsh_bin" status --session="${__credsh_session-}" --stdin-state "${@:2}" <<<"${__credsh_state-}" ;;
    *) "$__credsh_bin" "$@" ;;
    esac
}

autoload -Uz add-zsh-hook
add-zsh-hook precmd _credsh_hook
add-zsh-hook chpwd _credsh_hook

# Tab completion (completions/_credsh, put here by `credsh hook zsh`), so that the hook line alone completes
# subcommands and profile names wherever credsh is installed, whatever $fpath holds. It registers itself at
# once when compinit has already run. When the hook line comes before compinit, `compdef` does not exist yet,
# and compinit loading its dump file would drop an earlier registration anyway: so the first prompt, after the
# whole rc file has run, registers it (if compinit ran by then) and removes that precmd function. Without
# compinit (zsh's completion system is not loaded), that first prompt gives credsh the older compctl
# completion instead: subcommands, shells and profile names, and file names where nothing else matches.
@COMPLETION@
__credsh_compdef() {
    add-zsh-hook -d precmd __credsh_compdef
    if (( ${+functions[compdef]} )); then
        compdef _credsh credsh
    elif zmodload -i zsh/compctl 2>/dev/null; then
        compctl -K __credsh_compctl + -f credsh
    fi
}
__credsh_compctl() { # compctl -K: the candidates for the word being completed, in $reply
    emulate -L zsh
    setopt local_options no_xtrace no_verbose
    local -a w
    local n
    read -cA w
    read -cn n
    reply=()
    if ((n == 2)); then
        reply=(allow completion deny exec export hook login logout pin plugins profiles prompt sso status use)
    elif ((n == 3)); then
        case ${w[2]-} in
        use | login | logout | pin) reply=("${(@f)$("$__credsh_bin" profiles 2>/dev/null)}") ;;
        completion | export | hook) reply=(bash fish pwsh zsh) ;;
        esac
    fi
    reply=(${reply:#})
}
add-zsh-hook precmd __credsh_compdef
_credsh_hook
