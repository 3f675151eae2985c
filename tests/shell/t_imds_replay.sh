# The IMDS / ECS / EKS cases of the cross-SDK default-chain suite (smithy-rs test-data/default-credential-provider-
# chain, read in place), replayed: tests/fakes/replay_traffic.py serves each case's recorded http-traffic.json in
# order and checks that credsh sends the same requests (method, path, host, token headers, the signing key and
# session token of the AssumeRole, its form fields). The fixed addresses (169.254.169.254, 169.254.170.2,
# 169.254.170.23) reach the replay through http_proxy; STS through AWS_ENDPOINT_URL_STS. The clock is pinned
# (CREDSH_TEST_NOW) an hour before the earliest expiration in the recording.
#
# credsh uses IMDS or a container endpoint only when a profile asks for it (credential_source), never as a
# default-chain fallback. Cases with such a profile run as recorded; the default-chain cases that only need
# "a profile that asks" run with one added ([profile case] credential_source = ...) and are marked "adapted".
# Left out, and why, is printed at the end.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 timeout

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY all_proxy ALL_PROXY AWS_EC2_METADATA_DISABLED
CONF=${CREDSH_CONFORMANCE_DIR:-${CREDSH_CONFORMANCE_DEFAULT:-$CREDSH_SRC/../shared/conformance}}
CHAIN=$CONF/smithy-rs/aws/rust-runtime/aws-config/test-data/default-credential-provider-chain
if [[ ! -d $CHAIN ]]; then
    echo "FAIL $T_NAME: the conformance suite is not at $CHAIN (set CREDSH_CONFORMANCE_DIR)"
    exit 1
fi
PLUGINS=$(dirname "$CREDSH_BIN")/../plugins
HAVE_STS=0
[[ -f $PLUGINS/credsh-mfa-sts.so ]] && HAVE_STS=1

# case_info CASE: "ok AKID SECRET TOKEN EXPIRY NOW" or "err TEXT" from test-case.json, NOW being an hour before
# the earliest Expiration in the recorded traffic; then one NAME=VALUE line per env.json variable but HOME.
case_info() {
    python3 - "$CHAIN/$1" <<'PY'
import json, re, sys, datetime
d = sys.argv[1]
tc = json.load(open(d + "/test-case.json"))
traffic = open(d + "/http-traffic.json").read()
exps = [datetime.datetime.strptime(e, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp()
        for e in re.findall(r'(?:Expiration\\" : \\"|<Expiration>)([0-9T:-]+Z)', traffic)]
now = int(min(exps)) - 3600 if exps else 1632200000
r = tc["result"]
if "Ok" in r:
    o = r["Ok"]
    print("ok", o["access_key_id"], o["secret_access_key"], o.get("session_token", ""), o["expiry"], now)
else:
    print("err", now, r["ErrorContains"])
for k, v in json.load(open(d + "/env.json")).items():
    if k != "HOME":
        print(f"{k}={v}")
PY
}

# replay CASE PROFILE EXPECT [VAR=VALUE...]: runs `credsh exec -p PROFILE -- env` against the replayed case.
#   EXPECT: "ok" (the case's Ok result must be what is exported), or "err:TEXT" (credsh fails and says TEXT, its
#   own words for the case's ErrorContains). Sets OUT, ERR, RC, RLOG.
replay() {
    local c=$1 profile=$2 expect=$3 rport info head
    shift 3
    info=$(case_info "$c")
    head=$(sed -n 1p <<<"$info")
    local -a env_vars
    mapfile -t env_vars < <(sed -n '2,$p' <<<"$info")
    RLOG=$T_ROOT/replay-$c-$RANDOM.log
    start_fake replay_traffic.py rport --traffic "$CHAIN/$c/http-traffic.json" --log "$RLOG" $REPLAY_ARGS
    local now
    read -r kind a b tok exp now_ok <<<"$head"
    if [[ $kind == ok ]]; then now=$now_ok; else now=$a; fi
    OUT=$(env "${env_vars[@]}" "$@" http_proxy="http://127.0.0.1:$rport" no_proxy=127.0.0.1 \
        AWS_ENDPOINT_URL_STS="http://127.0.0.1:$rport" CREDSH_TEST_NOW="$now" \
        timeout 60 "$CREDSH_BIN" exec -p "$profile" -- env 2>"$T_ROOT/err")
    RC=$?
    ERR=$(cat "$T_ROOT/err")
    if [[ $expect == ok ]]; then
        check "$c: exit status" 0 "$RC"
        [[ $kind == ok ]] || check "$c: the case expects success" ok "$kind"
        local got_exp
        got_exp=$(date -d "$(val AWS_CREDENTIAL_EXPIRATION)" +%s 2>/dev/null)
        check "$c: the recorded credentials are exported" "$a $b $tok $exp" \
            "$(val AWS_ACCESS_KEY_ID) $(val AWS_SECRET_ACCESS_KEY) $(val AWS_SESSION_TOKEN) $got_exp"
    else
        check "$c: fails" 1 "$RC"
        [[ $kind == err ]] || check "$c: the case expects an error" err "$kind"
        check_contains "$c: says why" "${expect#err:}" "$ERR"
        check "$c: nothing exported" "" "$(val AWS_ACCESS_KEY_ID)"
    fi
}
val() { sed -n "s/^$1=//p" <<<"$OUT"; }
# rlog FIELD: that field of each request the replay saw.
rlog() {
    python3 - "$RLOG" "$1" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])][1:]
