# credsh hook for fish -- install with:  credsh hook fish | source   (in ~/.config/fish/config.fish)
#
# On every prompt and every change of $PWD, __credsh_hook decides with builtins alone whether anything
# changed: the nearest .credprofile (walking up with `test -e`), the session profile, a watched file edited
# (not older than this shell's stamp: `test -nt`) or deleted (`test -e`: fish's -nt is true against a missing
# file), or a file that was missing at the export (__credsh_absent) created. Only then does it run `credsh
# export fish` once. The clock comes from `path mtime` on the stamp (fish has no $EPOCHSECONDS), so no process
# is started.

set -g __credsh_bin @CREDSH@

# The export sets __credsh_absent (the watched files that were missing, one a line) and then calls this with
# the watched files that existed.
function __credsh_set_watch
    set -g __credsh_watch $argv
    set -g __credsh_missing (string split -n -- \n "$__credsh_absent")
end

# Now, in epoch seconds, without a process: the stamp's mtime plus its age (fish 3.6 `path mtime`).
function __credsh_now
    if test -e "$__credsh_stamp"
        math (path mtime -- "$__credsh_stamp") + (path mtime --relative -- "$__credsh_stamp")
    else
        date +%s
    end
end

# Set by hand: the variables credsh compares at every prompt (none is a secret), as one string -- "x" and
# the value when set, nothing when unset -- in $__credsh_vals, built with builtins alone. __credsh_left holds
# it as the last export left them; a difference means a value set by hand (set -gx, direnv, ...), which the
# next export shows and lets stand.
function __credsh_vals
    set -l s
    for v in AWS_PROFILE AWS_ACCESS_KEY_ID AWS_REGION AWS_DEFAULT_REGION ASK_DEFAULT_PROFILE
        if set -q $v
            set s "$s/x$$v"
        else
            set s "$s/"
        end
    end
    set -g __credsh_vals "$s"
end

# Re-entering a scope without a process (as in the bash and zsh hooks): an export the binary says may be
# replayed (__credsh_memo, the test that every variable it read is still exported with its value) is kept
# with that test, the file test of the fast path and a test of the directories holding the watched files,
# under the scope and the state it started from -- three lists, the keys, the texts and the tests. Coming
# back to that scope from that state, the kept text is sourced again while the tests hold: what the binary
# would print, as nothing it depends on changed. None of it is a secret (the binary never says so of an export
# that holds one). A new stamp (__credsh_gen) means files may have changed since the kept exports looked:
# they are dropped, as they are at `credsh use`, `allow`, `deny` and `pin`.
set -g __credsh_memo_k
set -g __credsh_memo_t
set -g __credsh_memo_c

function __credsh_export --argument-names key # KEY names the scope (the .credprofile in effect, the session profile)
    set -l fish_trace # an empty local: fish's xtrace must not print exported secrets
    set -g __credsh_settled '' # set below only when the export is applied and needs no second look
    # The binary is gone (uninstalled, moved): one line, then quiet at every prompt until it is back. `test -x`
    # is a builtin, no process, and runs only when an export is due.
    if not test -x "$__credsh_bin"
        test -n "$__credsh_gone"; or printf 'credsh: %s is gone (uninstalled or moved?): the hook stays quiet until it is back; to remove the hook, delete "credsh hook fish | source" from ~/.config/fish/config.fish\n' (string escape -- "$__credsh_bin") >&2
        set -g __credsh_gone 1
        return 1
    end
    set -g __credsh_gone ''
    set -l mk "$key"\n"$__credsh_state"
    set -l i
    test -z "$__credsh_forget"; and set i (contains -i -- $mk $__credsh_memo_k)
    if test -n "$i"; and eval $__credsh_memo_c[$i]
        __credsh_apply $__credsh_memo_t[$i]
        set -g __credsh_settled 1
        return
    end
    set -l forget
    test -n "$__credsh_forget"; and set forget --forget-hand
    set -g __credsh_forget ''
    set -l gen "$__credsh_gen"
    set -l out (printf '%s' "$__credsh_state" | $__credsh_bin export fish --memo --pid $fish_pid --session="$__credsh_session" --stdin-state $forget | string collect)
    # All or nothing: evaluate only complete output (the binary ends it with this marker).
    string match -q -- '*# credsh-end' "$out"; or return 1
    set -g __credsh_memo '' # what this export says, not an earlier one
    __credsh_apply "$out"
    if test "$__credsh_gen" != "$gen"; or test (count $__credsh_memo_k) -ge 32
        set -g __credsh_memo_k
        set -g __credsh_memo_t
        set -g __credsh_memo_c
    end
    test -n "$__credsh_memo"; or return 0
    # The test of a kept export: the variables, then the files as the fast path tests them, then the
    # directories holding the watched files (an entry added, removed or renamed: a file put back with an old
    # mtime by mv or tar). A missing file's own test sees it appear however it does.
    set -l t $__credsh_memo
    set -l stamp (string escape -- "$__credsh_stamp")
    for a in $__credsh_missing
        set -a t "not test -e "(string escape -- $a)
    end
    for w in $__credsh_watch
        set -a t "test -e "(string escape -- $w)" -a $stamp -nt "(string escape -- $w)
    end
    set -q __credsh_watch[1]; or set -a t "test -e $stamp"
    for d in (path dirname -- $__credsh_watch | path sort -u)
        test -d "$d"; and set -a t "test $stamp -nt "(string escape -- $d)
    end
    # One kept export a key: a later one replaces it (its test failed, or it was never tried: --forget-hand).
    set i (contains -i -- $mk $__credsh_memo_k)
    if test -z "$i"
        set i (math (count $__credsh_memo_k) + 1)
    end
    set -g __credsh_memo_k[$i] $mk
    set -g __credsh_memo_t[$i] "$out"
    set -g __credsh_memo_c[$i] (string join '; and ' -- $t)
    set -g __credsh_settled 1
