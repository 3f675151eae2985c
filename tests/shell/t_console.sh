#!/usr/bin/env bash
# `credsh console` (docs/security.md 50) against local fakes: moto for STS (AssumeRole, GetFederationToken), the SSO
# fake (tests/fakes/sso_fake.py) for an SSO profile, and the federation fake (tests/fakes/federation_fake.py,
# reached through AWS_ENDPOINT_URL_SIGNIN), which checks the session JSON and records every request as received.
# For a role, an SSO profile and long-term keys, `--print` prints one Action=login URL that carries only the
# sign-in token (no key, secret or session token); the long-term secret never reaches the federation endpoint
# (GetFederationToken first); without --print the browser ($BROWSER) gets the path of a 0600 page, not the URL.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need python3 curl

PLUGINS=$(dirname "$CREDSH_BIN")/../plugins
for p in console mfa-sts aws-sso; do
    [[ -f $PLUGINS/credsh-$p.so ]] || { echo "FAIL $T_NAME: no credsh-$p.so in $PLUGINS"; exit 1; }
done
start_moto
export AWS_ENDPOINT_URL_STS=$MOTO_URL
sso_start '{"approve_after": 1, "interval": 1}'
sso_write_config
start_fake federation_fake.py FED_PORT --record "$T_ROOT/federation.log"
export AWS_ENDPOINT_URL_SIGNIN=http://127.0.0.1:$FED_PORT
LONG_KEY=AKIAS3NT1NELBASE0001
LONG_SECRET=S3NT1NELlongTermSecret00000000000000000
printf '[base]\naws_access_key_id = %s\naws_secret_access_key = %s\nregion = us-east-1\n' "$LONG_KEY" \
    "$LONG_SECRET" >"$HOME/.aws/credentials"
printf '\n[profile role]\nrole_arn = %s\nrole_session_name = console\nsource_profile = base\nregion = eu-west-1\n' \
    arn:aws:iam::123456789012:role/ConsoleRole >>"$HOME/.aws/config"
ERR=$T_ROOT/err
fed_calls() { curl -s "http://127.0.0.1:$FED_PORT/_calls"; }
# fed_last FIELD: FIELD of the federation fake's last getSigninToken call; fed_count: how many there were.
fed_last() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[-1][sys.argv[2]])' "$(fed_calls)" "$1"; }
fed_count() { python3 -c 'import json,sys; print(len(json.loads(sys.argv[1])))' "$(fed_calls)"; }
# url_fields URL: the endpoint and the query's names in order; then Destination; then the SigninToken.
url_fields() {
    python3 -c '
import sys, urllib.parse
u = urllib.parse.urlsplit(sys.argv[1]); q = urllib.parse.parse_qsl(u.query)
print(u.scheme + "://" + u.netloc + u.path, " ".join(k for k, _ in q))
print(dict(q).get("Destination", "")); print(dict(q).get("SigninToken", ""))' "$1"
}

# --- a role --------------------------------------------------------------------------------------------------
url=$("$CREDSH_BIN" console -p role --print 2>"$ERR")
check "role: exit 0" 0 $?
check "role: one login URL on the federation endpoint with Action, Issuer, Destination, SigninToken" \
    "http://127.0.0.1:$FED_PORT/federation Action Issuer Destination SigninToken
