#!/usr/bin/env bash
# `credsh login` against another local user and a hostile sign-in server (docs/security.md 37, 38, 43), through
# the credsh binary, the aws-sso plugin and the IAM Identity Center fake (tests/fakes/sso_fake.py):
#   1. a second user (useradd, driven with runuser) holds the loopback listener with trickling connections,
#      reconnecting whenever one is closed: the browser's redirect is still served, the login completes, and
#      every connection of theirs is closed; with them holding it, Ctrl-C ends the login and writes nothing;
#   2. the second user sends forged callbacks (wrong or no state, error= without the state): each is answered
#      and ignored, their text never reaches the terminal, only the browser's callback counts;
#   3. the browser's command line (/proc/PID/cmdline) names only a private page the second user cannot read,
#      never the authorize URL, its state or challenge; a token that does not reach the profile's account is
#      not saved;
#   8. hostile device-flow values (verificationUri/verificationUriComplete as options, file:, javascript:,
#      another host; C1 and bidi controls in the user code) never reach the browser's argv and are escaped on
#      the terminal.
# No wall-clock bounds: the attacker and the "browser" are sequenced with files; the only waits are hang
# guards that turn a login that never ends into a failure.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
need python3 curl

B=$CREDSH_BIN
add_second_user credsh-att
ATT_DIR=$(mktemp -d /tmp/credsh-att-XXXXXX)
at_exit() {
    [[ -e $ATT_DIR/stop ]] || touch "$ATT_DIR/stop" 2>/dev/null
    rm -rf "$ATT_DIR"
    t_cleanup
}
trap at_exit EXIT
cp "$CREDSH_SRC/tests/shell/sso_attacker.py" "$ATT_DIR/"
chown -R "$ATTACKER" "$ATT_DIR"
chmod 755 "$ATT_DIR"
as_attacker() { runuser -u "$ATTACKER" -- python3 "$ATT_DIR/sso_attacker.py" "$@"; }

sso_start '{"approve_after": 1, "interval": 1}'
sso_write_config
TOK=$(token_file my-sso)

# The "browser": records its command line as the kernel shows it to everyone, checks whether the second user
# could read what it was given, then - once $T_ROOT/go exists - follows the sign-in as a real browser would.
mkdir -p "$T_ROOT/bin"
cat >"$T_ROOT/bin/browser" <<EOF
#!/bin/sh
tr '\\0' ' ' </proc/\$\$/cmdline >>'$T_ROOT/argv.log'; echo >>'$T_ROOT/argv.log'
case "\$1" in
file://*)
    page=\${1#file://}
    echo "\$page" >>'$T_ROOT/pages.log'
    if runuser -u '$ATTACKER' -- python3 '$ATT_DIR/sso_attacker.py' read "\$page"; then echo readable; else echo private; fi >>'$T_ROOT/page-access.log'
    stat -c %a "\$page" "\$(dirname "\$page")" | tr '\\n' ' ' >>'$T_ROOT/page-modes.log'; echo >>'$T_ROOT/page-modes.log'
    url=\$(sed -n 's/.*<a href="\\([^"]*\\)".*/\\1/p' "\$page" | sed 's/&amp;/\\&/g') ;;
*) url=\$1 ;;
esac
echo "\$url" >>'$T_ROOT/url.log'
( i=0; while [ ! -e '$T_ROOT/go' ] && [ \$i -lt 3000 ]; do sleep 0.1; i=\$((i + 1)); done
  curl -s -L -o '$T_ROOT/page.html' "\$url" ) </dev/null >/dev/null 2>&1 &
EOF
chmod 755 "$T_ROOT/bin/browser"

# login_bg: `credsh login dev` in the background with the recording browser, SIGINT as a terminal's Ctrl-C
# delivers it (a plain background job would ignore it); LOGIN_PID, output in $T_ROOT/login.out.
login_bg() {
    : >"$T_ROOT/url.log"
    BROWSER=$T_ROOT/bin/browser python3 -c 'import os,signal,sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])' \
        "$B" login dev "$@" >"$T_ROOT/login.out" 2>&1 &
    LOGIN_PID=$!
}
# listener_port: the port in the redirect_uri the browser was sent to (once it got there).
listener_port() {
    local i
    for ((i = 0; i < 600; i++)); do
        grep -q 'redirect_uri=' "$T_ROOT/url.log" 2>/dev/null && break
        sleep 0.1
    done
    grep -o 'redirect_uri=http%3A%2F%2F127.0.0.1%3A[0-9]*' "$T_ROOT/url.log" | tail -1 | sed 's/.*%3A//'
}
# wait_login: the login's exit status; a login still running after 120 s is a hang (killed, status 124).
wait_login() {
    local i
    for ((i = 0; i < 1200; i++)); do
        kill -0 "$LOGIN_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$LOGIN_PID" 2>/dev/null; then
        kill -TERM "$LOGIN_PID"
        wait "$LOGIN_PID"
        return 124
    fi
    wait "$LOGIN_PID"
}
wait_file() {
    local i
    for ((i = 0; i < 600; i++)); do [[ -e $1 ]] && return 0; sleep 0.1; done
    return 1
}
json_field() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get(sys.argv[2], ""))' "$1" "$2" 2>/dev/null; }

