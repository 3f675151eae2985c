#!/usr/bin/env bash
# The README's first command ends in tools/demo.sh: run it as that command does (with the binary under test,
# a throw-away HOME under this test's root) and check that each step shows the effect it claims.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash sed

out=$(TMPDIR=$T_ROOT timeout 120 bash "$CREDSH_SRC/tools/demo.sh" "$CREDSH_BIN" 2>&1)
rc=$?
check "the demo exits 0" 0 "$rc"
out=$(sed 's/\x1b\[[0-9;]*m//g' <<<"$out")
# step TITLE-PREFIX: the lines of the step whose title starts with it, up to the next step
step() { awk -v t="\$ $1" 'index($0, t) == 1 { on = 1; next } /^\$ / { on = 0 } on' <<<"$out"; }

check_contains "pin: dev applies" "AWS_PROFILE=dev " "$(step 'cd ~/src/shop && credsh pin dev')"
check_contains "pin: the prompt shows it" "prompt segment: aws:dev (eu-west-1)" "$(step 'cd ~/src/shop && credsh pin dev')"
check_contains "deeper in the tree: still dev" "AWS_PROFILE=dev " "$(step 'cd frontend')"
s=$(step 'cd ~/src/api')
check_contains "untrusted file: one blocked line" "src/api/.credprofile is blocked — run: credsh allow" "$s"
check_contains "untrusted file: nothing applied" "AWS_PROFILE=(unset)" "$s"
s=$(step 'credsh allow                     # shows')
check_contains "allow: shows the bytes it trusts" "  | profile = ci" "$s"
check_contains "allow: ci applies, its key shown redacted" "AWS_PROFILE=ci       AWS_REGION=eu-central-1  AWS_ACCESS_KEY_ID=ASIA…" "$s"
check_contains "use prod: session scope marked in the prompt" "prompt segment: aws:prod* (us-west-2)" "$(step 'credsh use prod')"
s=$(step 'credsh exec -p dev')
check_contains "exec: the child sees dev" "child sees AWS_PROFILE=dev (scope: command)" "$s"
check_contains "exec: the shell keeps prod" "this shell still has AWS_PROFILE=prod" "$s"
check_contains "use --clear: back to the directory's ci" "AWS_PROFILE=ci " "$(step 'credsh use --clear')"
check_contains "ASK project: blocked first" "src/skill/.credprofile is blocked" "$(step 'cd ~/src/skill')"
s=$(step 'credsh allow                     # the ASK')
check_contains "ASK project allowed: ASK and AWS profiles together" "AWS_PROFILE=dev      AWS_REGION=eu-west-1" "$s"
check_contains "ASK project allowed: ASK_DEFAULT_PROFILE" "ASK_DEFAULT_PROFILE=skills" "$s"
check_contains "ASK project allowed: vendor id in the prompt" "ask:skills M1EXAMPLEVENDOR" "$s"
check_contains "status --explain: the directory scope won" "> directory  skills" "$(step 'credsh status --explain')"
check_contains "leaving: restored to unset" "AWS_PROFILE=(unset)  AWS_REGION=(unset)" "$(step 'cd ~ ')"
check_contains "profiles: the ASK profile is listed" "skills" "$(step 'credsh profiles')"
check "no whole temporary key printed (only ASIA…1234)" "" "$(grep -oE 'ASIA[A-Z0-9]{8}' <<<"$out")"
check_true "the demo's HOME was removed" test -z "$(find "$T_ROOT" -maxdepth 1 -name 'credsh-demo-*')"
finish
