# Failures show (issue 11 item 2), in bash, zsh, fish and PowerShell (t_failures_<shell>.sh set SUT and source this file,
# which borrows scenarios.sh's snippets, runner and world). A profile whose credentials cannot be had -- a role
# whose STS endpoint is a closed port on 127.0.0.1, an IAM Identity Center profile without a token -- must not
# look like success:
#   - `credsh use`, `credsh exec`, `credsh status` (plain, --explain, --json) and `credsh login` exit non-zero;
#   - the prompt segment carries the error mark of the default prompt_format (`!`; `!login` for a needed
#     login) and CREDSH_ERROR says which, while no credentials are in the shell;
#   - `credsh status` says what failed and when it is tried again;
#   - a healthy profile afterwards: exit 0, no mark.
SCENARIOS_LIB=1
source "$(dirname "${BASH_SOURCE[0]}")/scenarios.sh"

CLOSED=$(free_port) # nothing listens here: connection refused at once, no timing involved
cat >>"$HOME/.aws/config" <<EOF
[profile stsdown]
role_arn = arn:aws:iam::123456789012:role/admin
source_profile = dev
region = eu-west-1
endpoint_url = http://127.0.0.1:$CLOSED
[sso-session corp]
sso_start_url = https://corp.awsapps.invalid/start
sso_region = us-east-1
[profile ssonew]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = us-east-1
EOF

# out_of STEP: the stdout of one step (between its @@ marker and the next).
out_of() { awk -v m="@@$1" '$0 == m { on = 1; next } /^@@/ { on = 0 } on' "$OUT"; }

failures_scenario() {
    local V="CREDSH_PROMPT CREDSH_ERROR CREDSH_PROFILE AWS_ACCESS_KEY_ID"
    S_begin
    S_install
    S_mark u1; S 'credsh use stsdown'; S_rc u1; S_show u1 $V
    S_mark s1; S 'credsh status'; S_rc s1
    S_mark s2; S 'credsh status --explain'; S_rc s2
    S_mark s3; S 'credsh status --json'; S_rc s3
    S_mark x1; S 'credsh exec -- true'; S_rc x1
    S_mark l1; S 'credsh login stsdown'; S_rc l1
    S_mark h1; S_hook; S_show h1 $V # the next prompt keeps the mark (retried after a minute, not now)
    S_mark u2; S 'credsh use dev'; S_rc u2; S_show u2 $V
    S_mark s4; S 'credsh status'; S_rc s4
    S_mark u3; S 'credsh use ssonew'; S_rc u3; S_show u3 $V
    S_mark s5; S 'credsh status'; S_rc s5
    S_mark x2; S 'credsh exec -- true'; S_rc x2
    S_mark u4; S 'credsh use --clear'; S_rc u4; S_show u4 $V
    run fail
    check "$SUT: use of a profile whose STS is unreachable exits 1" 1 "$(get u1 rc)"
    check "$SUT: ... its prompt carries the error mark" "s:aws:stsdown* ! (eu-west-1)" "$(get u1 CREDSH_PROMPT)"
    check "$SUT: ... CREDSH_ERROR=failed" x:failed "$(get u1 CREDSH_ERROR)"
    check "$SUT: ... the profile is still the one shown" x:stsdown "$(get u1 CREDSH_PROFILE)"
    check "$SUT: ... and no keys are in the shell" unset "$(get u1 AWS_ACCESS_KEY_ID)"
    check_contains "$SUT: ... use printed the error" "127.0.0.1:$CLOSED" "$(err_of u1)"
    check "$SUT: status exits 1" 1 "$(get s1 rc)"
    check_contains "$SUT: status says what failed" "error     no usable credentials: " "$(out_of s1)"
    check_contains "$SUT: ... naming the endpoint" "127.0.0.1:$CLOSED" "$(out_of s1)"
    check_contains "$SUT: ... and when it is tried again" "; tried again at the first prompt after " "$(out_of s1)"
    check "$SUT: status --explain exits 1" 1 "$(get s2 rc)"
    check_contains "$SUT: status --explain has the error line" "error     no usable credentials: " "$(out_of s2)"
    check "$SUT: status --json exits 1" 1 "$(get s3 rc)"
    check_contains "$SUT: status --json has the error" '"error": "failed"' "$(out_of s3)"
    check "$SUT: exec exits 1" 1 "$(get x1 rc)"
    check "$SUT: login of that profile exits 1" 1 "$(get l1 rc)"
    check_contains "$SUT: ... saying it has no usable credentials" "has no usable credentials" "$(err_of l1)"
    check "$SUT: the next prompt keeps the mark" "s:aws:stsdown* ! (eu-west-1)" "$(get h1 CREDSH_PROMPT)"
    check "$SUT: use of a healthy profile exits 0" 0 "$(get u2 rc)"
    check "$SUT: ... no mark" "s:aws:dev* (eu-west-1)" "$(get u2 CREDSH_PROMPT)"
    check "$SUT: ... CREDSH_ERROR unset" unset "$(get u2 CREDSH_ERROR)"
    check "$SUT: ... status exits 0" 0 "$(get s4 rc)"
    check_absent "$SUT: ... no error line" "error " "$(out_of s4)"
    check "$SUT: use of an SSO profile that needs a login exits 1" 1 "$(get u3 rc)"
    check "$SUT: ... the login mark" "s:aws:ssonew* !login (us-east-1)" "$(get u3 CREDSH_PROMPT)"
    check "$SUT: ... CREDSH_ERROR=login" x:login "$(get u3 CREDSH_ERROR)"
    check "$SUT: ... status exits 1" 1 "$(get s5 rc)"
    check_contains "$SUT: ... status says a login is needed" "error     needs a login: " "$(out_of s5)"
    check_contains "$SUT: ... and what ends it" "tried again after \`credsh login\`" "$(out_of s5)"
    check "$SUT: ... exec exits 1" 1 "$(get x2 rc)"
    check "$SUT: use --clear: nothing selected, exit 0" "0 unset" "$(get u4 rc) $(get u4 CREDSH_ERROR)"
}

