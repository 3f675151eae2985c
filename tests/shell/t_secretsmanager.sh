# The secretsmanager plugin against a real moto Secrets Manager and the LWA fake (tests/fakes/lwa_fake.py):
# a credsh profile (plugin = secretsmanager, source_profile, format = lwa) gives a fresh LWA access token on
# first use in a real bash with the hook; the rotated refresh token is written back exactly once (AWSPREVIOUS
# holds the old one, the version id is the one derived from the new token, other keys kept); later prompts
# touch neither moto nor LWA while the token is valid (request counts, strace); concurrent shells refresh
# once and write once; the aws and env formats; the allow-list; errors keyed on __type; and with moto's auth
# mode on, the plugin's SigV4 is accepted and a wrong secret key is rejected (SignatureDoesNotMatch).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash python3 strace curl
python3 -c 'import boto3' 2>/dev/null || need boto3-for-python3
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy AWS_ENDPOINT_URL

PLUGINS=$(dirname "$(dirname "$(readlink -f "$CREDSH_BIN")")")/plugins
[[ -f $PLUGINS/credsh-secretsmanager.so ]] || { echo "FAIL $T_NAME: credsh-secretsmanager.so was not built"; exit 1; }
export CREDSH_PLUGIN_PATH=$PLUGINS

start_moto
export AWS_ENDPOINT_URL_SECRETS_MANAGER=$MOTO_URL
CLIENT_ID=amzn1.application-oa2-client.asptest
CLIENT_SECRET=S3NT1NEL-asp-client-secret
REFRESH0='Atzr|S3NT1NEL-asp-refresh-0'
start_fake lwa_fake.py LWA --client "$CLIENT_ID:$CLIENT_SECRET" --refresh "$REFRESH0" --rotate
LWA_URL=http://127.0.0.1:$LWA
hits() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/__hits"))[sys.argv[2]])' "$LWA_URL" "${1:-token}"; }
last_request() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/__hits"))["requests"][-1].get(sys.argv[2],""))' "$LWA_URL" "$1"; }
# Requests moto served (its werkzeug log, one line per request): the plugin's and this test's own boto3 calls.
moto_posts() { grep -c '"POST / HTTP' "$T_ROOT/moto-$MOTO_PORT.log"; }

# sm ACTION ...: boto3 against moto, as an administrator would use Secrets Manager (AKID/SECRET from SM_KEYS).
SM_KEYS=${SM_KEYS:-AKIAADMIN:admin-secret}
sm() {
    SM_KEYS=$SM_KEYS python3 - "$MOTO_URL" "$@" <<'EOF'
import hashlib, json, os, sys, boto3
url, action, args = sys.argv[1], sys.argv[2], sys.argv[3:]
key, secret = os.environ["SM_KEYS"].split(":", 1)
session = boto3.session.Session(aws_access_key_id=key, aws_secret_access_key=secret, region_name="us-east-1")
c = session.client("secretsmanager", endpoint_url=url)
if action == "create":
    c.create_secret(Name=args[0], SecretString=args[1])
elif action == "get":  # NAME STAGE KEY: one key of the secret's JSON at that stage
    print(json.loads(c.get_secret_value(SecretId=args[0], VersionStage=args[1])["SecretString"]).get(args[2], ""))
elif action == "json":
    print(c.get_secret_value(SecretId=args[0])["SecretString"])
elif action == "current-version":
    print(c.get_secret_value(SecretId=args[0])["VersionId"])
elif action == "versions":
    print(len(c.list_secret_version_ids(SecretId=args[0], IncludeDeprecated=True)["Versions"]))
elif action == "expected-version":  # what credsh must derive from a rotated token (secret_format.cpp)
    h = hashlib.sha256(b"credsh secretsmanager rotation\n" + args[0].encode()).hexdigest()[:32]
    print("%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:]))
elif action == "iam-user":  # a user allowed to read and write secrets; prints KEY:SECRET
    iam = session.client("iam", endpoint_url=url)
    iam.create_user(UserName="ops")
    iam.put_user_policy(UserName="ops", PolicyName="sm", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "secretsmanager:*", "Resource": "*"}]}))
    iam.create_user(UserName="admin")
    iam.put_user_policy(UserName="admin", PolicyName="all", PolicyDocument=json.dumps({"Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    k = iam.create_access_key(UserName="ops")["AccessKey"]
    a = iam.create_access_key(UserName="admin")["AccessKey"]
    print("%s:%s %s:%s" % (k["AccessKeyId"], k["SecretAccessKey"], a["AccessKeyId"], a["SecretAccessKey"]))
EOF
}

LWA_SECRET=$(python3 -c 'import json,sys; print(json.dumps({"lwa-client-id": sys.argv[1], "lwa-client-secret": sys.argv[2],
    "lwa-auth-url": sys.argv[3] + "/auth/o2/token", "lwa-auth-scope": "alexa::enterprise:management profile",
    "lwa-refresh-token": sys.argv[4], "team-note": "shared by the ASP team"}))' "$CLIENT_ID" "$CLIENT_SECRET" "$LWA_URL" "$REFRESH0")
