# Hostile servers and settings against every plugin that talks HTTP (docs/security.md 35, 36, 39, 41, 45, 46),
# driven through `credsh exec` with the plugins built here and tests/fakes/hostile_fake.py:
#   35  a server that echoes the whole request (headers + body, on one line) in its error: no secret of the call
#       (source keys and session token, MFA code, web identity token, LWA refresh/access tokens and client secret,
#       container token, SSO bearer/refresh tokens and client secret) reaches stderr, for every operation (the
#       authorization-code CreateToken with code and verifier: test_net_hardening.cpp, it needs a browser); the
#       Secrets Manager write-back warning is escaped once and starts with one "credsh: ".
#   36  a NUL in a value (container endpoint, a secret in moto, an LWA reply): non-zero exit, nothing exported.
#   39  regions and hosts from settings: a second fake ("trap") that the hostile value points at receives
#       nothing (sso_region, Secrets Manager region, ASK_LWA_TOKEN_HOST with user information, an endpoint URL
#       with user information); ASK_LWA_TOKEN_HOST without a scheme is https, never plain http.
#   41  50k-member replies and secrets are refused by the member limit, and the error names the limit.
#   45  AWS_CA_BUNDLE / ca_bundle against an https fake whose CA the test makes with openssl: TLS fails
#       without, works with either, the variable wins over the profile; user:password in an endpoint URL never
#       reaches stderr.
#   46  expired credentials (STS, Secrets Manager, SSO) are refused; an expires_in / expiresIn of 1e30 or
#       INT64_MAX is refused and no nonsense date is written to the SSO token file.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash python3 openssl expect
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy AWS_ENDPOINT_URL \
    ASK_LWA_CLIENT_ID ASK_LWA_CLIENT_CONFIRMATION ASK_LWA_TOKEN_HOST ASK_CLI_PROXY AWS_CA_BUNDLE \
    AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN \
    AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_ENDPOINT_URL_STS AWS_ENDPOINT_URL_SECRETS_MANAGER \
    AWS_ENDPOINT_URL_SSO AWS_ENDPOINT_URL_SSO_OIDC

PLUGINS=$(dirname "$(dirname "$(readlink -f "$CREDSH_BIN")")")/plugins
for p in mfa-sts secretsmanager ask imds aws-sso; do
    [[ -f $PLUGINS/credsh-$p.so ]] || { echo "FAIL $T_NAME: credsh-$p.so was not built"; exit 1; }
done
export CREDSH_PLUGIN_PATH=$PLUGINS

