# ASK CLI profiles end to end: ~/.ask/cli_config profiles in `credsh profiles` and completion; in a real bash
# with the hook, `cd` into a skill project switches the ASK profile and its linked AWS profile together (profile
# mode: no token in the environment); environment mode exports ASK_ACCESS_TOKEN + ASK_VENDOR_ID + the linked
# AWS keys and never ASK_REFRESH_TOKEN; an expired token is refreshed once through the LWA fake
# (tests/fakes/lwa_fake.py) and written back into cli_config with every other part of the file kept, 0600;
# later prompts load no plugin and make no request while it is valid; ASK_LWA_TOKEN_HOST, ASK_LWA_CLIENT_ID/
# ASK_LWA_CLIENT_CONFIRMATION and ASK_CLI_PROXY are honoured; invalid_client, invalid_grant and a slow
# endpoint fail cleanly, without a secret in any message.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need bash python3 timeout strace
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy NO_PROXY no_proxy \
    ASK_LWA_CLIENT_ID ASK_LWA_CLIENT_CONFIRMATION ASK_LWA_TOKEN_HOST ASK_CLI_PROXY

PLUGINS=$(dirname "$(dirname "$(readlink -f "$CREDSH_BIN")")")/plugins
[[ -f $PLUGINS/credsh-ask.so ]] || { echo "FAIL t_ask: $PLUGINS/credsh-ask.so was not built"; exit 1; }
export CREDSH_PLUGIN_PATH=$PLUGINS

CLIENT_ID=amzn1.application-oa2-client.credshtest
CLIENT_SECRET=S3NT1NEL-lwa-client-secret
REFRESH='Atzr|S3NT1NEL-refresh-0'
start_fake lwa_fake.py LWA --client "$CLIENT_ID:$CLIENT_SECRET" --refresh "$REFRESH" --rotate
LWA_URL=http://127.0.0.1:$LWA
hits() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/__hits"))[sys.argv[2]])' "$LWA_URL" "${1:-token}"; }
last_request() { python3 -c 'import json,sys,urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]+"/__hits"))["requests"][-1].get(sys.argv[2],""))' "$LWA_URL" "$1"; }
lwa_config() { python3 -c 'import sys,urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1]+"/__config", data=sys.argv[2].encode(), method="POST"))' "$LWA_URL" "$1"; }

iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }
NOW=$(date +%s)
CFG=$HOME/.ask/cli_config

cat >"$HOME/.aws/config" <<'EOF'
[profile lambda-dev]
region = eu-west-1
[profile lambda-prod]
region = us-west-2
EOF
cat >"$HOME/.aws/credentials" <<'EOF'
[lambda-dev]
aws_access_key_id = AKIALAMBDADEV
aws_secret_access_key = S3NT1NEL-lambda-dev
[lambda-prod]
aws_access_key_id = AKIALAMBDAPROD
aws_secret_access_key = S3NT1NEL-lambda-prod
EOF
# write_ask PROD_EXPIRES_AT [PROD_REFRESH]: the ASK CLI's file, with fields credsh must leave alone.
write_ask() {
    python3 - "$CFG" "$(iso "$NOW")" "$(iso "$1")" "${2:-$REFRESH}" <<'EOF'
import json, sys
path, dev_exp, prod_exp, prod_refresh = sys.argv[1:]
cfg = {
  "machine_id": "amzn1.ask.machine.0000-credsh-test",
  "share_usage": False,
  "profiles": {
    "skill-dev": {"aws_profile": "lambda-dev", "vendor_id": "M1DEVVENDOR",
                  "token": {"access_token": "Atza|dev-access-S3NT1NEL", "refresh_token": "Atzr|dev-S3NT1NEL",
                            "token_type": "bearer", "expires_in": 3600, "expires_at": "2099-01-01T00:00:00.000Z"}},
    "skill-prod": {"aws_profile": "lambda-prod", "x_future_field": {"keep": [1, 2]},
                   "token": {"access_token": "Atza|prod-old-access", "refresh_token": prod_refresh,
                             "token_type": "bearer", "expires_in": 3600, "expires_at": prod_exp},
                   "vendor_id": "M1PRODVENDOR"},
  },
  "zz_unknown_top": "stays",
}
with open(path, "w") as f:
    json.dump(cfg, f, indent=2)
EOF
    chmod 600 "$CFG"
}
write_ask $((NOW - 60)) # skill-prod's access token has expired
mkdir -p "$XDG_CONFIG_HOME/credsh"
cat >"$XDG_CONFIG_HOME/credsh/config" <<'EOF'
[trust]
prefix = ~/src

