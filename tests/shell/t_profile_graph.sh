# One reader of the profile graph (issue 13 item 1): what `credsh profiles --json` and `credsh status` say serves
# a profile, the export mode, and what resolving it does all come from the one planned chain (core/pipeline/chain.hpp).
# The profiles are those an earlier second classifier read differently: credential_source = Environment alone
# (listed as imds, resolved from the environment), sso_role_name beside static keys (listed as static keys and
# exported as AWS_PROFILE, while resolution says the SSO settings are incomplete), and web identity from the
# environment for a profile without credentials (listed as nothing, resolved by AssumeRoleWithWebIdentity).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
need python3

cat >"$HOME/.aws/config" <<'EOF2'
[profile envsrc]
credential_source = Environment
[profile ssorole]
aws_access_key_id = AKIASSOROLE
aws_secret_access_key = S3NT1NEL-ssorole
sso_role_name = Admin
[profile ssotoken]
sso_session = corp
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile plain]
aws_access_key_id = AKIAPLAIN
aws_secret_access_key = S3NT1NEL-plain
[profile bare]
region = eu-west-1
EOF2

# field JSON-TEXT NAME KEY: KEY of the entry NAME in a `profiles --json` array ("-" for the object itself).
field() {
    python3 -c 'import json, sys
doc = json.loads(sys.argv[1])
obj = doc if sys.argv[2] == "-" else {p["name"]: p for p in doc}[sys.argv[2]]
print(obj.get(sys.argv[3], "(absent)"))' "$1" "$2" "$3"
}

echo "# credsh profiles --json: provider"
json=$("$CREDSH_BIN" profiles --json)
check "envsrc: credential_source = Environment is read from the environment" environment "$(field "$json" envsrc provider)"
check "ssorole: sso_role_name without sso_account_id is served by nothing" "" "$(field "$json" ssorole provider)"
check "ssotoken: sso_session alone is aws-sso" aws-sso "$(field "$json" ssotoken provider)"
check "plain: static keys" static "$(field "$json" plain provider)"
check "bare: no credentials, no web identity variables: nothing" "" "$(field "$json" bare provider)"
printf 'token' >"$T_ROOT/token"
json=$(AWS_ROLE_ARN=arn:aws:iam::123456789012:role/Web AWS_WEB_IDENTITY_TOKEN_FILE=$T_ROOT/token \
    "$CREDSH_BIN" profiles --json)
check "bare with AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE: mfa-sts (web identity)" mfa-sts \
    "$(field "$json" bare provider)"

echo "# credsh status: provider, export mode, chain; and resolving agrees"
json=$(AWS_ACCESS_KEY_ID=AKIAENVKEY AWS_SECRET_ACCESS_KEY=S3NT1NEL-env "$CREDSH_BIN" status --json --session envsrc)
check "status envsrc: provider environment" environment "$(field "$json" - provider)"
check "status envsrc: export mode keys" keys "$(field "$json" - export_mode)"
check "status envsrc: the chain" "credential_source Environment (envsrc)" "$(field "$json" - chain)"
out=$(AWS_ACCESS_KEY_ID=AKIAENVKEY AWS_SECRET_ACCESS_KEY=S3NT1NEL-env "$CREDSH_BIN" exec -p envsrc --session '' -- \
    sh -c 'printf %s "$AWS_ACCESS_KEY_ID"' 2>"$T_ROOT/envsrc.err")
check "exec -p envsrc: the environment's keys, no plugin" "0 AKIAENVKEY" "$? $out"

json=$("$CREDSH_BIN" status --json --session ssorole 2>/dev/null)
check "status ssorole: no provider" "" "$(field "$json" - provider)"
check "status ssorole: export mode keys (the profile is resolved, not handed to the SDKs)" keys \
    "$(field "$json" - export_mode)"
out=$("$CREDSH_BIN" exec -p ssorole --session '' -- sh -c 'printf %s "${AWS_PROFILE-unset}"' 2>"$T_ROOT/ssorole.err")
check "exec -p ssorole fails, the command does not run" "1 " "$? $out"
check_contains "with the planner's error, as resolving says it" \
    "profile ssorole: if \`sso_role_name\` is set, then \`sso_account_id\` must also be set" "$(<"$T_ROOT/ssorole.err")"

out=$("$CREDSH_BIN" status --session plain)
check_contains "status plain: static keys, export mode profile" "provider  static (export mode: profile)" "$out"
check_contains "status plain: the chain" "chain     static keys (plain)" "$out"

echo "# credsh login / logout read the same chain (web identity from the environment included)"
web() { AWS_ROLE_ARN=arn:aws:iam::123456789012:role/Web AWS_WEB_IDENTITY_TOKEN_FILE=$T_ROOT/token "$@"; }
# STS on a closed local port: nothing to sign in to, but login still fetches the credentials, and says it has none
# (issue 11 item 2: a failure never exits 0); never the real endpoint.
AWS_ENDPOINT_URL_STS=http://127.0.0.1:$(free_port) web "$CREDSH_BIN" login bare </dev/null >/dev/null 2>"$T_ROOT/login.err"
check "login bare with web identity variables, STS unreachable: nothing to sign in to, no credentials (exit 1)" 1 "$?"
check_contains "login bare: says so" "needs no sign-in, but has no usable credentials" "$(<"$T_ROOT/login.err")"
check_contains "login bare: names the web identity chain" "AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/Web" \
    "$(<"$T_ROOT/login.err")"
web "$CREDSH_BIN" logout bare </dev/null >/dev/null 2>"$T_ROOT/logout.err"
check "logout bare with web identity variables: nothing to sign out of (exit 0)" 0 "$?"
check_contains "logout bare: names the web identity chain" "AssumeRoleWithWebIdentity arn:aws:iam::123456789012:role/Web" \
    "$(<"$T_ROOT/logout.err")"

finish
