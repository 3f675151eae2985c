# Re-entering a scope without a process, in real bash, zsh and fish (docs/design.md §4, "Re-entering a scope"): an
# export the binary marks replayable is kept by the hook and evaluated again when the shell comes back to the
# same scope from the same state, while every variable the export read and every file it watched is unchanged.
#
# Each script runs twice: once as installed, and once through a wrapper that deletes the binary's
# replayable mark, so every cd runs the binary. After every step both runs must show the same variables, the
# same prompt text and the same state (the replay gives exactly what the binary would print); the counts of
# exports then show where the hook replayed and where it had to run the binary:
#   - back into a scope seen before: no export;
#   - the scope's own .credprofile edited while the shell was elsewhere (a file the other scope does not
#     watch): an export, and the edit applies;
#   - a variable the export read (AWS_CONFIG_FILE) changed while elsewhere: an export, and the other file
#     applies;
#   - a file every scope watches edited (the stamp moves, kept exports are dropped): an export on re-entry;
#   - the credentials file replaced by an older one (mv, old mtime) while elsewhere: an export (the
#     directory's mtime shows it), and the other file applies;
#   - the scope denied from another terminal while elsewhere: an export, and it is blocked;
#   - a profile exported in keys mode (its text holds a secret): an export at every entry, and no secret in
#     what the hook keeps.
# The clock is fixed (CREDSH_TEST_NOW) so both runs' states are comparable byte for byte.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash zsh fish

REAL=$(readlink -f "$CREDSH_BIN")
CALLS=$T_ROOT/calls
mkdir -p "$T_ROOT/bin"
# The wrapper logs each subcommand; with NOMEMO=1 in its environment it also deletes the replayable mark.
cat >"$T_ROOT/bin/credsh" <<WRAPPER
#!/bin/sh
printf '%s\n' "\$1" >>'$CALLS'
if [ "\$1" = hook ]; then
    '$REAL' "\$@" | sed 's#$REAL#$T_ROOT/bin/credsh#g'
    exit
fi
if [ "\$1" = export ] && [ -n "\${NOMEMO-}" ]; then
    out=\$('$REAL' "\$@"; echo "rc=\$?")
    printf '%s\n' "\$out" | sed -e '/^__credsh_memo=/d' -e '/^set -g __credsh_memo /d' -e '/^rc=[0-9]*\$/d'
    exit "\${out##*rc=}"
fi
exec '$REAL' "\$@"
WRAPPER
chmod 755 "$T_ROOT/bin/credsh"
export PATH=$T_ROOT/bin:$PATH CREDSH_TEST_NOW=1800000000

