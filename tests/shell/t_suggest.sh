# Typos get help (issue: "did you mean"): a mistyped subcommand or profile name, at each place a user types one
# (the command word, `use`, `exec -p`, `pin`, `login`), gets the nearest names; a word that is not close to any
# gets none; the typed word is shown escaped, never as raw control characters; the exit status says it failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3

cat >"$HOME/.aws/config" <<'EOF2'
[profile dev]
region = eu-west-1
[profile prod]
region = us-east-1
[profile prod-eu]
region = eu-central-1
EOF2
printf '[dev]\naws_access_key_id = AKIADEV\naws_secret_access_key = S3NT1NEL-dev\n' >"$HOME/.aws/credentials"
printf '[prod]\naws_access_key_id = AKIAPROD\naws_secret_access_key = S3NT1NEL-prod\n' >>"$HOME/.aws/credentials"
mkdir -p "$HOME/src/shop"

# run NAME ARGS...: stderr in $T_ROOT/NAME.err, exit status in RC.
run() {
    local name=$1
    shift
    (cd "$HOME/src/shop" && "$CREDSH_BIN" "$@") >"$T_ROOT/$name.out" 2>"$T_ROOT/$name.err" </dev/null
    RC=$?
}

run cmd stauts
check "a mistyped command fails (exit 2)" 2 "$RC"
check_contains "and names the command it resembles" "unknown command 'stauts' (did you mean 'status'?)" \
    "$(<"$T_ROOT/cmd.err")"
run cmd2 prifles
check_contains "prifles -> profiles" "(did you mean 'profiles'?)" "$(<"$T_ROOT/cmd2.err")"
run far xyzzy
check "a word close to nothing: still exit 2" 2 "$RC"
check_absent "and no suggestion" "did you mean" "$(<"$T_ROOT/far.err")"
run esc $'st\x1b]0;T\x07atus'
check_contains "a command word with control characters is shown escaped" 'st\x1b]0;T\x07atus' "$(<"$T_ROOT/esc.err")"
check "no raw ESC reaches the terminal" 0 "$(tr -cd '\033' <"$T_ROOT/esc.err" | wc -c)"

run use use prdo --shell bash --session=
check "use prdo fails" 1 "$RC"
check_contains "use prdo: did you mean prod" "profile prdo not found (did you mean 'prod'?)" "$(<"$T_ROOT/use.err")"
check "use prdo prints no shell code" "" "$(<"$T_ROOT/use.out")"
run exec exec -p prdo -- true
check "exec -p prdo fails" 1 "$RC"
check_contains "exec -p prdo: did you mean prod" "(did you mean 'prod'?)" "$(<"$T_ROOT/exec.err")"
run pin pin dve
check "pin dve fails" 1 "$RC"
check_contains "pin dve: did you mean dev" "pin: profile dve not found (did you mean 'dev'?)" "$(<"$T_ROOT/pin.err")"
check_true "pin dve wrote no .credprofile" test ! -e "$HOME/src/shop/.credprofile"
run login login nosuch
check "login nosuch fails" 1 "$RC"
check_contains "login nosuch: not found" "not found" "$(<"$T_ROOT/login.err")"
check_absent "login nosuch: nothing close, no suggestion" "did you mean" "$(<"$T_ROOT/login.err")"
# A missing argument is named as the user types it (the usage line's placeholder), never as the internal
# option that carries it (issue 11 item 5: not "the option '--profile' is required").
run pin pin
check "pin without a name: exit 2" 2 "$RC"
check "pin without a name: names NAME, with the usage" \
    "credsh: missing NAME (credsh pin NAME [--region REGION] [--ask-profile NAME] [--dir DIR])" "$(<"$T_ROOT/pin.err")"
for c in hook completion; do
    run "$c" "$c"
    check "$c without a shell: exit 2 and names SHELL" "2 credsh: missing SHELL (credsh $c SHELL)" \
        "$RC $(<"$T_ROOT/$c.err")"
done
check_absent "no internal option in any of these" "--profile" "$(cat "$T_ROOT"/{pin,hook,completion}.err)"
check_absent "no 'is required' wording" "required" "$(cat "$T_ROOT"/{pin,hook,completion}.err)"

# The options only the hooks pass are hidden from --help (and so from credsh(1) and completion), and still work.
declare -A HOOK_ONLY=([exec]="--session --state-fd --command" [export]="--session --pid --stdin-state --forget-hand"
    [status]="--session --stdin-state" [use]="--shell --session")
for c in exec export status use; do
    help=$("$CREDSH_BIN" "$c" --help 2>&1)
    for o in ${HOOK_ONLY[$c]}; do
        check_absent "$c --help does not show $o" "$o " "$help"
    done
done
check_contains "exec --help still shows what a person types" "--profile-location" "$("$CREDSH_BIN" exec --help)"
check_contains "use --help still shows --clear" "--clear" "$("$CREDSH_BIN" use --help)"
out=$("$CREDSH_BIN" use --shell bash --session=dev 2>&1)
check "use --shell --session still accepted (the hook passes them)" "0 credsh: session profile: dev" "$? $out"
check_no_match "no secret in any message" "S3NT1NEL" <(cat "$T_ROOT"/*.err)

finish