sm create asp/lwa "$LWA_SECRET"
sm create team/aws '{"AccessKeyId":"AKIAFROMSECRET","SecretAccessKey":"S3NT1NEL-from-secret"}'
sm create team/env '{"ASK_VENDOR_ID":"M1TEAMVENDOR","AWS_X_TEAM":"blue","PATH":"/evil","LWA_NOTE":"x"}'
check "setup: one version of asp/lwa" 1 "$(sm versions asp/lwa)"

cat >"$HOME/.aws/config" <<'EOF'
[profile ops]
region = us-east-1
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[ops]
aws_access_key_id = AKIAOPSREADER
aws_secret_access_key = S3NT1NEL-ops-secret
EOF
mkdir -p "$XDG_CONFIG_HOME/credsh"
write_credsh_config() {
    cat >"$XDG_CONFIG_HOME/credsh/config" <<EOF
[trust]
prefix = ~/src

[profile asp]
plugin = secretsmanager
secret_id = asp/lwa
region = us-east-1
source_profile = ${1:-ops}
format = lwa

[profile keys]
plugin = secretsmanager
secret_id = team/aws
source_profile = ${1:-ops}
format = aws

[profile vars]
plugin = secretsmanager
secret_id = team/env
source_profile = ${1:-ops}
format = env
variables = ASK_VENDOR_ID AWS_X_TEAM LWA_NOTE

[profile missing]
plugin = secretsmanager
secret_id = no/such/secret
source_profile = ${1:-ops}

[profile nosource]
plugin = secretsmanager
secret_id = asp/lwa
EOF
}
write_credsh_config
S=$HOME/src
mkdir -p "$S/asp-app" "$S/team-app" "$S/plain"
printf 'profile = asp\n' >"$S/asp-app/.credprofile"
printf 'profile = vars\n' >"$S/team-app/.credprofile"

# --- a real bash: a fresh token on first use, then no network at later prompts ------------------------------
posts_before=$(moto_posts)
CALLS=$T_ROOT/calls
mkdir -p "$T_ROOT/bin"
cat >"$T_ROOT/bin/credsh" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >>'$CALLS'
if [ "\$1" = hook ]; then '$CREDSH_BIN' "\$@" | sed 's#$CREDSH_BIN#$T_ROOT/bin/credsh#g'; exit; fi
exec '$CREDSH_BIN' "\$@"
EOF
chmod 755 "$T_ROOT/bin/credsh"
# The counts are taken inside the shell, between its steps, so each belongs to the phase it names.
cat >"$T_ROOT/shell.sh" <<EOF
eval "\$('$T_ROOT/bin/credsh' hook bash)"
show() { local l=\$1 v; shift; for v; do if [[ -v \$v ]]; then printf '@%s %s=%s\n' "\$l" "\$v" "\${!v}"; else printf '@%s %s=unset\n' "\$l" "\$v"; fi; done; }
calls() { printf '@%s calls=%s posts=%s lwa=%s\n' "\$1" "\$(grep -c '^export' '$CALLS')" "\$(grep -c '"POST / HTTP' '$T_ROOT/moto-$MOTO_PORT.log')" \
    "\$(curl -s '$LWA_URL/__hits' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')"; }
_credsh_hook
cd '$S/asp-app'; _credsh_hook; show first ASK_ACCESS_TOKEN AWS_ACCESS_KEY_ID AWS_CREDENTIAL_EXPIRATION CREDSH_PROFILE CREDSH_EXPIRES; calls first
_credsh_hook; calls settle
for i in 1 2 3 4 5 6 7 8 9 10; do _credsh_hook; done; calls later; show later ASK_ACCESS_TOKEN
touch '$HOME/.aws/config'; _credsh_hook; calls touched; show touched ASK_ACCESS_TOKEN
cd '$S/team-app'; _credsh_hook; show team ASK_ACCESS_TOKEN ASK_VENDOR_ID AWS_X_TEAM LWA_NOTE PATH
cd '$S/plain'; _credsh_hook; show out ASK_ACCESS_TOKEN ASK_VENDOR_ID AWS_X_TEAM
EOF
out=$(cd "$HOME" && bash "$T_ROOT/shell.sh" 2>"$T_ROOT/shell.err")
count() { grep -m1 "^@$1 calls=" <<<"$out" | tr ' ' '\n' | grep "^$2=" | cut -d= -f2; }
val() { grep -m1 "^@$1 $2=" <<<"$out" | cut -d= -f2-; }

