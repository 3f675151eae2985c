#!/usr/bin/env bash
# credsh credential-process --profile NAME: credsh as the credential_process of the AWS CLI v2 and boto3, with
# moto as STS (issue 14):
#   - an assume-role profile behind `credential_process = credsh credential-process --profile role`: two real
#     `aws configure export-credentials` calls make exactly one AssumeRole at moto (credsh's cache, shared with
#     the AWS CLI's ~/.aws/cli/cache, serves the second); boto3 gets the same keys; the JSON is Version 1;
#   - a profile whose credential_process leads back to itself (loopa -> loopb -> loopa) fails with one clear
#     line, non-zero, nothing on stdout (never a fork loop); `credential_process = credsh credential-process
#     --profile self` in [profile self] is credsh's own keyring line: read from the keyring, never run;
#   - a role with mfa_serial and no terminal (setsid, stdin from /dev/null): non-zero, one line on stderr,
#     nothing on stdout, no call to STS (docs/security.md 28);
#   - the same role in a terminal (tmux), against the strict STS fake that checks the code: the code is asked on
#     the terminal with echo off while stdout carries only the JSON; a second call, without a terminal, is served
#     from the cache: no code, no STS call.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3 curl setsid tmux
AWS=/usr/bin/aws # the Debian AWS CLI v2; the `aws` first on PATH may be something else
"$AWS" --version 2>&1 | grep -q '^aws-cli/2' || { echo "FAIL $T_NAME: $AWS is not the AWS CLI v2"; exit 1; }
python3 -c 'import boto3' 2>/dev/null || need boto3-for-python3