[ask skill-prod]
export = env
EOF
S=$HOME/src
mkdir -p "$S/skill-a/lambda" "$S/skill-b" "$S/plain"
printf 'ask_profile = skill-dev\n' >"$S/skill-a/.credprofile"
printf 'profile = skill-prod\n' >"$S/skill-b/.credprofile"

# --- profiles and completion -------------------------------------------------------------------------------
list=$("$CREDSH_BIN" profiles)
check_contains "profiles lists ASK profile skill-dev" $'skill-dev' "$list"
check_contains "profiles lists ASK profile skill-prod" $'skill-prod' "$list"
check_contains "profiles lists AWS profile lambda-dev" $'lambda-dev' "$list"
json=$("$CREDSH_BIN" profiles --json)
check_contains "profiles --json marks the source ask" '"ask"' "$json"
comp=$(bash -c 'source <("$1" completion bash); __credsh_bin=$1; COMP_WORDS=(credsh use skill-); COMP_CWORD=2; _credsh; printf "%s\n" "${COMPREPLY[@]}"' _ "$CREDSH_BIN")
check "bash completion offers both ASK profiles" $'skill-dev\nskill-prod' "$(sort <<<"$comp")"

# --- a real bash with the hook: cd switches ASK and AWS together -------------------------------------------
CALLS=$T_ROOT/calls
mkdir -p "$T_ROOT/bin"
cat >"$T_ROOT/bin/credsh" <<EOF
#!/bin/sh
printf '%s\n' "\$1" >>'$CALLS'
if [ "\$1" = hook ]; then '$CREDSH_BIN' "\$@" | sed 's#$CREDSH_BIN#$T_ROOT/bin/credsh#g'; exit; fi
exec '$CREDSH_BIN' "\$@"
EOF
chmod 755 "$T_ROOT/bin/credsh"
SCRIPT=$T_ROOT/shell.sh
cat >"$SCRIPT" <<EOF
eval "\$('$T_ROOT/bin/credsh' hook bash)"
show() { local l=\$1 v; shift; for v; do if [[ -v \$v ]]; then printf '@%s %s=%s\n' "\$l" "\$v" "\${!v}"; else printf '@%s %s=unset\n' "\$l" "\$v"; fi; done; }
calls() { printf '@%s calls=%s\n' "\$1" "\$(grep -c '^export' '$CALLS')"; }
VARS="ASK_DEFAULT_PROFILE AWS_PROFILE AWS_REGION AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY ASK_ACCESS_TOKEN ASK_REFRESH_TOKEN ASK_VENDOR_ID CREDSH_ASK_VENDOR_ID CREDSH_PROMPT"
_credsh_hook
cd '$S/skill-a/lambda'; _credsh_hook; show dev \$VARS
cd '$S/plain'; _credsh_hook; show out \$VARS
export ASK_LWA_CLIENT_ID='$CLIENT_ID' ASK_LWA_CLIENT_CONFIRMATION='$CLIENT_SECRET' ASK_LWA_TOKEN_HOST='$LWA_URL'
cd '$S/skill-b'; _credsh_hook; show prod \$VARS; calls prod
for i in 1 2 3 4 5; do _credsh_hook; done; calls settled
for i in 1 2 3 4 5; do _credsh_hook; done; calls later; show later ASK_ACCESS_TOKEN
touch '$HOME/.aws/config'; _credsh_hook; calls touched; show touched ASK_ACCESS_TOKEN
cd '$S/skill-a'; _credsh_hook; show back \$VARS
credsh use skill-prod >/dev/null 2>&1; _credsh_hook; show session ASK_DEFAULT_PROFILE AWS_PROFILE ASK_VENDOR_ID
EOF
out=$(cd "$HOME" && bash "$SCRIPT" 2>"$T_ROOT/shell.err")
val() { grep -m1 "^@$1 $2=" <<<"$out" | cut -d= -f2-; }

