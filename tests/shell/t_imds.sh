# The imds plugin through the real binary (`credsh exec -p P -- env`), against local servers only:
#   - a strict IMDS fake (tests/fakes/imds_fake.py: tokens enforced, TTL header required, 401/405/400/500/hang
#     modes, v1 on or off), reached through AWS_EC2_METADATA_SERVICE_ENDPOINT, the profile's endpoint setting, or
#     - for the default addresses 169.254.169.254 and [fd00:ec2::254] - as an HTTP proxy (http_proxy), whose log
#     shows the host credsh asked for;
#   - a container endpoint fake (tests/fakes/container_fake.py: Authorization checked, 401/503 modes);
#   - moto's IMDS (lax) for the happy path, and moto's STS for role_arn + credential_source = Ec2InstanceMetadata
#     (the AssumeRole is the mfa-sts plugin's);
#   - the AWS CLI v2 as an oracle on the same fakes (it predates ec2_metadata_v1_disabled, so not for that).
# No timing thresholds: a hung server must only end within a generous deadline (10 s for a 1 s budget).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl timeout

unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY all_proxy ALL_PROXY
unset AWS_EC2_METADATA_DISABLED # lib.sh turns IMDS off for every other test; here it is the subject
L=$T_ROOT/logs
mkdir -p "$L"
PLUGINS=$(dirname "$CREDSH_BIN")/../plugins
if [[ ! -f $PLUGINS/credsh-imds.so ]]; then
    echo "FAIL $T_NAME: $PLUGINS/credsh-imds.so is not built (build the credsh-plugin-imds target)"
    exit 1
fi

# imds_fake VAR NAME [ARGS...]: a strict IMDS on a free port (in VAR), logging to $L/NAME.
imds_fake() {
    local var=$1 name=$2
    shift 2
    : >"$L/$name"
    start_fake imds_fake.py "$var" --log "$L/$name" "$@"
}
container_fake() {
    local var=$1 name=$2
    shift 2
    : >"$L/$name"
    start_fake container_fake.py "$var" --log "$L/$name" "$@"
}

# calls LOG FIELD...: the requests a fake saw, one line each, the named fields joined by spaces.
calls() {
    python3 - "$@" <<'PY'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print(" ".join(str(d.get(f)) for f in sys.argv[2:]))
PY
}
nlines() { if [[ -s $1 ]]; then wc -l <"$1" | tr -d ' '; else echo 0; fi; }

# run PROFILE [VAR=VALUE...]: `credsh exec -p PROFILE -- env` with those variables; sets OUT, ERR, RC, TOOK (s).
run() {
    local p=$1 start=$SECONDS
    shift
    OUT=$(env "$@" timeout 30 "$CREDSH_BIN" exec -p "$p" -- env 2>"$T_ROOT/err")
    RC=$?
    ERR=$(cat "$T_ROOT/err")
    TOOK=$((SECONDS - start))
}
val() { sed -n "s/^$1=//p" <<<"$OUT"; }

write_config() {
    cat >"$HOME/.aws/config" <<EOF
[profile ec2]
region = eu-west-1
credential_source = Ec2InstanceMetadata
[profile ec2-v1off]
credential_source = Ec2InstanceMetadata
ec2_metadata_v1_disabled = true
[profile ec2-ipv6]
credential_source = Ec2InstanceMetadata
ec2_metadata_service_endpoint_mode = IPv6
[profile ec2-ep]
credential_source = Ec2InstanceMetadata
ec2_metadata_service_endpoint = http://127.0.0.1:${1:-9}/
[profile ecs]
credential_source = EcsContainer
[profile ec2-role]
region = us-east-1
role_arn = arn:aws:iam::123456789012:role/from-instance
role_session_name = credsh-imds-test
credential_source = Ec2InstanceMetadata
EOF
}
write_config
mkdir -p "$XDG_CONFIG_HOME/credsh"
cat >"$XDG_CONFIG_HOME/credsh/config" <<'EOF'
[profile box]
plugin = imds
EOF