https://console.aws.amazon.com/console/home?region=eu-west-1
FAKESIGNIN-1" "$(url_fields "$url")"
check_contains "role: the fake got the role's temporary key as sessionId" '"session_id": "ASIA' "$(fed_calls)"
check_contains "role: ... with key and token" '"key": true, "token": true' "$(fed_calls)"
cached=$(cat "$HOME"/.aws/cli/cache/*.json)
for f in AccessKeyId SecretAccessKey SessionToken; do
    v=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["Credentials"][sys.argv[2]])' "$cached" "$f")
    check_absent "role: the URL does not carry the $f" "$v" "$url"
    check_no_match "role: stderr does not carry the $f" "$v" "$ERR"
done
url=$("$CREDSH_BIN" console -p role --print --duration 1800 --destination https://console.aws.amazon.com/s3/ \
    2>"$ERR")
check "role: --duration is sent as SessionDuration" 1800 "$(fed_last duration)"
check "role: --destination is the Destination" https://console.aws.amazon.com/s3/ "$(url_fields "$url" | sed -n 2p)"
"$CREDSH_BIN" console -p role --print --duration 60 >/dev/null 2>"$ERR"
check "role: a --duration under 900 is refused (exit 2)" 2 $?

# --- an SSO profile ------------------------------------------------------------------------------------------
"$CREDSH_BIN" login dev --no-browser >/dev/null 2>&1
url=$("$CREDSH_BIN" console -p dev --print 2>"$ERR")
check "sso: exit 0" 0 $?
check "sso: the login URL for the SSO profile's region" \
    https://console.aws.amazon.com/console/home?region=eu-west-1 "$(url_fields "$url" | sed -n 2p)"
check "sso: the fake saw the third sign-in" 3 "$(fed_count)"
check_true "sso: ... with the SSO role's key, not the role's from before" \
    test "$(fed_last session_id)" != "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["Credentials"]["AccessKeyId"])' "$cached")"

# --- long-term keys: GetFederationToken first; the secret never reaches the federation endpoint --------------
url=$("$CREDSH_BIN" console -p base --print 2>"$ERR")
check "keys: exit 0" 0 $?
check "keys: a login URL" "FAKESIGNIN-4" "$(url_fields "$url" | sed -n 3p)"
last=$(fed_last session_id)
check_true "keys: the federation endpoint got a temporary key, not the long-term one" \
    test -n "$last" -a "$last" != "$LONG_KEY"
check_no_match "keys: the long-term secret never reached the federation endpoint" "$LONG_SECRET" \
    "$T_ROOT/federation.log"
check_no_match "keys: ... nor its key id" "$LONG_KEY" "$T_ROOT/federation.log"
check_absent "keys: the URL does not carry the secret" "$LONG_SECRET" "$url"
check_no_match "keys: stderr does not carry the secret" "$LONG_SECRET" "$ERR"

# --- without --print: the browser gets a private page's path, not the URL -----------------------------------
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/browser.args"\nstat -c %%a "$1" >"%s/browser.mode"\ncat "$1" >"%s/browser.page"\n' \
    "$T_ROOT" "$T_ROOT" "$T_ROOT" >"$T_ROOT/browser"
chmod +x "$T_ROOT/browser"
out=$(BROWSER=$T_ROOT/browser "$CREDSH_BIN" console -p role 2>"$ERR")
check "browser: exit 0, nothing on stdout" "0 " "$? $out"
check_absent "browser: its argv has no sign-in token" "FAKESIGNIN" "$(cat "$T_ROOT/browser.args" 2>&1)"
check "browser: the page is 0600" 600 "$(cat "$T_ROOT/browser.mode" 2>&1)"
check_contains "browser: the page sends it on to the login URL" "Action=login" "$(cat "$T_ROOT/browser.page" 2>&1)"
check_no_match "browser: stderr has no sign-in token" "FAKESIGNIN" "$ERR"
add_second_user credsh-console
page=$(head -n 1 "$T_ROOT/browser.args")
check_true "browser: the page exists" test -f "$page"
runuser -u "$ATTACKER" -- cat "$page" >/dev/null 2>&1
check "browser: another local user cannot read the page (cat fails)" 1 $?
rm -f "$T_ROOT/browser.args"
out=$(BROWSER=$T_ROOT/browser "$CREDSH_BIN" console -p role --print 2>"$ERR")
check_contains "--print: prints the URL" "Action=login" "$out"
check_true "--print: ... and starts no browser" test ! -e "$T_ROOT/browser.args"
finish