check "dev: ASK profile from ask_profile" skill-dev "$(val dev ASK_DEFAULT_PROFILE)"
check "dev: its linked AWS profile" lambda-dev "$(val dev AWS_PROFILE)"
check "dev: the AWS profile's region" eu-west-1 "$(val dev AWS_REGION)"
check "dev: profile mode puts no token in the environment" unset "$(val dev ASK_ACCESS_TOKEN)"
check "dev: no keys either (static keys stay in the file)" unset "$(val dev AWS_ACCESS_KEY_ID)"
check "dev: vendor id for the prompt" M1DEVVENDOR "$(val dev CREDSH_ASK_VENDOR_ID)"
check_contains "dev: the prompt shows the ASK profile and vendor id" "ask:skill-dev M1DEVVENDOR" "$(val dev CREDSH_PROMPT)"
check "out: ASK profile unset again" unset "$(val out ASK_DEFAULT_PROFILE)"
check "out: AWS profile unset again" unset "$(val out AWS_PROFILE)"

check "prod (same-name profile, env mode): ASK_DEFAULT_PROFILE" skill-prod "$(val prod ASK_DEFAULT_PROFILE)"
check "prod: a fresh access token from LWA" 'Atza|fake-access-1' "$(val prod ASK_ACCESS_TOKEN)"
check "prod: ASK_VENDOR_ID" M1PRODVENDOR "$(val prod ASK_VENDOR_ID)"
check "prod: the linked AWS profile's keys (the ASK CLI needs them)" AKIALAMBDAPROD "$(val prod AWS_ACCESS_KEY_ID)"
check "prod: and its secret" S3NT1NEL-lambda-prod "$(val prod AWS_SECRET_ACCESS_KEY)"
check "prod: never ASK_REFRESH_TOKEN" unset "$(val prod ASK_REFRESH_TOKEN)"
check "prod: AWS_PROFILE names the linked profile" lambda-prod "$(val prod AWS_PROFILE)"
check_absent "prod: no token in the prompt" "Atza" "$(val prod CREDSH_PROMPT)"
check "one LWA refresh for the whole session" 1 "$(hits)"
check "the refresh was form-encoded" application/x-www-form-urlencoded "$(last_request content_type)"
check "the refresh used cli_config's refresh token" "$REFRESH" "$(last_request refresh_token_used)"
check "the refresh used ASK_LWA_CLIENT_ID" "$CLIENT_ID" "$(last_request client_id)"
settled=$(val settled calls)
check "prompts after the write-back settle (at most one export for the cli_config change)" 1 \
    "$(( $(val settled calls) - $(val prod calls) <= 1 ))"
check "later prompts run no export at all" "$settled" "$(val later calls)"
check "a watched-file change runs one export" $((settled + 1)) "$(val touched calls)"
check "that export reuses the token from cli_config" 'Atza|fake-access-1' "$(val touched ASK_ACCESS_TOKEN)"
check "and makes no LWA request" 1 "$(hits)"
check "back in skill-a: profile mode again, token gone" unset "$(val back ASK_ACCESS_TOKEN)"
check "back in skill-a: vendor id gone" unset "$(val back ASK_VENDOR_ID)"
check "back in skill-a: keys gone" unset "$(val back AWS_ACCESS_KEY_ID)"
check "credsh use selects the ASK profile" skill-prod "$(val session ASK_DEFAULT_PROFILE)"
check "credsh use brings its AWS profile" lambda-prod "$(val session AWS_PROFILE)"
check_no_match "no secret on the shell's stderr" "S3NT1NEL" "$T_ROOT/shell.err"