V2_CALLS="PUT /latest/api/token 21600 none 200
GET /latest/meta-data/iam/security-credentials/ None valid 200
GET /latest/meta-data/iam/security-credentials/credsh-test-role None valid 200"
V1_CALLS_AFTER() { # the token PUT's status, then both GETs without a token
    printf 'PUT /latest/api/token 21600 none %s\nGET /latest/meta-data/iam/security-credentials/ None none 200\nGET /latest/meta-data/iam/security-credentials/credsh-test-role None none 200' "$1"
}

echo "# the strict fake is strict (a client that skips the protocol would fail against it)"
imds_fake P strict
U=http://127.0.0.1:$P
check "PUT without the TTL header is 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' -X PUT "$U/latest/api/token")"
check "PUT with a TTL above 21600 is 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H 'x-aws-ec2-metadata-token-ttl-seconds: 21601' "$U/latest/api/token")"
check "GET without a token is 401 (v1 off)" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$U/latest/meta-data/iam/security-credentials/")"
check "GET with a made-up token is 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' -H 'x-aws-ec2-metadata-token: forged' "$U/latest/meta-data/iam/security-credentials/")"

echo "# IMDSv2 through AWS_EC2_METADATA_SERVICE_ENDPOINT"
imds_fake P v2 --expiration 2099-01-02T03:04:05Z
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "v2: exit status" 0 "$RC"
check "v2: access key from IMDS" ASIAIMDSFAKE0000001 "$(val AWS_ACCESS_KEY_ID)"
check "v2: secret" imds-fake-secret "$(val AWS_SECRET_ACCESS_KEY)"
check "v2: session token from the Token field" imds-fake-session-token "$(val AWS_SESSION_TOKEN)"
check "v2: expiration from the document" 2099-01-02T03:04:05Z "$(val AWS_CREDENTIAL_EXPIRATION)"
check "v2: token PUT with TTL 21600, then role and credentials with the token" "$V2_CALLS" "$(calls "$L/v2" method path ttl token status)"
check "v2: no stderr" "" "$ERR"

echo "# the default address and the IPv6 endpoint mode (the fake as an HTTP proxy)"
imds_fake P px
run ec2 http_proxy=http://127.0.0.1:$P
check "default endpoint: ok" "0 ASIAIMDSFAKE0000001" "$RC $(val AWS_ACCESS_KEY_ID)"
check "default endpoint is 169.254.169.254" "169.254.169.254 169.254.169.254 169.254.169.254" "$(calls "$L/px" host | xargs)"
: >"$L/px"
run ec2 http_proxy=http://127.0.0.1:$P AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6
check "IPv6 mode (variable): ok" 0 "$RC"
check "IPv6 mode (variable) uses [fd00:ec2::254]" "[fd00:ec2::254] [fd00:ec2::254] [fd00:ec2::254]" "$(calls "$L/px" host | xargs)"
: >"$L/px"
run ec2-ipv6 http_proxy=http://127.0.0.1:$P
check "IPv6 mode (profile setting) uses [fd00:ec2::254]" "0 [fd00:ec2::254] [fd00:ec2::254] [fd00:ec2::254]" "$RC $(calls "$L/px" host | xargs)"
: >"$L/px"
run ec2-ipv6 http_proxy=http://127.0.0.1:$P AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv4
check "the variable beats the profile's mode" "0 169.254.169.254 169.254.169.254 169.254.169.254" "$RC $(calls "$L/px" host | xargs)"

echo "# endpoint from the profile; the variable wins over it"
imds_fake PA ep-profile
imds_fake PB ep-env
write_config "$PA"
run ec2-ep
check "profile ec2_metadata_service_endpoint: ok" "0 ASIAIMDSFAKE0000001" "$RC $(val AWS_ACCESS_KEY_ID)"
check "profile endpoint: 3 calls there" 3 "$(nlines "$L/ep-profile")"
run ec2-ep AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$PB
check "variable beats profile: ok" 0 "$RC"
check "variable beats profile: 3 calls at the variable's endpoint" 3 "$(nlines "$L/ep-env")"
check "variable beats profile: none more at the profile's" 3 "$(nlines "$L/ep-profile")"
write_config