check "first use: a fresh LWA access token" 'Atza|fake-access-1' "$(val first ASK_ACCESS_TOKEN)"
check "first use: no AWS keys for an LWA profile" unset "$(val first AWS_ACCESS_KEY_ID)"
check "first use: no AWS_CREDENTIAL_EXPIRATION without AWS keys" unset "$(val first AWS_CREDENTIAL_EXPIRATION)"
check "first use: CREDSH_PROFILE" asp "$(val first CREDSH_PROFILE)"
check_true "first use: CREDSH_EXPIRES about an hour ahead" test "$(val first CREDSH_EXPIRES)" -gt $(($(date +%s) + 3000))
check "one LWA refresh" 1 "$(count settle lwa)"
check "first use: one GetSecretValue and one PutSecretValue" 2 "$(($(count settle posts) - posts_before))"
check "the secret's scope was sent" "alexa::enterprise:management profile" "$(last_request scope)"
check "the secret's client id was used" "$CLIENT_ID" "$(last_request client_id)"
check "later prompts: no export at all" "$(count settle calls)" "$(count later calls)"
check "later prompts and a forced export: no request to Secrets Manager" "$(count settle posts)" "$(count touched posts)"
check "later prompts and a forced export: no request to LWA" 1 "$(count touched lwa)"
check "a watched-file change runs one export" $(($(count later calls) + 1)) "$(count touched calls)"
check "which reuses the cached token" 'Atza|fake-access-1' "$(val touched ASK_ACCESS_TOKEN)"
check_no_match "no secret on the shell's stderr" "S3NT1NEL" "$T_ROOT/shell.err"

# --- the write-back: exactly once, idempotent version id, other keys kept --------------------------------
check "write-back: two versions now (one write)" 2 "$(sm versions asp/lwa)"
check "write-back: AWSCURRENT has the rotated token" 'Atzr|fake-rotated-1' "$(sm get asp/lwa AWSCURRENT lwa-refresh-token)"
check "write-back: AWSPREVIOUS has the old one" "$REFRESH0" "$(sm get asp/lwa AWSPREVIOUS lwa-refresh-token)"
check "write-back: other keys kept" "shared by the ASP team" "$(sm get asp/lwa AWSCURRENT team-note)"
check "write-back: version id derived from the new token" "$(sm expected-version 'Atzr|fake-rotated-1')" \
    "$(sm current-version asp/lwa)"
check "write-back: key order kept" \
    "$(python3 -c 'import json,sys; print(list(json.loads(sys.argv[1])))' "$LWA_SECRET")" \
    "$(python3 -c 'import json,sys; print(list(json.loads(sys.argv[1])))' "$(sm json asp/lwa)")"

# --- the cache: 0600 in a 0700 directory; strace: no plugin, no connect while valid ----------------------
cache=$(ls "$XDG_CACHE_HOME"/credsh/creds/plugin-secretsmanager-*.json 2>/dev/null | head -n 1)
check_true "the token is cached under credsh's cache dir" test -n "$cache"
check "cache file 0600" 600 "$(stat -c %a "$cache")"
check "cache dir 0700" 700 "$(stat -c %a "$(dirname "$cache")")"
strace -f -qq -e trace=openat,connect -o "$T_ROOT/strace.out" \
    "$CREDSH_BIN" exec -p asp -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/exec.out" 2>"$T_ROOT/exec.err"
check "exec -p asp: the cached token" 'Atza|fake-access-1' "$(cat "$T_ROOT/exec.out")"
check_no_match "exec with a valid cache does not load credsh-secretsmanager.so" "credsh-secretsmanager.so" "$T_ROOT/strace.out"
check_no_match "exec with a valid cache connects nowhere" "connect(" "$T_ROOT/strace.out"