# Issue 11 item 8: a broken ~/.aws/config. One line with file and line at each export -- never a misleading
# "profile dev not found" after it --, the selected profile still in the prompt with the error mark, and
# `credsh profiles` (what every completion calls) still lists every name it can read, saying the file is broken.
broken_config_scenario() {
    local s=$HOME/src V="CREDSH_PROMPT CREDSH_ERROR AWS_PROFILE"
    cp "$HOME/.aws/config" "$T_ROOT/config.good"
    local bad=$(($(wc -l <"$T_ROOT/config.good") + 2))
    printf '[profile late]\nthis line has no equals sign\n[profile after]\n' >>"$HOME/.aws/config"
    S_begin
    S_install
    S_mark b1; S_cd "$s/shop"; S_show b1 $V
    # A watched file touched, nothing else: the export runs again and finds the same; it says nothing new.
    S_mark b1r; S_later; S "touch $(q "$HOME/.aws/credentials")"; S_later; S_hook; S_show b1r $V
    S_mark b2; S_cd "$s/plain"
    S_mark b3; S_cd "$s/shop"; S_show b3 $V
    S_mark b4; S 'credsh profiles'; S_rc b4
    S_mark b5; S 'credsh status'; S_rc b5
    S_mark b6; S 'credsh use prod'; S_rc b6; S_show b6 $V
    run broken
    local want="config:$bad: Expected an '=' sign defining a property"
    check_contains "$SUT: broken config, cd into dev's tree: the file and line" "$want" "$(err_of b1)"
    check "$SUT: ... one line only (no 'profile dev not found')" 1 "$(lines "$(err_of b1)")"
    check "$SUT: ... the prompt keeps dev, with the error mark" "s:aws:dev !" "$(get b1 CREDSH_PROMPT)"
    check "$SUT: ... CREDSH_ERROR=failed, no AWS_PROFILE" "x:failed unset" "$(get b1 CREDSH_ERROR) $(get b1 AWS_PROFILE)"
    check "$SUT: ... a file touched, the same outcome in the same place: not said again" 0 "$(lines "$(err_of b1r)")"
    check "$SUT: ... while the prompt keeps the mark" "s:aws:dev !" "$(get b1r CREDSH_PROMPT)"
    check "$SUT: ... cd elsewhere: at most the one line" 1 "$(lines "$(err_of b2)")"
    check "$SUT: ... cd back: the one line again, nothing misleading" "1" "$(lines "$(err_of b3)")"
    check_absent "$SUT: ... never 'not found'" "not found" "$(err_of b1)$(err_of b2)$(err_of b3)"
    check "$SUT: ... and the mark again" "s:aws:dev !" "$(get b3 CREDSH_PROMPT)"
    local names
    names=$(out_of b4 | grep -v '^@' | tr '\n' ' ')
    check "$SUT: credsh profiles lists every name it can read, before and after the broken line" \
        "admin after broken dev late proc procb prod ssonew staging stale stsdown weird " "$names"
    check_contains "$SUT: ... and says the file is broken" "$want (listing the profile names that could be read)" \
        "$(err_of b4)"
    check "$SUT: ... exit 1" 1 "$(get b4 rc)"
    check "$SUT: status exits 1" 1 "$(get b5 rc)"
    check_contains "$SUT: ... status names the file and line as what failed" "error     no usable credentials: " \
        "$(out_of b5)"
    check_contains "$SUT: ... (the file and line)" "$want" "$(out_of b5)"
    check "$SUT: use of a name the broken file still shows: selected, exit 1 (no credentials)" 1 "$(get b6 rc)"
    check "$SUT: ... the one error, no 'not found'" "1 0" \
        "$(lines "$(err_of b6)") $(grep -c 'not found' <<<"$(err_of b6)")"
    check "$SUT: ... the prompt shows it with the mark" "s:aws:prod* !" "$(get b6 CREDSH_PROMPT)"
    cp "$T_ROOT/config.good" "$HOME/.aws/config"
}

failures_scenario
broken_config_scenario
finish