echo "# IMDSv1 fallback only when allowed"
for status in 403 404 405; do
    imds_fake P "v1-$status" --token "$status" --v1 on
    run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
    check "token $status, v1 allowed: ok" "0 ASIAIMDSFAKE0000001" "$RC $(val AWS_ACCESS_KEY_ID)"
    check "token $status: the GETs go without a token" "$(V1_CALLS_AFTER "$status")" "$(calls "$L/v1-$status" method path ttl token status)"
done
imds_fake P v1off --token 405 --v1 on
run ec2-v1off AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "ec2_metadata_v1_disabled: fails" 1 "$RC"
check_contains "ec2_metadata_v1_disabled: says why" "no IMDSv2 token (the token request answered HTTP 405) and IMDSv1 is disabled" "$ERR"
check "ec2_metadata_v1_disabled: only the token request was made" "PUT 405" "$(calls "$L/v1off" method status)"
check "ec2_metadata_v1_disabled: nothing exported" "" "$(val AWS_ACCESS_KEY_ID)"
: >"$L/v1off"
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P AWS_EC2_METADATA_V1_DISABLED=true
check "AWS_EC2_METADATA_V1_DISABLED=true: fails after the token request only" "1 PUT 405" "$RC $(calls "$L/v1off" method status)"
check_contains "AWS_EC2_METADATA_V1_DISABLED=true: says why" "IMDSv1 is disabled" "$ERR"
: >"$L/v1off"
run ec2-v1off AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P AWS_EC2_METADATA_V1_DISABLED=false
check "AWS_EC2_METADATA_V1_DISABLED=false beats the profile's true" "0 3" "$RC $(nlines "$L/v1off")"

echo "# errors: 400, 500, no role, an error document, expired credentials, disabled"
imds_fake P t400 --token 400 --v1 on
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "token 400: an error, no v1 fallback" "1 PUT 400" "$RC $(calls "$L/t400" method status)"
check_contains "token 400: says so" "EC2 instance metadata (http://127.0.0.1:$P): the token request was rejected (HTTP 400)" "$ERR"
check_contains "errors name the profile" "profile ec2: " "$ERR"
imds_fake P t500 --token 500 --v1 on
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "token 500: an error" "1 PUT 500" "$RC $(calls "$L/t500" method status)"
check_contains "token 500: says so" "the token request answered HTTP 500" "$ERR"
imds_fake P norole --no-role
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "no role: fails" 1 "$RC"
check_contains "no role: says so" "no IAM role is attached to this instance (HTTP 404)" "$ERR"
check "no role: token, then the role list" "PUT 200
GET 404" "$(calls "$L/norole" method status)"
imds_fake P code --code AssumeRoleUnauthorizedAccess
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "error document: fails" 1 "$RC"
check_contains "error document: IMDS's own code and message" "role credsh-test-role: the credentials response says AssumeRoleUnauthorizedAccess: EC2 cannot assume the role credsh-test-role" "$ERR"
imds_fake P expired --expiration 2020-01-01T00:00:00Z
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "expired credentials are not exported" "1 " "$RC $(val AWS_ACCESS_KEY_ID)"
check_contains "expired: says so" "the credentials expired at 2020-01-01T00:00:00Z" "$ERR"
check_absent "expired: the secret is not in the message" imds-fake-secret "$ERR"
check_absent "expired: the token is not in the message" imds-fake-session-token "$ERR"
imds_fake P disabled
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P AWS_EC2_METADATA_DISABLED=true
check "AWS_EC2_METADATA_DISABLED=true: fails without a request" "1 0" "$RC $(nlines "$L/disabled")"
check_contains "AWS_EC2_METADATA_DISABLED=true: says so" "EC2 instance metadata is disabled (AWS_EC2_METADATA_DISABLED=true)" "$ERR"

