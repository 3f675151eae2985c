#!/usr/bin/env bash
# aws-sso through the credsh binary against the local IAM Identity Center fake (tests/fakes/sso_fake.py):
# `credsh login` (device flow: the code shown, polling until the fake approves, slow_down honoured,
# expired_token / access_denied / Ctrl-C writing nothing, the browser only when allowed), the token and role
# credential caches (modes, the CLI's file names), refresh with a rotating refresh token, "needs login" without
# any device flow, endpoint overrides, `credsh sso accounts [--write]` and `credsh logout`.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need python3 sha1sum curl

B=$CREDSH_BIN
sso_start '{"approve_after": 2, "interval": 1}'
sso_write_config
TOK=$(token_file my-sso)
DEV_CACHE=$(role_cache_file 111111111111 Admin my-sso)
mkdir -p "$T_ROOT/bin"
# The browser is given a private page (never the URL itself: docs/security.md 38); page_url prints where that
# page leads, as a browser would follow it.
cat >"$T_ROOT/bin/page_url" <<'EOF'
#!/bin/sh
case "$1" in
file://*) sed -n 's/.*<a href="\([^"]*\)".*/\1/p' "${1#file://}" | sed 's/&amp;/\&/g' ;;
*) printf '%s\n' "$1" ;;
esac
EOF
cat >"$T_ROOT/bin/browser" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>'$T_ROOT/browser.log'
'$T_ROOT/bin/page_url' "\$1" >>'$T_ROOT/browser.urls'
env >'$T_ROOT/browser.env'
EOF
chmod 755 "$T_ROOT/bin/page_url"
chmod 755 "$T_ROOT/bin/browser"

# --- login: the code on the terminal, polling until approval, caches written ------------------------------
out=$(BROWSER=$T_ROOT/bin/browser AWS_SECRET_ACCESS_KEY=S3NT1NEL-ambient "$B" login dev --use-device-code 2>&1)
rc=$?
check "login dev succeeds" 0 "$rc"
check_contains "login shows the verification URL" "$SSO_URL/device" "$out"
check_true "login shows a user code" grep -qE 'code +WXYZ-[0-9]{4}' <<<"$out"
check_contains "login says it signed in" "signed in: dev" "$out"
check "one client registration" 1 "$(sso_count RegisterClient)"
check "one device authorization" 1 "$(sso_count StartDeviceAuthorization)"
check "polled until approved after two pending answers" 3 "$(sso_count CreateToken.device_code)"
check "the registration asked for the configured scope" "['sso:account:access']" \
    "$(sso_q "[l['scopes'] for l in s['log'] if l['op']=='RegisterClient'][0]")"
check "the browser got the complete verification URL" "$SSO_URL/device?user_code=" \
    "$(cut -d= -f1 "$T_ROOT/browser.urls" 2>/dev/null)="
check_true "the browser got the environment" grep -q "^BROWSER=" "$T_ROOT/browser.env"
check_no_match "...without credentials in it" "S3NT1NEL" "$T_ROOT/browser.env"
check "token file at ~/.aws/sso/cache/sha1(session).json, 0600" 600 "$(stat -c %a "$TOK" 2>/dev/null)"
check "token cache dir 0700" 700 "$(stat -c %a "$HOME/.aws/sso/cache")"
check "token has the start URL" "$SSO_SESSION_URL" "$(token_field "$TOK" startUrl)"
check "token has a refresh token" rtoken "$(token_field "$TOK" refreshToken | cut -d- -f1)"
check "role credentials cached under the CLI's key, 0600" 600 "$(stat -c %a "$DEV_CACHE" 2>/dev/null)"
check "role cache entry is ProviderType sso" sso "$(token_field "$DEV_CACHE" ProviderType)"
check "no temp files left in the token cache" "" "$(ls -A "$HOME/.aws/sso/cache" | grep -v '\.json$')"
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Credentials"]["SecretAccessKey"])' "$DEV_CACHE")
check_absent "no secret on the terminal" "$secret" "$out"
check_absent "no access token on the terminal" "$(token_field "$TOK" accessToken)" "$out"

env_out=$("$B" exec -p dev -- env 2>&1)
check_contains "exec -p dev gets the role credentials" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$env_out"
check "exec used the cache (GetRoleCredentials only from the login: the new token's check, then the role credentials)" 2 "$(sso_count GetRoleCredentials)"