# --- the write-back: 0600, every other part of cli_config kept ----------------------------------------------
check "cli_config is 0600 after the write-back" 600 "$(stat -c %a "$CFG")"
check "no temp file left in ~/.ask" "cli_config" "$(ls -A "$HOME/.ask")"
verdict=$(python3 - "$CFG" "$(iso "$NOW")" <<'EOF'
import json, sys
after = json.load(open(sys.argv[1]))
tok = after["profiles"]["skill-prod"]["token"]
problems = []
if list(after) != ["machine_id", "share_usage", "profiles", "zz_unknown_top"]: problems.append("top-level keys/order")
if after["machine_id"] != "amzn1.ask.machine.0000-credsh-test" or after["zz_unknown_top"] != "stays": problems.append("top values")
if after["profiles"]["skill-dev"]["token"]["access_token"] != "Atza|dev-access-S3NT1NEL": problems.append("other profile")
if list(after["profiles"]["skill-prod"]) != ["aws_profile", "x_future_field", "token", "vendor_id"]: problems.append("profile keys")
if after["profiles"]["skill-prod"]["x_future_field"] != {"keep": [1, 2]}: problems.append("unknown profile field")
if tok["access_token"] != "Atza|fake-access-1": problems.append("access token")
if tok["refresh_token"] != "Atzr|fake-rotated-1": problems.append("rotated refresh token")
if not tok["expires_at"].endswith(".000Z") or tok["expires_at"] <= sys.argv[2]: problems.append("expires_at")
if list(tok) != ["access_token", "refresh_token", "token_type", "expires_in", "expires_at"]: problems.append("token keys")
print(", ".join(problems) or "ok")
EOF
)
check "cli_config write-back keeps everything else (order, unknown keys, other profile)" ok "$verdict"

# --- no plugin and no network while the token is valid (strace) --------------------------------------------
export ASK_LWA_CLIENT_ID=$CLIENT_ID ASK_LWA_CLIENT_CONFIRMATION=$CLIENT_SECRET ASK_LWA_TOKEN_HOST=$LWA_URL
strace -f -qq -e trace=openat,connect -o "$T_ROOT/strace.out" \
    "$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/exec.out" 2>"$T_ROOT/exec.err"
check "exec -p skill-prod: the token from cli_config" 'Atza|fake-access-1' "$(cat "$T_ROOT/exec.out")"
check_no_match "exec with a valid token does not load credsh-ask.so" "credsh-ask.so" "$T_ROOT/strace.out"
check_no_match "exec with a valid token connects nowhere" "connect(" "$T_ROOT/strace.out"
check "exec -p skill-dev: ASK and AWS profiles" "skill-dev lambda-dev" \
    "$("$CREDSH_BIN" exec -p skill-dev -- sh -c 'echo "$ASK_DEFAULT_PROFILE $AWS_PROFILE"')"

# --- inside the refresh window: refreshed (with the rotated refresh token), once for five parallel shells ---
write_ask $((NOW + 600)) 'Atzr|fake-rotated-1'
par=()
for i in 1 2 3 4 5; do
    "$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/par.$i" 2>"$T_ROOT/par.$i.err" &
    par+=($!)
done
wait "${par[@]}" # not a bare wait: the fake servers are background jobs too
check "10 minutes left: refreshed once for five parallel commands" 2 "$(hits ok)"
check "all five got the new token" 5 "$(cat "$T_ROOT"/par.? | grep -c '^Atza|fake-access-2$')"
check "the rotated token was used" 'Atzr|fake-rotated-1' "$(last_request refresh_token_used)"

# --- failures: invalid_client, invalid_grant, a slow endpoint; nothing secret in messages --------------------
write_ask $((NOW - 60)) 'Atzr|fake-rotated-2'
ASK_LWA_CLIENT_CONFIRMATION=wrong-S3NT1NEL "$CREDSH_BIN" exec -p skill-prod -- true 2>"$T_ROOT/ic.err"
check "invalid_client: exec refuses to run" 1 "$?"
check_contains "invalid_client is named" "invalid_client" "$(cat "$T_ROOT/ic.err")"
check_no_match "invalid_client: no secret in the message" "S3NT1NEL" "$T_ROOT/ic.err"
check_no_match "invalid_client: no token in the message" "Atz" "$T_ROOT/ic.err"

lwa_config '{"valid": []}'
"$CREDSH_BIN" exec -p skill-prod -- true 2>"$T_ROOT/ig.err"
check "invalid_grant: exec refuses to run" 1 "$?"
check_contains "invalid_grant says how to sign in again" "ask configure --profile skill-prod" "$(cat "$T_ROOT/ig.err")"
check_no_match "invalid_grant: no token in the message" "Atz" "$T_ROOT/ig.err"
check "invalid_grant: cli_config is left as it was" 'Atza|prod-old-access' \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profiles"]["skill-prod"]["token"]["access_token"])' "$CFG")"