echo "# a token request that never answers: 1 s, then v1 where allowed (botocore: the hop-limit case)"
imds_fake P hang --token hang
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "hang, v1 refused by the server: fails" 1 "$RC"
check_contains "hang: the timeout is named" "timed out" "$ERR"
check_contains "hang: then the v1 request's 401" "HTTP 401" "$ERR"
check_true "hang: ends by itself (not the outer timeout)" test "$RC" -ne 124
imds_fake P hangv1 --token hang --v1 on
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "hang, v1 allowed: ok through v1" "0 ASIAIMDSFAKE0000001" "$RC $(val AWS_ACCESS_KEY_ID)"
check "hang, v1 allowed: the GETs carry no token" "none none" "$(calls "$L/hangv1" token | tail -n 2 | xargs)"

echo "# a credsh profile served by the plugin (plugin = imds)"
imds_fake P box
run box AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P
check "plugin = imds: instance credentials" "0 ASIAIMDSFAKE0000001 imds-fake-session-token" "$RC $(val AWS_ACCESS_KEY_ID) $(val AWS_SESSION_TOKEN)"
check "plugin = imds: one IMDSv2 round" "$V2_CALLS" "$(calls "$L/box" method path ttl token status)"

echo "# container credentials (ECS / EKS Pod Identity)"
printf 'from-file' >"$T_ROOT/token"
printf 'from-file\n' >"$T_ROOT/token-nl"
container_fake P ecs --auth from-file --expiration 2099-05-06T07:08:09Z
FULL=http://127.0.0.1:$P/v1/credentials
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_ROOT/token AWS_CONTAINER_AUTHORIZATION_TOKEN=from-env
check "container: ok" 0 "$RC"
check "container: keys, token field, expiration" "ASIACONTAINERFAKE01 container-fake-secret container-fake-token 2099-05-06T07:08:09Z" \
    "$(val AWS_ACCESS_KEY_ID) $(val AWS_SECRET_ACCESS_KEY) $(val AWS_SESSION_TOKEN) $(val AWS_CREDENTIAL_EXPIRATION)"
check "container: the token file beats the variable, sent verbatim; Accept: application/json" \
    "GET /v1/credentials from-file application/json 200" "$(calls "$L/ecs" method path authorization accept status)"
: >"$L/ecs"
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file
check "container: AWS_CONTAINER_AUTHORIZATION_TOKEN alone" "0 from-file" "$RC $(calls "$L/ecs" authorization)"
: >"$L/ecs"
# Not "wrong": the token sent is masked wherever a message repeats it (docs/security.md 35), that word too.
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL AWS_CONTAINER_AUTHORIZATION_TOKEN=not-the-token
check "container: a wrong token is 401, not retried" "1 401" "$RC $(calls "$L/ecs" status | xargs)"
check_contains "container: the endpoint's own error" "container endpoint http://127.0.0.1:$P: HTTP 401 (AccessDeniedException: the Authorization header is missing or wrong)" "$ERR"
: >"$L/ecs"
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_ROOT/token-nl
check "container: a token file ending in a newline is refused before any request" "1 0" "$RC $(nlines "$L/ecs")"
check_contains "container: says why" "contains a line break (CR or LF), which is not a legal header value" "$ERR"
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL "AWS_CONTAINER_AUTHORIZATION_TOKEN=a
X-Injected: 1"
check "container: a token variable with a newline is refused before any request" "1 0" "$RC $(nlines "$L/ecs")"
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=$FULL AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_ROOT/absent
check "container: a missing token file is an error, no request" "1 0" "$RC $(nlines "$L/ecs")"
check_contains "container: names the file and the reason" "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE $T_ROOT/absent: No such file or directory" "$ERR"
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://localhost:$P/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file
check "container: http://localhost is allowed (resolved by libcurl to loopback)" "0 1" "$RC $(nlines "$L/ecs")"
# ...which is safe only because libcurl never asks /etc/hosts or DNS about "localhost". (LeakSanitizer cannot run
# under ptrace: off for this one run of an ASan build.)
if command -v strace >/dev/null; then
    env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file \
        AWS_CONTAINER_CREDENTIALS_FULL_URI="http://localhost:$P/v1/credentials" \
        strace -f -e trace=openat,connect -o "$T_ROOT/strace.out" "$CREDSH_BIN" exec -p ecs -- true 2>/dev/null
    check "container: localhost reached the fake" 2 "$(nlines "$L/ecs")"
    check "container: localhost resolved without /etc/hosts, resolv.conf or DNS" "" \
        "$(grep -E '/etc/hosts|resolv\.conf|htons\(53\)' "$T_ROOT/strace.out")"