# A second login reuses the registration; the browser is not opened when disabled.
: >"$T_ROOT/browser.log"
CREDSH_NO_BROWSER=1 BROWSER=$T_ROOT/bin/browser "$B" login dev >/dev/null 2>&1
check "second login: registration reused" 1 "$(sso_count RegisterClient)"
check "CREDSH_NO_BROWSER=1: no browser" "" "$(cat "$T_ROOT/browser.log")"
BROWSER=$T_ROOT/bin/browser "$B" login dev --no-browser >/dev/null 2>&1
check "--no-browser: no browser" "" "$(cat "$T_ROOT/browser.log")"
env -u BROWSER -u DISPLAY -u WAYLAND_DISPLAY "$B" login dev >/dev/null 2>&1
check "no BROWSER and no display: nothing to open, login still works" 0 "$?"

# --- login with a browser here: the authorization-code flow with PKCE (as aws sso login since 2.22) ------------
# The "browser" follows the sign-in page's redirect to credsh's loopback listener, as a real one would.
cat >"$T_ROOT/bin/curl-browser" <<EOF
#!/bin/sh
url=\$('$T_ROOT/bin/page_url' "\$1")
printf '%s\n' "\$url" >>'$T_ROOT/pkce-browser.log'
curl -s -L -o '$T_ROOT/pkce-page.html' "\$url" &
EOF
chmod 755 "$T_ROOT/bin/curl-browser"
pkce_login() { BROWSER=$T_ROOT/bin/curl-browser timeout 60 "$B" login dev 2>&1; }
devices=$(sso_count StartDeviceAuthorization)
regs=$(sso_count RegisterClient)
rm -f "$TOK"
out=$(pkce_login)
check "pkce: login succeeds" 0 "$?"
check_contains "pkce: says it signed in" "signed in: dev" "$out"
check "pkce: no device code" "$devices" "$(sso_count StartDeviceAuthorization)"
check "pkce: one authorization-code client registered (the device client is not reused)" $((regs + 1)) "$(sso_count RegisterClient)"
check "pkce: the registration asked for the grant, the loopback redirect and the start URL as issuer" \
    "['authorization_code', 'refresh_token'] ['http://127.0.0.1/oauth/callback'] $SSO_SESSION_URL" \
    "$(sso_q "(lambda r: '%s %s %s' % (r['grantTypes'], r['redirectUris'], r['issuerUrl']))([l for l in s['log'] if l['op']=='RegisterClient'][-1])")"
check "pkce: the browser was sent to /authorize once" 1 "$(sso_count Authorize)"
check "pkce: the code was exchanged once, with the verifier that matches the challenge" "1 0" \
    "$(sso_count CreateToken.authorization_code) $(sso_q "s['counts'].get('pkce_mismatch', 0)")"
check_true "pkce: the redirect went to 127.0.0.1 on credsh's port" grep -q 'redirect_uri=http%3A%2F%2F127.0.0.1%3A[0-9]*%2Foauth%2Fcallback' "$T_ROOT/pkce-browser.log"
check_contains "pkce: the browser's page says to return to the terminal" "return to the terminal" "$(cat "$T_ROOT/pkce-page.html" 2>/dev/null)"
check "pkce: token file written, 0600" 600 "$(stat -c %a "$TOK" 2>/dev/null)"
check "pkce: the token has a refresh token" rtoken "$(token_field "$TOK" refreshToken | cut -d- -f1)"
check_absent "pkce: no access token on the terminal" "$(token_field "$TOK" accessToken)" "$out"
check_contains "pkce: exec -p dev gets role credentials with it" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$("$B" exec -p dev -- env 2>&1)"
regs=$(sso_count RegisterClient)
pkce_login >/dev/null
check "pkce: a second login reuses the authorization-code client" "$regs" "$(sso_count RegisterClient)"
before=$(sha1sum <"$TOK")
sso_set '{"authorize_mode": "deny"}'
out=$(pkce_login)
check "pkce: refused in the browser: login fails" 1 "$?"
check_contains "pkce: ... saying so" "the sign-in was declined (access_denied)" "$out"
# A redirect with another state is not this sign-in's: answered with an error page and ignored (it may be
# another user's forgery, docs/security.md 37); the login goes on waiting until Ctrl-C.
sso_set '{"authorize_mode": "wrong_state"}'
rm -f "$T_ROOT/pkce-page.html"
BROWSER=$T_ROOT/bin/curl-browser python3 -c 'import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$B" login dev >"$T_ROOT/pkce-int.out" 2>&1 &
pid=$!
for _ in $(seq 600); do grep -q "does not belong" "$T_ROOT/pkce-page.html" 2>/dev/null && break; sleep 0.1; done
check_contains "pkce: a redirect with another state is answered as not this sign-in's" "does not belong" \
    "$(cat "$T_ROOT/pkce-page.html" 2>/dev/null)"
