#!/usr/bin/env bash
# The SSO cases of the cross-SDK provider-chain suites (../shared/conformance, read in place), end to end through
# the credsh binary: each case's HOME (a scratch copy of fs/home) and env.json, `credsh exec -p PROFILE -- env`,
# and its recorded http-traffic.json served by tests/fakes/sso_fake.py --replay, which answers only a request
# that matches the recording (method, path, query, bearer token). The result must match test-case.json: the
# keys, token and expiry exported (and the account in the CLI-named cache entry), or a failure with no
# credentials. The clock is pinned (CREDSH_TEST_NOW) an hour before the recorded expiry.
# The recorded URLs are AWS's; the portal is redirected with AWS_ENDPOINT_URL_SSO (or AWS_ENDPOINT_URL in the
# case that tests that variable). The default URLs themselves (FIPS + dual stack included) are compared with
# the recordings in the unit test "sso conformance: default-chain and profile-provider SSO cases".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl

CONF=${CREDSH_CONFORMANCE_DIR:-$CREDSH_CONFORMANCE_DEFAULT}
[[ -d $CONF ]] || { echo "FAIL $T_NAME: conformance data not found at $CONF"; exit 1; }
S=smithy-rs/aws/rust-runtime/aws-config/test-data
K=aws-sdk-kotlin/aws-runtime/aws-config/common/test-resources/default-provider-chain
# case directory | what credsh's failure message must contain ("" for an Ok case)
CASES=(
    "$S/default-credential-provider-chain/sso_assume_role|"
    "$S/default-credential-provider-chain/e2e_fips_and_dual_stack_sso|"
    "$S/default-credential-provider-chain/sso_no_token_file|sso-test needs login — run: credsh login sso-test"
    "$S/default-credential-provider-chain/sso_server_error|HTTP 503"
    "$S/profile-provider/sso_credentials|"
    "$S/profile-provider/sso_override_global_env_url|"
    "$S/profile-provider/invalid_sso_credentials_config|selected profile will resolve an access token instead of credentials"
    "$S/profile-provider/sso_token|selected profile will resolve an access token instead of credentials"
    "$K/legacy_sso_role|"
    "$K/sso_session|"
)

for entry in "${CASES[@]}"; do
    dir=$CONF/${entry%%|*}
    want_err=${entry#*|}
    name=$(basename "$dir")
    work=$T_ROOT/$name
    mkdir -p "$work"
    cp -a "$dir/fs/home" "$work/home"
    # sso_server_error records one 503 from GetRoleCredentials. credsh tries a 5xx again (the SDKs' standard
    # retry mode, which smithy-rs's recording does not show: its replay ends the case at the first answer), so
    # the fake gives the same 503 to the retries, and the case checks there were exactly two, then the error.
    retries=()
    [[ $name == sso_server_error ]] && retries=(--replay-retries 5)
    start_fake sso_fake.py REPLAY_PORT --replay "$dir/http-traffic.json" "${retries[@]}"
    url=http://127.0.0.1:$REPLAY_PORT
    # The case's environment, HOME replaced, the portal redirected, the clock pinned.
    mapfile -t envs < <(python3 - "$dir" "$work/home" "$url" <<'EOF'
import json, sys
d, home, url = sys.argv[1:]
env = json.load(open(d + "/env.json"))
tc = json.load(open(d + "/test-case.json"))
env["HOME"] = home
if "AWS_ENDPOINT_URL" in env:
    env["AWS_ENDPOINT_URL"] = url   # the case is about the global override: keep using that variable
else:
    env["AWS_ENDPOINT_URL_SSO"] = url
ok = tc["result"].get("Ok")
env["CREDSH_TEST_NOW"] = str(ok["expiry"] - 3600 if ok else 1640000000)
for k, v in env.items():
    print(k + "=" + v)
EOF
)
    profile=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("AWS_PROFILE", "default"))' "$dir/env.json")
    out=$(env -i PATH=/usr/bin:/bin AWS_EC2_METADATA_DISABLED=true "${envs[@]}" "$CREDSH_BIN" exec -p "$profile" -- env 2>&1)
    rc=$?
    state=$(python3 - "$url" <<'EOF'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(sys.argv[1] + "/_fake/state"))
print("%d/%d %s" % (s["replay_served"], s["replay_total"], "; ".join(m["why"] for m in s["mismatches"]) or "ok"))
EOF
)
    total=${state#*/}
    total=${total%% *}
    check "$name: every recorded request made, none other" "$total/$total ok" "$state"
    if ((${#retries[@]})); then
        check "$name: the 503 was tried again twice (three attempts), then given up" 2 \
            "$(curl -s "$url/_fake/state" | python3 -c 'import json,sys; print(json.load(sys.stdin)["replay_retries"])')"
    fi
    if [[ -z $want_err ]]; then
        expected=$(python3 - "$dir/test-case.json" <<'EOF'
import json, sys, datetime
ok = json.load(open(sys.argv[1]))["result"]["Ok"]
exp = datetime.datetime.fromtimestamp(ok["expiry"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
print("AWS_ACCESS_KEY_ID=%s|AWS_SECRET_ACCESS_KEY=%s|AWS_SESSION_TOKEN=%s|AWS_CREDENTIAL_EXPIRATION=%s|%s" % (
    ok["access_key_id"], ok["secret_access_key"], ok["session_token"], exp, ok.get("account_id", ok.get("accountId"))))
EOF
)
        check "$name: exec succeeds" 0 "$rc"
        got=$(grep -E '^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|CREDENTIAL_EXPIRATION)=' <<<"$out" |
            sort -t= -k1,1 | awk -v ORS='|' '{print}' | sed 's/|$//')
        want=$(tr '|' '\n' <<<"${expected%|*}" | sort -t= -k1,1 | paste -sd'|')
        check "$name: the exported credentials are the recorded ones" "$want" "$got"
        account=$(python3 -c 'import glob,json,sys; print(" ".join(json.load(open(f))["Credentials"].get("AccountId","") for f in glob.glob(sys.argv[1]+"/.aws/cli/cache/*.json")))' "$work/home")
        check "$name: the cached entry carries the account" "${expected##*|}" "$account"
    else
        check "$name: exec fails" 1 "$rc"
        check_contains "$name: the reason" "$want_err" "$out"
        check_absent "$name: no credentials" "AWS_ACCESS_KEY_ID=" "$out"
    fi
done

finish