end

# Evaluate an export's text (TEXT) and note what it left: its own changes are not set by hand. `eval`, not
# `printf | source`: the same parser, a quarter of the time (no pipe between two builtins).
function __credsh_apply --argument-names text
    set -g __credsh_busy 1 # (__credsh_hand_changed)
    eval "$text"
    set -g __credsh_busy ''
    __credsh_vals
    set -g __credsh_left "$__credsh_vals"
    set -g __credsh_dirty ''
end

# A change of one of them is looked at when it happens, not only at the next prompt: fish runs fish_prompt
# handlers in the order they were defined, so direnv's (`direnv hook fish`, usually sourced later) runs after
# this hook and its export would otherwise show one prompt late. fish fires this for every `set` and `set -e`
# of them, in any scope and from any function or handler, so the prompt itself need not compare them: it only
# looks at __credsh_dirty, which this sets.
function __credsh_hand_changed --on-variable AWS_PROFILE --on-variable AWS_ACCESS_KEY_ID --on-variable AWS_REGION --on-variable AWS_DEFAULT_REGION --on-variable ASK_DEFAULT_PROFILE
    test -n "$__credsh_busy"; and return
    set -q __credsh_left; or return
    set -g __credsh_dirty 1
    __credsh_hook
end

function __credsh_prompt_update
    set -l p "$__credsh_pfmt"
    if test -n "$__credsh_expires"; and string match -q -- '*@@T@@*' "$p"
        set -l s (__credsh_now)
        set s (math $__credsh_expires - $s)
        set -l t
        if test $s -le 0
            set t expired
        else if test $s -lt 60
            set t {$s}s
        else if test $s -lt 3600
            set t (math --scale=0 $s / 60)m
        else if test $s -lt 172800
            set t (math --scale=0 $s / 3600)h(string pad -w 2 -c 0 (math --scale=0 $s % 3600 / 60))m
        else
            set t (math --scale=0 $s / 86400)d
        end
        set p (string replace -a -- '@@T@@' $t "$p")
    end
    set -g CREDSH_PROMPT "$p"
end

# The fast path: one `test` call decides that nothing changed -- fish's builtins cost about a microsecond per
# command or operand, and a stat as much again, so every operand counts. The slow path builds its list (each
# path one argument, so no quoting and no eval): no .credprofile appeared between $PWD and the one in effect,
# no missing file appeared, and every watched file is still there and older than the stamp (`-e` and `-nt`:
# fish's -nt is true against a missing file; -nt against an existing file also implies the stamp exists, so
# only an empty watch list needs `-e stamp`, and the .credprofile in effect is watched). The hook puts one
# comparison in front of it: "x", the dirty flag ("" or "1") and $PWD (always starting with '/') against
# "x" and the $PWD the list was built for -- so a value set by hand, a cd, or a list being rebuilt (the
# $PWD cleared) fails it before any stat. A session change clears it too (__credsh_session_changed).
# __credsh_fpwd holds that $PWD when nothing is timed; __credsh_tpwd when credentials have a refresh time or
# an expiry shown in the prompt, which then look at the clock after the test.
function __credsh_build_fast --argument-names f
    set -l t
    for c in $argv[2..-1] $__credsh_missing
        set -a t -a ! -e $c
    end
    test -n "$f"; and not contains -- $f $__credsh_watch; and set -a t -a -e $f
    for w in $__credsh_watch
        set -a t -a -e $w -a $__credsh_stamp -nt $w
    end
    set -q __credsh_watch[1]; or set -a t -a -e $__credsh_stamp
    set -g __credsh_fast $t
    if test -z "$__credsh_refresh_at$__credsh_expires"
        set -g __credsh_fpwd "$PWD"
        set -g __credsh_tpwd ''
    else
        set -g __credsh_fpwd ''
        set -g __credsh_tpwd "$PWD"
    end
end

function __credsh_session_changed --on-variable __credsh_session
    set -g __credsh_fpwd ''
    set -g __credsh_tpwd ''
end