lwa_config '{"valid": ["Atzr|fake-rotated-2"], "delay": 20}'
start=$(date +%s)
(cd "$S/skill-b" && timeout 15 "$CREDSH_BIN" export bash >"$T_ROOT/slow.out" 2>"$T_ROOT/slow.err")
rc=$? elapsed=$(($(date +%s) - start))
check "slow LWA: export fails (exit 1, not a hang)" 1 "$rc"
check_true "slow LWA: gave up within its 2 s budget (+ slack, < 10 s)" test "$elapsed" -lt 10
check_contains "slow LWA: says it timed out" "timed out" "$(cat "$T_ROOT/slow.err")"
check_absent "slow LWA: no expired token exported" "export ASK_ACCESS_TOKEN" "$(cat "$T_ROOT/slow.out")"
check_contains "slow LWA: output is still complete shell code" "# credsh-end" "$(cat "$T_ROOT/slow.out")"
lwa_config '{"delay": 0}'

# --- ASK_CLI_PROXY: the request goes to the proxy, for the host ASK_LWA_TOKEN_HOST names -------------------
# Plain http only to a loopback address (docs/security.md 39): 127.0.0.2:1, where nothing listens, so only the
# proxy can answer.
before=$(hits)
ASK_CLI_PROXY=$LWA_URL ASK_LWA_TOKEN_HOST=http://127.0.0.2:1 \
    "$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/proxy.out" 2>"$T_ROOT/proxy.err"
check "ASK_CLI_PROXY: one request reached the proxy" $((before + 1)) "$(hits)"
check "ASK_CLI_PROXY: it asked for ASK_LWA_TOKEN_HOST's host" 127.0.0.2:1 "$(last_request via_proxy_to)"
check_contains "ASK_CLI_PROXY: and got a token" 'Atza|fake-access-' "$(cat "$T_ROOT/proxy.out")"
write_ask $((NOW - 60))
before=$(hits)
ASK_CLI_PROXY=$LWA_URL ASK_LWA_TOKEN_HOST=http://lwa.credsh-test.invalid \
    "$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/proxy2.out" 2>"$T_ROOT/proxy2.err"
check "ASK_CLI_PROXY, plain http to another host: no request, not even to the proxy" "$before" "$(hits)"
check_contains "ASK_CLI_PROXY, plain http to another host: says why" "plain http is allowed only to a loopback" \
    "$(cat "$T_ROOT/proxy2.err")"

# --- cli_config as a symlink (docs/security.md 44): written through a link of ours, a foreign target refused --
expire_prod() { python3 -c 'import json,sys; p=sys.argv[1]; j=json.load(open(p)); j["profiles"]["skill-prod"]["token"]["expires_at"]="2000-01-01T00:00:00.000Z"; open(p,"w").write(json.dumps(j, indent=2))' "$1"; }
access_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profiles"]["skill-prod"]["token"]["access_token"])' "$1"; }
# The sections above leave the fake's valid refresh token wherever their last refresh left it: make the file's
# current one the valid one, so what follows tests the link, not an earlier section's rotation.
prod_refresh() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["profiles"]["skill-prod"]["token"]["refresh_token"])' "$1"; }
lwa_config "{\"valid\": [\"$(prod_refresh "$CFG")\"]}"
mkdir -m 700 "$HOME/dotfiles"
mv "$CFG" "$HOME/dotfiles/cli_config"
ln -s ../dotfiles/cli_config "$CFG"
expire_prod "$HOME/dotfiles/cli_config"
"$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/link.out" 2>"$T_ROOT/link.err"
check_contains "a link of ours: refreshed" 'Atza|fake-access-' "$(cat "$T_ROOT/link.out")"
check_true "a link of ours: cli_config is still a link" test -L "$CFG"
check "a link of ours: the file it leads to got the token" "$(cat "$T_ROOT/link.out")" "$(access_of "$HOME/dotfiles/cli_config")"
# A link to a file another user owns (a shared cli_config): never replaced by a private copy of ours.
SHARED=$T_ROOT/shared
mkdir -m 755 "$SHARED"
cp "$HOME/dotfiles/cli_config" "$SHARED/cli_config"
expire_prod "$SHARED/cli_config"
chmod 644 "$SHARED/cli_config"
chown 65534 "$SHARED" "$SHARED/cli_config"
before_bytes=$(sha256sum <"$SHARED/cli_config")
ln -sfn "$SHARED/cli_config" "$CFG"
before=$(hits)
"$CREDSH_BIN" exec -p skill-prod -- true 2>"$T_ROOT/foreign.err"
check "a link to another user's file: exec refuses" 1 "$?"
check_contains "a link to another user's file: says whose it is" "belongs to uid 65534" "$(cat "$T_ROOT/foreign.err")"
check "a link to another user's file: it still belongs to them" 65534 "$(stat -c %u "$SHARED/cli_config")"
check "a link to another user's file: not changed" "$before_bytes" "$(sha256sum <"$SHARED/cli_config")"
check "a link to another user's file: no refresh was made (a rotated token would be lost)" "$before" "$(hits)"
check_true "a link to another user's file: still a link" test -L "$CFG"
rm -f "$CFG" && mv "$HOME/dotfiles/cli_config" "$CFG"