# --- 3. the browser's argv names a private page, never the authorize URL -----------------------------------------
touch "$T_ROOT/go"
login_bg
wait_login
check "argv: login succeeds" 0 "$?"
check_contains "argv: signed in" "signed in: dev" "$(cat "$T_ROOT/login.out")"
check "argv: the browser ran once" 1 "$(grep -c . "$T_ROOT/argv.log")"
argv=$(cat "$T_ROOT/argv.log")
check_absent "argv: no authorize URL in the browser's command line" "authorize" "$argv"
check_absent "argv: no state in it" "state" "$argv"
check_absent "argv: no challenge in it" "challenge" "$argv"
check_absent "argv: no http(s) URL in it" "http" "$argv"
state=$(grep -o 'state=[0-9a-f]*' "$T_ROOT/url.log" | head -1)
check_true "argv: the page led to the authorize URL with a state" test -n "$state"
check_absent "argv: ... which is not in the command line" "${state#state=}" "$argv"
check "argv: the second user cannot read the page" private "$(cat "$T_ROOT/page-access.log" 2>/dev/null)"
check "argv: page 0600 in a 0700 directory" "600 700 " "$(cat "$T_ROOT/page-modes.log" 2>/dev/null)"
page=$(head -1 "$T_ROOT/pages.log" 2>/dev/null)
check_true "argv: the page is gone after the login" test -n "$page" -a ! -e "$page" -a ! -e "$(dirname "$page")"
check "argv: one code exchanged" 1 "$(sso_count CreateToken.authorization_code)"

# --- 1. another user holds the listener: trickling connections, reconnecting, 40 at a time ------------------------
rm -f "$T_ROOT/go" "$ATT_DIR/stop" "$ATT_DIR/ready" "$T_ROOT/page.html"
before=$(sha1sum <"$TOK")
login_bg
port=$(listener_port)
check_true "hold: found the listener's port" test -n "$port"
as_attacker hold "$port" "$ATT_DIR/hold.json" "$ATT_DIR" &
att=$!
wait_file "$ATT_DIR/ready"
check "hold: the second user is holding connections before the browser comes back" 0 "$?"
touch "$T_ROOT/go"
wait_login
check "hold: the login completes although the second user holds connections" 0 "$?"
check_contains "hold: signed in" "signed in: dev" "$(cat "$T_ROOT/login.out")"
check_true "hold: a new token was written" test "$before" != "$(sha1sum <"$TOK")"
check_contains "hold: the browser was answered" "return to the terminal" "$(cat "$T_ROOT/page.html" 2>/dev/null)"
touch "$ATT_DIR/stop"
wait "$att"
opened=$(json_field "$ATT_DIR/hold.json" opened)
check_true "hold: the second user opened at least 40 connections (opened $opened)" test "${opened:-0}" -ge 40
check "hold: every one of them was closed by credsh (none still open)" 0 "$(json_field "$ATT_DIR/hold.json" open_at_stop)"
check "hold: none was ever answered as a sign-in" 0 "$(json_field "$ATT_DIR/hold.json" answered)"
check_absent "hold: the held requests' text is not on the terminal" "held" "$(cat "$T_ROOT/login.out")"

# --- 1. Ctrl-C while the second user holds the listener ----------------------------------------------------------
rm -f "$T_ROOT/go" "$ATT_DIR/stop" "$ATT_DIR/ready" "$T_ROOT/page.html"
snapshot=$(cat "$TOK")
exchanged=$(sso_count CreateToken.authorization_code)
: >"$T_ROOT/pages.log"
login_bg
port=$(listener_port)
as_attacker hold "$port" "$ATT_DIR/hold2.json" "$ATT_DIR" &
att=$!
wait_file "$ATT_DIR/ready"
kill -INT "$LOGIN_PID"
wait_login
check "ctrl-c: the login ends with exit 1 although connections are held (124: it hung)" 1 "$?"
check_contains "ctrl-c: says nothing was written" "cancelled; nothing was written" "$(cat "$T_ROOT/login.out")"
check "ctrl-c: token file unchanged" "$snapshot" "$(cat "$TOK")"
check "ctrl-c: no code exchanged" "$exchanged" "$(sso_count CreateToken.authorization_code)"
page=$(head -1 "$T_ROOT/pages.log" 2>/dev/null)
check_true "ctrl-c: the sign-in page is removed" test -n "$page" -a ! -e "$page"
check "ctrl-c: no temp files" "" "$(ls -A "$HOME/.aws/sso/cache" | grep -v '\.json$')"
touch "$ATT_DIR/stop" "$T_ROOT/go"
wait "$att"
check "ctrl-c: every held connection was closed" 0 "$(json_field "$ATT_DIR/hold2.json" open_at_stop)"