function __credsh_hook --on-event fish_prompt --on-variable PWD
    set -l fish_trace # an empty local: fish's xtrace must not print exported secrets
    set -l rc $status
    if test "x$__credsh_dirty$PWD" = "x$__credsh_fpwd" $__credsh_fast
        return $rc
    end
    if test "x$__credsh_dirty$PWD" = "x$__credsh_tpwd" $__credsh_fast
        and begin
            test -z "$__credsh_refresh_at"; or test (__credsh_now) -lt "$__credsh_refresh_at"
        end
        test -n "$__credsh_expires"; and __credsh_prompt_update
        return $rc
    end
    # A value set by hand since the last export forces an export: literal comparisons, no process, and only
    # after __credsh_hand_changed said one of the variables was set (bash and zsh compare at every prompt;
    # fish's builtins cost more, and its variable events make that unnecessary).
    set -l same 0
    if set -q __credsh_left
        if test -z "$__credsh_dirty"
            set same 1
        else
            __credsh_vals
            if test "x$__credsh_vals" = "x$__credsh_left"
                set same 1
                set -g __credsh_dirty '' # set back to what credsh left
            end
        end
    end
    # The walk up from $PWD: its ancestors made with one command substitution (each costs fish tens of
    # microseconds) and then appends, '' standing for /.
    set -l up ''
    set -l p ''
    for x in (string split -n / -- $PWD)
        set p "$p/$x"
        set -a up $p
    end
    set -l f ''
    set -l c
    for d in $up[-1..1]
        if test -e "$d/.credprofile"
            set f "$d/.credprofile"
            break
        end
        set -a c "$d/.credprofile"
    end
    set -l key "$f|$__credsh_session"
    set -l need 0
    if test $same = 0; or test "x$key" != "x$__credsh_key"; or test -z "$__credsh_stamp"; or not test -e "$__credsh_stamp"
        set need 1
    else if test -n "$__credsh_refresh_at"; and test (__credsh_now) -ge "$__credsh_refresh_at"
        set need 1
    else
        # A watched file edited (not older than the stamp; an edit in the stamp's own tick counts) or deleted,
        # or a file missing at the export created.
        for w in $__credsh_watch
            if not test -e "$w" -a "$__credsh_stamp" -nt "$w"
                set need 1
                break
            end
        end
        for a in $__credsh_missing
            if test -e "$a"
                set need 1
                break
            end
        end
    end
    if test $need = 1
        __credsh_export "$key"
        set -g __credsh_key "$key"
    end
    # Only a settled state gets a fast path: after an export, the next prompt looks again -- unless the export
    # was replayed or says it could be, which depends on nothing the fast path does not test.
    if test -n "$__credsh_stamp"; and test $need = 0 -o -n "$__credsh_settled"
        __credsh_build_fast "$f" $c
    else
        set -g __credsh_fpwd ''
        set -g __credsh_tpwd ''
    end
    __credsh_prompt_update
    return $rc
end

function credsh --wraps credsh --description 'credsh: the right credentials in the right shell'
    set -l fish_trace # an empty local: fish's xtrace must not print exported secrets
    switch "$argv[1]"
        case use
            # Only options before `--` ask for help: `credsh use -- -h` selects a profile named -h.
            for a in $argv[2..-1]
                test "$a" = --; and break
                if contains -- "$a" --help -h
                    $__credsh_bin $argv
                    return
                end
            end
            # The hook's options go first: after the user's `--` they would be taken for a profile name.
            set -l out ($__credsh_bin use --shell fish --session="$__credsh_session" $argv[2..-1] | string collect)
            # credsh's own status, not string collect's (1 for no output: `credsh use` alone, or Enter at its list)
            set -l rc $pipestatus[1]
            test $rc = 0; or return $rc
            printf '%s\n' "$out" | source
            # Export once now, and values set by hand stop standing: `credsh use` is a new choice.
            set -g __credsh_key ''
            set -g __credsh_fpwd ''
            set -g __credsh_tpwd ''
            set -g __credsh_forget 1
            set -g __credsh_memo_k
            set -g __credsh_memo_t
            set -g __credsh_memo_c
            __credsh_hook
            test -z "$CREDSH_ERROR" # the selected profile has no usable credentials: non-zero (1)
        case allow deny pin
            $__credsh_bin $argv; or return
            set -g __credsh_key '' # trust changed: export once now, whatever the timestamps say, and no kept export stands
            set -g __credsh_fpwd ''
            set -g __credsh_tpwd ''
            set -g __credsh_memo_k
            set -g __credsh_memo_t
            set -g __credsh_memo_c
            __credsh_hook
        case exec
            $__credsh_bin exec --session="$__credsh_session" --state-fd 3 $argv[2..-1] 3<(printf '%s' "$__credsh_state" | psub)
        case status
            printf '%s' "$__credsh_state" | $__credsh_bin status --session="$__credsh_session" --stdin-state $argv[2..-1]
        case '*'
            $__credsh_bin $argv
    end
end

# Tab completion (completions/credsh.fish, put here by `credsh hook fish`), so that the hook line alone
# completes subcommands and profile names wherever credsh is installed, whatever $XDG_DATA_DIRS holds.
@COMPLETION@

__credsh_hook
