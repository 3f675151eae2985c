#!/usr/bin/env bash
# The local credential endpoint (docs/security.md 49): `credsh exec -p NAME --server -- CMD` and `credsh serve`.
# moto serves STS for an assume-role profile; the real AWS CLI v2 and boto3 run inside `exec --server` and get the
# role's credentials from the endpoint (their container provider); curl checks the refusals (no token: 401, a
# wrong token: 403, each one stderr line without the token), the one method and path, the request size cap; the
# server's clock is moved (CREDSH_TEST_NOW_FILE, read at each request) to show that cached credentials are served
# until 15 minutes before expiry and new ones are handed out before the old expire; the port is closed once CMD
# has exited; a client that never sends holds neither other clients nor CMD's exit; `kill -TERM` of credsh reaches
# CMD and CMD's exit status (or the signal that ended it) comes back; CMD's environment has no keys or profile.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
AWS=/usr/bin/aws # the AWS CLI v2 (Debian's awscli); another `aws` on PATH may be v1
need python3 curl "$AWS" timeout
if ! /usr/bin/python3 -c 'import awscli.botocore' 2>/dev/null; then
    echo "FAIL $T_NAME: /usr/bin/aws is not the AWS CLI v2 this test expects (no awscli.botocore module)"
    exit 1
fi
python3 -c 'import boto3' 2>/dev/null || need boto3-for-python3

PLUGINS=$(dirname "$CREDSH_BIN")/../plugins
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }

