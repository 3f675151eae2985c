#!/usr/bin/env bash
# All 28 cases of smithy-rs's assume-role-tests.json, end to end: credsh + the mfa-sts plugin against a real
# moto server, the chain each profile graph produces asserted through moto's recorded AssumeRole calls
# (tests/shell/sts_conformance.py says how). The planner's view of the same cases, errors included with their
# wording, is tests/unit/test_chain.cpp. Cases this run cannot serve are printed as SKIP with the reason.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl

CONF=${CREDSH_CONFORMANCE_DIR:-$CREDSH_CONFORMANCE_DEFAULT}
SUITE=$CONF/smithy-rs/aws/rust-runtime/aws-config/test-data/assume-role-tests.json
[[ -f $SUITE ]] || { echo "FAIL $T_NAME: $SUITE not found (set CREDSH_CONFORMANCE_DIR)"; exit 1; }
PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }
have_imds=0
[[ -f $PLUGINS/credsh-imds.so ]] && have_imds=1

start_moto
skips=0
while IFS=$'\t' read -r a b c; do
    if [[ $a == SKIP ]]; then
        echo "SKIP $b -- $c"
        skips=$((skips + 1))
    else
        check "$a" "$b" "$c"
    fi
done < <(python3 "$CREDSH_SRC/tests/shell/sts_conformance.py" "$SUITE" "$CREDSH_BIN" "$MOTO_URL" "$T_ROOT/cases" "$have_imds")
# The SSO cases are the only ones another plugin's tests serve; everything else must have run here.
check "cases skipped (SSO: 2, plus Ec2InstanceMetadata without the imds plugin)" "$((2 + (1 - have_imds)))" "$skips"
finish