kill -0 "$pid" 2>/dev/null
check "pkce: ... and ignored: the login still waits" 0 "$?"
kill -INT "$pid"
wait "$pid"
check "pkce: Ctrl-C then ends it" 1 "$?"
out=$(cat "$T_ROOT/pkce-int.out")
check_contains "pkce: ... saying nothing was written" "cancelled; nothing was written" "$out"
check_contains "pkce: ... and that a request was ignored" "ignored 1 request" "$out"
check "pkce: neither wrote the token file" "$before" "$(sha1sum <"$TOK")"
check "pkce: neither exchanged a code" 2 "$(sso_count CreateToken.authorization_code)"
sso_set '{"authorize_mode": "approve"}'
port=$(grep -o 'redirect_uri=http%3A%2F%2F127.0.0.1%3A[0-9]*' "$T_ROOT/pkce-browser.log" | tail -1 | sed 's/.*%3A//')
curl -s --max-time 3 -o /dev/null "http://127.0.0.1:$port/oauth/callback?code=x&state=y"
check "pkce: the listener is gone after the login (port $port refuses: curl exit 7)" 7 "$?"

# --- slow_down adds 5 s to the interval ---------------------------------------------------------------------
sso_set '{"slow_down_at": [1], "approve_after": 1}'
before=$(sso_count CreateToken.device_code)
"$B" login dev >/dev/null 2>&1
check "login after slow_down succeeds" 0 "$?"
gaps=$(sso_q "(lambda t: [round(b - a, 1) for a, b in zip(t, t[1:])])([l['t'] for l in s['log'] if l['op'] == 'CreateToken.device_code'][$before:])")
check_true "the poll after slow_down waited interval + 5 s (gaps $gaps)" \
    python3 -c "import sys; g=$gaps; sys.exit(0 if g and g[0] >= 5.5 else 1)"
sso_set '{"slow_down_at": [], "approve_after": 2}'

# --- expired_token, access_denied, Ctrl-C: an error, and the old token untouched ----------------------------
snapshot=$(cat "$TOK")
sso_set '{"device_mode": "expire", "approve_after": 1}'
out=$("$B" login dev 2>&1)
check "expired_token: login fails" 1 "$?"
check_contains "expired_token: says the code expired" "expired before it was approved" "$out"
check "expired_token: token file unchanged" "$snapshot" "$(cat "$TOK")"
sso_set '{"device_mode": "deny"}'
out=$("$B" login dev 2>&1)
check "access_denied: login fails" 1 "$?"
check_contains "access_denied: says it was declined" "declined" "$out"
check "access_denied: token file unchanged" "$snapshot" "$(cat "$TOK")"
sso_set '{"device_mode": "approve", "approve_after": 1000}'
# SIGINT as a terminal's Ctrl-C delivers it (a plain background job would ignore it).
python3 -c 'import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
    "$B" login dev >"$T_ROOT/int.out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q Waiting "$T_ROOT/int.out" && break; sleep 0.1; done
sleep 1.2
kill -INT "$pid"
wait "$pid"
check "Ctrl-C: login exits non-zero" 1 "$?"
check_contains "Ctrl-C: says nothing was written" "cancelled; nothing was written" "$(cat "$T_ROOT/int.out")"
check "Ctrl-C: token file unchanged" "$snapshot" "$(cat "$TOK")"
check "Ctrl-C: no temp files" "" "$(ls -A "$HOME/.aws/sso/cache" | grep -v '\.json$')"
sso_set '{"approve_after": 2}'