for l in lines:
    print(l.get(sys.argv[2]))
PY
}
total() { python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["total"])' "$RLOG"; }
# replayed_exactly CASE: every recorded exchange was requested, matched, and nothing else was asked.
replayed_exactly() {
    check "$1: every recorded request was made and matched, nothing more" \
        "$(for ((i = 0; i < $(total); i++)); do echo served; done)" "$(rlog result)"
}

# A config of our own for the adapted cases (the recorded ones are read in place with AWS_CONFIG_FILE).
ADAPT=$T_ROOT/adapted-config
adapt() { printf '[profile case]\ncredential_source = %s\n' "$1" >"$ADAPT"; }
fresh_home() { rm -rf "$HOME/.aws/cli" "$XDG_CACHE_HOME/credsh"; }

REPLAY_ARGS=
echo "# cases with a profile that asks for IMDS / a container (as recorded)"
for c in imds_assume_role ecs_assume_role; do
    if ((HAVE_STS)); then
        fresh_home
        # ecs_assume_role's STS request was recorded with imds_assume_role's source credentials (ASIARSTSBASE,
        # tokenbase), not with the ones its ECS response holds: there the signer is checked below instead.
        [[ $c == ecs_assume_role ]] && REPLAY_ARGS=--ignore-signer
        replay "$c" default ok AWS_CONFIG_FILE="$CHAIN/$c/fs/home/.aws/config"
        REPLAY_ARGS=
        # (imds_assume_role's AssumeRole matched: signed with the instance's key, carrying its session token)
        replayed_exactly "$c"
        if [[ $c == ecs_assume_role ]]; then
            check "ecs_assume_role: AssumeRole signed with the task's key and session token" \
                "ASIARTEST $(grep -o 'tokenEaCX[^\\"]*' "$CHAIN/$c/http-traffic.json" | head -n 1)" \
                "$(rlog authorization | sed -n 2p | grep -o 'Credential=[A-Z0-9]*' | cut -d= -f2) $(rlog security_token | sed -n 2p)"
        fi
    elif [[ ${CI-} == true ]]; then
        check "$c: the mfa-sts plugin is built" present missing
    else
        echo "SKIP $c: $PLUGINS/credsh-mfa-sts.so is not built -- NOT replayed"
    fi
done
fresh_home
replay imds_no_iam_role default "err:no IAM role is attached to this instance (HTTP 404)" \
    AWS_CONFIG_FILE="$CHAIN/imds_no_iam_role/fs/home/.aws/config"