S=$HOME/src
setup_world() {
    rm -rf "$HOME"
    mkdir -p "$HOME/.aws" "$HOME/.ask" "$XDG_CONFIG_HOME/credsh" "$S/p/deep" "$S/q" "$S/k" "$S/plain"
    printf '[profile dev]\nregion = eu-west-1\n[profile other]\nregion = us-east-1\n[profile ops]\nregion = ap-south-1\n' \
        >"$HOME/.aws/config"
    printf '[profile dev]\nregion = sa-east-1\n[profile other]\nregion = ca-central-1\n' >"$HOME/alt-config"
    printf '[dev]\naws_access_key_id = AKIADEVSTATIC\naws_secret_access_key = S3NT1NEL-dev\n[other]\naws_access_key_id = AKIAOTHERSTATIC\naws_secret_access_key = S3NT1NEL-other\n[ops]\naws_access_key_id = AKIAOPSSTATIC\naws_secret_access_key = S3NT1NEL-ops\n' \
        >"$HOME/.aws/credentials"
    cp -p "$HOME/.aws/credentials" "$T_ROOT/credentials"
    printf '[profile ops]\nexport = keys\n' >"$XDG_CONFIG_HOME/credsh/config"
    printf 'dev\n' >"$S/p/.credprofile"
    printf 'other\n' >"$S/q/.credprofile"
    printf 'ops\n' >"$S/k/.credprofile"
    local d
    for d in p q k; do "$REAL" allow "$S/$d" >/dev/null 2>&1 || echo "setup: allow $d failed"; done
    # Every file given an old mtime: the steps' own edits must be what the hook sees, whatever the timing.
    touch -d '1 minute ago' "$HOME/.aws/config" "$HOME/.aws/credentials" "$HOME/alt-config" \
        "$XDG_CONFIG_HOME/credsh/config" "$S"/*/.credprofile "$HOME/.ask"
}

VARS=(AWS_PROFILE AWS_REGION AWS_DEFAULT_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE CREDSH_PROFILE
    CREDSH_REGION CREDSH_SCOPE CREDSH_ERROR CREDSH_BLOCKED)
S() { SCRIPT+="$*"$'\n'; }
# A step: cd there, a prompt, then what the shell holds (secret values shown only as "set"). The lines are
# written for $sut: fish has its own syntax for "set or not".
S_step() { # S_step LABEL DIR
    S "cd '$2'"; S "$HOOK"
    S "echo \"@$1 calls=\$(grep -c '^export' '$CALLS')\""
    local v shown
    for v in "${VARS[@]}"; do
        shown="\$$v"
        [[ $v == AWS_SECRET_ACCESS_KEY ]] && shown=set
        if [[ $sut == fish ]]; then
            S "if set -q $v; echo \"@$1 $v=$shown\"; else; echo \"@$1 $v=unset\"; end"
        elif [[ $v == AWS_SECRET_ACCESS_KEY ]]; then
            S "echo \"@$1 $v=\${$v+set}\""
        else
            S "echo \"@$1 $v=\${$v-unset}\""
        fi
    done
    S "echo \"@$1 prompt=\$CREDSH_PROMPT\""
    # The state without its stash line (it names the shell's process id).
    S "printf '%s\n' \"\$__credsh_state\" | grep -v '^stash ' | sed 's/^/@$1 state /'"
}

run_shell() { # run_shell SHELL OUT [NOMEMO]
    local sut=$1 out=$2
    SCRIPT=
    HOOK=_credsh_hook
    # set_var NAME VALUE / unset_var NAME / status N (a command that returns N) in $sut's syntax.
    set_var() { S "export $1='$2'"; }
    unset_var() { S "unset $1"; }
    status() { echo "(exit $1)"; }
    if [[ $sut == fish ]]; then
        HOOK=__credsh_hook
        S "credsh hook fish | source"
        S "function __rc; return \$argv[1]; end"
        set_var() { S "set -gx $1 '$2'"; }
        unset_var() { S "set -e $1"; }
        status() { echo "__rc $1"; }
    else
        S "eval \"\$(credsh hook $sut)\""
    fi
    S "cd '$S/plain'"; S "$HOOK"
    # Whether the prompt right after the cd left a fast path ($__credsh_fpwd is the $PWD it was built for):
    # for an export that needs no second look (replayable) and for a replay, yes.
    fast() { S "echo \"@fast $1=\$__credsh_fpwd\""; }
    S_step r1 "$S/p/deep"; S_step r2 "$S/plain"; S_step r3 "$S/p"; fast r3; S_step r4 "$S/plain"
    S_step r5 "$S/q"; S_step r6 "$S/p"; S_step r7 "$S/q"; S_step r8 "$S/p"; fast r8; S_step r9 "$S/q"; S_step r10 "$S/plain"
    S_step r11 "$S/q"
    # Each change below is followed by a wait of a few timestamp ticks (sleep 0.05 s): an edit in the tick of
    # the last export's stamp is exported once more on purpose, and the counts must not depend on timing.
    # After each, two rounds p -> plain -> p -> plain: the second runs no export.
    round() { S_step "${1}a" "$S/p"; S_step "${1}b" "$S/plain"; S_step "${1}c" "$S/p"; S_step "${1}d" "$S/plain"; }
    # The scope's own .credprofile edited while outside it (mtime now: newer than any stamp), a file the
    # other scope does not watch: the new text is not trusted yet; trusted from another terminal, it applies.
    S "printf 'other\n' >'$S/p/.credprofile'"; S "sleep 0.05"
    S_step e1 "$S/p"; S_step e2 "$S/plain"
    S "'$REAL' allow '$S/p' >/dev/null 2>&1"; S "sleep 0.05"
    round e3; round e4
    # A variable the export read, changed by hand while outside.
    set_var AWS_CONFIG_FILE "$HOME/alt-config"
    round v1; round v2
    unset_var AWS_CONFIG_FILE
    round v3; round v4
    # A file every scope watches, edited while outside: the prompt there exports, the stamp moves.
    S "printf '[profile other]\nregion = eu-north-1\n' >>'$HOME/.aws/config'"; S "sleep 0.05"
    S_step g1 "$S/plain"; round g2; round g3
    # The credentials file replaced while outside by one with an old mtime and without p's keys (mv): no
    # file test sees it, the directory's mtime does.
    S "grep -v -e '^\[other\]' -e OTHER '$HOME/.aws/credentials' >'$HOME/creds.new'"
    S "touch -d '2 minutes ago' '$HOME/creds.new'"; S "mv '$HOME/creds.new' '$HOME/.aws/credentials'"; S "sleep 0.05"
    S_step m1 "$S/p"
    S "cp '$T_ROOT/credentials' '$HOME/.aws/credentials'"; S "sleep 0.05"
    round m2; round m3
    # A file made in a directory that holds only a file absent at the exports (~/.ask, without cli_config):
    # neither the stamp nor any kept export depends on it; cli_config's own test would see it appear.
    S "touch '$HOME/.ask/unrelated'"; S "sleep 0.05"
    round u1
    # p's .credprofile edited while outside, then a file every scope watches: the prompt outside exports and
    # the stamp moves past p's edit, so only dropping the kept exports at a new stamp keeps p's from standing.
    S "printf 'ops\n' >'$S/p/.credprofile'"; S "sleep 0.05"
    S "printf '[profile q2]\n' >>'$HOME/.aws/config'"; S "sleep 0.05"
    S_step f1 "$S/plain"; S_step f2 "$S/p"
    S "'$REAL' allow '$S/p' >/dev/null 2>&1"; S "sleep 0.05"
    round f3; round f4
    # Denied from another terminal while outside.
    S "'$REAL' deny '$S/p' >/dev/null 2>&1"; S "sleep 0.05"
    S_step d1 "$S/p"; S_step d2 "$S/plain"; S_step d3 "$S/p"
    # The hook returns the $? it found, on the fast path, the slow path and a replay.
    S "cd '$S/plain'"; S "$HOOK"; S "$HOOK"; S "$HOOK"
    local rc='$?'
    [[ $sut == fish ]] && rc='$status'
    S "$(status 3); $HOOK; echo \"@rc fast=$rc\""
    S "cd '$S/q'"; S "$(status 4); $HOOK; echo \"@rc slow=$rc\""
    # Two more round trips first: the replay below then comes from a scope and a state seen twice.
    S "cd '$S/plain'"; S "$HOOK"; S "cd '$S/q'"; S "$HOOK"
    S "cd '$S/plain'"; S "$HOOK"; S "echo \"@rc0 calls=\$(grep -c '^export' '$CALLS')\""
    S "cd '$S/q'"; S "$(status 5); $HOOK; echo \"@rc replay=$rc\""
    S "echo \"@rc1 calls=\$(grep -c '^export' '$CALLS')\""
    # keys mode: a secret in the text.
    S_step k1 "$S/k"; S_step k2 "$S/plain"; S_step k3 "$S/k"; S_step k4 "$S/plain"; S_step k5 "$S/k"
    if [[ $sut == fish ]]; then
        S "echo \"@kept count=\$(count \$__credsh_memo_t)\""
        S "printf '%s\n' \$__credsh_memo_t \$__credsh_memo_c | sed 's/^/@kept /'"
    else
        S "echo \"@kept count=\${#__credsh_memo_t[@]}\""
        S "printf '%s\n' \"\${__credsh_memo_t[@]}\" \"\${__credsh_memo_c[@]}\" | sed 's/^/@kept /'"
    fi
    printf '%s' "$SCRIPT" >"$T_ROOT/s.$sut"
    : >"$CALLS"
    script_shell "$sut" "$T_ROOT/s.$sut"
    (cd "$HOME" && NOMEMO=${3-} timeout 120 "${SCRIPT_SHELL[@]}") >"$out" 2>"$out.err" </dev/null
    local rc=$?
    check "$sut${3:+ (no replay)}: the script ran to the end" 0 "$rc"
    ((rc == 0)) || sed 's/^/     | /' "$out.err" | tail -20
}

for sut in bash zsh fish; do
    setup_world
    run_shell "$sut" "$T_ROOT/plain.$sut" 1
    setup_world
    run_shell "$sut" "$T_ROOT/memo.$sut"
    OUT=$T_ROOT/memo.$sut
    get() { sed -n "s/^@$1 $2=//p" "$OUT" | tail -n 1; }
    n() { get "$1" calls; }
    # The differential check: everything but the counts, step by step.
    if diff <(grep -v ' calls=' "$T_ROOT/plain.$sut" | grep -v -e '^@kept' -e '^@fast') \
        <(grep -v ' calls=' "$OUT" | grep -v -e '^@kept' -e '^@fast') >"$T_ROOT/diff.$sut"; then
        check "$sut: every step shows the same variables, prompt and state with replays as without" same same
    else
        check "$sut: every step shows the same variables, prompt and state with replays as without" same differ
        head -30 "$T_ROOT/diff.$sut" | sed 's/^/     | /'
        # What each run said on stderr, and the exports around the first difference, to tell why.
        for f in "$T_ROOT/plain.$sut" "$OUT"; do
            tail -5 "$f.err" | sed "s%^%     | ${f##*/} stderr: %"
        done
        step=$(sed -n '1s/^[0-9,]*c[0-9,]*$//p; 2s/^< @\([^ ]*\) .*/\1/p' "$T_ROOT/diff.$sut")
        [[ -n $step ]] && grep -h "^@$step calls=" "$T_ROOT/plain.$sut" "$OUT" | sed 's/^/     | calls: /'
    fi
    check "$sut: without replays every cd exports (r1..r9: 9 exports)" 9 \
        $(($(sed -n 's/^@r9 calls=//p' "$T_ROOT/plain.$sut") - $(sed -n 's/^@r1 calls=//p' "$T_ROOT/plain.$sut") + 1))
    check "$sut r1: in p/deep, dev" "dev eu-west-1" "$(get r1 AWS_PROFILE) $(get r1 AWS_REGION)"
    check "$sut r3: back into p (from plain, in p itself): no export" "$(n r2)" "$(n r3)"
    check "$sut r3: ... dev, as from the binary" "dev dev directory" \
        "$(get r3 AWS_PROFILE) $(get r3 CREDSH_PROFILE) $(get r3 CREDSH_SCOPE)"
    check "$sut r4: back to plain: no export, nothing set" "$(n r3) unset" "$(n r4) $(get r4 AWS_PROFILE)"
    check "$sut r5..r7: q, p from q, q from p, first times: an export each" $(($(n r4) + 3)) "$(n r7)"
    check "$sut r8, r9: p from q, q from p again: no export" "$(n r7)" "$(n r9)"
    check "$sut r3, r8: the prompt after the cd built the fast path (after an export, after a replay)" \
        "$S/p $S/p" "$(get fast r3) $(get fast r8)"
    # zsh and fish run the hook at the cd too (chpwd, the PWD event), so there the prompt is already the
    # second look.
    [[ $sut == bash ]] && check "$sut r3: ... not without the replayable mark (the next prompt looks again)" "" \
        "$(sed -n "s/^@fast r3=//p" "$T_ROOT/plain.$sut")"
    check "$sut r10, r11: plain from q (first time), q from plain again: one export" $(($(n r9) + 1)) "$(n r11)"
    check "$sut r9: q: other" other "$(get r9 AWS_PROFILE)"
    check "$sut e1: p's .credprofile edited while outside: an export" $(($(n r11) + 1)) "$(n e1)"
    check "$sut e1: ... and its new text is not trusted yet" "unset $S/p/.credprofile" \
        "$(get e1 AWS_PROFILE) $(get e1 CREDSH_BLOCKED)"
    check "$sut e3a: trusted from another terminal: an export" $(($(n e2) + 1)) "$(n e3a)"
    check "$sut e3a: ... and the edit applies" "other us-east-1" "$(get e3a AWS_PROFILE) $(get e3a AWS_REGION)"
    check "$sut e4: the second round after it: no export" "$(n e3d)" "$(n e4d)"
    check "$sut e4c: other" other "$(get e4c AWS_PROFILE)"
    check "$sut v1a: AWS_CONFIG_FILE set by hand while outside: an export" $(($(n e4d) + 1)) "$(n v1a)"
    check "$sut v1a: ... and the other config applies" "other ca-central-1" \
        "$(get v1a AWS_PROFILE) $(get v1a AWS_REGION)"
    check "$sut v2: the second round after it: no export" "$(n v1d)" "$(n v2d)"
    check "$sut v3a: unset again: an export, p as before" "$(($(n v2d) + 1)) other us-east-1" \
        "$(n v3a) $(get v3a AWS_PROFILE) $(get v3a AWS_REGION)"
    check "$sut v4: the second round after it: no export" "$(n v3d)" "$(n v4d)"
    check "$sut g1: the shared config edited: plain's prompt exports once" $(($(n v4d) + 1)) "$(n g1)"
    check "$sut g2a: ... and re-entering p exports (kept exports dropped)" $(($(n g1) + 1)) "$(n g2a)"
    check "$sut g2a: ... and the edit applies" "other eu-north-1" "$(get g2a AWS_PROFILE) $(get g2a AWS_REGION)"
    check "$sut g3: the second round after it: no export" "$(n g2d)" "$(n g3d)"
    check "$sut m1: the credentials replaced by an older file (mv) while outside: an export" $(($(n g3d) + 1)) "$(n m1)"
    check "$sut m1: ... and p's keys are gone from it" "other failed" "$(get m1 AWS_PROFILE) $(get m1 CREDSH_ERROR)"
    check "$sut m2a: put back: other, no error" "other unset" "$(get m2a AWS_PROFILE) $(get m2a CREDSH_ERROR)"
    check "$sut m3: the second round after it: no export" "$(n m2d)" "$(n m3d)"
    check "$sut u1: a file made in ~/.ask (a directory holding only an absent file): no export" \
        "$(n m3d)" "$(n u1d)"
    check "$sut f1: p's .credprofile and then the shared config edited: plain's prompt exports once" \
        $(($(n u1d) + 1)) "$(n f1)"
    check "$sut f2: re-entering p exports (the stamp moved past p's edit)" $(($(n f1) + 1)) "$(n f2)"
    check "$sut f2: ... and p's new text is not trusted yet" "unset $S/p/.credprofile" \
        "$(get f2 AWS_PROFILE) $(get f2 CREDSH_BLOCKED)"
    check "$sut f3a: trusted: ops (keys mode: never replayed)" "ops set" "$(get f3a AWS_PROFILE) $(get f3a AWS_SECRET_ACCESS_KEY)"
    check "$sut d1: p denied from another terminal while outside: an export" $(($(n f4d) + 1)) "$(n d1)"
    check "$sut d1: ... and p is blocked" "unset $S/p/.credprofile" "$(get d1 AWS_PROFILE) $(get d1 CREDSH_BLOCKED)"
    check "$sut d3: still blocked on re-entry" "unset $S/p/.credprofile" "$(get d3 AWS_PROFILE) $(get d3 CREDSH_BLOCKED)"
    check "$sut: the hook returns the \$? it found (fast path, after a cd, after a replay)" "3 4 5" \
        "$(get rc fast) $(get rc slow) $(get rc replay)"
    check "$sut: ... that last one was a replay" "$(n rc0)" "$(n rc1)"
    check "$sut k1: ops in keys mode" "ops AKIAOPSSTATIC set" \
        "$(get k1 AWS_PROFILE) $(get k1 AWS_ACCESS_KEY_ID) $(get k1 AWS_SECRET_ACCESS_KEY)"
    check "$sut k3, k5: keys mode is never replayed: an export at each entry" $(($(n k1) + 4)) "$(n k5)"
    check "$sut k5: ... with the keys" "ops set" "$(get k5 AWS_PROFILE) $(get k5 AWS_SECRET_ACCESS_KEY)"
    check "$sut: the hook keeps replayable exports (and shows them)" yes \
        "$( (($(sed -n 's/^@kept count=//p' "$OUT") > 0)) && grep -qE "^@kept (set -g )?__credsh_state[= ]" "$OUT" && echo yes)"
    check_no_match "$sut: no secret in what the hook keeps, on stdout" S3NT1NEL "$OUT"
    check_no_match "$sut: no secret on stderr" S3NT1NEL "$OUT.err"
    for e in "test:" "syntax error" "parse error" "not found" "bad " "Unknown command" "fish:"; do
        check_no_match "$sut: no shell error on stderr ($e)" "$e" "$OUT.err"
    done
done

finish