PLUGINS=${CREDSH_PLUGIN_PATH:-$(dirname "$CREDSH_BIN")/../plugins}
[[ -f $PLUGINS/credsh-mfa-sts.so ]] || { echo "FAIL $T_NAME: no credsh-mfa-sts.so in $PLUGINS"; exit 1; }
start_moto
export AWS_ENDPOINT_URL_STS=$MOTO_URL AWS_REGION=us-east-1
mkdir -p "$T_ROOT/bin"
ln -s "$(readlink -f "$CREDSH_BIN")" "$T_ROOT/bin/credsh"
export PATH=$T_ROOT/bin:$PATH
cat >"$HOME/.aws/credentials" <<'EOF'
[base]
aws_access_key_id = AKIASERVEDBASE000001
aws_secret_access_key = S3NT1NEL-served-base-secret
EOF
cat >"$HOME/.aws/config" <<'EOF'
[profile role]
role_arn = arn:aws:iam::123456789012:role/Served
role_session_name = served
source_profile = base
[profile served]
credential_process = credsh credential-process --profile role
[profile loopa]
credential_process = credsh credential-process --profile loopb
[profile loopb]
credential_process = credsh credential-process -p loopa
[profile self]
credential_process = credsh credential-process --profile self
[profile mfarole]
role_arn = arn:aws:iam::123456789012:role/ServedMfa
source_profile = base
mfa_serial = arn:aws:iam::123456789012:mfa/person
EOF
assumed() { curl -s "$MOTO_URL/moto-api/data.json" | python3 -c '
import json, sys
print(" ".join(r["role_arn"].split("/")[-1] for r in json.load(sys.stdin).get("sts", {}).get("AssumedRole", [])))'; }
field() { python3 -c 'import json, sys; print(json.load(sys.stdin).get(sys.argv[1], ""))' "$1"; }

# --- the JSON, and the AWS CLI through it -------------------------------------------------------------------
out=$(credsh credential-process --profile role 2>"$T_ROOT/err")
check "credential-process role: exit 0" 0 $?
check "credential-process role: Version 1" 1 "$(field Version <<<"$out")"
key=$(field AccessKeyId <<<"$out")
check_true "credential-process role: an assumed-role key ($key)" test "${key#ASIA}" != "$key"
check_true "credential-process role: a session token" test -n "$(field SessionToken <<<"$out")"
check_true "credential-process role: an expiration" test -n "$(field Expiration <<<"$out")"
check "credential-process role: nothing on stderr" "" "$(cat "$T_ROOT/err")"
check "one AssumeRole at moto so far" "Served" "$(assumed)"

rm -rf "$HOME/.aws/cli/cache" # from here on, the AWS CLI alone drives credsh
a1=$("$AWS" configure export-credentials --profile served 2>"$T_ROOT/err1")
check "aws export-credentials #1 through credsh: exit 0" 0 $?
a2=$("$AWS" configure export-credentials --profile served 2>"$T_ROOT/err2")
check "aws export-credentials #2 through credsh: exit 0" 0 $?
k1=$(field AccessKeyId <<<"$a1")
check_true "the AWS CLI got an assumed-role key ($k1)" test "${k1#ASIA}" != "$k1"
check "the second call got the same (cached) key" "$k1" "$(field AccessKeyId <<<"$a2")"
check "two AWS CLI calls: exactly one more AssumeRole at moto" "Served Served" "$(assumed)"
b=$(python3 -c 'import boto3; c = boto3.Session(profile_name="served").get_credentials(); print(c.access_key)' \
    2>"$T_ROOT/errb")
check "boto3 gets the same keys through credsh" "$k1" "$b"
check "boto3: still no further AssumeRole" "Served Served" "$(assumed)"

# --- a credential_process that leads back to itself -----------------------------------------------------------
out=$(timeout 60 credsh credential-process -p loopa 2>"$T_ROOT/err")
rc=$?
check "loop: non-zero exit (not killed by the timeout)" 1 "$rc"
check "loop: nothing on stdout" "" "$out"
check_contains "loop: the message names the loop" "profile loopa leads back to itself (loopa -> loopb -> loopa)" \
    "$(cat "$T_ROOT/err")"
out=$(timeout 60 "$AWS" configure export-credentials --profile loopa 2>"$T_ROOT/err")
check_true "loop through the AWS CLI: it fails" test $? -ne 0
check_contains "loop through the AWS CLI: the message names the loop" "leads back to itself" "$(cat "$T_ROOT/err")"

# The direct self-reference is credsh's own keyring line (credsh store writes it): read from the keyring, never
# run; with no keyring here (no bus, no pass) that is one clear line.
out=$(timeout 60 env -u DBUS_SESSION_BUS_ADDRESS PASSWORD_STORE_DIR="$T_ROOT/no-pass" \
    credsh credential-process -p self 2>"$T_ROOT/err")
check "self: exit 1 (not killed by the timeout)" 1 $?
check "self: nothing on stdout" "" "$out"
check "self: one line on stderr" 1 "$(wc -l <"$T_ROOT/err")"
check_contains "self: it says there is no keyring" "no keyring" "$(cat "$T_ROOT/err")"

# --- MFA without a terminal ----------------------------------------------------------------------------------
out=$(setsid -w credsh credential-process -p mfarole </dev/null 2>"$T_ROOT/err")
check "mfa, no terminal: exit 1" 1 $?
check "mfa, no terminal: nothing on stdout" "" "$out"
check "mfa, no terminal: one line on stderr" 1 "$(wc -l <"$T_ROOT/err")"
check_contains "mfa, no terminal: it says why" "MFA code" "$(cat "$T_ROOT/err")"
check "mfa, no terminal: no call to STS" "Served Served" "$(assumed)"

# --- MFA typed into a terminal, then the cache --------------------------------------------------------------
CODE=246810
start_fake sts_strict.py FAKE_PORT --mfa-code "$CODE"
FAKE=http://127.0.0.1:$FAKE_PORT
fake_calls() { curl -s "$FAKE/_calls" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
SOCK=$T_ROOT/tmux.sock
tm() { tmux -S "$SOCK" "$@"; }
trap 'tm kill-server 2>/dev/null; t_cleanup' EXIT
CP_ENV=(env -i "HOME=$HOME" "PATH=$T_ROOT/bin:/usr/bin:/bin" TERM=screen "XDG_CONFIG_HOME=$XDG_CONFIG_HOME"
    "XDG_DATA_HOME=$XDG_DATA_HOME" "XDG_CACHE_HOME=$XDG_CACHE_HOME" AWS_EC2_METADATA_DISABLED=true
    "AWS_ENDPOINT_URL_STS=$FAKE" AWS_REGION=us-east-1)
printf -v cmd '%q ' "${CP_ENV[@]}" credsh credential-process -p mfarole
tm -f /dev/null new-session -d -s cp -x 150 -y 40 \
    "$cmd >$(printf %q "$T_ROOT/cp.out") 2>$(printf %q "$T_ROOT/cp.err"); echo \$? >$(printf %q "$T_ROOT/cp.rc"); sleep 600"
for ((i = 0; i < 2400; i++)); do # an upper bound for a hung test, not a measure
    [[ $(tm capture-pane -p -t cp 2>/dev/null) == *"MFA code for"* ]] && break
    sleep 0.05
done
check_contains "mfa, terminal: the code is asked on the terminal" "MFA code for arn:aws:iam::123456789012:mfa/person" \
    "$(tm capture-pane -p -t cp)"
tm send-keys -t cp -l -- "$CODE"
tm send-keys -t cp Enter
for ((i = 0; i < 2400; i++)); do
    [[ -s $T_ROOT/cp.rc ]] && break
    sleep 0.05
done
check "mfa, terminal: exit 0" 0 "$(cat "$T_ROOT/cp.rc")"
check_absent "mfa, terminal: the code was not echoed" "$CODE" "$(tm capture-pane -p -t cp)"
key=$(field AccessKeyId <"$T_ROOT/cp.out")
check_true "mfa, terminal: stdout is the JSON with the role's key ($key)" test -n "$key"
check "mfa, terminal: nothing else on stderr" "" "$(cat "$T_ROOT/cp.err")"
check "mfa, terminal: one AssumeRole at the fake" 1 "$(fake_calls)"
out=$(setsid -w "${CP_ENV[@]}" credsh credential-process -p mfarole </dev/null 2>"$T_ROOT/err")
check "mfa, cached: no terminal needed now" 0 $?
check "mfa, cached: the same key" "$key" "$(field AccessKeyId <<<"$out")"
check "mfa, cached: no further STS call" 1 "$(fake_calls)"
finish