# --- refresh inside the 15-minute window, with a rotating refresh token --------------------------------------
old_rt=$(token_field "$TOK" refreshToken)
token_edit "$TOK" 't["expiresAt"] = iso(now + 300)'
rm -f "$DEV_CACHE"
out=$("$B" exec -p dev -- env 2>&1)
check_contains "refresh: exec still gets credentials" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
check "refresh: one CreateToken with the refresh token" 1 "$(sso_count CreateToken.refresh_token)"
check "refresh: sent the cached refresh token" "$old_rt" "$(sso_q "[l['refreshToken'] for l in s['log'] if l['op']=='CreateToken.refresh_token'][-1]")"
new_rt=$(token_field "$TOK" refreshToken)
check_true "refresh: the rotated refresh token was written back" test -n "$new_rt" -a "$new_rt" != "$old_rt"
check_true "refresh: the new token expires hours from now" \
    python3 -c "import sys,datetime as d; e=d.datetime.strptime(sys.argv[1],'%Y-%m-%dT%H:%M:%SZ').replace(tzinfo=d.timezone.utc); sys.exit(0 if (e-d.datetime.now(d.timezone.utc)).total_seconds()>3600 else 1)" "$(token_field "$TOK" expiresAt)"
check "refresh: token still 0600" 600 "$(stat -c %a "$TOK")"
# A reply without a refresh token keeps the old one.
sso_set '{"rotate_refresh_token": false}'
kept=$(token_field "$TOK" refreshToken)
token_edit "$TOK" 't["expiresAt"] = iso(now - 10)'
rm -f "$DEV_CACHE"
"$B" exec -p dev -- true 2>/dev/null
check "refresh without refreshToken in the reply: the old one is kept" "$kept" "$(token_field "$TOK" refreshToken)"
sso_set '{"rotate_refresh_token": true}'

# --- needs login: expired and unrefreshable, or rejected; never a device flow ---------------------------------
devices=$(sso_count StartDeviceAuthorization)
token_edit "$TOK" 't["expiresAt"] = iso(now - 60); t.pop("refreshToken", None)'
rm -f "$DEV_CACHE"
out=$("$B" exec -p dev -- env 2>&1)
check "expired token: exec fails" 1 "$?"
check_contains "expired token: the login hint" "dev needs login — run: credsh login dev" "$out"
check_absent "expired token: no credentials" "AWS_ACCESS_KEY_ID=" "$out"
check "expired token: no device flow started" "$devices" "$(sso_count StartDeviceAuthorization)"
token_edit "$TOK" 't["expiresAt"] = iso(now + 3600); t["accessToken"] = "not-a-token"'
out=$("$B" exec -p dev -- env 2>&1)
check_contains "401 UnauthorizedException: the login hint" "dev needs login — run: credsh login dev" "$out"
check "401: no device flow started" "$devices" "$(sso_count StartDeviceAuthorization)"
rm -f "$TOK"
out=$("$B" exec -p dev -- env 2>&1)
check_contains "no token file: the login hint" "dev needs login — run: credsh login dev" "$out"
"$B" login dev >/dev/null 2>&1 || echo "setup: login failed"

# --- invalid_grant from a refresh token that was rotated away ---------------------------------------------------
token_edit "$TOK" 't["expiresAt"] = iso(now - 5); t["refreshToken"] = "rtoken-stale"'
rm -f "$DEV_CACHE"
out=$("$B" exec -p dev -- env 2>&1)
check "invalid_grant: answered by the fake" 1 "$(sso_count invalid_grant)"
check_contains "invalid_grant on an expired token: the login hint" "dev needs login — run: credsh login dev" "$out"
"$B" login dev >/dev/null 2>&1 || echo "setup: login failed"

# --- endpoint overrides: [services] and AWS_ENDPOINT_URL ------------------------------------------------------
cat >>"$HOME/.aws/config" <<EOF

[profile svc]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = ReadOnly
services = local-sso

[services local-sso]
sso =
  endpoint_url = $SSO_URL
sso_oidc =
  endpoint_url = $SSO_URL
