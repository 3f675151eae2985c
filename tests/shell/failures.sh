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

failures_scenario
finish