# --- a concurrent writer (docs/security.md 44): the ASK CLI rewrites cli_config while credsh's refresh is in flight --
# The LWA fake holds the refresh until the test has written the file the way the ASK CLI does (in place, with
# another profile added and skill-dev's token renewed); then it answers. credsh must merge its rotated token into
# what is there now: the writer's changes and the rotated refresh token both survive.
expire_prod "$CFG"
before=$(hits)
lwa_config '{"hold": true}'
"$CREDSH_BIN" exec -p skill-prod -- printenv ASK_ACCESS_TOKEN >"$T_ROOT/race.out" 2>"$T_ROOT/race.err" &
race_pid=$!
for ((i = 0; i < 1200 && $(hits) == before; i++)); do sleep 0.05; done # until the request is at the fake
check "concurrent writer: the refresh is in flight" $((before + 1)) "$(hits)"
python3 - "$CFG" <<'EOF'
import json, sys
path = sys.argv[1]
j = json.load(open(path))
j["profiles"]["skill-new"] = {"aws_profile": "lambda-dev", "vendor_id": "M1NEWVENDOR"}
j["profiles"]["skill-dev"]["token"]["refresh_token"] = "Atzr|dev-renewed-by-the-ask-cli"
with open(path, "r+") as f:  # in place, as the ASK CLI's fs.writeFileSync does
    f.seek(0); f.truncate(); f.write(json.dumps(j, indent=2))
EOF
lwa_config '{"release": true}'
wait "$race_pid"
check "concurrent writer: exec got the refreshed token" 0 "$?"
verdict=$(python3 - "$CFG" "$(last_request refresh_token_used)" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
p = j["profiles"]
problems = []
if "skill-new" not in p: problems.append("the writer's new profile was lost")
if p["skill-dev"]["token"]["refresh_token"] != "Atzr|dev-renewed-by-the-ask-cli": problems.append("the writer's renewed token was lost")
if p["skill-prod"]["token"]["refresh_token"] == sys.argv[2]: problems.append("the rotated refresh token was not stored")
if not p["skill-prod"]["token"]["refresh_token"].startswith("Atzr|fake-rotated-"): problems.append("skill-prod's refresh token")
print(", ".join(problems) or "ok")
EOF
)
check "concurrent writer: the writer's changes and the rotated refresh token are all kept" ok "$verdict"

# --- without an LWA client of one's own: no refresh, the ASK CLI keeps its file fresh itself ----------------
unset ASK_LWA_CLIENT_ID ASK_LWA_CLIENT_CONFIRMATION
write_ask $((NOW - 60))
before=$(hits)
"$CREDSH_BIN" exec -p skill-prod -- sh -c 'echo "${ASK_ACCESS_TOKEN-unset} $ASK_DEFAULT_PROFILE"' >"$T_ROOT/nc.out" 2>"$T_ROOT/nc.err"
check "no client: an expired token is not exported; ASK_DEFAULT_PROFILE is" "unset skill-prod" "$(cat "$T_ROOT/nc.out")"
check_contains "no client: says how to let credsh refresh" "ASK_LWA_CLIENT_ID" "$(cat "$T_ROOT/nc.err")"
check "no client: no request" "$before" "$(hits)"

finish