start_moto
SOURCE_SECRET=S3NT1NELsourceSecretKey0000000000000000
cat >"$HOME/.aws/credentials" <<EOF
[base]
aws_access_key_id = AKIAS3NT1NELBASE0001
aws_secret_access_key = $SOURCE_SECRET
EOF
cat >"$HOME/.aws/config" <<'EOF'
[profile role]
role_arn = arn:aws:iam::123456789012:role/ServeRole
role_session_name = served
source_profile = base
region = eu-west-1
EOF
export AWS_ENDPOINT_URL_STS=$MOTO_URL
ERR=$T_ROOT/err
assumed() { curl -s "$MOTO_URL/moto-api/data.json" | python3 -c '
import json, sys
print(len(json.load(sys.stdin).get("sts", {}).get("AssumedRole", [])))'; }
# field JSON NAME: one top-level string of a JSON reply
field() { python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }

# --- the command's environment ------------------------------------------------------------------------------
out=$(AWS_PROFILE=base AWS_ACCESS_KEY_ID=AKIASTALE AWS_SECRET_ACCESS_KEY=stale AWS_SESSION_TOKEN=stale \
    "$CREDSH_BIN" exec -p role --server -- env 2>"$ERR")
check "env: exec --server runs the command (exit 0)" 0 $?
check_contains "env: CMD gets AWS_CONTAINER_CREDENTIALS_FULL_URI on 127.0.0.1" \
    "AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:" "$out"
token=$(sed -n 's/^AWS_CONTAINER_AUTHORIZATION_TOKEN=//p' <<<"$out")
check_true "env: CMD gets a 64-hex-digit AWS_CONTAINER_AUTHORIZATION_TOKEN" \
    grep -Eqx '[0-9a-f]{64}' <<<"$token"
for v in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE; do
    check_absent "env: CMD has no $v" "$v=" "$out"
done
check_contains "env: CMD gets the profile's region" "AWS_REGION=eu-west-1" "$out"
token2=$("$CREDSH_BIN" exec -p role --server -- printenv AWS_CONTAINER_AUTHORIZATION_TOKEN 2>/dev/null)
check_true "env: each run has its own token" test -n "$token2" -a "$token2" != "$token"
check_absent "env: the token is not on stderr" "$token" "$(<"$ERR")"
check_absent "env: the source secret is not on stderr" "$SOURCE_SECRET" "$(<"$ERR")"

# --- the real AWS CLI v2 and boto3 inside exec --server -----------------------------------------------------
arn=$("$CREDSH_BIN" exec -p role --server -- "$AWS" sts get-caller-identity --endpoint-url "$MOTO_URL" \
    --query Arn --output text 2>"$ERR")
check "aws cli: exit 0" 0 $?
check_contains "aws cli: get-caller-identity through the endpoint is the role" "assumed-role/ServeRole/served" "$arn"
creds=$("$CREDSH_BIN" exec -p role --server -- "$AWS" configure export-credentials --format env 2>>"$ERR")
check_contains "aws cli: export-credentials reads a role key (ASIA...) from the endpoint" \
    "export AWS_ACCESS_KEY_ID=ASIA" "$creds"
check_contains "aws cli: ... with a session token" "export AWS_SESSION_TOKEN=" "$creds"
py=$("$CREDSH_BIN" exec -p role --server -- python3 -c '
import boto3, sys
s = boto3.Session()
print(s.get_credentials().method)
print(s.client("sts", endpoint_url=sys.argv[1]).get_caller_identity()["Arn"])' "$MOTO_URL" 2>>"$ERR")
check "boto3: the container provider serves it, then STS names the role" \
    "container-role
arn:aws:sts::123456789012:assumed-role/ServeRole/served" "$py"
check_absent "aws cli, boto3: the source secret is not on stderr" "$SOURCE_SECRET" "$(<"$ERR")"

# --- refusals: token, method, path, size --------------------------------------------------------------------
codes=$("$CREDSH_BIN" exec -p role --server -- bash -c '
u=$AWS_CONTAINER_CREDENTIALS_FULL_URI t=$AWS_CONTAINER_AUTHORIZATION_TOKEN
c() { curl -s -o /dev/null -w "%{http_code} " "$@"; }
c "$u"
c -H "Authorization: wrong$t" "$u"
c -H "Authorization: $t" "$u"
c -X POST -H "Authorization: $t" "$u"
c -H "Authorization: $t" "${u%/*}/other"
c -H "Authorization: $t" -H "X-Big: $(head -c 9000 /dev/zero | tr "\0" a)" "$u"
echo "$t" >"$0"
tr "\0" " " </proc/$PPID/cmdline >"$0.argv"' "$T_ROOT/tok" 2>"$ERR")
check "refusals: none 401, wrong 403, right 200, POST 405, other path 404, 9000-byte header 431" \
    "401 403 200 405 404 431 " "$codes"
check "refusals: one stderr line per refused token" \
    "credsh: serve: refused a request without the endpoint's token (401)
credsh: serve: refused a request with a wrong token (403)" "$(grep refused "$ERR")"
check_no_match "refusals: the token is not on stderr" "$(<"$T_ROOT/tok")" "$ERR"
check_contains "refusals: credsh's argv, as CMD sees it ..." "exec -p role --server" "$(<"$T_ROOT/tok.argv")"
check_no_match "refusals: ... has no token" "$(<"$T_ROOT/tok")" "$T_ROOT/tok.argv"

# --- another local user of the machine reaches 127.0.0.1 too: without the token it gets nothing ---------------
add_second_user credsh-serve
code=$("$CREDSH_BIN" exec -p role --server -- bash -c \
    'runuser -u "$0" -- curl -s -o /dev/null -w "%{http_code}" "$AWS_CONTAINER_CREDENTIALS_FULL_URI"' "$ATTACKER" \
    2>"$ERR")
check "second user: a request from another local user without the token is refused (401)" 401 "$code"

# --- fresh credentials before the old expire (the server's clock moved by a file) ---------------------------
CLOCK=$T_ROOT/clock
date +%s >"$CLOCK"
before=$(assumed)
refresh=$(CREDSH_TEST_NOW_FILE=$CLOCK "$CREDSH_BIN" exec -p role --server -- python3 -c '
import datetime, json, os, sys, urllib.request
def get():
    r = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                               headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
    j = json.load(urllib.request.urlopen(r))
    exp = datetime.datetime.strptime(j["Expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return j["AccessKeyId"], int(exp.timestamp())
def at(t):
    open(sys.argv[1], "w").write(str(t))
k1, e1 = get()
at(e1 - 1200); k2, e2 = get()          # 20 minutes left: the cached credentials
at(e1 - 600); k3, e3 = get()           # 10 minutes left: new ones, while the old are still valid
print("same" if k2 == k1 else "new", "new" if k3 != k1 else "same", "later" if e3 >= e1 else "earlier")' "$CLOCK" 2>"$ERR")
check "refresh: 20 min before expiry the cached key, 10 min before a new one, valid at least as long" \
    "same new later" "$refresh"
check "refresh: moto saw one AssumeRole call for it, the refresh (the first two came from the cache)" \
    "$((before + 1))" "$(assumed)"

# --- the port closes when CMD exits; a silent client holds neither others nor CMD's exit --------------------
HOLDER=$T_ROOT/holder.pid
out=$(timeout 60 "$CREDSH_BIN" exec -p role --server -- bash -c '
u=$AWS_CONTAINER_CREDENTIALS_FULL_URI; p=${u#http://127.0.0.1:}; p=${p%%/*}
python3 -c "
import socket, sys, time
s = socket.create_connection((\"127.0.0.1\", int(sys.argv[1])))
open(sys.argv[2], \"w\").write(\"connected\")
time.sleep(300)" "$p" "$0.up" </dev/null >/dev/null 2>&1 &
echo $! >"$0"
while [[ ! -s $0.up ]]; do sleep 0.05; done
curl -s -o /dev/null -w "%{http_code}" -H "Authorization: $AWS_CONTAINER_AUTHORIZATION_TOKEN" "$u"
echo " $p"' "$HOLDER" 2>"$ERR")
rc=$?
holder=$(<"$HOLDER")
T_PIDS+=("$holder")
check "slow client: answered 200 while a silent client holds a connection; CMD exits 0 (not held)" 0 "$rc"
check "slow client: ... the answer" 200 "${out% *}"
check_true "slow client: credsh returned while the silent client is still connected" kill -0 "$holder"
port=${out#* }
curl -s -o /dev/null "http://127.0.0.1:$port/credsh/credentials"
check "port: closed after CMD exited (curl: connection refused)" 7 $?
kill "$holder" 2>/dev/null

# --- a flood of idle connections and a trickling client -------------------------------------------------------
flood=$(timeout 120 "$CREDSH_BIN" exec -p role --server -- python3 -c '
import os, select, socket, urllib.request
u = os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
port = int(u.split(":")[2].split("/")[0])
flood = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]
trickle = socket.create_connection(("127.0.0.1", port))
trickle.sendall(b"GET /credsh/credentials HTTP/1.1\r\nX-Slow: ")
r = urllib.request.urlopen(urllib.request.Request(u, headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]}))
print(r.status)
# Dropped when the newer ones were accepted, before this answer: already readable (EOF), no waiting.
print("oldest-dropped" if select.select([flood[0]], [], [], 0)[0] and flood[0].recv(1) == b"" else "oldest-kept")
state = "open"
for _ in range(300):  # a byte every 0.2 s for at most 60 s; the server must close it well before
    try:
        trickle.sendall(b"a")
        if select.select([trickle], [], [], 0.2)[0] and trickle.recv(1) == b"":
            state = "closed"
            break
    except OSError:
        state = "closed"
        break
print("trickler-" + state)' 2>"$ERR")
check "flood: 40 idle connections and a trickler: a request is answered, the oldest idle one dropped, the trickler
     closed by its deadline though it keeps sending" "200
oldest-dropped
trickler-closed" "$flood"

# --- exit status and signals --------------------------------------------------------------------------------
"$CREDSH_BIN" exec -p role --server -- bash -c 'exit 42' 2>/dev/null
check "exit: CMD's exit status comes back" 42 $?
"$CREDSH_BIN" exec -p role --server -- no-such-command-credsh 2>"$ERR"
check "exit: a missing command is 127" 127 $?
bash -c '"$1" exec -p role --server -- bash -c "kill -KILL \$\$"; echo $? >"$2"' _ "$CREDSH_BIN" "$T_ROOT/sig" \
    2>/dev/null
check "exit: CMD killed by SIGKILL -> credsh ends by SIGKILL too (137)" 137 "$(<"$T_ROOT/sig")"
READY=$T_ROOT/ready
"$CREDSH_BIN" exec -p role --server -- bash -c '
trap "echo TERM >\"\$0.got\"; exit 43" TERM
echo ready >"$0"
while :; do sleep 0.1 & wait $!; done' "$READY" 2>"$ERR" &
cpid=$!
for ((i = 0; i < 600; i++)); do [[ -s $READY ]] && break; sleep 0.05; done
kill -TERM "$cpid"
wait "$cpid"
check "signals: kill -TERM of credsh reaches CMD, whose exit status (43) comes back" 43 $?
check "signals: CMD saw TERM" TERM "$(cat "$READY.got" 2>/dev/null)"

# --- credsh serve -------------------------------------------------------------------------------------------
"$CREDSH_BIN" serve -p role >"$T_ROOT/serve.out" 2>"$ERR" &
spid=$!
T_PIDS+=("$spid")
for ((i = 0; i < 600; i++)); do [[ $(wc -l <"$T_ROOT/serve.out") == 2 ]] && break; sleep 0.05; done
uri=$(sed -n 's/^export AWS_CONTAINER_CREDENTIALS_FULL_URI=//p' "$T_ROOT/serve.out")
tok=$(sed -n 's/^export AWS_CONTAINER_AUTHORIZATION_TOKEN=//p' "$T_ROOT/serve.out")
reply=$(curl -s -H "Authorization: $tok" "$uri")
check_contains "serve: prints the two variables; the endpoint answers with a role key" '"AccessKeyId":"ASIA' "$reply"
check_contains "serve: ... in the container format (Token)" '"Token":"' "$reply"
arn=$(AWS_CONTAINER_CREDENTIALS_FULL_URI=$uri AWS_CONTAINER_AUTHORIZATION_TOKEN=$tok \
    "$AWS" sts get-caller-identity --endpoint-url "$MOTO_URL" --region eu-west-1 --query Arn --output text 2>/dev/null)
check_contains "serve: the AWS CLI with the two variables is the role" "assumed-role/ServeRole/served" "$arn"
kill -TERM "$spid"
wait "$spid"
check "serve: ends on TERM with 0" 0 $?
curl -s -o /dev/null "$uri"
check "serve: the port is closed after it ended" 7 $?
check_no_match "serve: the token is not on stderr" "$tok" "$ERR"
# Long-term keys: served with an empty "Token" (botocore's container provider needs the member), boto3 takes them.
printf '[static]\naws_access_key_id = AKIAS3NT1NELSTATIC01\naws_secret_access_key = staticSecret\n' \
    >>"$HOME/.aws/credentials"
static=$("$CREDSH_BIN" exec -p static --server -- python3 -c '
import json, os, urllib.request, boto3
r = urllib.request.Request(os.environ["AWS_CONTAINER_CREDENTIALS_FULL_URI"],
                           headers={"Authorization": os.environ["AWS_CONTAINER_AUTHORIZATION_TOKEN"]})
print(repr(json.load(urllib.request.urlopen(r))["Token"]))
c = boto3.Session().get_credentials()
print(c.method, c.access_key, repr(c.token))' 2>"$ERR")
check "static keys: an empty Token; boto3 reads the key from the endpoint, without a token" \
    "''
container-role AKIAS3NT1NELSTATIC01 ''" "$static"
"$CREDSH_BIN" serve -p nosuchprofile >/dev/null 2>"$ERR"
check "serve: a profile without credentials is not served (exit 1)" 1 $?

finish