elif [[ ${CI-} == true ]]; then
    check "strace is installed (CI=true)" present missing
else
    echo "note: strace is missing; how localhost is resolved was not checked"
fi
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://example.invalid:$P/v1/credentials
check "container: plain http to another host is refused" 1 "$RC"
check_contains "container: says which hosts http may use" "plain http is allowed only to a loopback address" "$ERR"
run ecs
check "container: no variable set is an error" 1 "$RC"
check_contains "container: names the variables" "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI or AWS_CONTAINER_CREDENTIALS_FULL_URI" "$ERR"

echo "# the agents' fixed addresses (through the fake as a proxy)"
container_fake P agent --path /v2/credentials/task-1234 --auth from-file
run ecs http_proxy=http://127.0.0.1:$P AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/credentials/task-1234 AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file \
    AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:9/ignored
check "relative URI: ok, and it beats the full URI" 0 "$RC"
check "relative URI goes to 169.254.170.2" "169.254.170.2 /v2/credentials/task-1234" "$(calls "$L/agent" host path)"
container_fake P eks --auth from-file
run ecs http_proxy=http://127.0.0.1:$P AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_ROOT/token
check "EKS Pod Identity address: ok" "0 169.254.170.23 from-file" "$RC $(calls "$L/eks" host authorization)"

echo "# container retries: 3 attempts for 5xx, 1 s apart"
container_fake P flaky --fail-first 2
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$P/v1/credentials
check "two 503s, then success" "0 503 503 200" "$RC $(calls "$L/flaky" status | xargs)"
container_fake P down --status 500
run ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$P/v1/credentials
check "500 three times: fails" "1 500 500 500" "$RC $(calls "$L/down" status | xargs)"
check_contains "500: says how often it tried" "HTTP 500 (ServerError: status set by the test) (3 attempts)" "$ERR"

echo "# moto's IMDS (lax, fixed keys): the happy path"
start_moto
run ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=$MOTO_URL
check "moto IMDS: ok" "0 test-key test-secret-key test-session-token" "$RC $(val AWS_ACCESS_KEY_ID) $(val AWS_SECRET_ACCESS_KEY) $(val AWS_SESSION_TOKEN)"