# --- concurrent first uses: one refresh, one write --------------------------------------------------------
rm -f "$XDG_CACHE_HOME"/credsh/creds/plugin-secretsmanager-*.json
par=()
for i in 1 2 3 4 5 6; do
    "$CREDSH_BIN" exec -p asp -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/par.$i" 2>"$T_ROOT/par.$i.err" &
    par+=($!)
done
wait "${par[@]}" # not a bare wait: moto and the fake are background jobs too
check "6 parallel first uses: one more LWA refresh" 2 "$(hits ok)"
check "6 parallel first uses: one more version (one write)" 3 "$(sm versions asp/lwa)"
check "all six got the same new token" 6 "$(cat "$T_ROOT"/par.? | grep -c '^Atza|fake-access-2$')"
check "the refresh used the token written back last time" 'Atzr|fake-rotated-1' "$(last_request refresh_token_used)"
check "AWSPREVIOUS is now the first rotated token" 'Atzr|fake-rotated-1' "$(sm get asp/lwa AWSPREVIOUS lwa-refresh-token)"

# --- aws and env formats; the allow-list; leaving the directory unsets env-format variables ----------------
check "aws format: keys from the secret" "AKIAFROMSECRET S3NT1NEL-from-secret" \
    "$("$CREDSH_BIN" exec -p keys -- sh -c 'echo "$AWS_ACCESS_KEY_ID $AWS_SECRET_ACCESS_KEY"' 2>/dev/null)"
check "aws format: no invented expiry for long-term keys" unset \
    "$("$CREDSH_BIN" exec -p keys -- sh -c 'echo "${AWS_CREDENTIAL_EXPIRATION-unset}"' 2>/dev/null)"
check "env format: the vendor id" M1TEAMVENDOR "$(val team ASK_VENDOR_ID)"
check "env format: an allow-listed AWS_ variable" blue "$(val team AWS_X_TEAM)"
check "env format: PATH is not taken from the secret" "$PATH" "$(val team PATH)"
check "env format: a name outside credsh's allow-list is not set" unset "$(val team LWA_NOTE)"
check_contains "env format: and that is said" "LWA_NOTE is not a variable credsh may set" "$(cat "$T_ROOT/shell.err")"
check "env format: the LWA token is gone in another project" unset "$(val team ASK_ACCESS_TOKEN)"
check "leaving: env-format variables unset" unset "$(val out AWS_X_TEAM)"
check "leaving: ASK_VENDOR_ID unset" unset "$(val out ASK_VENDOR_ID)"

# --- errors ---------------------------------------------------------------------------------------------
"$CREDSH_BIN" exec -p missing -- true 2>"$T_ROOT/missing.err"
check "missing secret: exec refuses to run" 1 "$?"
check_contains "missing secret: keyed on __type" "ResourceNotFoundException" "$(cat "$T_ROOT/missing.err")"
"$CREDSH_BIN" exec -p nosource -- true 2>"$T_ROOT/nosource.err"
check_contains "no source_profile: says what is needed" "source_profile" "$(cat "$T_ROOT/nosource.err")"

# --- moto's auth mode: real SigV4 verification ----------------------------------------------------------------
read -r OPS_KEYS ADMIN_KEYS <<<"$(sm iam-user)"
curl -s -X POST -H 'Content-Type: text/plain' --data 0 "$MOTO_URL/moto-api/reset-auth" >/dev/null
SM_KEYS=$ADMIN_KEYS
cat >"$HOME/.aws/credentials" <<EOF
[ops]
aws_access_key_id = ${OPS_KEYS%%:*}
aws_secret_access_key = ${OPS_KEYS#*:}
[ops-wrong]
aws_access_key_id = ${OPS_KEYS%%:*}
aws_secret_access_key = S3NT1NEL-not-the-secret
EOF
printf '[profile ops-wrong]\nregion = us-east-1\n' >>"$HOME/.aws/config"
check "auth mode: the plugin's signature is accepted" "AKIAFROMSECRET" \
    "$("$CREDSH_BIN" exec -p keys -- printenv AWS_ACCESS_KEY_ID 2>"$T_ROOT/auth-ok.err")"
write_credsh_config ops-wrong
"$CREDSH_BIN" exec -p keys -- true 2>"$T_ROOT/auth-bad.err"
check "auth mode: a wrong secret key is rejected" 1 "$?"
check_contains "auth mode: SignatureDoesNotMatch" "SignatureDoesNotMatch" "$(cat "$T_ROOT/auth-bad.err")"
check_no_match "auth mode: the secret key is not in the message" "S3NT1NEL" "$T_ROOT/auth-bad.err"

finish