EOF
out=$(env -u AWS_ENDPOINT_URL_SSO -u AWS_ENDPOINT_URL_SSO_OIDC "$B" exec -p svc -- env 2>&1)
check_contains "[services] sso endpoint_url is used" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
out=$(env -u AWS_ENDPOINT_URL_SSO -u AWS_ENDPOINT_URL_SSO_OIDC AWS_ENDPOINT_URL=$SSO_URL "$B" exec -p ro -- env 2>&1)
check_contains "AWS_ENDPOINT_URL is used" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
rm -f "$(role_cache_file 222222222222 ReadOnly my-sso)"
out=$(AWS_ENDPOINT_URL_SSO=http://127.0.0.1:9 AWS_ENDPOINT_URL=$SSO_URL "$B" exec -p ro -- env 2>&1)
check "AWS_ENDPOINT_URL_SSO wins over AWS_ENDPOINT_URL (a dead port: fails)" 1 "$?"

# --- sso accounts [--write] -------------------------------------------------------------------------------------
before_cfg=$(cat "$HOME/.aws/config"; echo x)
list=$("$B" sso accounts my-sso 2>&1)
check "sso accounts succeeds" 0 "$?"
check_true "lists dev's role with its profile" grep -qP '^111111111111\tdev\tAdmin\tdev$' <<<"$list"
check_true "lists another profile's role" grep -qP '^111111111111\tdev\tReadOnly\tsvc$' <<<"$list"
check_true "ro's role has its profile" grep -qP '^222222222222\tprod\tReadOnly\tro$' <<<"$list"
check "listing pages through accounts (page size 1: 2 pages)" 2 "$(sso_count ListAccounts)"
check "sso accounts without --write changes nothing" "$before_cfg" "$(cat "$HOME/.aws/config"; echo x)"
sso_set '{"accounts": {"111111111111": {"name": "dev", "email": "d@x", "roles": ["Admin", "ReadOnly", "PowerUser"]},
                       "222222222222": {"name": "prod", "email": "p@x", "roles": ["ReadOnly", "Billing"]},
                       "333333333333": {"name": "evil", "email": "e@x", "roles": ["x\ncredential_process = touch PWNED", "nul\u0000role"]}}}'
# Comments, odd spacing and an inline comment must survive byte for byte.
printf '\n;  a comment\n[profile   spaced ]\nregion=eu-central-1 # inline\n' >>"$HOME/.aws/config"
orig=$(cat "$HOME/.aws/config"; echo x)
chmod 644 "$HOME/.aws/config"
out=$("$B" sso accounts my-sso --write --region eu-west-2 2>&1)
check "sso accounts --write succeeds" 0 "$?"
now_cfg=$(cat "$HOME/.aws/config"; echo x)
check "the old file is an exact prefix of the new one" "${orig%x}" "${now_cfg:0:$((${#orig} - 1))}"
check_contains "added PowerUser-111111111111" "[profile PowerUser-111111111111]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = PowerUser
region = eu-west-2" "$now_cfg"
check_contains "added Billing-222222222222" "[profile Billing-222222222222]" "$now_cfg"
check_absent "a role name with a newline is never written" "PWNED" "$now_cfg"
check "a role name with a NUL is never written" 0 "$(tr -cd '\000' <"$HOME/.aws/config" | wc -c)"
check "the file's mode is kept" 644 "$(stat -c %a "$HOME/.aws/config")"
again=$("$B" sso accounts my-sso --write 2>&1)
check "a second --write adds nothing" "$now_cfg" "$(cat "$HOME/.aws/config"; echo x)"
check_contains "a second --write says so" "already has a profile" "$again"
out=$("$B" exec -p PowerUser-111111111111 -- env 2>&1)
check_contains "a written profile works" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
names=$("$B" profiles 2>/dev/null)
check_contains "credsh profiles lists the written profile" "Billing-222222222222" "$names"

# --- logout: the token and every role credential derived from it ---------------------------------------------
"$B" exec -p ro -- true 2>/dev/null
RO_CACHE=$(role_cache_file 222222222222 ReadOnly my-sso)
check_true "before logout: dev and ro role credentials cached" test -f "$DEV_CACHE" -a -f "$RO_CACHE"
at=$(token_field "$TOK" accessToken)
out=$("$B" logout dev 2>&1)
check "logout succeeds" 0 "$?"
check_contains "logout reports what it removed" "logged out: sso-session my-sso (token removed" "$out"
check_true "logout: token file gone" test ! -e "$TOK"
check_true "logout: dev's role credentials gone" test ! -e "$DEV_CACHE"
check_true "logout: ro's role credentials gone (same session)" test ! -e "$RO_CACHE"
check "logout: the SSO Logout API got the token" "$at" "$(sso_q "[l['token'] for l in s['log'] if l['op']=='Logout'][-1]")"
check_true "logout: the registration stays (as with the CLI)" \
    test -n "$(ls "$HOME/.aws/sso/cache"/*.json 2>/dev/null)"