echo "# role_arn + credential_source = Ec2InstanceMetadata: instance credentials, then AssumeRole (mfa-sts)"
if [[ -f $PLUGINS/credsh-mfa-sts.so ]]; then
    imds_fake P chain
    run ec2-role AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P AWS_ENDPOINT_URL_STS=$MOTO_URL
    check "chain: ok" 0 "$RC"
    check "chain: IMDS was asked once, with a token" "$V2_CALLS" "$(calls "$L/chain" method path ttl token status)"
    key=$(val AWS_ACCESS_KEY_ID)
    check_true "chain: the exported key is the role's, not the instance's ($key)" test -n "$key" -a "$key" != ASIAIMDSFAKE0000001
    roles=$(curl -s "$MOTO_URL/moto-api/data.json" | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(" ".join(sorted(r.get("arn", "") + "|" + r.get("session_name", "") for r in d.get("sts", {}).get("AssumedRole", []))))')
    check_contains "chain: moto recorded the AssumeRole of the profile's role" "arn:aws:sts::123456789012:assumed-role/from-instance/credsh-imds-test" "$roles"
else
    if [[ ${CI-} == true ]]; then
        check "chain: the mfa-sts plugin is built" present missing
    else
        echo "SKIP chain: $PLUGINS/credsh-mfa-sts.so is not built -- role_arn + credential_source was NOT tested here"
    fi
fi

echo "# the AWS CLI v2 on the same fakes (oracle)"
AWS=/usr/bin/aws
if [[ -x $AWS ]]; then
    CLI_HOME=$T_ROOT/cli
    mkdir -p "$CLI_HOME/.aws"
    cp "$HOME/.aws/config" "$CLI_HOME/.aws/config"
    # cli PROFILE [VAR=VALUE...]: the CLI's export-credentials as "KEY SECRET TOKEN EPOCH", or "rc=N".
    cli() {
        local p=$1 out rc
        shift
        rm -rf "$CLI_HOME/.aws/cli"
        out=$(env -i PATH=/usr/bin:/bin HOME="$CLI_HOME" "$@" timeout 60 "$AWS" configure export-credentials --profile "$p" --format env 2>/dev/null)
        rc=$?
        ((rc == 0)) || { echo "rc=$rc"; return; }
        python3 - "$out" <<'PY'
import sys, datetime
v = dict(l.split(" ", 1)[1].split("=", 1) for l in sys.argv[1].splitlines() if l.startswith("export "))
e = datetime.datetime.fromisoformat(v["AWS_CREDENTIAL_EXPIRATION"].replace("Z", "+00:00"))
print(v["AWS_ACCESS_KEY_ID"], v["AWS_SECRET_ACCESS_KEY"], v["AWS_SESSION_TOKEN"], int(e.timestamp()))
PY
    }
    mine() { # same shape from credsh
        run "$@"
        ((RC == 0)) || { echo "rc=$RC"; return; }
        echo "$(val AWS_ACCESS_KEY_ID) $(val AWS_SECRET_ACCESS_KEY) $(val AWS_SESSION_TOKEN) $(date -d "$(val AWS_CREDENTIAL_EXPIRATION)" +%s)"
    }
    # The CLI 2.9.19 joins the endpoint and the path without a slash: give it one (credsh accepts both).
    imds_fake P cli-v2 --expiration 2099-01-02T03:04:05Z
    a=$(cli ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    b=$(mine ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    check "oracle: IMDSv2, same credentials" "$a" "$b"
    check "oracle: IMDSv2, both made the same requests" "$(calls "$L/cli-v2" method path token status | sed -n 1,3p)" "$(calls "$L/cli-v2" method path token status | sed -n 4,6p)"
    imds_fake P cli-v1 --token 405 --v1 on --expiration 2099-01-02T03:04:05Z
    a=$(cli ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    b=$(mine ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    check "oracle: v1 fallback after 405, same credentials" "$a" "$b"
    check "oracle: v1 fallback, the same requests" "$(calls "$L/cli-v1" method token status | sed -n 1,3p)" "$(calls "$L/cli-v1" method token status | sed -n 4,6p)"
    imds_fake P cli-norole --no-role
    a=$(cli ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    b=$(mine ec2 AWS_EC2_METADATA_SERVICE_ENDPOINT=http://127.0.0.1:$P/)
    check "oracle: no role, both fail" "fail fail" "$([[ $a == rc=* ]] && echo fail || echo "$a") $([[ $b == rc=* ]] && echo fail || echo "$b")"
    # (The CLI 2.9.19 predates AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE: the variable it is.)
    container_fake P cli-ecs --auth from-file --expiration 2099-05-06T07:08:09Z
    a=$(cli ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$P/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file)
    b=$(mine ecs AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$P/v1/credentials AWS_CONTAINER_AUTHORIZATION_TOKEN=from-file)
    check "oracle: container endpoint, same credentials" "$a" "$b"
    check "oracle: container endpoint, same request" "$(calls "$L/cli-ecs" path authorization status | sed -n 1p)" "$(calls "$L/cli-ecs" path authorization status | sed -n 2p)"
else
    need "$AWS"
fi

finish
