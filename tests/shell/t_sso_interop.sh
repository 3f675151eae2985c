#!/usr/bin/env bash
# The SSO caches shared with the real AWS CLI v2 (/usr/bin/aws, redirected to the local fake with AWS_DATA_PATH
# endpoint rule sets, docs/protocols.md §2), both ways:
#   aws sso login --no-browser      -> credsh exec -p P -- env   (credsh uses the CLI's token)
#   credsh login P                  -> aws configure export-credentials --profile P
#                                      (the CLI uses credsh's token, and credsh's cached role credentials)
# for an sso-session profile and a legacy one; plus a credsh refresh the CLI then uses, a token with the
# older CLI's "...UTC" expiry, and logout in each direction. The fake records which token each call carried.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sso_lib.sh"
AWS=/usr/bin/aws
need python3 sha1sum "$AWS"
if ! /usr/bin/python3 -c 'import awscli.botocore' 2>/dev/null; then
    echo "FAIL $T_NAME: /usr/bin/aws is not the AWS CLI v2 this test expects (no awscli.botocore module)"
    exit 1
fi

B=$CREDSH_BIN
sso_start '{"approve_after": 2, "interval": 1}'
cli_data_dir "$T_ROOT/awsdata"
sso_write_config
TOK=$(token_file my-sso)
LTOK=$(token_file https://legacy.awsapps.com/start)
DEV_CACHE=$(role_cache_file 111111111111 Admin my-sso)
last_role_token() { sso_q "[l['token'] for l in s['log'] if l['op'] == 'GetRoleCredentials'][-1]"; }
# cli_keys PROFILE: the CLI's export-credentials as "KEY=value" lines.
cli_keys() { aws_cli configure export-credentials --profile "$1" --format env-no-export 2>"$T_ROOT/cli.err"; }

# --- aws sso login -> credsh ---------------------------------------------------------------------------------
out=$(aws_cli sso login --profile dev --no-browser 2>&1)
check "aws sso login succeeds against the fake" 0 "$?"
check_contains "the CLI printed the code" "WXYZ-" "$out"
cli_token=$(token_field "$TOK" accessToken)
check_true "the CLI wrote the token where credsh looks" test -n "$cli_token"
env_out=$("$B" exec -p dev -- env 2>&1)
check_contains "credsh exec -p dev works from the CLI's login" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$env_out"
check "credsh called GetRoleCredentials with the CLI's token" "$cli_token" "$(last_role_token)"
check "credsh started no device flow of its own" 1 "$(sso_count StartDeviceAuthorization)"
check "credsh cached the role credentials under the CLI's key" sso "$(token_field "$DEV_CACHE" ProviderType)"
# ...and the CLI reuses what credsh cached (no new GetRoleCredentials, the same key id).
calls=$(sso_count GetRoleCredentials)
cli=$(cli_keys dev)
check "aws export-credentials succeeds on credsh's cache" 0 "$?"
check "the CLI reused credsh's cached role credentials" "$calls" "$(sso_count GetRoleCredentials)"
check "the CLI's key id is the one credsh exported" "$(grep ^AWS_ACCESS_KEY_ID= <<<"$env_out")" \
    "$(grep ^AWS_ACCESS_KEY_ID= <<<"$cli")"

# --- credsh login -> aws ----------------------------------------------------------------------------------------
rm -rf "$HOME/.aws/sso/cache" "$HOME/.aws/cli/cache"
"$B" login dev --no-browser >/dev/null 2>&1
check "credsh login dev succeeds" 0 "$?"
credsh_token=$(token_field "$TOK" accessToken)
rm -rf "$HOME/.aws/cli/cache" # make the CLI fetch role credentials itself, with credsh's token
cli=$(cli_keys dev)
check "aws export-credentials works from credsh's login" 0 "$?"
check_contains "the CLI printed credentials" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$cli"
check "the CLI called GetRoleCredentials with credsh's token" "$credsh_token" "$(last_role_token)"
cli=$(aws_cli configure export-credentials --profile ro --format env-no-export 2>&1)
check_contains "another profile of the same sso-session works in the CLI" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$cli"

# --- credsh refresh -> aws -----------------------------------------------------------------------------------------
token_edit "$TOK" 't["expiresAt"] = iso(now + 300)'
rm -rf "$HOME/.aws/cli/cache"
"$B" exec -p dev -- true 2>/dev/null
check "credsh refreshed the token" 1 "$(sso_count CreateToken.refresh_token)"
refreshed=$(token_field "$TOK" accessToken)
check_true "the refreshed token differs" test "$refreshed" != "$credsh_token"
rm -rf "$HOME/.aws/cli/cache"
cli_keys ro >/dev/null
check "the CLI uses the token credsh refreshed" "$refreshed" "$(last_role_token)"

# --- the older CLI's "...UTC" expiry, written by another tool -------------------------------------------------------
token_edit "$TOK" 't["expiresAt"] = iso(now + 7200).replace("Z", "UTC")'
rm -rf "$HOME/.aws/cli/cache"
out=$("$B" exec -p dev -- env 2>&1)
check_contains "credsh reads an expiresAt ending in UTC" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
check "...without refreshing it" 1 "$(sso_count CreateToken.refresh_token)"

# --- legacy profiles, both ways -----------------------------------------------------------------------------------
aws_cli sso login --profile legacy --no-browser >/dev/null 2>&1
check "aws sso login for a legacy profile" 0 "$?"
legacy_cli_token=$(token_field "$LTOK" accessToken)
out=$("$B" exec -p legacy -- env 2>&1)
check_contains "credsh exec -p legacy from the CLI's legacy login" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$out"
check "credsh used the CLI's legacy token" "$legacy_cli_token" "$(last_role_token)"
rm -f "$LTOK"
rm -rf "$HOME/.aws/cli/cache"
"$B" login legacy --no-browser >/dev/null 2>&1
check "credsh login legacy" 0 "$?"
rm -rf "$HOME/.aws/cli/cache"
cli=$(cli_keys legacy)
check_contains "aws export-credentials for a legacy profile from credsh's login" "AWS_ACCESS_KEY_ID=ASIAFAKE" "$cli"
check "the CLI used credsh's legacy token" "$(token_field "$LTOK" accessToken)" "$(last_role_token)"

# --- logout, each direction ---------------------------------------------------------------------------------------
"$B" exec -p dev -- true 2>/dev/null
aws_cli sso logout >/dev/null 2>&1
check "aws sso logout succeeds" 0 "$?"
check_true "aws sso logout removed credsh-written tokens" test ! -e "$LTOK" -a ! -e "$TOK"
check_true "aws sso logout removed credsh's cached SSO role credentials" test ! -e "$DEV_CACHE"
out=$("$B" exec -p dev -- env 2>&1)
check_contains "after aws sso logout credsh says: login" "dev needs login — run: credsh login dev" "$out"
"$B" login dev --no-browser >/dev/null 2>&1
"$B" logout dev >/dev/null 2>&1
cli=$(cli_keys dev 2>&1)
rc=$?
check_true "after credsh logout the CLI has no credentials (exit $rc)" test "$rc" -ne 0
check_contains "...because the token is gone" "Token for my-sso does not exist" "$(cat "$T_ROOT/cli.err")"

finish