out=$("$B" exec -p dev -- env 2>&1)
check_contains "after logout: needs login" "dev needs login — run: credsh login dev" "$out"
out=$("$B" sso accounts my-sso 2>&1)
check "sso accounts without a token fails" 1 "$?"
check_contains "...with the session's login hint" "my-sso needs login — run: credsh login --sso-session my-sso" "$out"
out=$("$B" logout dev 2>&1)
check "logout twice is fine" 0 "$?"
check_contains "logout twice says there was no token" "no token was cached" "$out"

# --- legacy profile and --sso-session ---------------------------------------------------------------------------
"$B" login legacy >/dev/null 2>&1
check "legacy login succeeds" 0 "$?"
check_true "legacy token file is sha1(start URL)" test -f "$(token_file https://legacy.awsapps.com/start)"
check "legacy registration sends no scopes" None "$(sso_q "[l['scopes'] for l in s['log'] if l['op']=='RegisterClient'][-1]")"
check_true "legacy role cache uses startUrl in its key" \
    test -f "$(role_cache_file 111111111111 ReadOnly '' https://legacy.awsapps.com/start)"
out=$("$B" login --sso-session my-sso 2>&1)
check "login --sso-session succeeds" 0 "$?"
check_contains "login --sso-session reports the token" "signed in: sso-session my-sso, token valid" "$out"
out=$("$B" login tokenonly 2>&1)
check_contains "a token-only profile: signed in, no role credentials" "signed in: tokenonly, token valid" "$out"
out=$("$B" exec -p tokenonly -- env 2>&1)
check_contains "a token-only profile gives no credentials, with the SDKs' reason" \
    "selected profile will resolve an access token instead of credentials" "$out"
out=$("$B" logout --sso-session my-sso 2>&1)
check_contains "logout --sso-session" "logged out: sso-session my-sso (token removed" "$out"

# --- logout --all, as `aws sso logout`: every sign-in, plus tokens and SSO credentials the config no longer names ---
"$B" login dev >/dev/null 2>&1
"$B" exec -p dev -- true 2>/dev/null
LEG_TOK=$(token_file https://legacy.awsapps.com/start)
LEG_CACHE=$(role_cache_file 111111111111 ReadOnly '' https://legacy.awsapps.com/start)
ORPHAN_TOK=$HOME/.aws/sso/cache/0000000000000000000000000000000000000000.json
ORPHAN_CREDS=$HOME/.aws/cli/cache/orphan-sso.json
OTHER_CREDS=$HOME/.aws/cli/cache/not-sso.json
printf '{"accessToken": "S3NT1NEL-orphan", "expiresAt": "2099-01-01T00:00:00Z", "region": "us-east-1"}' >"$ORPHAN_TOK"
printf '{"ProviderType": "sso", "Credentials": {}}' >"$ORPHAN_CREDS"
printf '{"Credentials": {"AccessKeyId": "ASIAOTHER"}}' >"$OTHER_CREDS"
check_true "before logout --all: two tokens and SSO role credentials" \
    test -f "$TOK" -a -f "$LEG_TOK" -a -f "$DEV_CACHE" -a -f "$LEG_CACHE"
logouts=$(sso_q "len([l for l in s['log'] if l['op']=='Logout'])")
out=$("$B" logout --all 2>&1)
check "logout --all succeeds" 0 "$?"
check_contains "logout --all: the session" "logged out: sso-session my-sso (token removed" "$out"
check_contains "logout --all: the legacy sign-in" "logged out: https://legacy.awsapps.com/start (token removed" "$out"
check_contains "logout --all: what the config does not name" "logged out everywhere: 1 more token file and 1 more SSO credential file removed" "$out"
check "logout --all: the Logout API for each sign-in" $((logouts + 2)) "$(sso_q "len([l for l in s['log'] if l['op']=='Logout'])")"
check_true "logout --all: every token and SSO credential gone" \
    test ! -e "$TOK" -a ! -e "$LEG_TOK" -a ! -e "$ORPHAN_TOK" -a ! -e "$DEV_CACHE" -a ! -e "$LEG_CACHE" -a ! -e "$ORPHAN_CREDS"
check_true "logout --all: other cached credentials stay" test -f "$OTHER_CREDS"
check_true "logout --all: registrations stay" test -n "$(grep -l clientId "$HOME/.aws/sso/cache"/*.json 2>/dev/null)"
check_absent "logout --all: no token in its messages" "S3NT1NEL" "$out"
out=$("$B" logout --all dev 2>&1)
check "logout --all with a profile is a usage error" 2 "$?"

finish