replayed_exactly imds_no_iam_role
# smithy-rs treats a 403 on the token PUT as "IMDS disabled"; botocore (and credsh) fall back to IMDSv1. With v1
# disabled credsh makes exactly the recorded request; with v1 allowed, one more (the v1 role list), answered 404
# by the replay.
replay imds_token_fail default "err:the token request answered HTTP 403) and IMDSv1 is disabled" \
    AWS_CONFIG_FILE="$CHAIN/imds_token_fail/fs/home/.aws/config" AWS_EC2_METADATA_V1_DISABLED=true
replayed_exactly imds_token_fail
replay imds_token_fail default "err:(IMDSv1, as the token request answered HTTP 403)" \
    AWS_CONFIG_FILE="$CHAIN/imds_token_fail/fs/home/.aws/config"
check "imds_token_fail, v1 allowed: the recorded PUT, then one v1 GET beyond the recording" \
    "served unexpected" "$(rlog result | xargs)"
check "imds_token_fail, v1 allowed: the extra request is the role list" \
    "/latest/api/token http://169.254.169.254/latest/meta-data/iam/security-credentials/" "$(rlog uri | xargs | sed 's#http://169.254.169.254/latest/api/token#/latest/api/token#')"

echo "# default-chain cases, adapted: a profile with credential_source"
adapt Ec2InstanceMetadata
replay imds_default_chain_success case ok AWS_CONFIG_FILE="$ADAPT"
replayed_exactly "imds_default_chain_success (adapted)"
replay imds_default_chain_error case "err:no IAM role is attached to this instance (HTTP 404)" AWS_CONFIG_FILE="$ADAPT"
replayed_exactly "imds_default_chain_error (adapted)"
replay imds_disabled case "err:EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)" AWS_CONFIG_FILE="$ADAPT"
check "imds_disabled (adapted): no request at all" "0" "$(rlog result | wc -l | tr -d ' ')"
adapt EcsContainer
replay ecs_credentials case ok AWS_CONFIG_FILE="$ADAPT"
replayed_exactly "ecs_credentials (adapted)"
# The recorded EKS request has no Authorization header (not captured); credsh must send the token file's bytes.
replay eks_pod_identity_credentials case ok AWS_CONFIG_FILE="$ADAPT" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$CHAIN/eks_pod_identity_credentials/fs/token.jwt"
replayed_exactly "eks_pod_identity_credentials (adapted)"
check "eks_pod_identity_credentials: Authorization is the token file, verbatim" \
    "$(cat "$CHAIN/eks_pod_identity_credentials/fs/token.jwt")" "$(rlog authorization)"
replay eks_pod_identity_no_token_file case "err:No such file or directory" AWS_CONFIG_FILE="$ADAPT" \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE="$T_ROOT/no-such-dir/token.jwt"
check "eks_pod_identity_no_token_file (adapted): no request at all" "0" "$(rlog result | wc -l | tr -d ' ')"

# Every imds_/ecs_/eks_ case of the suite is either replayed above or listed here.
LEFT_OUT="imds_default_chain_retries: expects a second token PUT after a 503; credsh makes one attempt per request, as botocore does
imds_config_with_no_creds: a profile without credentials falling through to IMDS in the default chain; credsh uses IMDS only when a profile says credential_source
ecs_credentials_invalid_profile: tests that the default chain skips an unrelated broken profile; adapted it would be ecs_credentials again"
echo "# left out:"
sed 's/^/#   /' <<<"$LEFT_OUT"
covered="imds_assume_role ecs_assume_role imds_no_iam_role imds_token_fail imds_default_chain_success imds_default_chain_error imds_disabled ecs_credentials eks_pod_identity_credentials eks_pod_identity_no_token_file $(cut -d: -f1 <<<"$LEFT_OUT" | xargs)"
suite=$(cd "$CHAIN" && ls -d imds_* ecs_* eks_* | sort | xargs)
check "every imds/ecs/eks case is replayed or listed as left out" "$suite" "$(tr ' ' '\n' <<<"$covered" | sort | xargs)"

finish