# hostile VAR LOGNAME ARGS...: a hostile_fake.py on a free port; its log (a line per connection and per HTTP
# request) starts empty: wait_port's one connection is waited for (it is logged by the server's thread), then
# the log is emptied.
hostile() {
    local var=$1 log=$T_ROOT/$2.log i
    shift 2
    start_fake hostile_fake.py "$var" --log "$log" "$@"
    for ((i = 0; i < 200; i++)); do
        [[ -s $log ]] && break
        sleep 0.05
    done
    [[ -s $log ]] || { T_FAILS=$((T_FAILS + 1)); echo "FAIL $T_NAME: the fake on port ${!var} logged no connection after 10 s"; }
    : >"$log"
}
requests() { grep -c '"method"' "$T_ROOT/$1.log"; }
contacts() { grep -c '"connect"' "$T_ROOT/$1.log"; }
# run NAME CMD...: runs CMD with stdout to NAME.out, stderr to NAME.err; RC holds its status.
run() {
    local name=$1
    shift
    "$@" >"$T_ROOT/$name.out" 2>"$T_ROOT/$name.err"
    RC=$?
}
err() { cat "$T_ROOT/$1.err"; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
NOW=$(date +%s)
mkdir -p "$XDG_CONFIG_HOME/credsh" "$HOME/.aws/sso/cache"

# Every secret below contains S3CR3T; the MFA code is 493817. A message may name a host, never these.
cat >"$HOME/.aws/credentials" <<'EOF'
[src]
aws_access_key_id = AKIAS3CR3TSOURCE01
aws_secret_access_key = S3CR3T-source-secret-key/with+chars
aws_session_token = S3CR3T-source-session-token/x+y=z
[mfa]
aws_access_key_id = AKIAS3CR3TLONGTERM
aws_secret_access_key = S3CR3T-longterm-secret-key
EOF
printf 'S3CR3T-web-identity-jwt.payload.signature\n' >"$T_ROOT/web-token"
write_aws_config() { # write_aws_config SSO_REGION
    cat >"$HOME/.aws/config" <<EOF
[profile role]
role_arn = arn:aws:iam::111122223333:role/echo
source_profile = src
region = us-east-1
[profile webid]
role_arn = arn:aws:iam::111122223333:role/web
web_identity_token_file = $T_ROOT/web-token
region = us-east-1
[profile mfa]
mfa_serial = arn:aws:iam::111122223333:mfa/person
region = us-east-1
[profile ecs]
credential_source = EcsContainer
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = ${1:-us-east-1}
sso_registration_scopes = sso:account:access
[profile sso]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Echo
region = us-east-1
EOF
}
write_aws_config
write_credsh_config() { # write_credsh_config SECRETSMANAGER_REGION
    cat >"$XDG_CONFIG_HOME/credsh/config" <<EOF
[profile sm-env]
plugin = secretsmanager
secret_id = team/env
region = ${1:-us-east-1}
source_profile = src
format = env
variables = TEAM_VALUE
[profile sm-aws]
plugin = secretsmanager
secret_id = team/aws
region = us-east-1
source_profile = src
format = aws
[profile sm-lwa]
plugin = secretsmanager
secret_id = team/lwa
region = us-east-1
source_profile = src
format = lwa
[ask skill]
export = env
EOF
}
write_credsh_config
SSO_TOKEN=$HOME/.aws/sso/cache/$(printf corp | sha1sum | cut -d' ' -f1).json
write_sso_token() { # write_sso_token EXPIRES_AT_EPOCH
    python3 - "$SSO_TOKEN" "$(iso "$1")" "$(iso $((NOW + 30 * 86400)))" <<'EOF'
import json, sys
json.dump({"startUrl": "https://corp.awsapps.com/start", "region": "us-east-1",
           "accessToken": "S3CR3T-sso-bearer-token", "expiresAt": sys.argv[2],
           "clientId": "sso-client-id-1", "clientSecret": "S3CR3T-sso-client-secret",
           "registrationExpiresAt": sys.argv[3], "refreshToken": "S3CR3T-sso-refresh-token"}, open(sys.argv[1], "w"))
EOF
    chmod 600 "$SSO_TOKEN"
}
# cli_config for the ask plugin: profile skill, token expired (so the plugin refreshes).
write_ask() {
    python3 - "$HOME/.ask/cli_config" <<'EOF'
import json, sys
json.dump({"profiles": {"skill": {"aws_profile": "src", "vendor_id": "M1HOSTILE", "token": {"access_token": "Atza|old", "refresh_token":
          "Atzr|S3CR3T-ask-refresh", "token_type": "bearer", "expires_in": 3600,
          "expires_at": "2020-01-01T00:00:00.000Z"}}}}, open(sys.argv[1], "w"))
EOF
    chmod 600 "$HOME/.ask/cli_config"
}
ASK_ENV=(ASK_LWA_CLIENT_ID=amzn1.application-oa2-client.hostile ASK_LWA_CLIENT_CONFIRMATION=S3CR3T-ask-client-secret)
# secret FILE TEXT: a SecretString for --ok-get-secret
secret_file() { printf '%s' "$2" >"$T_ROOT/$1"; }

echo "# --- 35: every operation against a server that echoes the request -------------------------------------"
hostile ECHO echo --mode echo
E=http://127.0.0.1:$ECHO
no_secret() { # no_secret WHAT NAME: the call failed, reached the echo server, and printed no secret
    check "$1: fails" 1 "$((RC != 0))"
    check_no_match "$1: no secret on stderr" "S3CR3T" "$T_ROOT/$2.err"
    check_no_match "$1: no MFA code on stderr" "493817" "$T_ROOT/$2.err"
}
run e-assume env AWS_ENDPOINT_URL_STS=$E "$CREDSH_BIN" exec -p role -- true
check_contains "assume-role: the echo was read (it names the error)" "EchoError" "$(err e-assume)"
no_secret "assume-role" e-assume
run e-webid env AWS_ENDPOINT_URL_STS=$E "$CREDSH_BIN" exec -p webid -- true
check_contains "web identity: the echo was read" "EchoError" "$(err e-webid)"
no_secret "web identity" e-webid
# GetSessionToken (credsh login for long-term keys + mfa_serial) asks for the code on the terminal: expect
# gives credsh one, waits for the question, then types the code.
AWS_ENDPOINT_URL_STS=$E expect -c '
    set timeout 60
    spawn -noecho $env(CREDSH_BIN) login mfa
    expect "MFA code for" { send "493817\r" } timeout { exit 3 }
    expect eof
    lassign [wait] pid spawnid oserr status
    exit $status' >"$T_ROOT/e-mfa.err" 2>&1
RC=$?
check_contains "get-session-token: the code was asked and the echo read" "EchoError" "$(err e-mfa)"
no_secret "get-session-token" e-mfa
before=$(requests echo)
run e-smget env AWS_ENDPOINT_URL_SECRETS_MANAGER=$E "$CREDSH_BIN" exec -p sm-env -- true
check "secretsmanager GetSecretValue reached the echo server" 1 "$(($(requests echo) > before))"
check_contains "secretsmanager GetSecretValue: the echo was read" "EchoException" "$(err e-smget)"
no_secret "secretsmanager GetSecretValue" e-smget

# LWA refresh (from the secret) failing with an echo, then a refresh that works and a write-back that echoes.
LWA_SECRET='{"lwa-client-id":"amzn1.application-oa2-client.hostile","lwa-client-secret":"S3CR3T-lwa-client-secret","lwa-refresh-token":"Atzr|S3CR3T-lwa-refresh-0","lwa-auth-url":"'$E'/auth/o2/token","note":"x"}'
secret_file lwa-echo.json "$LWA_SECRET"
hostile SMLWA smlwa --mode echo --ok-get-secret "$T_ROOT/lwa-echo.json"
run e-lwa env AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:$SMLWA "$CREDSH_BIN" exec -p sm-lwa -- true
check_contains "secretsmanager LWA refresh: the echo was read" "invalid_request" "$(err e-lwa)"
no_secret "secretsmanager LWA refresh" e-lwa
secret_file lwa-put.json "${LWA_SECRET//$E/http://127.0.0.1:\$PUTPORT}"
hostile PUT put --mode echo --ok-lwa --ok-get-secret "$T_ROOT/lwa-put.json"
sed -i "s/\$PUTPORT/$PUT/" "$T_ROOT/lwa-put.json"
run e-put env AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:$PUT "$CREDSH_BIN" exec -p sm-lwa -- printenv ASK_ACCESS_TOKEN
check "secretsmanager PutSecretValue failing: the new access token is still used" 'Atza|hostile-access-S3CR3T' \
    "$(cat "$T_ROOT/e-put.out")"
check_contains "PutSecretValue: the write-back warning is shown" "could not be written back" "$(err e-put)"
check_no_match "PutSecretValue: no secret on stderr" "S3CR3T" "$T_ROOT/e-put.err"
check_no_match "PutSecretValue: one 'credsh: ' prefix" "credsh: credsh:" "$T_ROOT/e-put.err"
check_no_match "PutSecretValue: escaped once (no escaped backslash)" '\x5c' "$T_ROOT/e-put.err"

write_ask
run e-ask env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=$E "$CREDSH_BIN" exec -p skill -- true
check_contains "ask LWA refresh: the echo was read" "invalid_request" "$(err e-ask)"
no_secret "ask LWA refresh" e-ask
run e-ecs env AWS_CONTAINER_CREDENTIALS_FULL_URI=$E/creds AWS_CONTAINER_AUTHORIZATION_TOKEN=S3CR3T-container-token \
    "$CREDSH_BIN" exec -p ecs -- true
check_contains "container endpoint: the echo was read" "EchoException" "$(err e-ecs)"
no_secret "container endpoint with a token" e-ecs
printf 'S3CR3T-container-file-token' >"$T_ROOT/ecs-token"
run e-ecsf env AWS_CONTAINER_CREDENTIALS_FULL_URI=$E/creds AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$T_ROOT/ecs-token \
    "$CREDSH_BIN" exec -p ecs -- true
no_secret "container endpoint with a token file" e-ecsf
write_sso_token $((NOW + 3600))
run e-ssorc env AWS_ENDPOINT_URL_SSO=$E AWS_ENDPOINT_URL_SSO_OIDC=$E "$CREDSH_BIN" exec -p sso -- true
check_contains "SSO GetRoleCredentials: the echo was read" "EchoException" "$(err e-ssorc)"
no_secret "SSO GetRoleCredentials" e-ssorc
write_sso_token $((NOW - 60))
run e-ssort env AWS_ENDPOINT_URL_SSO=$E AWS_ENDPOINT_URL_SSO_OIDC=$E "$CREDSH_BIN" exec -p sso -- true
check_contains "SSO-OIDC CreateToken (refresh): the echo was read" "EchoException" "$(err e-ssort)"
no_secret "SSO-OIDC CreateToken (refresh)" e-ssort
# The device-code login: a client is registered (the fake hands out a secret), then StartDeviceAuthorization
# carries that secret to the echo. No browser: BROWSER and DISPLAY unset.
hostile REG reg --mode echo --ok-register
run e-ssodev env -u BROWSER -u DISPLAY -u WAYLAND_DISPLAY AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:$REG \
    "$CREDSH_BIN" login sso --use-device-code
check_contains "SSO-OIDC StartDeviceAuthorization: the echo was read" "EchoException" "$(err e-ssodev)"
check_contains "SSO-OIDC StartDeviceAuthorization: the call after the registration failed" "/device_authorization" \
    "$(cat "$T_ROOT/reg.log")"
no_secret "SSO-OIDC StartDeviceAuthorization" e-ssodev

echo "# --- 36: a NUL in a value is an error, nothing exported ---------------------------------------------------"
# body FILE TEXT: a fixed reply for --mode body
body_file() { printf '%s' "$2" >"$T_ROOT/$1"; }
FUTURE=$(iso $((NOW + 3600)))
body_file nul-ecs.json '{"AccessKeyId":"ASIANUL\u0000TAIL","SecretAccessKey":"s","Token":"t","Expiration":"'$FUTURE'"}'
hostile NULECS nulecs --mode body --body-file "$T_ROOT/nul-ecs.json"
run n-ecs env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$NULECS/creds "$CREDSH_BIN" exec -p ecs -- printenv AWS_ACCESS_KEY_ID
check "container: a NUL in AccessKeyId fails exec" 1 "$((RC != 0))"
check "container: nothing ran with a cut value" "" "$(cat "$T_ROOT/n-ecs.out")"
check_contains "container: says NUL" "NUL" "$(err n-ecs)"
body_file nul-lwa.json '{"access_token":"Atza|NUL\u0000TAIL","token_type":"bearer","expires_in":3600}'
hostile NULLWA nullwa --mode body --body-file "$T_ROOT/nul-lwa.json"
write_ask
cp "$HOME/.ask/cli_config" "$T_ROOT/cli_config.before"
run n-ask env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=http://127.0.0.1:$NULLWA "$CREDSH_BIN" exec -p skill -- printenv ASK_ACCESS_TOKEN
check "LWA reply with a NUL in the token: exec fails" 1 "$((RC != 0))"
check "LWA reply with a NUL: nothing ran" "" "$(cat "$T_ROOT/n-ask.out")"
check "LWA reply with a NUL: cli_config not rewritten" ok \
    "$(cmp -s "$HOME/.ask/cli_config" "$T_ROOT/cli_config.before" && echo ok)"
if python3 -c 'import boto3' 2>/dev/null && command -v moto_server >/dev/null; then
    start_moto
    python3 - "$MOTO_URL" <<'EOF'
import sys, boto3
c = boto3.client("secretsmanager", endpoint_url=sys.argv[1], region_name="us-east-1",
                 aws_access_key_id="AKIAADMIN", aws_secret_access_key="admin-secret")
c.create_secret(Name="team/env", SecretString=r'{"TEAM_VALUE": "before\u0000after"}')
EOF
    run n-sm env AWS_ENDPOINT_URL_SECRETS_MANAGER=$MOTO_URL "$CREDSH_BIN" exec -p sm-env -- printenv TEAM_VALUE
    check "secret (moto) with a NUL in a value: exec fails" 1 "$((RC != 0))"
    check "secret with a NUL: nothing ran" "" "$(cat "$T_ROOT/n-sm.out")"
    check_contains "secret with a NUL: names the variable and NUL" "TEAM_VALUE contains a NUL byte" "$(err n-sm)"
else
    need moto_server boto3-for-python3
fi

echo "# --- 39: hosts from settings; the trap must receive nothing ---------------------------------------------"
hostile TRAP trap --mode echo
write_aws_config "x@127.0.0.1:$TRAP/#"
write_sso_token $((NOW + 3600))
run h-sso "$CREDSH_BIN" exec -p sso -- true
check "sso_region with @host: refused" 1 "$((RC != 0))"
check_contains "sso_region: says it is not a region" "not a region name" "$(err h-sso)"
check "sso_region: the trap received no connection" 0 "$(contacts trap)"
write_aws_config "us-east-1/../x"
run h-sso2 "$CREDSH_BIN" exec -p sso -- true
check_contains "sso_region with /../: refused" "not a region name" "$(err h-sso2)"
write_aws_config
write_credsh_config "x@127.0.0.1:$TRAP/#"
run h-sm "$CREDSH_BIN" exec -p sm-env -- true
check "Secrets Manager region with @host: refused" 1 "$((RC != 0))"
check_contains "Secrets Manager region: says it is not a region" "not a region name" "$(err h-sm)"
check "Secrets Manager region: the trap received no connection" 0 "$(contacts trap)"
write_credsh_config
write_ask
run h-ask1 env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST="https://good@127.0.0.1:$TRAP" "$CREDSH_BIN" exec -p skill -- true
check "ASK_LWA_TOKEN_HOST https://good@trap: refused" 1 "$((RC != 0))"
check_contains "ASK_LWA_TOKEN_HOST with user information: says so" "user information" "$(err h-ask1)"
check "ASK_LWA_TOKEN_HOST with user information: the trap received no connection" 0 "$(contacts trap)"
run h-ask2 env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST="127.0.0.1:$TRAP" "$CREDSH_BIN" exec -p skill -- true
check "ASK_LWA_TOKEN_HOST without a scheme: not plain http (no HTTP request reached the trap)" 0 "$(requests trap)"
check_no_match "ASK_LWA_TOKEN_HOST without a scheme: no secret on stderr" "S3CR3T" "$T_ROOT/h-ask2.err"
: >"$T_ROOT/trap.log"
run h-ask3 env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST="http://lwa.credsh-test.invalid" "$CREDSH_BIN" exec -p skill -- true
check_contains "ASK_LWA_TOKEN_HOST http:// to a non-loopback host: refused" "plain http" "$(err h-ask3)"
run h-ep env AWS_ENDPOINT_URL_STS="http://user:S3CR3T-endpoint-password@127.0.0.1:$TRAP" "$CREDSH_BIN" exec -p role -- true
check "endpoint URL with user:password: refused" 1 "$((RC != 0))"
check_contains "endpoint URL with user:password: says so" "user information" "$(err h-ep)"
check_no_match "endpoint URL with user:password: the password is not shown" "S3CR3T" "$T_ROOT/h-ep.err"
check "endpoint URL with user:password: the trap received no connection" 0 "$(contacts trap)"

echo "# --- 41: huge member counts are refused by the limit -----------------------------------------------------"
big() { # big EXTRA_JSON_MEMBERS: an object with 50k filler members plus the given ones
    python3 -c 'import json,sys; d={"k%d" % i: 1 for i in range(50000)}; d.update(json.loads(sys.argv[1])); print(json.dumps(d))' "$1"
}
big '{"TEAM_VALUE":"blue"}' >"$T_ROOT/big-secret.json"
hostile BIGSM bigsm --mode echo --ok-get-secret "$T_ROOT/big-secret.json"
run b-sm env AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:$BIGSM "$CREDSH_BIN" exec -p sm-env -- printenv TEAM_VALUE
check "secret with 50k members: refused" 1 "$((RC != 0))"
check_contains "secret with 50k members: the error names the limit" "members (the limit)" "$(err b-sm)"
big '{"access_token":"Atza|big","token_type":"bearer","expires_in":3600}' >"$T_ROOT/big-lwa.json"
hostile BIGLWA biglwa --mode body --body-file "$T_ROOT/big-lwa.json"
write_ask
run b-ask env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=http://127.0.0.1:$BIGLWA "$CREDSH_BIN" exec -p skill -- true
check "LWA reply with 50k members: refused" 1 "$((RC != 0))"
check_contains "LWA reply with 50k members: the error names the limit" "members (the limit)" "$(err b-ask)"
big '{"AccessKeyId":"ASIABIG","SecretAccessKey":"s","Token":"t","Expiration":"'$FUTURE'"}' >"$T_ROOT/big-ecs.json"
hostile BIGECS bigecs --mode body --body-file "$T_ROOT/big-ecs.json"
run b-ecs env AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:$BIGECS/creds "$CREDSH_BIN" exec -p ecs -- true
check "container reply with 50k members: refused" 1 "$((RC != 0))"
check_contains "container reply with 50k members: the error names the limit" "members (the limit)" "$(err b-ecs)"
write_sso_token $((NOW + 3600))
big '{"roleCredentials":{"accessKeyId":"ASIABIG","secretAccessKey":"s","sessionToken":"t","expiration":'$(((NOW + 3600) * 1000))'}}' >"$T_ROOT/big-sso.json"
hostile BIGSSO bigsso --mode body --body-file "$T_ROOT/big-sso.json"
run b-sso env AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$BIGSSO "$CREDSH_BIN" exec -p sso -- true
check "SSO reply with 50k members: refused" 1 "$((RC != 0))"

echo "# --- 46: hostile expiries ----------------------------------------------------------------------------------"
sts_reply() { # sts_reply EXPIRATION: an AssumeRole reply
    printf '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAPAST</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/echo/x</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult></AssumeRoleResponse>' "$1"
}
sts_reply 2020-01-01T00:00:00Z >"$T_ROOT/sts-past.xml"
hostile PASTSTS paststs --mode body --content-type text/xml --body-file "$T_ROOT/sts-past.xml"
run x-sts env AWS_ENDPOINT_URL_STS=http://127.0.0.1:$PASTSTS "$CREDSH_BIN" exec -p role -- printenv AWS_ACCESS_KEY_ID
check "STS credentials that expired in 2020: refused" 1 "$((RC != 0))"
check "STS expired: nothing ran" "" "$(cat "$T_ROOT/x-sts.out")"
check_contains "STS expired: says when" "expired at 2020-01-01T00:00:00Z" "$(err x-sts)"
secret_file past-aws.json '{"AccessKeyId":"AKIAPAST","SecretAccessKey":"s","Expiration":"2020-01-01T00:00:00Z"}'
hostile PASTSM pastsm --mode echo --ok-get-secret "$T_ROOT/past-aws.json"
run x-sm env AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:$PASTSM "$CREDSH_BIN" exec -p sm-aws -- printenv AWS_ACCESS_KEY_ID
check "secret with an expired Expiration: refused" 1 "$((RC != 0))"
check_contains "secret expired: says when" "expired at 2020-01-01T00:00:00Z" "$(err x-sm)"
printf '{"roleCredentials":{"accessKeyId":"ASIAPAST","secretAccessKey":"s","sessionToken":"t","expiration":1577836800000}}' >"$T_ROOT/sso-past.json"
hostile PASTSSO pastsso --mode body --body-file "$T_ROOT/sso-past.json"
write_sso_token $((NOW + 3600))
run x-sso env AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$PASTSSO "$CREDSH_BIN" exec -p sso -- printenv AWS_ACCESS_KEY_ID
check "SSO role credentials that expired in 2020: refused" 1 "$((RC != 0))"
check_contains "SSO expired: says when" "expired at 2020-01-01T00:00:00Z" "$(err x-sso)"
for huge in 1e30 9223372036854775807; do
    printf '{"accessToken":"S3CR3T-new-access","refreshToken":"S3CR3T-new-refresh","expiresIn":%s,"tokenType":"Bearer"}' "$huge" >"$T_ROOT/sso-huge.json"
    hostile HUGESSO "hugesso-$huge" --mode body --body-file "$T_ROOT/sso-huge.json"
    write_sso_token $((NOW - 60))
    before=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expiresAt"])' "$SSO_TOKEN")
    run x-huge env AWS_ENDPOINT_URL_SSO=http://127.0.0.1:$HUGESSO AWS_ENDPOINT_URL_SSO_OIDC=http://127.0.0.1:$HUGESSO \
        "$CREDSH_BIN" exec -p sso -- true
    check "SSO expiresIn $huge: refused" 1 "$((RC != 0))"
    check_contains "SSO expiresIn $huge: names the field" "expiresIn" "$(err x-huge)"
    check "SSO expiresIn $huge: no date written to the token file" "$before" \
        "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["expiresAt"])' "$SSO_TOKEN")"
    printf '{"access_token":"Atza|huge","token_type":"bearer","expires_in":%s}' "$huge" >"$T_ROOT/lwa-huge.json"
    hostile HUGELWA "hugelwa-$huge" --mode body --body-file "$T_ROOT/lwa-huge.json"
    write_ask
    run x-lwa env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=http://127.0.0.1:$HUGELWA "$CREDSH_BIN" exec -p skill -- true
    check "LWA expires_in $huge: refused" 1 "$((RC != 0))"
    check_contains "LWA expires_in $huge: names the field" "expires_in" "$(err x-lwa)"
done

echo "# --- 45: AWS_CA_BUNDLE and ca_bundle ----------------------------------------------------------------------"
mkca() { # mkca NAME: a CA (NAME-ca.pem, NAME-ca.key)
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=credsh test CA $1" \
        -keyout "$T_ROOT/$1-ca.key" -out "$T_ROOT/$1-ca.pem" 2>/dev/null
}
mkca good
mkca other
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$T_ROOT/server.key" -out "$T_ROOT/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$T_ROOT/san.ext"
openssl x509 -req -in "$T_ROOT/server.csr" -CA "$T_ROOT/good-ca.pem" -CAkey "$T_ROOT/good-ca.key" -CAcreateserial \
    -days 2 -extfile "$T_ROOT/san.ext" -out "$T_ROOT/server.pem" 2>/dev/null
sts_reply "$(iso $((NOW + 3600)))" >"$T_ROOT/sts-ok.xml"
hostile TLS tls --mode body --content-type text/xml --body-file "$T_ROOT/sts-ok.xml" --ok-lwa \
    --tls "$T_ROOT/server.pem" "$T_ROOT/server.key"
TLS_URL=https://127.0.0.1:$TLS
run c-none env AWS_ENDPOINT_URL_STS=$TLS_URL "$CREDSH_BIN" exec -p role -- printenv AWS_ACCESS_KEY_ID
check "private CA, no bundle: TLS fails" 1 "$((RC != 0))"
check_contains "private CA, no bundle: a certificate error" "certificate" "$(err c-none)"
run c-env env AWS_ENDPOINT_URL_STS=$TLS_URL AWS_CA_BUNDLE=$T_ROOT/good-ca.pem "$CREDSH_BIN" exec -p role -- printenv AWS_ACCESS_KEY_ID
check "AWS_CA_BUNDLE: STS over TLS works" ASIAPAST "$(cat "$T_ROOT/c-env.out")"
rm -rf "$HOME/.aws/cli/cache" "$XDG_CACHE_HOME/credsh"
write_aws_config
sed -i "/^\[profile role\]/a ca_bundle = $T_ROOT/good-ca.pem" "$HOME/.aws/config"
run c-prof env AWS_ENDPOINT_URL_STS=$TLS_URL "$CREDSH_BIN" exec -p role -- printenv AWS_ACCESS_KEY_ID
check "profile ca_bundle: STS over TLS works" ASIAPAST "$(cat "$T_ROOT/c-prof.out")"
rm -rf "$HOME/.aws/cli/cache" "$XDG_CACHE_HOME/credsh"
run c-both env AWS_ENDPOINT_URL_STS=$TLS_URL AWS_CA_BUNDLE=$T_ROOT/other-ca.pem "$CREDSH_BIN" exec -p role -- true
check "AWS_CA_BUNDLE wins over ca_bundle (a bundle without the CA fails)" 1 "$((RC != 0))"
write_aws_config
write_ask
run c-ask0 env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=$TLS_URL "$CREDSH_BIN" exec -p skill -- printenv ASK_ACCESS_TOKEN
check "ask, private CA, no bundle: TLS fails" 1 "$((RC != 0))"
run c-ask env "${ASK_ENV[@]}" ASK_LWA_TOKEN_HOST=$TLS_URL AWS_CA_BUNDLE=$T_ROOT/good-ca.pem "$CREDSH_BIN" exec -p skill -- printenv ASK_ACCESS_TOKEN
check "ask, AWS_CA_BUNDLE: LWA over TLS works" 'Atza|hostile-access-S3CR3T' "$(cat "$T_ROOT/c-ask.out")"

finish