# --- 2. forged callbacks from the second user ----------------------------------------------------------------------
rm -f "$T_ROOT/go" "$T_ROOT/page.html"
before=$(sha1sum <"$TOK")
login_bg
port=$(listener_port)
as_attacker forge "$port" "$ATT_DIR/forge.json"
check "forge: each forged callback was answered 400 and ignored" \
    "['HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request', 'HTTP/1.1 400 Bad Request']" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])))' "$ATT_DIR/forge.json" 2>&1)"
touch "$T_ROOT/go"
wait_login
check "forge: the browser's callback still completes the login" 0 "$?"
out=$(cat "$T_ROOT/login.out")
check_contains "forge: signed in" "signed in: dev" "$out"
check_absent "forge: the forged text never reaches the terminal" "PWNED" "$out"
check_absent "forge: not ended as declined" "declined" "$out"
check_contains "forge: the ignored requests are mentioned" "ignored 4 requests" "$out"
check_true "forge: a new token was written" test "$before" != "$(sha1sum <"$TOK")"
check "forge: the forged code was never exchanged" 0 \
    "$(sso_q "len([l for l in s['log'] if l['op']=='CreateToken.authorization_code' and l.get('code')=='evil-code'])")"

# --- 3. a token that does not reach the profile's account is not saved ---------------------------------------------
touch "$T_ROOT/go"
snapshot=$(cat "$TOK")
sso_set '{"issued_token_accounts": ["222222222222"]}'
login_bg
wait_login
check "account: login fails when the new token cannot reach account 111111111111" 1 "$?"
check_contains "account: says why" "does not give access to account 111111111111 role Admin" "$(cat "$T_ROOT/login.out")"
check "account: the token file is unchanged" "$snapshot" "$(cat "$TOK")"
sso_set '{"issued_token_accounts": null}'

# --- 8. hostile device-flow values ---------------------------------------------------------------------------------
dev_login() {
    : >"$T_ROOT/argv.log"
    : >"$T_ROOT/url.log"
    BROWSER=$T_ROOT/bin/browser timeout 120 "$B" login dev --use-device-code >"$T_ROOT/dev.out" 2>&1
}
for hostile in "--gpu-launcher=touch $T_ROOT/PWNED" "file:///etc/passwd" "javascript:alert(1)" \
    "https://evil.example/device?user_code=X" "-remote=openURL(file:///etc/passwd)"; do
    sso_set "$(python3 -c 'import json,sys; print(json.dumps({"device_override": {"verificationUriComplete": sys.argv[1]}}))' "$hostile")"
    dev_login
    check "device [$hostile]: login still works with the code" 0 "$?"
    check "device [$hostile]: the browser was not started" "" "$(cat "$T_ROOT/argv.log")"
    check_absent "device [$hostile]: not shown either" "$hostile" "$(cat "$T_ROOT/dev.out")"
done
check_true "device: nothing ran the hostile option" test ! -e "$T_ROOT/PWNED"
sso_set '{"device_override": {"verificationUri": "--gpu-launcher=touch '"$T_ROOT"'/PWNED"}}'
polls=$(sso_count CreateToken.device_code)
dev_login
check "device: a hostile verificationUri ends the login" 1 "$?"
check_contains "device: ... saying why" "verification URL cannot be used" "$(cat "$T_ROOT/dev.out")"
check "device: no browser for it" "" "$(cat "$T_ROOT/argv.log")"
check "device: no polling" "$polls" "$(sso_count CreateToken.device_code)"
# C1 (U+009B CSI) and bidi (U+202E) controls in the user code: escaped on the terminal.
sso_set '{"device_override": {"userCode": "AB\u009b31mCD\u202eEF\u001b[2J"}}'
dev_login
check "device: a user code with controls: login works" 0 "$?"
check "device: no raw C1 CSI on the terminal" 0 "$(grep -c $'\xc2\x9b' "$T_ROOT/dev.out")"
check "device: no raw bidi override on the terminal" 0 "$(grep -c $'\xe2\x80\xae' "$T_ROOT/dev.out")"
check "device: no raw ESC on the terminal" 0 "$(grep -c $'\x1b' "$T_ROOT/dev.out")"
check_contains "device: the code is shown, escaped" 'code     AB\' "$(cat "$T_ROOT/dev.out")"
# The legitimate complete URL is opened through the private page, not on the command line.
sso_set '{"device_override": {}}'
dev_login
check "device: plain login works" 0 "$?"
check_absent "device: the browser's argv has no user code" "user_code" "$(cat "$T_ROOT/argv.log")"
check_contains "device: the page led to the verification URL" "$SSO_URL/device?user_code=" "$(cat "$T_ROOT/url.log")"
check "device: the page was private" private "$(tail -1 "$T_ROOT/page-access.log")"

finish
